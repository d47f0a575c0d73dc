/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lat_hist: a log-linear histogram of durations (any unit: the caller's
 * TSC cycles), as HdrHistogram does with three significant bits: values
 * below 8 exactly, above in 8 sub-buckets per power of two, so a
 * percentile read back is within 12.5% of the true one. Fixed size, no
 * allocation, one writer; a reader on another thread sees counts that
 * are at worst a little behind. Pure: tested against sorted samples in
 * tests/unit/onvm_mgr/test_lat_hist.c.
 */
#ifndef ONVM_LAT_HIST_H
#define ONVM_LAT_HIST_H

#include <stdint.h>

#define LAT_HIST_SUB 8
#define LAT_HIST_N ((64 - 2) * LAT_HIST_SUB) /* index of UINT64_MAX, plus one */

struct lat_hist {
	uint64_t count[LAT_HIST_N];
	uint64_t total;
	uint64_t max;
};

static inline unsigned int
lat_hist_index(uint64_t v)
{
	unsigned int msb;

	if (v < LAT_HIST_SUB)
		return (unsigned int)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	return ((msb - 2) << 3) + (unsigned int)((v >> (msb - 3)) & 7);
}

/* The smallest value of bucket i. */
static inline uint64_t
lat_hist_low(unsigned int i)
{
	unsigned int msb;

	if (i < LAT_HIST_SUB)
		return i;
	msb = (i >> 3) + 2;
	return (1ULL << msb) | ((uint64_t)(i & 7) << (msb - 3));
}

/* n samples of value v. */
static inline void
lat_hist_add(struct lat_hist *h, uint64_t v, uint64_t n)
{
	h->count[lat_hist_index(v)] += n;
	h->total += n;
	if (v > h->max)
		h->max = v;
}

/*
 * The value under which `permille` thousandths of the samples fall: the
 * middle of the bucket holding that sample (never above the largest
 * sample seen); 0 with no samples.
 */
static inline uint64_t
lat_hist_percentile(const struct lat_hist *h, unsigned int permille)
{
	uint64_t rank, seen = 0;

	if (h->total == 0)
		return 0;
	rank = (h->total * permille + 999) / 1000;
	if (rank == 0)
		rank = 1;
	for (unsigned int i = 0; i < LAT_HIST_N; i++) {
		seen += h->count[i];
		if (seen >= rank) {
			uint64_t lo = lat_hist_low(i);
			uint64_t hi = i + 1 < LAT_HIST_N ? lat_hist_low(i + 1) - 1 : UINT64_MAX;
			uint64_t mid = lo + (hi - lo) / 2;

			return mid < h->max ? mid : h->max;
		}
	}
	return h->max;
}

#endif /* ONVM_LAT_HIST_H */
