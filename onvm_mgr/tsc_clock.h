/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tsc_clock: wall-clock nanoseconds from the TSC, for packet arrival
 * times. Two multiplies per call, exact to a nanosecond for centuries of
 * uptime: ns per cycle is kept as a whole part and a 64-bit fraction,
 * the product in 128 bits. (cycles * 1e9 in 64 bits overflows after
 * 2^64 / 1e9 cycles, about 8 s at 2.3 GHz, and arrival times then jumped
 * back.)
 */
#ifndef ONVM_TSC_CLOCK_H
#define ONVM_TSC_CLOCK_H

#include <stdint.h>

struct tsc_clock {
	uint64_t tsc_base;
	uint64_t ns_base;         /* wall clock at tsc_base */
	uint64_t ns_per_cycle;    /* whole nanoseconds per cycle (0 above 1 GHz) */
	uint64_t ns_per_cycle_frac; /* and the rest, in 2^-64 ns */
};

static inline void
tsc_clock_init(struct tsc_clock *c, uint64_t tsc_base, uint64_t ns_base, uint64_t hz)
{
	c->tsc_base = tsc_base;
	c->ns_base = ns_base;
	c->ns_per_cycle = 1000000000u / hz;
	c->ns_per_cycle_frac = (uint64_t)(((unsigned __int128)(1000000000u % hz) << 64) / hz);
}

static inline uint64_t
tsc_clock_ns(const struct tsc_clock *c, uint64_t tsc)
{
	uint64_t d = tsc - c->tsc_base;

	return c->ns_base + d * c->ns_per_cycle +
	       (uint64_t)(((unsigned __int128)d * c->ns_per_cycle_frac) >> 64);
}

#endif /* ONVM_TSC_CLOCK_H */
