/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_malloc.h>

#include "rt_table.h"

/* The FIB returns this for an address no route covers; real hops start at 1. */
#define RT_NH_NONE 0
/* rte_fib_lookup_bulk works on caller arrays; chunk so they stay on the stack. */
#define RT_LOOKUP_CHUNK 64

struct rt_table {
	struct rte_fib *fib;
	uint32_t n_hops;
	struct rt_next_hop *hops; /* hops[0] unused (RT_NH_NONE) */
};

static uint64_t
hop_key(const struct rt_route *r)
{
	uint64_t k = r->port;

	for (int i = 0; i < 6; i++)
		k = (k << 8) | r->mac[i];
	return k;
}

/*
 * Give every distinct (port, MAC) one index, from 1. A temporary
 * open-addressing map from the packed pair to its index; idx_of_route[i]
 * receives route i's hop. The hop array, read per packet, lands in DPDK
 * memory at its exact size.
 */
static int
assign_next_hops(struct rt_table *t, const struct rt_config *cfg, uint32_t *idx_of_route)
{
	size_t cap = 16;
	uint64_t *keys;
	uint32_t *vals;
	struct rt_next_hop *hops;
	int rc = -1;

	while (cap < (size_t)cfg->n_routes * 2)
		cap <<= 1;
	keys = malloc(cap * sizeof(*keys));
	vals = calloc(cap, sizeof(*vals)); /* 0 = empty slot */
	hops = malloc(sizeof(*hops) * ((size_t)cfg->n_routes + 1));
	if (keys == NULL || vals == NULL || hops == NULL)
		goto out;
	for (uint32_t i = 0; i < cfg->n_routes; i++) {
		uint64_t k = hop_key(&cfg->routes[i]);
		size_t slot = (size_t)((k * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);

		while (vals[slot] != 0 && keys[slot] != k)
			slot = (slot + 1) & (cap - 1);
		if (vals[slot] == 0) {
			uint32_t id = ++t->n_hops;

			keys[slot] = k;
			vals[slot] = id;
			hops[id].port = cfg->routes[i].port;
			memcpy(hops[id].mac, cfg->routes[i].mac, 6);
		}
		idx_of_route[i] = vals[slot];
	}
	t->hops = rte_zmalloc("rt_hops", sizeof(*hops) * (t->n_hops + 1), 0);
	if (t->hops != NULL) {
		memcpy(t->hops + 1, hops + 1, sizeof(*hops) * t->n_hops);
		rc = 0;
	}
out:
	free(keys);
	free(vals);
	free(hops);
	return rc;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Routes go into the FIB in address order (shorter prefix first at equal
 * address), as a routing table dump lists them: the table and the RIB are
 * then written front to back instead of at random: 2-3 times faster for
 * a full table. Keys are (prefix, depth, index), the index in 26 bits.
 */
static uint64_t *
insertion_order(const struct rt_config *cfg)
{
	uint64_t *keys = malloc(sizeof(*keys) * (cfg->n_routes ? cfg->n_routes : 1));

	if (keys == NULL)
		return NULL;
	for (uint32_t i = 0; i < cfg->n_routes; i++)
		keys[i] = ((uint64_t)cfg->routes[i].prefix << 32) |
			  ((uint64_t)cfg->routes[i].depth << 26) | i;
	qsort(keys, cfg->n_routes, sizeof(*keys), cmp_u64);
	return keys;
}

struct rt_table *
rt_table_create(const char *name, const struct rt_config *cfg, int socket_id, char *err,
		size_t errlen)
{
	struct rte_fib_conf conf = { 0 };
	struct rt_table *t;
	uint32_t *hop_of = NULL, deep = 0;
	uint64_t *order = NULL;

	if (cfg->n_routes >= (1u << 26)) {
		snprintf(err, errlen, "too many routes (%u)", cfg->n_routes);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	hop_of = malloc(sizeof(*hop_of) * (cfg->n_routes ? cfg->n_routes : 1));
	if (t == NULL || hop_of == NULL || assign_next_hops(t, cfg, hop_of) < 0) {
		snprintf(err, errlen, "out of memory for next hops");
		goto fail;
	}

	/*
	 * Each prefix longer than /24 keeps at most one tbl8 group (256 next
	 * hops) in the end, but rte_fib also takes groups transiently while it
	 * installs a range whose edges fall inside a /24 (and insists on two
	 * spare ones): twice the worst case plus a margin always fits, at 1 KiB
	 * a group.
	 */
	for (uint32_t i = 0; i < cfg->n_routes; i++)
		deep += cfg->routes[i].depth > 24;
	conf.type = RTE_FIB_DIR24_8;
	conf.default_nh = RT_NH_NONE;
	conf.max_routes = (int)cfg->n_routes + 1;
	/* Next hops are few in practice: 2-byte entries halve tbl24 (32 MiB)
	 * and the tbl8s; one bit of each entry is DIR24_8's own flag. */
	conf.dir24_8.nh_sz = t->n_hops < (1u << 15) ? RTE_FIB_DIR24_8_2B : RTE_FIB_DIR24_8_4B;
	conf.dir24_8.num_tbl8 = deep * 2 + 256;
	t->fib = rte_fib_create(name, socket_id, &conf);
	if (t->fib == NULL) {
		snprintf(err, errlen, "cannot create FIB for %u routes: %s", cfg->n_routes,
			 rte_strerror(rte_errno));
		goto fail;
	}
	order = insertion_order(cfg);
	if (order == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (uint32_t k = 0; k < cfg->n_routes; k++) {
		uint32_t i = (uint32_t)(order[k] & 0x3ffffff);
		const struct rt_route *r = &cfg->routes[i];
		int rc = rte_fib_add(t->fib, r->prefix, r->depth, hop_of[i]);

		if (rc < 0) {
			snprintf(err, errlen, "cannot add route %u.%u.%u.%u/%u: %s", r->prefix >> 24,
				 (r->prefix >> 16) & 0xff, (r->prefix >> 8) & 0xff, r->prefix & 0xff,
				 r->depth, rte_strerror(-rc));
			goto fail;
		}
	}
	free(hop_of);
	free(order);
	return t;
fail:
	free(hop_of);
	free(order);
	rt_table_free(t);
	return NULL;
}

void
rt_table_free(struct rt_table *t)
{
	if (t == NULL)
		return;
	rte_fib_free(t->fib);
	rte_free(t->hops);
	free(t);
}

uint32_t
rt_table_next_hop_count(const struct rt_table *t)
{
	return t->n_hops;
}

void
rt_table_lookup_bulk(const struct rt_table *t, const uint32_t *ips,
		     const struct rt_next_hop **nh, unsigned int n)
{
	uint32_t chunk_ips[RT_LOOKUP_CHUNK];
	uint64_t hops[RT_LOOKUP_CHUNK];

	for (unsigned int done = 0; done < n;) {
		unsigned int k = n - done < RT_LOOKUP_CHUNK ? n - done : RT_LOOKUP_CHUNK;

		/* rte_fib wants a mutable array; the caller's stays const. */
		memcpy(chunk_ips, ips + done, k * sizeof(*ips));
		rte_fib_lookup_bulk(t->fib, chunk_ips, hops, (int)k);
		for (unsigned int i = 0; i < k; i++)
			nh[done + i] = hops[i] == RT_NH_NONE ? NULL : &t->hops[hops[i]];
		done += k;
	}
}
