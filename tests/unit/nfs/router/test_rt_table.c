/* SPDX-License-Identifier: BSD-3-Clause */
/* The rte_fib table against a linear longest-prefix-match reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "rt_table.h"
#include "test_eal_cleanup.h"

static uint64_t rng_state;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* The longest prefix covering ip, by brute force; -1 when none. */
static int
reference_lookup(const struct rt_config *c, uint32_t ip)
{
	int best = -1;

	for (uint32_t i = 0; i < c->n_routes; i++) {
		const struct rt_route *r = &c->routes[i];
		uint32_t mask = r->depth ? UINT32_MAX << (32 - r->depth) : 0;

		if ((ip & mask) == r->prefix && (best < 0 || r->depth > c->routes[best].depth))
			best = (int)i;
	}
	return best;
}

/*
 * Random routes crowded into 10.0.0.0/8 so that they nest and overlap at
 * every depth, /0 to /32, with a handful of next hops (shared indexes).
 */
static void
random_table(struct rt_config *c, uint32_t n, int with_default, uint32_t n_hops)
{
	c->routes = calloc(n, sizeof(*c->routes));
	c->n_routes = 0;
	c->non_ip = RT_NON_IP_PASS;
	while (c->n_routes < n) {
		struct rt_route r = { 0 };
		uint8_t d = (uint8_t)(8 + rng() % 25);
		uint32_t a = 0x0a000000u | (rng() & 0x00ffffffu);

		if (rng() % 4 == 0)
			a = 0x0a0a0000u | (rng() & 0xffffu); /* a dense /16 */
		if (with_default && c->n_routes == 0)
			d = 0;
		r.depth = d;
		r.prefix = d ? a & (UINT32_MAX << (32 - d)) : 0;
		uint32_t hop = n_hops > 7 ? c->n_routes % n_hops : rng() % n_hops;

		r.port = (uint16_t)(hop % 3);
		memcpy(r.mac, (uint8_t[6]){ 0x02, 0, 0, (uint8_t)(hop >> 16), (uint8_t)(hop >> 8),
					    (uint8_t)hop }, 6);

		int dup = 0;

		/* big tables: /24 and longer only, distinct by construction */
		if (n > 10000) {
			r.depth = (uint8_t)(24 + c->n_routes % 9);
			r.prefix = (0x0a000000u | (c->n_routes << 8)) & (UINT32_MAX << (32 - r.depth));
		}
		for (uint32_t i = 0; i < c->n_routes && !dup && n <= 10000; i++)
			dup = c->routes[i].prefix == r.prefix && c->routes[i].depth == r.depth;
		if (!dup)
			c->routes[c->n_routes++] = r;
	}
}

static uint32_t
random_probe(const struct rt_config *c)
{
	switch (rng() % 4) {
	case 0: /* anywhere */
		return rng();
	case 1: /* inside a route, near its edges */ {
		const struct rt_route *r = &c->routes[rng() % c->n_routes];
		uint32_t size = r->depth ? (uint32_t)(1ull << (32 - r->depth)) : 0;

		return rng() % 2 ? r->prefix : r->prefix + size - 1;
	}
	case 2:
		return 0x0a0a0000u | (rng() & 0xffffu);
	default:
		return 0x0a000000u | (rng() & 0x00ffffffu);
	}
}

static void
check_against_reference(uint64_t seed, uint32_t n_routes, int with_default, uint32_t n_hops,
			int probes)
{
	struct rt_config c;
	char err[256], name[32];
	enum { BURST = 37 /* not a power of two: exercises chunking */ };
	const unsigned int PROBES = (unsigned int)probes;

	rng_state = seed;
	random_table(&c, n_routes, with_default, n_hops);
	snprintf(name, sizeof(name), "rt_test_%llu", (unsigned long long)seed);
	struct rt_table *t = rt_table_create(name, &c, SOCKET_ID_ANY, err, sizeof(err));

	if (t == NULL)
		fail_msg("rt_table_create: %s", err);
	assert_true(rt_table_next_hop_count(t) <= n_hops);
	if (n_hops > 7) /* every route its own hop: past 2-byte FIB entries */
		assert_int_equal(rt_table_next_hop_count(t), n_hops);

	uint32_t ips[BURST];
	const struct rt_next_hop *nh[BURST];
	unsigned int routed = 0, unrouted = 0;

	for (unsigned int done = 0; done < PROBES; done += BURST) {
		for (int i = 0; i < BURST; i++)
			ips[i] = random_probe(&c);
		rt_table_lookup_bulk(t, ips, nh, BURST);
		for (int i = 0; i < BURST; i++) {
			int want = reference_lookup(&c, ips[i]);

			if (want < 0) {
				if (nh[i] != NULL)
					fail_msg("%08x: want no route, got port %u", ips[i], nh[i]->port);
				unrouted++;
				continue;
			}
			if (nh[i] == NULL)
				fail_msg("%08x: want %08x/%u, got no route", ips[i],
					 c.routes[want].prefix, c.routes[want].depth);
			assert_int_equal(nh[i]->port, c.routes[want].port);
			assert_memory_equal(nh[i]->mac, c.routes[want].mac, 6);
			routed++;
		}
	}
	/* both outcomes were exercised */
	assert_true(routed > PROBES / 4);
	if (!with_default)
		assert_true(unrouted > PROBES / 10);
	rt_table_free(t);
	rt_config_free(&c);
}

static void
lpm_matches_reference_small(void **state)
{
	for (uint64_t seed = 1; seed <= 4; seed++)
		check_against_reference(seed * 7919, 200, 0, 7, 20000);
}

static void
lpm_matches_reference_large(void **state)
{
	check_against_reference(42, 3000, 0, 7, 20000);
	check_against_reference(43, 3000, 1, 7, 20000);
}

/* More next hops than 2-byte FIB entries hold: the table widens them. */
static void
lpm_matches_reference_many_next_hops(void **state)
{
	check_against_reference(44, 40000, 0, 40000, 2000);
}

static void
empty_table_routes_nothing(void **state)
{
	struct rt_config c = { 0 };
	char err[256];
	struct rt_table *t = rt_table_create("rt_empty", &c, SOCKET_ID_ANY, err, sizeof(err));
	uint32_t ip = 0x01020304;
	const struct rt_next_hop *nh = (void *)1;

	assert_non_null(t);
	rt_table_lookup_bulk(t, &ip, &nh, 1);
	assert_null(nh);
	rt_table_free(t);
}

static void
host_routes_and_default(void **state)
{
	struct rt_route r[] = {
		{ .prefix = 0, .depth = 0, .port = 0, .mac = { 2, 0, 0, 0, 0, 1 } },
		{ .prefix = 0xc0a80100, .depth = 24, .port = 1, .mac = { 2, 0, 0, 0, 0, 2 } },
		{ .prefix = 0xc0a80180, .depth = 25, .port = 2, .mac = { 2, 0, 0, 0, 0, 3 } },
		{ .prefix = 0xc0a801ff, .depth = 32, .port = 3, .mac = { 2, 0, 0, 0, 0, 4 } },
	};
	struct rt_config c = { .routes = r, .n_routes = 4 };
	char err[256];
	struct rt_table *t = rt_table_create("rt_host", &c, SOCKET_ID_ANY, err, sizeof(err));
	uint32_t ips[] = { 0x08080808, 0xc0a80101, 0xc0a80181, 0xc0a801ff, 0xc0a801fe };
	uint16_t want[] = { 0, 1, 2, 3, 2 };
	const struct rt_next_hop *nh[5];

	assert_non_null(t);
	rt_table_lookup_bulk(t, ips, nh, 5);
	for (int i = 0; i < 5; i++) {
		assert_non_null(nh[i]);
		assert_int_equal(nh[i]->port, want[i]);
	}
	rt_table_free(t);
}

int
main(int argc, char **argv)
{
	/* DIR24_8's tbl24 alone is 64 MiB: give the heap room without hugepages. */
	char *eal[] = { argv[0], "--no-huge", "--no-pci", "--no-shconf", "-l", "0", "-m", "512",
			"--file-prefix", "rttest", "--log-level=error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_table_routes_nothing),
		cmocka_unit_test(host_routes_and_default),
		cmocka_unit_test(lpm_matches_reference_small),
		cmocka_unit_test(lpm_matches_reference_large),
		cmocka_unit_test(lpm_matches_reference_many_next_hops),
	};

	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_eal_cleanup("rttest");
	return rc;
}
