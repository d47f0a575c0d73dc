/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * counter_keeper: counters that never go down, per series (a metric name
 * and its labels), whatever happens to what they count.
 *
 * A series such as onvm_nf_rx_packets_total{service="fw",instance="0"}
 * is fed by whatever currently holds its labels: one NF process, then,
 * after it leaves, another that starts from zero; a chain named "web"
 * that a reload removes and a later one brings back, from zero; a port
 * whose statistics someone reset. The keeper shows, for each series,
 *
 *     shown = base + last
 *
 * where `last` is the latest raw value of the current source and `base`
 * what the sources before it had counted when last seen. A series takes
 * a new source when the caller names another one (an NF's start time),
 * when the raw value goes down (a reset), or when it was missing from a
 * whole round of observations (ckeep_end): each time, `last` moves into
 * `base`. So `shown` never decreases. What a source counted after it was
 * last observed and before it went away is not seen (a scrape happens
 * when the scraper asks): totals can fall short by that much, never
 * exceed.
 *
 * Series stay after their source is gone, with their total, so a counter
 * that comes back continues from there. At most `max_series` are kept;
 * past that ckeep_observe returns the raw value and counts the series in
 * `unkept`. Pure and single-threaded: the caller serialises.
 */
#ifndef ONVM_COUNTER_KEEPER_H
#define ONVM_COUNTER_KEEPER_H

#include <stdbool.h>
#include <stdint.h>

struct ckeep;

struct ckeep *ckeep_create(uint32_t max_series);
void ckeep_free(struct ckeep *k);

/* A round of observations (one scrape) begins. */
void ckeep_begin(struct ckeep *k);

/*
 * Series (family, labels) is now `raw`, counted by source `src` (any
 * number naming the thing counting: a start time, 0 if it never changes).
 * Returns the value to show.
 */
uint64_t ckeep_observe(struct ckeep *k, const char *family, const char *labels, uint64_t src,
		       uint64_t raw);

/* Series of `family` kept but not observed in this round, each with the
 * value to show: fn(labels, value, arg). */
void ckeep_foreach_missing(struct ckeep *k, const char *family,
			   void (*fn)(const char *labels, uint64_t value, void *arg), void *arg);

/* The round ends: series not observed lose their source (see above). */
void ckeep_end(struct ckeep *k);

uint32_t ckeep_count(const struct ckeep *k);
/* Observations of series that did not fit in max_series. */
uint64_t ckeep_unkept(const struct ckeep *k);

#endif /* ONVM_COUNTER_KEEPER_H */
