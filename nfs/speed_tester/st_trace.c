/* SPDX-License-Identifier: BSD-3-Clause */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_trace.h"

static int
grow(struct st_trace *t, unsigned int *cap, size_t *data_cap, size_t need)
{
	if (t->n == *cap) {
		unsigned int ncap = *cap ? *cap * 2 : 64;
		size_t *off = realloc(t->off, ncap * sizeof(*off));
		uint16_t *len;

		if (off == NULL)
			return -1;
		t->off = off;
		len = realloc(t->len, ncap * sizeof(*len));
		if (len == NULL)
			return -1;
		t->len = len;
		*cap = ncap;
	}
	if (need > *data_cap) {
		size_t ncap = *data_cap ? *data_cap : 65536;
		uint8_t *data;

		while (ncap < need)
			ncap *= 2;
		data = realloc(t->data, ncap);
		if (data == NULL)
			return -1;
		t->data = data;
		*data_cap = ncap;
	}
	return 0;
}

int
st_trace_load(struct st_trace *t, const char *path, unsigned int max, uint16_t max_len,
	      char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	unsigned int cap = 0;
	size_t data_cap = 0, used = 0;
	pcap_t *p;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	p = pcap_open_offline(path, perr);
	if (p == NULL) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		snprintf(err, errlen, "%s: not an Ethernet capture (link type %s)", path,
			 pcap_datalink_val_to_name(pcap_datalink(p)) ?: "unknown");
		pcap_close(p);
		return -1;
	}
	while (t->n < max && (rc = pcap_next_ex(p, &h, &bytes)) == 1) {
		if (h->caplen < h->len || h->caplen < 14 || h->caplen > max_len) {
			t->skipped++;
			continue;
		}
		if (grow(t, &cap, &data_cap, used + h->caplen) < 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			pcap_close(p);
			st_trace_free(t);
			return -1;
		}
		memcpy(t->data + used, bytes, h->caplen);
		t->off[t->n] = used;
		t->len[t->n] = (uint16_t)h->caplen;
		used += h->caplen;
		t->n++;
	}
	if (t->n < max && rc == PCAP_ERROR) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(p));
		pcap_close(p);
		st_trace_free(t);
		return -1;
	}
	pcap_close(p);
	if (t->n == 0) {
		snprintf(err, errlen, "%s: no frame to replay (%u skipped)", path, t->skipped);
		st_trace_free(t);
		return -1;
	}
	return 0;
}

void
st_trace_free(struct st_trace *t)
{
	free(t->data);
	free(t->off);
	free(t->len);
	memset(t, 0, sizeof(*t));
}
