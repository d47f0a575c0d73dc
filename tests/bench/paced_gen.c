/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A paced traffic source and sink, for the overload benchmark and the
 * chaos and soak runs: a DPDK process of its own that sends on one port
 * at a given rate (or as fast as the port takes) and receives what comes
 * back on another, with the round trip of every packet it stamped.
 *
 *   bench_paced_gen [EAL options] -- [--tx-port P] [--rx-port P]
 *       [--size BYTES] [--flows N] [--pcap FILE] [--mangle PERCENT] [--burst N]
 *       [--warmup S] [--drain S] [--interval S]
 *       --phase RATE:SECONDS [--phase RATE:SECONDS ...]
 *
 * RATE is packets per second, "max" (as fast as the port takes them), or
 * "xF": F times the rate delivered in the last "max" phase (its capacity).
 * SECONDS may be "inf": until SIGINT or SIGTERM. Each phase sends for its
 * warm-up and then for SECONDS, measured; then it stops sending and
 * receives until nothing came for --drain seconds, so the next phase
 * starts with empty queues and every packet of this one is accounted for.
 *
 * Ports are those EAL was given, typically memif clients of the manager's
 * memif servers: the manager reads port 0 (from us) and sends on port 1
 * (to us). What the port refuses when its ring is full (the platform
 * stopped reading it) is what a NIC drops and counts as imissed:
 * "refused" here. A paced source that fell behind (descheduled) does not
 * send the packets it missed all at once: they are counted as "late" and
 * not offered, so a hiccup of the source is not taken for the platform's
 * drop.
 *
 * Synthetic frames are UDP, 10.0.0.1 -> 10.0.0.2 port 9, one source port
 * per flow, stamped (a marker and the TSC) at offset 42 when sent. Frames
 * of a pcap are sent as they are, not stamped (no latency for them).
 * --mangle P adds P% more frames, each a broken copy of one of them:
 * truncated anywhere from 1 byte, an IPv4 header length of 0 or 15, a
 * total length past the frame, a TCP data offset of 0, stacked VLAN tags
 * with nothing behind them.
 *
 * Output: one JSON object a line: "connected", "measure" at the start of
 * each phase's measured window, "interval" lines, "phase" with the
 * phase's counts and latency percentiles, and "done" with the totals.
 */
#include <getopt.h>
#include <math.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "bench_clock.h"


#define MAX_PHASES   16
#define MAX_BURST    256
#define MAX_FRAMES   65536
#define STAMP_OFF    42
#define STAMP_MAGIC  0x6f766c64u /* "ovld" */
#define HIST_US      2000000     /* latency histogram: 1 us buckets up to 2 s */
#define POOL_MBUFS   16383

struct phase {
	double rate;   /* pps; 0 = max */
	double factor; /* > 0: rate = factor x the last max phase's delivered rate */
	double seconds; /* INFINITY: until a signal */
};

struct counts {
	uint64_t offered, accepted, refused, late, received, unstamped;
};

static struct {
	uint16_t tx_port, rx_port;
	unsigned int size, flows, burst;
	const char *pcap;
	double mangle;
	double warmup, drain, interval;
	struct phase phases[MAX_PHASES];
	unsigned int n_phases;
} opt = { .tx_port = 0, .rx_port = 1, .size = 64, .flows = 1024, .burst = 32, .warmup = 1,
	  .drain = 0.5, .interval = 0 };

static struct frame {
	uint8_t *data;
	uint16_t len;
} *frames;
static unsigned int n_frames, next_frame;
static bool stamped; /* synthetic frames carry a stamp */

static volatile sig_atomic_t stop;
static uint64_t hz;
static uint64_t hist[HIST_US + 1];
static uint64_t lat_max_ns;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double
now_s(void)
{
	return (double)rte_rdtsc() / (double)hz;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_paced_gen [EAL options] -- [--tx-port P] [--rx-port P] "
			"[--size BYTES] [--flows N] [--pcap FILE] [--burst N] [--warmup S] "
			"[--drain S] [--interval S] --phase RATE:SECONDS ...\n"
			"  RATE: packets/s, max, or xF (F x the last max phase's delivered rate)\n");
	exit(2);
}

static int
parse_phase(const char *arg, struct phase *p)
{
	char rate[64];
	const char *colon = strchr(arg, ':');
	char *end;

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(rate))
		return -1;
	memcpy(rate, arg, (size_t)(colon - arg));
	rate[colon - arg] = '\0';
	*p = (struct phase){ 0 };
	if (strcmp(rate, "max") == 0) {
		p->rate = 0;
	} else if (rate[0] == 'x') {
		p->factor = strtod(rate + 1, &end);
		if (*end != '\0' || !(p->factor > 0))
			return -1;
	} else {
		p->rate = strtod(rate, &end);
		if (*end != '\0' || !(p->rate > 0))
			return -1;
	}
	if (strcmp(colon + 1, "inf") == 0) {
		p->seconds = INFINITY;
		return 0;
	}
	p->seconds = strtod(colon + 1, &end);
	return *end != '\0' || !(p->seconds > 0) ? -1 : 0;
}

static void
parse_args(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "tx-port", required_argument, NULL, 't' }, { "rx-port", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 's' },    { "flows", required_argument, NULL, 'f' },
		{ "pcap", required_argument, NULL, 'p' },    { "burst", required_argument, NULL, 'b' },
		{ "warmup", required_argument, NULL, 'w' },  { "drain", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' }, { "phase", required_argument, NULL, 'P' },
		{ "mangle", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 't': opt.tx_port = (uint16_t)atoi(optarg); break;
		case 'r': opt.rx_port = (uint16_t)atoi(optarg); break;
		case 's': opt.size = (unsigned int)atoi(optarg); break;
		case 'f': opt.flows = (unsigned int)atoi(optarg); break;
		case 'p': opt.pcap = optarg; break;
		case 'b': opt.burst = (unsigned int)atoi(optarg); break;
		case 'w': opt.warmup = atof(optarg); break;
		case 'd': opt.drain = atof(optarg); break;
		case 'i': opt.interval = atof(optarg); break;
		case 'm': opt.mangle = atof(optarg); break;
		case 'P':
			if (opt.n_phases == MAX_PHASES || parse_phase(optarg, &opt.phases[opt.n_phases]) < 0) {
				fprintf(stderr, "bench_paced_gen: --phase '%s': expected RATE:SECONDS "
						"(at most %d)\n", optarg, MAX_PHASES);
				exit(2);
			}
			opt.n_phases++;
			break;
		default: usage();
		}
	}
	if (opt.n_phases == 0 || opt.size < 60 || opt.size > 1500 || opt.flows == 0 ||
	    opt.flows > MAX_FRAMES || opt.burst == 0 || opt.burst > MAX_BURST || opt.warmup < 0 ||
	    opt.drain < 0 || opt.mangle < 0 || opt.mangle > 100)
		usage();
}

/* Synthetic UDP frames, one per flow, all of opt.size bytes. */
static void
make_frames(void)
{
	frames = calloc(opt.flows, sizeof(*frames));
	for (unsigned int i = 0; i < opt.flows; i++) {
		uint8_t *f = calloc(1, opt.size);
		struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
		uint16_t ip_len = (uint16_t)(opt.size - sizeof(*eth));

		eth->dst_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0x02 } };
		eth->src_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0x01 } };
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16(ip_len);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(0x0a000001);
		ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->src_port = rte_cpu_to_be_16((uint16_t)(1024 + i));
		udp->dst_port = rte_cpu_to_be_16(9);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
		frames[i] = (struct frame){ f, (uint16_t)opt.size };
	}
	n_frames = opt.flows;
	stamped = true;
}

static int
load_pcap(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);

	if (p == NULL) {
		fprintf(stderr, "bench_paced_gen: %s: %s\n", path, err);
		return -1;
	}
	frames = calloc(MAX_FRAMES, sizeof(*frames));
	while (n_frames < MAX_FRAMES && pcap_next_ex(p, &h, &d) == 1) {
		if (h->caplen < RTE_ETHER_HDR_LEN || h->caplen > 2000)
			continue;
		frames[n_frames].data = malloc(h->caplen);
		memcpy(frames[n_frames].data, d, h->caplen);
		frames[n_frames++].len = (uint16_t)h->caplen;
	}
	pcap_close(p);
	if (n_frames == 0) {
		fprintf(stderr, "bench_paced_gen: %s: no frame to send\n", path);
		return -1;
	}
	return 0;
}

/* Broken copies of the frames (--mangle), the same ones on every run. */
static void
mangle_frames(void)
{
	unsigned int n = n_frames, extra = (unsigned int)(n * opt.mangle / 100);
	struct frame *all = realloc(frames, (n + extra) * sizeof(*frames));

	if (all == NULL)
		return;
	frames = all;
	for (unsigned int i = 0; i < extra; i++) {
		const struct frame *from = &frames[(i * 7919u) % n];
		uint8_t *f = calloc(1, 64 + from->len);
		uint16_t len = from->len;
		const unsigned int l3 = RTE_ETHER_HDR_LEN;

		memcpy(f, from->data, from->len);
		switch (i % 6) {
		case 0: /* truncated anywhere, down to one byte */
			len = (uint16_t)RTE_MIN(len, 1 + (i * 31u) % 60);
			break;
		case 1: /* IPv4 header length 0 */
			f[l3] = 0x40;
			break;
		case 2: /* IPv4 header length 15 (60 bytes), frame cut after 40 */
			f[l3] = 0x4f;
			len = (uint16_t)RTE_MIN(len, l3 + 40);
			break;
		case 3: /* total length past the frame */
			f[l3 + 2] = 0xff;
			f[l3 + 3] = 0xff;
			break;
		case 4: /* TCP data offset 0 (if TCP), 20 bytes of IPv4 assumed */
			f[l3 + 20 + 12] = 0;
			break;
		case 5: /* ten stacked 802.1Q tags and nothing behind them */
			for (unsigned int t = 0; t < 10; t++) {
				f[12 + 4 * t] = 0x81;
				f[12 + 4 * t + 1] = 0;
			}
			len = 12 + 40;
			break;
		}
		frames[n_frames++] = (struct frame){ f, len };
	}
}

static int
port_init(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_link link;
	uint64_t deadline;

	if (!rte_eth_dev_is_valid_port(port) || rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, 1024, rte_socket_id(), NULL, pool) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, 1024, rte_socket_id(), NULL) < 0 ||
	    rte_eth_dev_start(port) < 0) {
		fprintf(stderr, "bench_paced_gen: port %u cannot be set up\n", port);
		return -1;
	}
	/* A memif client is up once the server accepted it. */
	deadline = rte_rdtsc() + 20 * hz;
	do {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return 0;
		rte_delay_us_sleep(10000);
	} while (rte_rdtsc() < deadline && !stop);
	fprintf(stderr, "bench_paced_gen: port %u: link not up within 20 s\n", port);
	return -1;
}

/* Fill pkts[have..want) with the next frames. */
static unsigned int
refill(struct rte_mempool *pool, struct rte_mbuf **pkts, unsigned int have, unsigned int want)
{
	if (want > have && rte_pktmbuf_alloc_bulk(pool, pkts + have, want - have) == 0) {
		for (unsigned int i = have; i < want; i++) {
			const struct frame *f = &frames[next_frame];

			next_frame = next_frame + 1 == n_frames ? 0 : next_frame + 1;
			memcpy(rte_pktmbuf_mtod(pkts[i], void *), f->data, f->len);
			pkts[i]->data_len = pkts[i]->pkt_len = f->len;
		}
		return want;
	}
	return have;
}

static void
stamp(struct rte_mbuf **pkts, unsigned int n)
{
	uint64_t tsc = rte_rdtsc();

	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = rte_pktmbuf_mtod(pkts[i], uint8_t *) + STAMP_OFF;
		uint32_t magic = STAMP_MAGIC;

		memcpy(p, &magic, sizeof(magic));
		memcpy(p + sizeof(magic), &tsc, sizeof(tsc));
	}
}

static unsigned int
receive(struct counts *c, bool record)
{
	struct rte_mbuf *pkts[MAX_BURST];
	uint16_t n = rte_eth_rx_burst(opt.rx_port, 0, pkts, MAX_BURST);
	uint64_t now = rte_rdtsc();

	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(pkts[i], const uint8_t *) + STAMP_OFF;
		uint32_t magic;
		uint64_t tsc, ns;

		if (rte_pktmbuf_data_len(pkts[i]) < STAMP_OFF + 12) {
			c->unstamped++;
			continue;
		}
		memcpy(&magic, p, sizeof(magic));
		memcpy(&tsc, p + sizeof(magic), sizeof(tsc));
		if (magic != STAMP_MAGIC || tsc > now) {
			c->unstamped++;
			continue;
		}
		if (!record)
			continue;
		ns = (now - tsc) * 1000000000ull / hz;
		hist[RTE_MIN(ns / 1000, (uint64_t)HIST_US)]++;
		lat_max_ns = RTE_MAX(lat_max_ns, ns);
	}
	c->received += n;
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

static double
percentile_us(uint64_t total, double q)
{
	uint64_t want = (uint64_t)ceil(q * (double)total), seen = 0;

	for (unsigned int i = 0; i <= HIST_US; i++) {
		seen += hist[i];
		if (seen >= want && want > 0)
			return i + 0.5;
	}
	return 0;
}

static void
print_counts(const char *event, const struct counts *c)
{
	printf("\"offered\": %lu, \"accepted\": %lu, \"refused\": %lu, \"late\": %lu, "
	       "\"received\": %lu, \"unstamped\": %lu", c->offered, c->accepted, c->refused, c->late,
	       c->received, c->unstamped);
	(void)event;
}

static void
sub(struct counts *d, const struct counts *a, const struct counts *b)
{
	d->offered = a->offered - b->offered;
	d->accepted = a->accepted - b->accepted;
	d->refused = a->refused - b->refused;
	d->late = a->late - b->late;
	d->received = a->received - b->received;
	d->unstamped = a->unstamped - b->unstamped;
}

static void
sleep_us(unsigned int us)
{
	struct timespec ts = { 0, (long)us * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * One phase: send at `rate` (0 = max) for the warm-up and `seconds`, then
 * drain. Returns the rate delivered in the measured window.
 */
static double
run_phase(unsigned int idx, double rate, double seconds, struct rte_mempool *pool,
	  struct counts *tot)
{
	struct rte_mbuf *pkts[MAX_BURST];
	unsigned int have = 0;
	struct counts at_measure = { 0 }, at_tick = { 0 }, at_end, d;
	double t0 = now_s(), t_measure = t0 + opt.warmup, t_end = t_measure + seconds;
	double next_tick = t_measure + opt.interval, t_last_rx;
	bool measuring = false;
	double cpu_measure = bench_cpu_s();
	uint64_t skipped = 0; /* packets the schedule gave up on (late) */
	uint64_t offered0 = tot->offered;

	memset(hist, 0, sizeof(hist));
	lat_max_ns = 0;
	while (!stop) {
		double t = now_s();
		unsigned int want;

		if (!measuring && t >= t_measure) {
			measuring = true;
			at_measure = at_tick = *tot;
			cpu_measure = bench_cpu_s();
			printf("{\"event\": \"measure\", \"phase\": %u, \"rate_pps\": %.0f}\n", idx, rate);
			fflush(stdout);
		}
		if (t >= t_end)
			break;
		if (rate > 0) {
			uint64_t due = (uint64_t)(rate * (t - t0)) - skipped;
			uint64_t done = tot->offered - offered0;
			uint64_t owed = due > done ? due - done : 0;

			/* Behind by more than the port's ring: the source was
			 * descheduled; what it missed is late, not offered. */
			if (owed > 4096) {
				tot->late += owed - opt.burst;
				skipped += owed - opt.burst;
				owed = opt.burst;
			}
			want = (unsigned int)RTE_MIN(owed, (uint64_t)opt.burst);
		} else {
			want = opt.burst;
		}
		if (want) {
			uint16_t sent;

			have = refill(pool, pkts, have, RTE_MAX(have, want));
			want = RTE_MIN(want, have);
			if (stamped)
				stamp(pkts, want);
			sent = rte_eth_tx_burst(opt.tx_port, 0, pkts, (uint16_t)want);
			tot->accepted += sent;
			if (rate > 0) {
				/* Offered once: a refused packet is dropped, as a NIC does;
				 * its mbuf is kept for the next frame. */
				tot->offered += want;
				tot->refused += want - sent;
			} else {
				tot->offered += sent;
			}
			memmove(pkts, pkts + sent, (have - sent) * sizeof(pkts[0]));
			have -= sent;
			if (rate == 0 && sent < want)
				sleep_us(50); /* the port is full: let the platform run */
		}
		/* Drain the exit port while it has more than a burst for us:
		 * its ring full, the manager would drop at the exit. */
		unsigned int got = 0, n;
		for (int i = 0; i < 64 && (n = receive(tot, measuring)) > 0; i++) {
			got += n;
			if (n < MAX_BURST)
				break;
		}
		/* Nothing to send: sleep until a burst is due (a paced source
		 * that woke for every packet would take the CPU its NFs need). */
		if (got == 0 && want == 0)
			sleep_us(rate > 0 ? (unsigned int)RTE_MIN(1000.0, RTE_MAX(10.0, opt.burst * 1e6 / rate))
					  : 10);
		if (measuring && opt.interval > 0 && t >= next_tick) {
			sub(&d, tot, &at_tick);
			printf("{\"event\": \"interval\", \"phase\": %u, \"t\": %.3f, ", idx, t - t_measure);
			print_counts("interval", &d);
			printf(", \"delivered_pps\": %.0f}\n", d.received / opt.interval);
			fflush(stdout);
			at_tick = *tot;
			next_tick += opt.interval;
		}
	}
	if (!measuring)
		at_measure = *tot;
	at_end = *tot;
	double measured = now_s() - RTE_MAX(t_measure, t0);
	double cpu = bench_cpu_s() - cpu_measure;

	/* Drain: what is still queued comes back or is dropped, counted. */
	t_last_rx = now_s();
	while (now_s() - t_last_rx < opt.drain && now_s() - t_last_rx < 30)
		if (receive(tot, false))
			t_last_rx = now_s();
		else
			sleep_us(50);
	rte_pktmbuf_free_bulk(pkts, have);

	sub(&d, &at_end, &at_measure);
	uint64_t lat_n = 0;
	for (unsigned int i = 0; i <= HIST_US; i++)
		lat_n += hist[i];
	double delivered = measured > 0 ? d.received / measured : 0;
	printf("{\"event\": \"phase\", \"phase\": %u, \"rate_pps\": %.0f, \"seconds\": %.3f, ", idx,
	       rate, measured);
	print_counts("phase", &d);
	printf(", \"cpu\": %.3f", measured > 0 ? cpu / measured : 0);
	printf(", \"offered_pps\": %.0f, \"delivered_pps\": %.0f, \"latency_us\": {\"n\": %lu, "
	       "\"p50\": %.1f, \"p90\": %.1f, \"p99\": %.1f, \"p999\": %.1f, \"max\": %.1f}}\n",
	       measured > 0 ? (d.offered + d.late) / measured : 0, delivered, lat_n,
	       percentile_us(lat_n, 0.5), percentile_us(lat_n, 0.9), percentile_us(lat_n, 0.99),
	       percentile_us(lat_n, 0.999), lat_max_ns / 1000.0);
	fflush(stdout);
	return delivered;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *pool;
	struct counts tot = { 0 };
	double capacity = 0;
	int used = rte_eal_init(argc, argv);

	if (used < 0) {
		fprintf(stderr, "bench_paced_gen: EAL init failed\n");
		return 1;
	}
	parse_args(argc - used, argv + used);
	hz = rte_get_tsc_hz();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (opt.pcap ? load_pcap(opt.pcap) < 0 : (make_frames(), 0))
		return 1;
	mangle_frames();
	pool = rte_pktmbuf_pool_create("gen_pool", POOL_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL || port_init(opt.tx_port, pool) < 0 ||
	    (opt.rx_port != opt.tx_port && port_init(opt.rx_port, pool) < 0)) {
		fprintf(stderr, "bench_paced_gen: set-up failed\n");
		return 1;
	}
	printf("{\"event\": \"connected\", \"frames\": %u, \"stamped\": %s}\n", n_frames,
	       stamped ? "true" : "false");
	fflush(stdout);
	for (unsigned int i = 0; i < opt.n_phases && !stop; i++) {
		const struct phase *p = &opt.phases[i];
		double rate = p->factor > 0 ? p->factor * capacity : p->rate;
		double got;

		if (p->factor > 0 && capacity <= 0) {
			fprintf(stderr, "bench_paced_gen: phase %u: x%g needs a max phase before it\n",
				i, p->factor);
			break;
		}
		got = run_phase(i, rate, p->seconds, pool, &tot);
		if (p->rate == 0 && p->factor == 0)
			capacity = got;
	}
	printf("{\"event\": \"done\", ");
	print_counts("done", &tot);
	printf("}\n");
	fflush(stdout);
	rte_eth_dev_stop(opt.tx_port);
	rte_eth_dev_stop(opt.rx_port);
	rte_eal_cleanup();
	return 0;
}
