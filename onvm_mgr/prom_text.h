/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prom_text: the Prometheus text exposition format, version 0.0.4, written
 * into a growing buffer. Pure (no DPDK, no I/O), so it is unit-tested.
 *
 *   # HELP onvm_port_rx_packets_total Packets received.
 *   # TYPE onvm_port_rx_packets_total counter
 *   onvm_port_rx_packets_total{port="0"} 1027
 *
 * Names must match [a-zA-Z_:][a-zA-Z0-9_:]* (labels: no colon); label
 * values are escaped (backslash, double quote, newline) and any byte that
 * is not part of valid UTF-8 becomes '?', because a scraper rejects the
 * whole page for one bad byte, and label values here come from NFs.
 */
#ifndef ONVM_PROM_TEXT_H
#define ONVM_PROM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A growing text buffer. After a failed allocation `oom` is set and
 * further writes are ignored: check it once at the end. */
struct prom_buf {
	char *data;
	size_t len, cap;
	bool oom;
};

void prom_buf_init(struct prom_buf *b);
void prom_buf_free(struct prom_buf *b);
/* Hands the text (NUL-terminated) to the caller, who frees it. */
char *prom_buf_take(struct prom_buf *b, size_t *len);
void prom_buf_append(struct prom_buf *b, const char *s, size_t n);

bool prom_metric_name_valid(const char *name);
bool prom_label_name_valid(const char *name);

/*
 * A label set, as it goes between the braces: name="value",... Built
 * once per object and used for all its samples. Too long (over
 * PROM_LABELS_MAX) or an invalid label name sets `bad`.
 */
#define PROM_LABELS_MAX 512
struct prom_labels {
	char text[PROM_LABELS_MAX];
	size_t len;
	bool bad;
};

void prom_labels_init(struct prom_labels *l);
void prom_labels_add(struct prom_labels *l, const char *name, const char *value);
void prom_labels_add_u64(struct prom_labels *l, const char *name, uint64_t value);
/* A copy of `from` with one more label. */
void prom_labels_extend(struct prom_labels *l, const struct prom_labels *from,
			const char *name, const char *value);

/* The HELP and TYPE lines ("counter", "gauge"). Help text is escaped
 * (backslash, newline). */
void prom_family(struct prom_buf *b, const char *name, const char *type, const char *help);

/* One sample line; labels may be NULL (none). A label set marked bad
 * writes nothing. */
void prom_sample_u64(struct prom_buf *b, const char *name, const struct prom_labels *l,
		     uint64_t value);
void prom_sample_f64(struct prom_buf *b, const char *name, const struct prom_labels *l,
		     double value);

#endif /* ONVM_PROM_TEXT_H */
