/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The skeleton of a 1-NF chain, with everything but the rings taken out:
 * what the ring-based design can reach at best on this machine, next to
 * testpmd on the same ports (docs/benchmarking.md, "The design's ceiling").
 *
 *   two-rings  lcore 1 (the manager's data lcore): port 0 RX -> ring A,
 *              ring B -> port 1 TX; lcore 0 (the NF): ring A -> ring B.
 *              The 1-NF chain's packet path, no classification, no
 *              dispatch, no metadata, no counters.
 *   one-ring   lcore 1: port 0 RX -> ring A; lcore 0: ring A -> port 1 TX
 *              on its own TX queue. What an NF that transmits by itself
 *              (per-NF TX queues) could reach.
 *   one-core   lcore 1 alone: port 0 RX -> ring A -> port 1 TX. The cost
 *              of a ring pass without crossing cores.
 *   ping-pong  no packets: the two lcores pass one cache line back and
 *              forth. The round trip is what every ring handoff between
 *              the cores pays for each line it moves: typically 50-200 ns
 *              between two cores of one bare-metal socket, more on VMs.
 *
 * Packets are pointers only, as in the platform: neither side touches an
 * mbuf except the PMDs. Prints one line of JSON: Mpps and cycles/packet.
 *
 * --ring-impl picks the rings: rte (rte_ring, SP/SC, as the platform's NF
 * rings) or spsc (onvm_spsc.h: cached indices, published once a burst).
 *
 *   bench_ring_skeleton -l 0-1 --no-pci --vdev net_null0,size=64 \
 *       --vdev net_null1,size=64 -- [--mode M] [--ring N] [--burst N] [--seconds S]
 *       [--ring-impl rte|spsc]
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "mgr_args.h"     /* ONVM_NF_RING_SIZE */
#include "onvm_common.h"  /* ONVM_BURST */
#include "onvm_spsc.h"

#define MAX_BURST 256

enum mode { TWO_RINGS, ONE_RING, ONE_CORE, PING_PONG };

static struct {
	enum mode mode;
	unsigned int ring_size, burst;
	double seconds, warmup;
	bool spsc; /* --ring-impl spsc */
	struct rte_ring *a, *b;
	struct onvm_spsc *sa, *sb;
	volatile int stop;
	/* ping-pong: odd values written by lcore 0, even ones by lcore 1 */
	volatile uint64_t ball __rte_cache_aligned;
} cfg = { .mode = TWO_RINGS, .ring_size = ONVM_NF_RING_SIZE, .burst = ONVM_BURST, .seconds = 5,
	   .warmup = 2 };

/* Send all n, retrying: a forwarder in a chain waits rather than drops. */
static void
tx_all(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int sent = 0;

	while (sent < n && !cfg.stop)
		sent += rte_eth_tx_burst(port, queue, pkts + sent, (uint16_t)(n - sent));
	if (sent < n)
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
}

/* The two rings, 'a' (data lcore -> NF) and 'b' (NF -> data lcore), of
 * either kind. Pointers go in as they are (8 bytes, like the NF rings'
 * elements). */
static inline unsigned int
ring_enqueue(char which, struct rte_mbuf **pkts, unsigned int n)
{
	if (cfg.spsc)
		return onvm_spsc_enqueue_burst(which == 'a' ? cfg.sa : cfg.sb, (uint64_t *)pkts, n);
	return rte_ring_sp_enqueue_burst(which == 'a' ? cfg.a : cfg.b, (void **)pkts, n, NULL);
}

static inline unsigned int
ring_dequeue(char which, struct rte_mbuf **pkts, unsigned int n)
{
	if (cfg.spsc)
		return onvm_spsc_dequeue_burst(which == 'a' ? cfg.sa : cfg.sb, (uint64_t *)pkts, n);
	return rte_ring_sc_dequeue_burst(which == 'a' ? cfg.a : cfg.b, (void **)pkts, n, NULL);
}

/* Free slots of ring a, as its producer sees them (at least `want` if so many). */
static inline unsigned int
ring_a_room(unsigned int want)
{
	if (cfg.spsc)
		return onvm_spsc_room(cfg.sa, want);
	return rte_ring_free_count(cfg.a);
}

static void
enqueue_all(char which, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int done = 0;

	while (done < n && !cfg.stop)
		done += ring_enqueue(which, pkts + done, n - done);
	if (done < n)
		rte_pktmbuf_free_bulk(pkts + done, n - done);
}

#define PING_PONG_ROUNDS 1000000

/* lcore 1's side of ping-pong: answers each odd value with the next one. */
static void
pong(void)
{
	for (uint64_t i = 0; i < PING_PONG_ROUNDS && !cfg.stop; i++) {
		while (cfg.ball != 2 * i + 1 && !cfg.stop)
			;
		cfg.ball = 2 * i + 2;
	}
}

/* lcore 0's side; the mean round trip in TSC cycles. */
static double
ping(void)
{
	uint64_t i, t0 = rte_rdtsc();

	for (i = 0; i < PING_PONG_ROUNDS && !cfg.stop; i++) {
		cfg.ball = 2 * i + 1;
		while (cfg.ball != 2 * i + 2 && !cfg.stop)
			;
	}
	return i ? (double)(rte_rdtsc() - t0) / (double)i : 0;
}

/* lcore 1: the manager's data lcore. */
static int
data_lcore(void *arg)
{
	struct rte_mbuf *pkts[MAX_BURST];

	(void)arg;
	if (cfg.mode == PING_PONG) {
		pong();
		return 0;
	}
	while (!cfg.stop) {
		/* Read only what ring A has room for (the platform holds the
		 * rest at the port too): waiting on a full A here while the NF
		 * waits on a full B would deadlock the two. */
		unsigned int room = RTE_MIN(ring_a_room(cfg.burst), cfg.burst);
		unsigned int n = rte_eth_rx_burst(0, 0, pkts, (uint16_t)room);

		if (n)
			enqueue_all('a', pkts, n);
		if (cfg.mode == ONE_RING)
			continue;
		n = ring_dequeue(cfg.mode == ONE_CORE ? 'a' : 'b', pkts, cfg.burst);
		if (n)
			tx_all(1, 0, pkts, n);
	}
	return 0;
}

/* lcore 0: the NF. */
static void
nf_loop(void)
{
	struct rte_mbuf *pkts[MAX_BURST];

	while (!cfg.stop) {
		unsigned int n = ring_dequeue('a', pkts, cfg.burst);

		if (n == 0)
			continue;
		if (cfg.mode == ONE_RING)
			tx_all(1, 1, pkts, n);
		else
			enqueue_all('b', pkts, n);
	}
}

/* Port 0 only receives: one TX queue, which a net_pcap port (one queue at
 * most) also has. Port 1 has one TX queue per sending lcore. */
static void
port_init(uint16_t port, uint16_t n_tx, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, n_tx, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, 1024, rte_socket_id(), NULL, pool);
	for (uint16_t q = 0; q < n_tx && rc == 0; q++)
		rc = rte_eth_tx_queue_setup(port, q, 1024, rte_socket_id(), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0)
		rte_exit(EXIT_FAILURE, "ring_skeleton: port %u: %s\n", port, rte_strerror(-rc));
}

static uint64_t
port_tx_packets(uint16_t port)
{
	struct rte_eth_stats st;

	rte_eth_stats_get(port, &st);
	return st.opackets;
}

static void
sleep_s(double s)
{
	rte_delay_us_sleep((unsigned int)(s * 1e6));
}

/* The main lcore measures, then becomes the NF (or idles in one-core mode). */
static int
main_lcore(void *arg)
{
	(void)arg;
	if (cfg.mode == ONE_CORE) {
		while (!cfg.stop)
			sleep_s(0.05);
		return 0;
	}
	nf_loop();
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	cfg.stop = 1;
}

static void
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "ring", required_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'b' },
		{ "seconds", required_argument, NULL, 's' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "ring-impl", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "two-rings") == 0)
				cfg.mode = TWO_RINGS;
			else if (strcmp(optarg, "one-ring") == 0)
				cfg.mode = ONE_RING;
			else if (strcmp(optarg, "one-core") == 0)
				cfg.mode = ONE_CORE;
			else if (strcmp(optarg, "ping-pong") == 0)
				cfg.mode = PING_PONG;
			else
				rte_exit(EXIT_FAILURE, "ring_skeleton: --mode: two-rings, one-ring, one-core "
					 "or ping-pong\n");
			break;
		case 'r':
			cfg.ring_size = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'b':
			cfg.burst = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			cfg.seconds = strtod(optarg, NULL);
			break;
		case 'w':
			cfg.warmup = strtod(optarg, NULL);
			break;
		case 'i':
			if (strcmp(optarg, "rte") != 0 && strcmp(optarg, "spsc") != 0)
				rte_exit(EXIT_FAILURE, "ring_skeleton: --ring-impl: rte or spsc\n");
			cfg.spsc = strcmp(optarg, "spsc") == 0;
			break;
		default:
			rte_exit(EXIT_FAILURE, "ring_skeleton: unknown option\n");
		}
	}
	if (!rte_is_power_of_2(cfg.ring_size) || cfg.ring_size < 64)
		rte_exit(EXIT_FAILURE, "ring_skeleton: --ring must be a power of 2, at least 64\n");
	if (cfg.burst == 0 || cfg.burst > MAX_BURST)
		rte_exit(EXIT_FAILURE, "ring_skeleton: --burst must be 1-%d\n", MAX_BURST);
}

struct measurement {
	uint64_t packets;
	double seconds;
};

/* A plain thread, not an lcore: it sleeps, reads port 1's counter twice
 * and stops both loops. */
static void *
measure(void *arg)
{
	struct measurement *res = arg;
	uint64_t tx0, t0;

	sleep_s(cfg.warmup);
	tx0 = port_tx_packets(1);
	t0 = rte_get_tsc_cycles();
	/* In steps, so that SIGINT/SIGTERM end the run promptly. */
	while (!cfg.stop && rte_get_tsc_cycles() - t0 < cfg.seconds * rte_get_tsc_hz())
		sleep_s(0.05);
	res->packets = port_tx_packets(1) - tx0;
	res->seconds = (double)(rte_get_tsc_cycles() - t0) / (double)rte_get_tsc_hz();
	cfg.stop = 1;
	return NULL;
}

static const char *
mode_name(void)
{
	return cfg.mode == TWO_RINGS ? "two-rings" : cfg.mode == ONE_RING ? "one-ring" : "one-core";
}

static int
ping_pong(unsigned int worker)
{
	double rt;

	rte_eal_remote_launch(data_lcore, NULL, worker);
	rt = ping();
	rte_eal_mp_wait_lcore();
	printf("{\"mode\": \"ping-pong\", \"round_trip_cycles\": %.0f, \"round_trip_ns\": %.1f}\n",
	       rt, rt * 1e9 / (double)rte_get_tsc_hz());
	rte_eal_cleanup();
	return 0;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *pool;
	unsigned int worker;
	int eal = rte_eal_init(argc, argv);

	if (eal < 0)
		rte_exit(EXIT_FAILURE, "ring_skeleton: EAL init failed\n");
	parse_args(argc - eal, argv + eal);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE)
		rte_exit(EXIT_FAILURE, "ring_skeleton: needs two lcores (-l 0-1)\n");
	if (cfg.mode == PING_PONG)
		return ping_pong(worker);
	if (rte_eth_dev_count_avail() < 2)
		rte_exit(EXIT_FAILURE, "ring_skeleton: needs two ports\n");
	pool = rte_pktmbuf_pool_create("skel_pool", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	cfg.a = rte_ring_create("skel_a", cfg.ring_size, rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
	cfg.b = rte_ring_create("skel_b", cfg.ring_size, rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
	cfg.sa = rte_zmalloc_socket("skel_sa", onvm_spsc_memsize(cfg.ring_size), ONVM_SPSC_LINE,
				    rte_socket_id());
	cfg.sb = rte_zmalloc_socket("skel_sb", onvm_spsc_memsize(cfg.ring_size), ONVM_SPSC_LINE,
				    rte_socket_id());
	if (pool == NULL || cfg.a == NULL || cfg.b == NULL || cfg.sa == NULL || cfg.sb == NULL)
		rte_exit(EXIT_FAILURE, "ring_skeleton: %s\n", rte_strerror(rte_errno));
	onvm_spsc_init(cfg.sa, cfg.ring_size);
	onvm_spsc_init(cfg.sb, cfg.ring_size);
	port_init(0, 1, pool);
	port_init(1, 2, pool);

	pthread_t clock_thread;
	struct measurement res = { 0 };

	rte_eal_remote_launch(data_lcore, NULL, worker);
	if (pthread_create(&clock_thread, NULL, measure, &res) != 0)
		rte_exit(EXIT_FAILURE, "ring_skeleton: cannot start the measuring thread\n");
	main_lcore(NULL);
	pthread_join(clock_thread, NULL);
	rte_eal_mp_wait_lcore();

	double mpps = (double)res.packets / res.seconds / 1e6;
	/* Both CPUs are busy the whole time in two-core modes. */
	unsigned int cores = cfg.mode == ONE_CORE ? 1 : 2;

	printf("{\"mode\": \"%s\", \"ring_impl\": \"%s\", \"ring\": %u, \"burst\": %u, "
	       "\"mpps\": %.3f, \"cycles_per_pkt\": %.1f, \"cores\": %u}\n",
	       mode_name(), cfg.spsc ? "spsc" : "rte", cfg.ring_size, cfg.burst, mpps,
	       (double)rte_get_tsc_hz() * cores / (mpps * 1e6), cores);
	rte_eth_dev_stop(0);
	rte_eth_dev_stop(1);
	rte_eal_cleanup();
	return 0;
}
