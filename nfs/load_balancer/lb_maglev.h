/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_maglev: Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast
 * and Reliable Software Network Load Balancer", NSDI 2016, section 3.4).
 *
 * Each backend gets a permutation of the M table slots from two hashes of
 * its name (offset, skip); backends take turns claiming their next free
 * preferred slot until the table is full. Every backend ends up with M/N
 * slots give or take one, and removing one backend mostly moves only the
 * slots it held. Pure C; building allocates, lookups do not.
 */
#ifndef LB_MAGLEV_H
#define LB_MAGLEV_H

#include <stdbool.h>
#include <stdint.h>

struct lb_maglev {
	uint32_t size;     /* M, prime */
	uint16_t *slot;    /* backend index of each of the M slots */
};

bool lb_is_prime(uint32_t n);

/*
 * Fill m for backends named names[0..n) (any stable text, e.g. "ip:port").
 * size must be a prime larger than n; n >= 1. Returns 0, or -1 on bad
 * arguments or no memory.
 */
int lb_maglev_build(struct lb_maglev *m, uint32_t size, const char *const *names, uint16_t n);

void lb_maglev_free(struct lb_maglev *m);

/* The backend index for a flow hash. */
static inline uint16_t
lb_maglev_pick(const struct lb_maglev *m, uint32_t flow_hash)
{
	return m->slot[flow_hash % m->size];
}

#endif /* LB_MAGLEV_H */
