/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * basic_monitor: count what passes and print the packet and bit rates every
 * -p seconds; every packet goes on to the next hop of its chain. The totals
 * and the last interval's rates are also published as named counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nf_rate.h"
#include "onvm_nflib.h"

struct monitor {
	uint32_t print_ms;
	uint64_t pkts, bytes;           /* written by the packet loop only */
	struct nf_rate_sample last;     /* at the previous print */
	uint64_t published_pps, published_bps;
	int c_pkts, c_bytes, c_pps, c_bps;
};

static struct monitor mon = { .print_ms = 1000 };

static void
count_burst(struct rte_mbuf **pkts, struct onvm_verdict *v, uint16_t n, struct onvm_nf_ctx *nf)
{
	uint64_t bytes = 0;

	/* Every verdict already says next: only count. */
	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	mon.pkts += n;
	mon.bytes += bytes;
	onvm_nflib_counter_add(nf, mon.c_pkts, n);
	onvm_nflib_counter_add(nf, mon.c_bytes, bytes);
}

/* Named counters only add; a gauge moves by the difference (mod 2^64). */
static void
publish_gauge(struct onvm_nf_ctx *nf, int idx, uint64_t *published, uint64_t value)
{
	onvm_nflib_counter_add(nf, idx, value - *published);
	*published = value;
}

static void
print_rates(struct onvm_nf_ctx *nf, uint64_t now_ns)
{
	struct nf_rate_sample cur = { mon.pkts, mon.bytes, now_ns };
	struct nf_rate r = nf_rate_between(&mon.last, &cur);
	char pps[32], bps[32];

	printf("basic_monitor: %spps %sbps (total %lu pkts, %lu bytes)\n",
	       nf_rate_format(r.pps, pps, sizeof(pps)), nf_rate_format(r.bps, bps, sizeof(bps)),
	       cur.pkts, cur.bytes);
	fflush(stdout);
	publish_gauge(nf, mon.c_pps, &mon.published_pps, (uint64_t)r.pps);
	publish_gauge(nf, mon.c_bps, &mon.published_bps, (uint64_t)r.bps);
	mon.last = cur;
}

static void
parse_args(struct onvm_nf_ctx *nf)
{
	int argc = onvm_nflib_app_argc(nf);
	char **argv = onvm_nflib_app_argv(nf);
	unsigned long secs;
	int opt;

	while ((opt = getopt(argc, argv, "p:")) != -1) {
		if (opt != 'p') {
			fprintf(stderr, "usage: basic_monitor [-p SECONDS]\n");
			exit(EXIT_FAILURE);
		}
		if (onvm_arg_uint(optarg, 1, 3600, &secs) != 0) {
			fprintf(stderr, "basic_monitor: -p %s: expected seconds between prints (1-3600)\n",
				optarg);
			exit(EXIT_FAILURE);
		}
		mon.print_ms = (uint32_t)secs * 1000;
	}
	if (optind < argc) {
		fprintf(stderr, "basic_monitor: unexpected argument '%s'\n", argv[optind]);
		exit(EXIT_FAILURE);
	}
}

int
main(int argc, char **argv)
{
	struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "basic_monitor");

	parse_args(nf);
	mon.c_pkts = onvm_nflib_counter_register(nf, "pkts");
	mon.c_bytes = onvm_nflib_counter_register(nf, "bytes");
	mon.c_pps = onvm_nflib_counter_register(nf, "pps");
	mon.c_bps = onvm_nflib_counter_register(nf, "bps");
	mon.last.time_ns = onvm_nflib_now_ns();
	onvm_nflib_set_tick(nf, print_rates, mon.print_ms);
	onvm_nflib_run_burst(nf, count_burst);
	print_rates(nf, onvm_nflib_now_ns()); /* the totals, once more, at exit */
	return onvm_nflib_close(nf);
}
