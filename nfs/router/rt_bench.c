/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rt_bench: how long a full-size table takes to load, and how fast it looks
 * up. Not a test: it prints numbers.
 *
 *     rt_bench [EAL options] [-- ROUTES|FILE [LOOKUPS_MILLIONS]]
 *
 * Given a route FILE it times loading that. Otherwise it makes ROUTES
 * (default 1,000,000) distinct random prefixes shaped like
 * the Internet table (mostly /24, then /22-/23, /16-/21, few shorter, ~1%
 * longer than /24) over 16 next hops, writes them as route text, then times
 * (1) parsing the text, (2) building the FIB, (3) bulk lookups of random
 * addresses in bursts of 32.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "bench_clock.h"
#include "bench_eal.h"
#include "rt_config.h"
#include "rt_table.h"

#define BURST 32

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	/* xorshift64*: plenty for test data */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint8_t
internet_like_depth(void)
{
	unsigned int r = (unsigned int)(rng() % 1000);

	if (r < 600)
		return 24;
	if (r < 800)
		return (uint8_t)(22 + rng() % 2);
	if (r < 950)
		return (uint8_t)(16 + rng() % 6);
	if (r < 990)
		return (uint8_t)(8 + rng() % 8);
	return (uint8_t)(25 + rng() % 8);
}

static int
cmp_route(const void *a, const void *b)
{
	const struct rt_route *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->depth - (int)y->depth;
}

/* Distinct random routes, in random order. */
static uint32_t
make_routes(struct rt_route *r, uint32_t want)
{
	uint32_t n = 0;

	while (n < want) {
		for (uint32_t i = n; i < want; i++) {
			uint8_t d = internet_like_depth();
			uint32_t a = (uint32_t)rng();
			uint32_t hop = (uint32_t)(rng() % 16);

			r[i].depth = d;
			r[i].prefix = a & (UINT32_MAX << (32 - d));
			r[i].port = (uint16_t)(hop % 2);
			memcpy(r[i].mac, (uint8_t[6]){ 0x02, 0, 0, 0, 1, (uint8_t)hop }, 6);
		}
		qsort(r, want, sizeof(*r), cmp_route);
		n = 1;
		for (uint32_t i = 1; i < want; i++)
			if (cmp_route(&r[i], &r[n - 1]) != 0)
				r[n++] = r[i];
	}
	for (uint32_t i = want - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rng() % (i + 1));
		struct rt_route t = r[i];

		r[i] = r[j];
		r[j] = t;
	}
	return want;
}

/* Bytes allocated from DPDK's heap on socket 0 (where --in-memory/-l 0 puts it). */
static uint64_t
dpdk_heap_bytes(void)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats(0, &st) < 0)
		return 0;
	return st.heap_allocsz_bytes;
}

/* Write `want` random routes as route text to a new temporary file at path. */
static int
write_routes(char *path, uint32_t want)
{
	struct rt_route *routes = calloc(want, sizeof(*routes));
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (routes == NULL || fp == NULL) {
		free(routes);
		return -1;
	}
	make_routes(routes, want);
	for (uint32_t i = 0; i < want; i++) {
		const struct rt_route *r = &routes[i];

		fprintf(fp, "%u.%u.%u.%u/%u port %u via-mac %02x:%02x:%02x:%02x:%02x:%02x\n",
			r->prefix >> 24, (r->prefix >> 16) & 0xff, (r->prefix >> 8) & 0xff,
			r->prefix & 0xff, r->depth, r->port, r->mac[0], r->mac[1], r->mac[2],
			r->mac[3], r->mac[4], r->mac[5]);
	}
	fclose(fp);
	free(routes);
	return 0;
}

int
main(int argc, char **argv)
{
	char *default_eal[] = { argv[0], "--in-memory", "--no-pci", "-l", "0",
				"--file-prefix", "rtbench", "--log-level=error" };
	int used = bench_eal_init("rt_bench", argc, argv, default_eal, RTE_DIM(default_eal));
	uint32_t want = 1000000, lookups_m = 16;

	if (used < 0)
		return 1;
	argc -= used;
	argv += used;
	const char *given = NULL;

	if (argc > 1 && !isdigit((unsigned char)argv[1][0]))
		given = argv[1];
	else if (argc > 1)
		want = (uint32_t)strtoul(argv[1], NULL, 0);
	if (argc > 2)
		lookups_m = (uint32_t)strtoul(argv[2], NULL, 0);

	char path[] = "/tmp/rt_bench_XXXXXX", err[512];

	if (given == NULL && write_routes(path, want) < 0) {
		fprintf(stderr, "rt_bench: cannot write routes\n");
		return 1;
	}

	struct rt_config cfg;
	double t0 = bench_wall_s(), c0 = bench_cpu_s();

	if (rt_config_load(given ? given : path, RT_ANY_PORT_COUNT, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "rt_bench: %s\n", err);
		if (given == NULL)
			unlink(path);
		return 1;
	}
	double t1 = bench_wall_s(), c1 = bench_cpu_s();
	uint64_t heap_before = dpdk_heap_bytes();
	struct rt_table *t = rt_table_create("rt_bench", &cfg, SOCKET_ID_ANY, err, sizeof(err));
	double t2 = bench_wall_s(), c2 = bench_cpu_s();

	if (given == NULL)
		unlink(path);
	if (t == NULL) {
		fprintf(stderr, "rt_bench: %s\n", err);
		return 1;
	}
	printf("routes            %u (%u next hops)\n", cfg.n_routes, rt_table_next_hop_count(t));
	printf("                  wall      on-CPU\n");
	printf("parse text        %.3f s   %.3f s\n", t1 - t0, c1 - c0);
	printf("build FIB         %.3f s   %.3f s\n", t2 - t1, c2 - c1);
	printf("load total        %.3f s   %.3f s\n", t2 - t0, c2 - c0);
	printf("FIB memory        %.0f MiB\n", (double)(dpdk_heap_bytes() - heap_before) / (1 << 20));

	/* Lookups over a 1M-address working set, replayed. */
	uint32_t n_ips = 1u << 20, hits = 0;
	uint32_t *ips = malloc(sizeof(*ips) * n_ips);
	const struct rt_next_hop *nh[BURST];

	for (uint32_t i = 0; i < n_ips; i++)
		ips[i] = (uint32_t)rng();
	uint64_t total = (uint64_t)lookups_m * 1000000ull;
	double t3 = bench_wall_s(), c3 = bench_cpu_s();

	for (uint64_t done = 0; done < total; done += BURST) {
		rt_table_lookup_bulk(t, &ips[done & (n_ips - 1)], nh, BURST);
		hits += nh[0] != NULL;
	}
	double t4 = bench_wall_s(), c4 = bench_cpu_s();

	printf("lookup (burst %d)  %.1f Mpps  %.1f Mpps on-CPU (%.1f ns/lookup), %u%% routed\n",
	       BURST, (double)total / (t4 - t3) / 1e6, (double)total / (c4 - c3) / 1e6,
	       (c4 - c3) * 1e9 / (double)total, (unsigned int)(hits * 100ull * BURST / total));
	free(ips);
	rt_table_free(t);
	rt_config_free(&cfg);
	bench_eal_exit();
	return 0;
}
