/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_ruleset_lookup: the table-0 classifier alone on the rule-set
 * workload (tests/bench/ruleset.py): the chains file loaded as the manager
 * loads -C, the capture's frames parsed and keyed as a data lcore keys
 * them. Prints ns per lookup for the subtable walk and through an
 * exact-match cache of the manager's size, and what the cache counted.
 * Timed in this thread's CPU time; not a test.
 *
 *   bench_ruleset_lookup CHAINS.json FLOWS.pcap [PASSES [CACHE_ORDER]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain_config.h"
#include "classifier.h"
#include "flow_key.h"
#include "pkt_parse.h"

#define MAX_FRAMES 1000000

static int
any_service(void *ctx, const char *name, uint16_t *id, char *why, size_t whylen)
{
	(void)ctx, (void)name, (void)why, (void)whylen;
	*id = 1;
	return 0;
}

static double
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The frames of a classic pcap file, keyed as arriving on DPDK port 0. */
static int
read_keys(const char *path, struct flow_key *keys, int max)
{
	FILE *f = fopen(path, "rb");
	uint8_t hdr[24], rec[16], frame[65536];
	int n = 0;

	if (f == NULL || fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr)) {
		if (f)
			fclose(f);
		return -1;
	}
	while (n < max && fread(rec, 1, sizeof(rec), f) == sizeof(rec)) {
		uint32_t caplen;
		struct pkt_info pi;

		memcpy(&caplen, rec + 8, 4);
		if (caplen > sizeof(frame) || fread(frame, 1, caplen, f) != caplen)
			break;
		pkt_parse(frame, caplen, &pi);
		flow_key_from_frame(&keys[n++], &pi, frame, caplen, FLOW_OFPORT_FROM_DPDK(0));
	}
	fclose(f);
	return n;
}

int
main(int argc, char **argv)
{
	struct chain_set set;
	char err[512];
	int passes = argc > 3 ? atoi(argv[3]) : 10;
	int order = argc > 4 ? atoi(argv[4]) : 16;

	if (argc < 3) {
		fprintf(stderr, "usage: %s CHAINS.json FLOWS.pcap [PASSES [CACHE_ORDER]]\n", argv[0]);
		return 2;
	}
	chain_set_init(&set);
	if (chain_set_load(&set, argv[1], any_service, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double t_build = cpu_ns();
	struct classifier *cls = classifier_create();
	for (uint32_t i = 0; i < set.num_chains; i++)
		if (classifier_add_match(cls, &set.chains[i].match, set.chains[i].priority, i + 1) < 0)
			return 1;
	t_build = cpu_ns() - t_build;
	struct flow_key *keys = malloc(MAX_FRAMES * sizeof(*keys));
	int n = keys ? read_keys(argv[2], keys, MAX_FRAMES) : -1;
	struct cls_cache *cache = cls_cache_create((unsigned int)order);
	if (n <= 0 || cache == NULL) {
		fprintf(stderr, "%s: no frames read\n", argv[2]);
		return 1;
	}
	printf("chains %u, rules %u, subtables %u, flows %d; table built in %.1f ms\n",
	       set.num_chains, classifier_num_rules(cls), classifier_num_subtables(cls), n,
	       t_build / 1e6);

	uint32_t res[CLS_BURST_MAX], r;
	double t0 = cpu_ns();
	for (int i = 0; i < n; i++)
		classifier_lookup(cls, &keys[i], &r);
	printf("subtable walk           %8.1f ns/lookup\n", (cpu_ns() - t0) / n);

	/* One pass fills the cache (every flow a miss), then steady state. */
	t0 = cpu_ns();
	for (int i = 0; i < n; i += CLS_BURST_MAX / 2)
		classifier_lookup_burst(cls, cache, keys + i, (unsigned int)(n - i < 32 ? n - i : 32), res);
	printf("cache, first pass       %8.1f ns/lookup\n", (cpu_ns() - t0) / n);
	struct cls_cache_stats cold, warm;
	cls_cache_get_stats(cache, &cold);
	t0 = cpu_ns();
	for (int p = 0; p < passes; p++)
		for (int i = 0; i < n; i += CLS_BURST_MAX / 2)
			classifier_lookup_burst(cls, cache, keys + i,
						(unsigned int)(n - i < 32 ? n - i : 32), res);
	printf("cache, warm (%d passes)  %8.1f ns/lookup\n", passes,
	       (cpu_ns() - t0) / ((double)n * passes));
	cls_cache_get_stats(cache, &warm);
	uint64_t misses = warm.misses - cold.misses;
	printf("cache of 2^%d: first pass %lu misses, %.1f subtables probed per miss; warm: "
	       "%lu hits, %lu misses (%lu evictions)\n", order, (unsigned long)cold.misses,
	       cold.misses ? (double)cold.walked / cold.misses : 0.0,
	       (unsigned long)(warm.hits - cold.hits), (unsigned long)misses,
	       (unsigned long)(warm.evictions - cold.evictions));
	cls_cache_free(cache);
	classifier_free(cls);
	chain_set_free(&set);
	free(keys);
	return 0;
}
