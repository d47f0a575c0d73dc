/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rt_table: the router's forwarding table. A DPDK rte_fib (DIR24_8: one
 * tbl24 read for prefixes up to /24, a second tbl8 read beyond) maps an IPv4
 * address to a next-hop index; the index selects (out port, next-hop MAC)
 * from a small array. Identical next hops share one index, so a full
 * Internet table with a few dozen neighbours keeps a few dozen entries.
 *
 * Built once from an rt_config, read-only afterwards: lookups take no lock.
 */
#ifndef RT_TABLE_H
#define RT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "rt_config.h"

struct rt_next_hop {
	uint16_t port;
	uint8_t mac[6];
};

struct rt_table;

/*
 * Build the table from cfg in DPDK memory on `socket_id` (SOCKET_ID_ANY is
 * fine). `name` must be unique among this EAL's FIBs. Needs an initialised
 * EAL. Returns NULL with a reason in err on failure (usually memory).
 */
struct rt_table *rt_table_create(const char *name, const struct rt_config *cfg, int socket_id,
				 char *err, size_t errlen);

void rt_table_free(struct rt_table *t);

/* Number of distinct next hops. */
uint32_t rt_table_next_hop_count(const struct rt_table *t);

/*
 * Look up ips[0..n) (host order, any n). nh[i] is the next hop of the
 * longest matching prefix, or NULL when no route covers ips[i].
 */
void rt_table_lookup_bulk(const struct rt_table *t, const uint32_t *ips,
			  const struct rt_next_hop **nh, unsigned int n);

#endif /* RT_TABLE_H */
