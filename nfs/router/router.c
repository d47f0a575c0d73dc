/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * router: IPv4 longest-prefix-match forwarding.
 *
 *     router [EAL options] -- [nflib options] -- -f ROUTES
 *
 * Each IPv4 packet leaves by the port of its longest matching route with
 * eth_dst = the route's next-hop MAC, eth_src = that port's MAC and TTL one
 * less. TTL expiry, no route, bad headers and (by policy) non-IPv4 frames are
 * dropped, each under its own counter.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "onvm_nflib.h"
#include "rt_config.h"
#include "rt_fwd.h"
#include "rt_table.h"

/* Lookups go to the FIB in groups of this many packets. */
#define ROUTER_CHUNK 32

enum router_counter {
	RC_ROUTED,
	RC_DROP_NO_ROUTE,
	RC_DROP_TTL_EXPIRED,
	RC_DROP_MALFORMED,
	RC_DROP_BAD_CSUM,
	RC_DROP_NON_IP,
	RC_PASS_NON_IP,
	RC_COUNT
};

static const char *const router_counter_names[RC_COUNT] = {
	[RC_ROUTED] = "routed",
	[RC_DROP_NO_ROUTE] = "drop_no_route",
	[RC_DROP_TTL_EXPIRED] = "drop_ttl_expired",
	[RC_DROP_MALFORMED] = "drop_malformed",
	[RC_DROP_BAD_CSUM] = "drop_bad_ip_checksum",
	[RC_DROP_NON_IP] = "drop_non_ip",
	[RC_PASS_NON_IP] = "pass_non_ip",
};

struct router {
	struct rt_table *table;
	enum rt_non_ip_policy non_ip;
	int counter[RC_COUNT];
	uint16_t n_ports;
	struct rte_ether_addr *port_mac; /* read once at start, indexed by port */
};

static void
count(struct onvm_nf_ctx *nf, const struct router *rt, enum router_counter c, uint64_t n)
{
	if (n != 0 && rt->counter[c] >= 0)
		onvm_nflib_counter_add(nf, rt->counter[c], n);
}

/* Route one chunk: classify, one bulk lookup for the routable, then act. */
static void
router_chunk(struct rte_mbuf **pkts, struct onvm_verdict *verdict, uint16_t n,
	     struct onvm_nf_ctx *nf, struct router *rt)
{
	uint32_t dst[ROUTER_CHUNK] = { 0 }; /* only [0, n_route) is read */
	uint16_t l3_off[ROUTER_CHUNK], which[ROUTER_CHUNK];
	const struct rt_next_hop *nh[ROUTER_CHUNK];
	uint64_t tally[RC_COUNT] = { 0 };
	uint16_t n_route = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct onvm_verdict *out = &verdict[i];
		uint8_t *frame = rte_pktmbuf_mtod(pkts[i], uint8_t *);
		enum rt_verdict v = rt_fwd_classify(frame, rte_pktmbuf_data_len(pkts[i]),
						    &l3_off[n_route], &dst[n_route]);

		switch (v) {
		case RT_V_ROUTE:
			which[n_route++] = i;
			continue;
		case RT_V_NON_IP:
			if (rt->non_ip == RT_NON_IP_PASS) {
				tally[RC_PASS_NON_IP]++;
				onvm_nf_next(out);
			} else {
				tally[RC_DROP_NON_IP]++;
				onvm_nf_drop(out);
			}
			continue;
		case RT_V_BAD_CSUM:
			tally[RC_DROP_BAD_CSUM]++;
			break;
		case RT_V_TTL_EXPIRED:
			tally[RC_DROP_TTL_EXPIRED]++;
			break;
		case RT_V_MALFORMED:
		default:
			tally[RC_DROP_MALFORMED]++;
			break;
		}
		onvm_nf_drop(out);
	}

	rt_table_lookup_bulk(rt->table, dst, nh, n_route);
	for (uint16_t k = 0; k < n_route; k++) {
		struct rte_mbuf *m = pkts[which[k]];

		if (nh[k] == NULL) {
			tally[RC_DROP_NO_ROUTE]++;
			onvm_nf_drop(&verdict[which[k]]);
			continue;
		}
		rt_fwd_rewrite(rte_pktmbuf_mtod(m, uint8_t *), l3_off[k], nh[k]->mac,
			       rt->port_mac[nh[k]->port].addr_bytes);
		onvm_nf_out_port(&verdict[which[k]], nh[k]->port);
		tally[RC_ROUTED]++;
	}
	for (int c = 0; c < RC_COUNT; c++)
		count(nf, rt, (enum router_counter)c, tally[c]);
}

static void
router_burst(struct rte_mbuf **pkts, struct onvm_verdict *v, uint16_t n, struct onvm_nf_ctx *nf)
{
	struct router *rt = onvm_nflib_user(nf);

	for (uint16_t done = 0; done < n; done += ROUTER_CHUNK)
		router_chunk(pkts + done, v + done,
			     n - done < ROUTER_CHUNK ? n - done : ROUTER_CHUNK, nf, rt);
}

static const char *
parse_args(struct onvm_nf_ctx *nf)
{
	int argc = onvm_nflib_app_argc(nf), opt;
	char **argv = onvm_nflib_app_argv(nf);
	const char *file = NULL;

	optind = 1;
	while ((opt = getopt(argc, argv, "f:")) != -1) {
		switch (opt) {
		case 'f':
			file = optarg;
			break;
		default:
			fprintf(stderr, "usage: router [EAL] -- [nflib] -- -f ROUTES\n");
			exit(EXIT_FAILURE);
		}
	}
	if (file == NULL || optind != argc) {
		fprintf(stderr, "router: -f ROUTES is required (JSON or ip-route-style text)\n");
		exit(EXIT_FAILURE);
	}
	return file;
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int
main(int argc, char **argv)
{
	struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "router");
	struct router rt = { 0 };
	struct rt_config cfg;
	struct timespec t0;
	char err[512], name[32];
	const char *file = parse_args(nf);

	rt.n_ports = onvm_nflib_num_ports(nf);
	if (rt.n_ports == 0) { /* RT_ANY_PORT_COUNT would accept any port */
		fprintf(stderr, "router: the manager has no ports to route to\n");
		onvm_nflib_close(nf);
		return EXIT_FAILURE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rt_config_load(file, rt.n_ports, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "router: %s\n", err);
		onvm_nflib_close(nf);
		return EXIT_FAILURE;
	}
	double parse_s = seconds_since(&t0);

	/* FIB names are global to the platform's shared memory. */
	snprintf(name, sizeof(name), "router_%d", (int)getpid());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rt.table = rt_table_create(name, &cfg, (int)rte_socket_id(), err, sizeof(err));
	if (rt.table == NULL) {
		fprintf(stderr, "router: %s: %s\n", file, err);
		rt_config_free(&cfg);
		onvm_nflib_close(nf);
		return EXIT_FAILURE;
	}
	printf("router: %u routes, %u next hops from %s (parsed in %.3f s, FIB built in %.3f s); "
	       "non-IPv4: %s\n",
	       cfg.n_routes, rt_table_next_hop_count(rt.table), file, parse_s, seconds_since(&t0),
	       cfg.non_ip == RT_NON_IP_PASS ? "pass" : "drop");
	rt.non_ip = cfg.non_ip;
	rt_config_free(&cfg);

	rt.port_mac = calloc(rt.n_ports, sizeof(*rt.port_mac));
	if (rt.port_mac == NULL) {
		fprintf(stderr, "router: out of memory\n");
		return EXIT_FAILURE;
	}
	for (uint16_t p = 0; p < rt.n_ports; p++) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		if (onvm_nflib_port_mac(nf, p, &rt.port_mac[p]) < 0) {
			fprintf(stderr, "router: warning: no MAC for port %u\n", p);
			continue;
		}
		rte_ether_format_addr(mac, sizeof(mac), &rt.port_mac[p]);
		printf("router: port %u mac %s\n", p, mac);
	}
	fflush(stdout);
	for (int c = 0; c < RC_COUNT; c++)
		rt.counter[c] = onvm_nflib_counter_register(nf, router_counter_names[c]);

	onvm_nflib_set_user(nf, &rt);
	onvm_nflib_run_burst(nf, router_burst);

	rt_table_free(rt.table);
	free(rt.port_mac);
	return onvm_nflib_close(nf);
}
