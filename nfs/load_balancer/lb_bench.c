/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_bench: per-packet cost of the load balancer with one service of 16
 * backends. Not a test: it prints numbers.
 *
 *     lb_bench [EAL options] [-- FLOWS [PASSES]]
 *
 * Phases: (1) FLOWS new TCP connections (Maglev pick + two hash inserts);
 * (2) PASSES rounds of one inbound packet per established flow (hash hit +
 * rewrite); (3) the same for the backends' replies. Each packet is copied
 * from a pristine 64-byte template first (so the rewrite starts from the
 * same bytes every round); that copy is included in the times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_memory.h>

#include "byte_order.h"
#include "lb_config.h"
#include "lb_fwd.h"
#include "bench_clock.h"
#include "bench_eal.h"
#include "pkt_parse.h"

#define FRAME_LEN 64

/* A 64-byte Ethernet/IPv4/TCP frame with valid checksums. */
static void
make_tcp(uint8_t *f, uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;

	memset(f, 0, FRAME_LEN);
	be16_store(f + 12, 0x0800);
	ip[0] = 0x45;
	be16_store(ip + 2, 20 + 20 + 6);
	ip[8] = 64;
	ip[9] = 6;
	be32_store(ip + 12, sip);
	be32_store(ip + 16, dip);
	be16_store(ip + 10, (uint16_t)~pkt_csum_fold(pkt_csum_partial(ip, 20, 0)));
	be16_store(tcp, sport);
	be16_store(tcp + 2, dport);
	tcp[12] = 0x50;
	tcp[13] = 0x10; /* ACK */
	be16_store(tcp + 14, 65535);

	uint8_t pseudo[12];

	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	be16_store(pseudo + 10, 26);
	be16_store(tcp + 16, (uint16_t)~pkt_csum_fold(pkt_csum_partial(tcp, 26,
								 pkt_csum_partial(pseudo, 12, 0))));
}

int
main(int argc, char **argv)
{
	char *default_eal[] = { argv[0], "--no-huge", "--no-pci", "--no-shconf", "-l", "0",
				"-m", "512", "--file-prefix", "lbbench", "--log-level=error" };
	int used = bench_eal_init("lb_bench", argc, argv, default_eal, RTE_DIM(default_eal));
	uint32_t flows = 65536, passes = 64;

	if (used < 0)
		return 1;
	argc -= used;
	argv += used;
	if (argc > 1)
		flows = (uint32_t)strtoul(argv[1], NULL, 0);
	if (argc > 2)
		passes = (uint32_t)strtoul(argv[2], NULL, 0);

	/* one VIP, 16 backends */
	char doc[4096];
	int n = snprintf(doc, sizeof(doc), "{\"max_conns\": %u, \"services\": [{\"name\": \"web\", "
					   "\"vip\": \"10.0.0.100\", \"proto\": \"tcp\", \"port\": 80, "
					   "\"backends\": [", flows);

	for (int b = 0; b < 16; b++)
		n += snprintf(doc + n, sizeof(doc) - (size_t)n, "%s{\"ip\": \"10.0.1.%d\", \"port\": 8080}",
			      b ? ", " : "", 10 + b);
	snprintf(doc + n, sizeof(doc) - (size_t)n, "]}]}");

	struct lb_config cfg;
	struct lb_fwd fwd = { 0 };
	char err[512];

	if (lb_config_load_string("bench.json", doc, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "lb_bench: %s\n", err);
		return 1;
	}
	fwd.conns = lb_conn_create("lb_bench", cfg.max_conns, SOCKET_ID_ANY);
	if (fwd.conns == NULL || lb_fwd_set_services(&fwd, &cfg) < 0) {
		fprintf(stderr, "lb_bench: out of memory\n");
		return 1;
	}
	fwd.timeouts = (struct lb_conn_timeouts){ UINT64_MAX / 2, UINT64_MAX / 2, UINT64_MAX / 2 };

	uint8_t *in = malloc((size_t)flows * FRAME_LEN), *out = malloc((size_t)flows * FRAME_LEN);
	uint8_t frame[FRAME_LEN];
	uint32_t ev, bad = 0;

	for (uint32_t i = 0; i < flows; i++)
		make_tcp(in + (size_t)i * FRAME_LEN, 0xc0a80000u + (i >> 10),
			 (uint16_t)(1024 + (i & 1023)), 0x0a000064u, 80);

	/* phase 1: new connections; keep each flow's rewritten frame to build its reply */
	double t0 = bench_wall_s(), c0 = bench_cpu_s();

	for (uint32_t i = 0; i < flows; i++) {
		memcpy(frame, in + (size_t)i * FRAME_LEN, FRAME_LEN);
		bad += lb_fwd_packet(&fwd, frame, FRAME_LEN, 1, 0, &ev) != LB_V_TO_BACKEND;
		memcpy(out + (size_t)i * FRAME_LEN, frame, FRAME_LEN);
	}
	double t1 = bench_wall_s(), c1 = bench_cpu_s();

	/* replies: backend -> client, made fresh with valid checksums */
	for (uint32_t i = 0; i < flows; i++) {
		uint8_t *f = out + (size_t)i * FRAME_LEN, *ip = f + 14;
		uint32_t backend = ((uint32_t)ip[16] << 24) | ((uint32_t)ip[17] << 16) |
				   ((uint32_t)ip[18] << 8) | ip[19];

		make_tcp(f, backend, 8080, 0xc0a80000u + (i >> 10), (uint16_t)(1024 + (i & 1023)));
	}

	/* phase 2: established inbound */
	double t2 = bench_wall_s(), c2 = bench_cpu_s();

	for (uint32_t p = 0; p < passes; p++)
		for (uint32_t i = 0; i < flows; i++) {
			memcpy(frame, in + (size_t)i * FRAME_LEN, FRAME_LEN);
			bad += lb_fwd_packet(&fwd, frame, FRAME_LEN, 2, 0, &ev) != LB_V_TO_BACKEND;
		}
	double t3 = bench_wall_s(), c3 = bench_cpu_s();

	/* phase 3: replies */
	for (uint32_t p = 0; p < passes; p++)
		for (uint32_t i = 0; i < flows; i++) {
			memcpy(frame, out + (size_t)i * FRAME_LEN, FRAME_LEN);
			bad += lb_fwd_packet(&fwd, frame, FRAME_LEN, 3, 0, &ev) != LB_V_TO_CLIENT;
		}
	double t4 = bench_wall_s(), c4 = bench_cpu_s();
	double pkts = (double)flows * passes;

	printf("backends             16\n");
	printf("connections          %u (all in the table: %u)\n", flows, lb_conn_count(fwd.conns));
	printf("                     wall        on-CPU\n");
	printf("new connection       %5.2f Mpps  %5.2f Mpps (%.0f ns/pkt)\n", flows / (t1 - t0) / 1e6,
	       flows / (c1 - c0) / 1e6, (c1 - c0) * 1e9 / flows);
	printf("established inbound  %5.2f Mpps  %5.2f Mpps (%.0f ns/pkt)\n", pkts / (t3 - t2) / 1e6,
	       pkts / (c3 - c2) / 1e6, (c3 - c2) * 1e9 / pkts);
	printf("established reply    %5.2f Mpps  %5.2f Mpps (%.0f ns/pkt)\n", pkts / (t4 - t3) / 1e6,
	       pkts / (c4 - c3) / 1e6, (c4 - c3) * 1e9 / pkts);
	if (bad)
		printf("UNEXPECTED VERDICTS  %u\n", bad);
	free(in);
	free(out);
	lb_vips_free(&fwd.vips);
	lb_conn_free(fwd.conns);
	lb_config_free(&cfg);
	bench_eal_exit();
	return bad != 0;
}
