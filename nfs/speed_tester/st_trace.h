/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * st_trace: the frames of a pcap file, loaded once at start-up so the
 * speed tester can replay them (-o) without touching the file again.
 */
#ifndef ST_TRACE_H
#define ST_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct st_trace {
	unsigned int n;
	uint8_t *data;      /* the frames, back to back */
	size_t *off;        /* frame i is data[off[i] .. off[i] + len[i]) */
	uint16_t *len;
	unsigned int skipped; /* frames cut short by the capture or too big */
};

/*
 * Load up to `max` Ethernet frames of `path`. Frames captured partially
 * (caplen < len), shorter than an Ethernet header or longer than `max_len`
 * are skipped and counted. Returns 0, or -1 with "path: reason" in err
 * (unreadable, not Ethernet, no usable frame).
 */
int st_trace_load(struct st_trace *t, const char *path, unsigned int max, uint16_t max_len,
		  char *err, size_t errlen);

void st_trace_free(struct st_trace *t);

#endif /* ST_TRACE_H */
