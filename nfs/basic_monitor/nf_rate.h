/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nf_rate: packet and bit rates from two samples of monotonic counters,
 * and their human-readable form. Pure C, shared by basic_monitor and
 * speed_tester.
 */
#ifndef NF_RATE_H
#define NF_RATE_H

#include <stddef.h>
#include <stdint.h>

struct nf_rate_sample {
	uint64_t pkts;
	uint64_t bytes;   /* whole frames as received, Ethernet header included */
	uint64_t time_ns;
};

struct nf_rate {
	double pps;
	double bps;
};

/*
 * Rates over (prev, cur]. Zero when no time passed or time went backwards
 * (the wall clock was stepped), and zero for a counter that went down (it
 * was reset): a bogus sample prints 0, never a huge number.
 */
struct nf_rate nf_rate_between(const struct nf_rate_sample *prev,
			       const struct nf_rate_sample *cur);

/*
 * "950 ", "1.50 k", "12.35 M", "1.00 G": whole numbers below 1000, then two
 * decimals and an SI prefix, made to take a unit right after it ("950 pps",
 * "12.35 Mpps"). Returns buf.
 */
const char *nf_rate_format(double value, char *buf, size_t len);

#endif /* NF_RATE_H */
