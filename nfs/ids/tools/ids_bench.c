/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_bench: matcher throughput, not a test.
 *
 *   ids_bench PCAP [SECONDS_PER_ROW]
 *
 * Loads the capture's L4 payloads into memory, then for 1, 100 and 1,000
 * content rules (each `alert tcp any any -> any any (content:"..."; sid:N;)`
 * with a distinct pseudo-random 8-byte content, plus one rule that looks for
 * "HTTP/1.1" so some packets do hit) runs ids_match() over every payload in
 * a loop and prints Mpps per second of CPU time. One thread, the scratch
 * reused, nothing allocated in the loop: what one NF core would do. "engine"
 * is the whole per-packet path (parse, flow table, stream window, match).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include "ids_engine.h"
#include "ids_match.h"
#include "pkt_parse.h"

struct payload {
	struct ids_pkt p;
};

struct frame {
	uint8_t *data;
	uint32_t len;
	int32_t seq_off;      /* where the TCP sequence number is, or -1 */
};

/*
 * This thread's CPU time, not the wall clock: on a shared machine the rate
 * per second of CPU actually given to the loop is what one dedicated NF core
 * would do (a busy neighbour only stretches the wall-clock run).
 */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
make_rules(unsigned n)
{
	size_t cap = (size_t)n * 96 + 256;
	char *s = malloc(cap);
	size_t o = 0;
	uint64_t x = 0x2545f4914f6cdd1dull;

	o += (size_t)snprintf(s + o, cap - o, "alert tcp any any -> any any "
			      "(msg:\"http\"; content:\"HTTP/1.1\"; sid:1;)\n");
	for (unsigned i = 1; i < n; i++) {
		char c[9];
		for (int k = 0; k < 8; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			c[k] = (char)('a' + x % 26);
		}
		c[8] = '\0';
		o += (size_t)snprintf(s + o, cap - o,
				      "alert tcp any any -> any any (content:\"%s\"; sid:%u;)\n",
				      c, i + 1);
	}
	return s;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ids_bench PCAP [SECONDS_PER_ROW [WINDOW]]\n");
		return 2;
	}
	double secs = argc > 2 ? atof(argv[2]) : 2.0;
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(argv[1], ebuf);
	if (pc == NULL) {
		fprintf(stderr, "%s: %s\n", argv[1], ebuf);
		return 2;
	}
	struct payload *pl = NULL;
	struct frame *fr = NULL;
	size_t n = 0, cap = 0, bytes = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(pc, &h, &d) == 1) {
		struct pkt_info pi;
		if (pkt_parse(d, h->caplen, &pi) < 0 || !(pi.flags & PKT_F_IPV4))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			pl = realloc(pl, cap * sizeof(*pl));
			fr = realloc(fr, cap * sizeof(*fr));
		}
		fr[n].data = malloc(h->caplen);
		memcpy(fr[n].data, d, h->caplen);
		fr[n].len = h->caplen;
		fr[n].seq_off = pi.ip_proto == PKT_PROTO_TCP && (pi.flags & PKT_F_L4)
					? (int32_t)pi.l4_off + 4 : -1;
		uint8_t *copy = malloc(pi.payload_len + 1);
		memcpy(copy, d + pi.payload_off, pi.payload_len);
		bytes += pi.payload_len;
		pl[n++].p = (struct ids_pkt){
			.proto = pi.ip_proto, .flow = IDS_FLOW_TO_SERVER | IDS_FLOW_ESTABLISHED,
			.src_ip = pi.ipv4_src, .dst_ip = pi.ipv4_dst,
			.src_port = pi.src_port, .dst_port = pi.dst_port,
			.data = copy, .len = pi.payload_len,
		};
	}
	pcap_close(pc);
	printf("%zu packets, %.1f payload bytes on average\n", n, n ? (double)bytes / n : 0.0);
	printf("%8s %10s %12s %12s %12s\n", "rules", "patterns", "match Mpps", "engine Mpps",
	       "alerts/pass");

	const unsigned counts[] = { 1, 100, 1000 };
	for (size_t k = 0; k < 3; k++) {
		char *text = make_rules(counts[k]);
		struct ids_load_opts lo = { .strict = true };
		struct ids_ruleset *rs = ids_rules_load_str("bench", text, &lo);
		free(text);
		struct ids_matcher *m = rs ? ids_matcher_build(rs, stderr) : NULL;
		struct ids_scratch *s = m ? ids_scratch_new(m) : NULL;
		if (s == NULL)
			return 1;
		uint32_t out[64];
		uint64_t pkts = 0, alerts = 0, passes = 0;
		double t0 = now_s(), t;
		do {
			for (size_t i = 0; i < n; i++)
				alerts += ids_match(m, s, &pl[i].p, out, 64);
			pkts += n;
			passes++;
		} while ((t = now_s()) - t0 < secs);
		double match_mpps = (double)pkts / (t - t0) / 1e6;
		uint64_t match_alerts = alerts / passes;
		uint32_t n_patterns = ids_matcher_pattern_count(m);
		ids_scratch_free(s);
		ids_matcher_free(m);

		/* The whole per-packet path: parse, flow, stream window, match. */
		struct ids_engine_cfg cfg = { .window = argc > 3 ? (uint32_t)atoi(argv[3]) : 0 };
		struct ids_engine *e = ids_engine_new(rs, &cfg, stderr);
		if (e == NULL)
			return 1;
		double busy = 0;
		pkts = 0;
		for (uint32_t pass = 1; busy < secs; pass++) {
			/* Each pass is new data of the same flows: move every
			 * sequence number past the previous pass (untimed). */
			for (size_t i = 0; i < n; i++) {
				if (fr[i].seq_off < 0 || fr[i].seq_off + 4 > (int32_t)fr[i].len)
					continue;
				uint8_t *q = fr[i].data + fr[i].seq_off;
				uint32_t seq = ((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
						(uint32_t)q[2] << 8 | q[3]) + 0x01000000u;
				q[0] = (uint8_t)(seq >> 24), q[1] = (uint8_t)(seq >> 16);
				q[2] = (uint8_t)(seq >> 8), q[3] = (uint8_t)seq;
			}
			t0 = now_s();
			for (size_t i = 0; i < n; i++)
				ids_engine_inspect(e, fr[i].data, fr[i].len,
						   pass * 1000000000ull + i, 0);
			busy += now_s() - t0;
			pkts += n;
		}
		printf("%8u %10u %12.2f %12.2f %12lu\n", counts[k], n_patterns, match_mpps,
		       (double)pkts / busy / 1e6, (unsigned long)match_alerts);
		ids_engine_free(e); /* frees rs */
	}
	for (size_t i = 0; i < n; i++) {
		free((void *)pl[i].p.data);
		free(fr[i].data);
	}
	free(pl);
	free(fr);
	return 0;
}
