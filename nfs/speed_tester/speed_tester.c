/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * speed_tester: a load generator that measures the platform. It makes a
 * batch of packets (-c, synthetic or replayed from a pcap with -o) and
 * sends them to service -d. Every packet that comes back to it is sent to
 * -d again, so the batch circles for ever: through -d and back when the
 * NFs of -d send to the speed tester's service, or straight back when -d is
 * its own service. Every second it prints the rate the packets come back
 * at and, with -l, their round-trip time.
 *
 * The NF never frees a packet: the manager owns every packet it gets back,
 * and what is in flight when the NF stops is dropped (and counted) by the
 * manager once nobody runs the speed tester's service.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "cfg_file.h"
#include "nf_rate.h"
#include "onvm_nflib.h"
#include "st_packet.h"
#include "st_trace.h"

#define DEFAULT_BATCH   128
#define MAX_BATCH       32768 /* half the manager's pool: leave room for the rest */
#define MAX_TRACE       4096  /* frames replayed from a pcap when -c is not given */
#define REPORT_MS       1000
#define SEND_WAIT_MS    500   /* longest wait for room in our TX ring */

struct speed_tester {
	/* options */
	uint16_t dest;
	unsigned int batch;
	bool batch_given;
	uint16_t frame_len;
	bool frame_len_given;
	bool latency;
	const char *pcap_path;
	uint8_t dst_mac[6];

	struct st_trace trace;
	uint64_t created;         /* sequence number of the next packet made */
	uint64_t looped;          /* packets that came back */
	uint64_t looped_at_tick;
	bool loop_dead;           /* nothing came back during the last report */
	struct nf_rate_sample last;
	struct st_latency lat;    /* since the last report, in TSC cycles */
	double tsc_per_us;

	int c_created, c_looped, c_alloc_failed, c_send_full, c_refills;
};

static struct speed_tester st = {
	.batch = DEFAULT_BATCH,
	.frame_len = 64,
	.dst_mac = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 },
};

/* ---- the loop: every packet that comes back goes out again ---- */

static void
loop_burst(struct rte_mbuf **pkts, struct onvm_verdict *v, uint16_t n, struct onvm_nf_ctx *nf)
{
	uint64_t now = st.latency ? rte_rdtsc() : 0;

	for (uint16_t i = 0; i < n; i++) {
		if (st.latency) {
			uint8_t *frame = rte_pktmbuf_mtod(pkts[i], uint8_t *);
			uint32_t len = rte_pktmbuf_data_len(pkts[i]);
			uint64_t sent;

			if (st_stamp_read(frame, len, &sent) && now >= sent)
				st_latency_add(&st.lat, now - sent);
			st_stamp_write(frame, len, now);
		}
		onvm_nf_to_service(&v[i], st.dest);
	}
	st.looped += n;
	onvm_nflib_counter_add(nf, st.c_looped, n);
}

/* ---- making packets ---- */

static void
fill_packet(struct rte_mbuf *m)
{
	uint64_t seq = st.created++;
	uint16_t len;
	uint8_t *data;

	if (st.trace.n) {
		unsigned int i = (unsigned int)(seq % st.trace.n);

		len = st.trace.len[i];
		data = (uint8_t *)rte_pktmbuf_append(m, len); /* room checked at start */
		memcpy(data, st.trace.data + st.trace.off[i], len);
	} else {
		len = st.frame_len;
		data = (uint8_t *)rte_pktmbuf_append(m, len);
		st_build_udp_frame(data, len, (uint32_t)seq, st.dst_mac);
	}
	if (st.latency)
		st_stamp_write(data, len, rte_rdtsc());
}

/*
 * Hand a burst we made to the manager. Our TX ring may be full (a batch
 * larger than the ring, or a slow manager): wait for room, as the packet
 * loop does, but not for ever. Returns how many were taken.
 */
static unsigned int
send_all(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts, unsigned int n)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * SEND_WAIT_MS / 1000;
	unsigned int sent = 0;

	for (;;) {
		sent += onvm_nflib_send(nf, pkts + sent, n - sent, onvm_verdict_to_service(st.dest));
		if (sent == n || onvm_nflib_stopping(nf) || rte_get_timer_cycles() > deadline)
			return sent;
		usleep(10);
	}
}

/* Make `count` packets and send them to -d; returns how many left. */
static unsigned int
send_batch(struct onvm_nf_ctx *nf, unsigned int count)
{
	struct rte_mbuf *pkts[ONVM_BURST];
	unsigned int done = 0;

	while (done < count) {
		unsigned int n = RTE_MIN(count - done, (unsigned int)ONVM_BURST), sent;

		if (onvm_nflib_alloc_bulk(nf, pkts, n) < 0) {
			onvm_nflib_counter_add(nf, st.c_alloc_failed, 1);
			break;
		}
		for (unsigned int i = 0; i < n; i++)
			fill_packet(pkts[i]);
		sent = send_all(nf, pkts, n);
		done += sent;
		if (sent < n) {
			/* Still no room: give the rest back rather than hold it. */
			onvm_nflib_free_unsent(nf, pkts + sent, n - sent);
			onvm_nflib_counter_add(nf, st.c_send_full, 1);
			break;
		}
	}
	onvm_nflib_counter_add(nf, st.c_created, done);
	return done;
}

/* ---- once a second ---- */

static void
report(struct onvm_nf_ctx *nf, uint64_t now_ns)
{
	struct nf_rate_sample cur = { .pkts = st.looped, .time_ns = now_ns };
	struct nf_rate r = nf_rate_between(&st.last, &cur);

	/* One fixed unit, so scripts (benchmarks, tests) can read it. */
	printf("speed_tester: %.3f Mpps (%lu packets came back in total)", r.pps / 1e6, st.looped);
	if (st.latency && st.lat.count)
		printf(", latency avg %.2f us, min %.2f us, max %.2f us (%lu samples)",
		       (double)st.lat.sum / (double)st.lat.count / st.tsc_per_us,
		       (double)st.lat.min / st.tsc_per_us, (double)st.lat.max / st.tsc_per_us,
		       st.lat.count);
	printf("\n");
	st_latency_reset(&st.lat);
	st.last = cur;

	/*
	 * Nothing came back for a whole interval: the batch was lost (the
	 * destination was not running yet, or left, or the last NF does not
	 * send to us). Start a new one; the old packets are already back in
	 * the pool, freed by the manager where they were dropped.
	 */
	if (st.looped == st.looped_at_tick && !onvm_nflib_stopping(nf)) {
		if (!st.loop_dead)
			printf("speed_tester: no packet came back for %d ms; sending a new batch "
			       "every %d ms until they do\n", REPORT_MS, REPORT_MS);
		st.loop_dead = true;
		onvm_nflib_counter_add(nf, st.c_refills, 1);
		send_batch(nf, st.batch);
	} else {
		st.loop_dead = false;
	}
	st.looped_at_tick = st.looped;
	fflush(stdout);
}

/* ---- start-up ---- */

static void
usage_exit(void)
{
	fprintf(stderr,
		"usage: speed_tester -d SERVICE [-c NUM] [-s SIZE | -o PCAP] [-l] [-m MAC]\n"
		"  -d  where the packets go (service id or name; its NFs send them back to us)\n"
		"  -c  packets in flight (default %d, at most %d; with -o: the file's frames,\n"
		"      at most %d)\n"
		"  -s  frame size in bytes without the FCS (%d-%d, default 64)\n"
		"  -o  replay the frames of a pcap file instead of synthetic UDP packets\n"
		"  -l  measure the round-trip time (stamps the last 16 bytes of each packet)\n"
		"  -m  destination MAC of the synthetic packets (default 02:00:00:00:00:02)\n",
		DEFAULT_BATCH, MAX_BATCH, MAX_TRACE, ST_MIN_FRAME, ST_MAX_FRAME);
	exit(EXIT_FAILURE);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "speed_tester: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

static void
parse_args(struct onvm_nf_ctx *nf)
{
	int argc = onvm_nflib_app_argc(nf);
	char **argv = onvm_nflib_app_argv(nf);
	unsigned long v;
	int opt;

	while ((opt = getopt(argc, argv, "d:c:s:o:lm:")) != -1) {
		switch (opt) {
		case 'd':
			st.dest = onvm_nflib_service_lookup(nf, optarg);
			if (st.dest == 0)
				die("-d %s: unknown service", optarg);
			break;
		case 'c':
			if (onvm_arg_uint(optarg, 1, MAX_BATCH, &v) != 0)
				die("-c %s: expected a number of packets (1-%d)", optarg, MAX_BATCH);
			st.batch = (unsigned int)v;
			st.batch_given = true;
			break;
		case 's':
			if (onvm_arg_uint(optarg, ST_MIN_FRAME, ST_MAX_FRAME, &v) != 0)
				die("-s %s: expected a frame size in bytes (%d-%d)", optarg, ST_MIN_FRAME,
				    ST_MAX_FRAME);
			st.frame_len = (uint16_t)v;
			st.frame_len_given = true;
			break;
		case 'o':
			st.pcap_path = optarg;
			break;
		case 'l':
			st.latency = true;
			break;
		case 'm':
			if (cfg_parse_mac(optarg, st.dst_mac) != 0)
				die("-m %s: expected a MAC address like 02:00:00:00:00:02", optarg);
			break;
		default:
			usage_exit();
		}
	}
	if (optind < argc || st.dest == 0)
		usage_exit();
	if (st.pcap_path && st.frame_len_given)
		die("-s and -o exclude each other: a replayed frame keeps its size");
}

/* The room of the manager's mbufs bounds the frames we can make. */
static uint16_t
mbuf_room(struct onvm_nf_ctx *nf)
{
	struct rte_mbuf *m = onvm_nflib_alloc_pkt(nf);
	uint16_t room;

	if (m == NULL)
		die("the manager's packet pool is empty");
	room = rte_pktmbuf_tailroom(m);
	onvm_nflib_free_unsent(nf, &m, 1);
	return room;
}

static void
prepare_packets(struct onvm_nf_ctx *nf)
{
	uint16_t room = mbuf_room(nf);
	char err[CFG_ERR_LEN];

	if (st.pcap_path) {
		unsigned int max = st.batch_given ? st.batch : MAX_TRACE;

		if (st_trace_load(&st.trace, st.pcap_path, max, room, err, sizeof(err)) < 0)
			die("%s", err);
		st.batch = st.trace.n;
		if (st.trace.skipped)
			printf("speed_tester: %s: skipped %u frames (cut short or longer than %u bytes)\n",
			       st.pcap_path, st.trace.skipped, room);
	} else if (st.frame_len > room) {
		die("-s %u: the manager's packets hold at most %u bytes (start it with -j for "
		    "jumbo frames)", st.frame_len, room);
	}
}

int
main(int argc, char **argv)
{
	struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "speed_tester");
	unsigned int sent;

	parse_args(nf);
	prepare_packets(nf);
	st.tsc_per_us = (double)rte_get_tsc_hz() / 1e6;
	st_latency_reset(&st.lat);
	st.c_created = onvm_nflib_counter_register(nf, "created");
	st.c_looped = onvm_nflib_counter_register(nf, "looped");
	st.c_alloc_failed = onvm_nflib_counter_register(nf, "alloc_failed");
	st.c_send_full = onvm_nflib_counter_register(nf, "send_full");
	st.c_refills = onvm_nflib_counter_register(nf, "refills");

	sent = send_batch(nf, st.batch);
	printf("speed_tester: sent %u of %u %s packets to service %u; service %u is ours\n", sent,
	       st.batch, st.trace.n ? "replayed" : "synthetic", st.dest, onvm_nflib_service_id(nf));
	fflush(stdout);

	st.last.time_ns = onvm_nflib_now_ns();
	onvm_nflib_set_tick(nf, report, REPORT_MS);
	onvm_nflib_run_burst(nf, loop_burst);

	printf("speed_tester: stopped; %lu packets came back in total\n", st.looped);
	st_trace_free(&st.trace);
	return onvm_nflib_close(nf);
}
