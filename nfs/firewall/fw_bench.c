/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_bench: how fast the firewall classifies, for 10, 1,000 and 10,000
 * random rules (fw_randgen's policy shape). Prints one line per size:
 * ACL build time, rte_acl_classify alone in bursts of 32, the whole
 * stateless decision (fw_engine_classify_burst: key building, ACL, rule
 * counters) from already-parsed headers, and the same in stateful mode
 * (connection lookups first; the allowed flows of the packet set tracked). Each figure is the best of 3 runs
 * of ~0.3 s on one core (the best, because a shared machine only ever
 * makes a run slower).
 *
 *   fw_bench [EAL options]     (default: --no-huge --no-pci -l 0)
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_eal.h>

#include "bench_eal.h"
#include "fw_engine.h"
#include "fw_randgen.h"

#define N_PKTS  8192   /* a working set that stays mostly in L2, like a busy burst loop */
#define BURST   32
#define RUN_NS  300000000ull
#define ROUNDS  3

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Rule file text for n random rules, so the engine loads it as the NF would. */
static char *
rules_json(const struct fw_config *c, bool stateful)
{
	size_t cap = 256 + (size_t)c->n_rules * 256, len = 0;
	char *s = malloc(cap);
	uint32_t i;

	len += (size_t)snprintf(s + len, cap - len,
				"{ \"default\": \"deny\", \"stateful\": %s, \"rules\": [\n",
				stateful ? "true" : "false");
	for (i = 0; i < c->n_rules; i++) {
		const struct onvm_match *m = &c->rules[i].match;
		const char *l4 = m->ip_proto == PKT_PROTO_UDP ? "udp" : "tcp";

		len += (size_t)snprintf(s + len, cap - len, "%s{\"name\":\"%s\",\"action\":\"%s\"",
					i ? ",\n" : "", c->rules[i].name,
					fw_action_name(c->rules[i].action));
		if (m->fields & M_IP_PROTO)
			len += (size_t)snprintf(s + len, cap - len, ",\"ip_proto\":%u", m->ip_proto);
		if (m->fields & M_IPV4_SRC)
			len += (size_t)snprintf(s + len, cap - len,
						",\"ipv4_src\":\"%u.%u.%u.%u/%u\"",
						m->ipv4_src >> 24, (m->ipv4_src >> 16) & 255,
						(m->ipv4_src >> 8) & 255, m->ipv4_src & 255,
						m->ipv4_src_len);
		if (m->fields & M_IPV4_DST)
			len += (size_t)snprintf(s + len, cap - len,
						",\"ipv4_dst\":\"%u.%u.%u.%u/%u\"",
						m->ipv4_dst >> 24, (m->ipv4_dst >> 16) & 255,
						(m->ipv4_dst >> 8) & 255, m->ipv4_dst & 255,
						m->ipv4_dst_len);
		if (m->fields & M_L4_SRC)
			len += (size_t)snprintf(s + len, cap - len, ",\"%s_src\":\"%u-%u\"", l4,
						m->l4_src_lo, m->l4_src_hi);
		if (m->fields & M_L4_DST)
			len += (size_t)snprintf(s + len, cap - len, ",\"%s_dst\":\"%u-%u\"", l4,
						m->l4_dst_lo, m->l4_dst_hi);
		if (m->fields & M_IN_PORT)
			len += (size_t)snprintf(s + len, cap - len, ",\"in_port\":%u", m->in_port);
		len += (size_t)snprintf(s + len, cap - len, "}");
	}
	snprintf(s + len, cap - len, "\n] }\n");
	return s;
}

/* The whole decision, best of ROUNDS; stateful: the policy tracks what it allows. */
static double
bench_engine(const struct fw_config *c, bool stateful, const struct pkt_info *pi,
	     const uint16_t *in_port)
{
	char err[CFG_ERR_LEN], *json = rules_json(c, stateful);
	struct fw_engine *e = fw_engine_create_string("bench.json", json, 0, err, sizeof(err));
	uint8_t verdicts[BURST];
	uint64_t t0, t1, done;
	double best = 0;
	uint32_t i;
	int round;

	free(json);
	if (e == NULL) {
		fprintf(stderr, "fw_bench: %s\n", err);
		exit(1);
	}
	for (round = 0; round < ROUNDS; round++) {
		done = 0;
		t0 = now_ns();
		do {
			for (i = 0; i < N_PKTS; i += BURST)
				fw_engine_classify_burst(e, pi + i, in_port + i, NULL, BURST, t0,
							 verdicts);
			fw_engine_quiescent(e);
			done += N_PKTS;
			t1 = now_ns();
		} while (t1 - t0 < RUN_NS);
		best = RTE_MAX(best, (double)done * 1e3 / (double)(t1 - t0));
	}
	fw_engine_free(e, NULL);
	return best;
}

static void
bench_size(uint32_t n_rules)
{
	static struct pkt_info pi[N_PKTS];
	static uint16_t in_port[N_PKTS];
	static struct fw_acl_key keys[N_PKTS];
	static const struct fw_acl_key *kp[N_PKTS];
	uint32_t results[BURST];
	struct fw_rng rng = { .s = 0x5eed0000u + n_rules };
	struct fw_config c;
	struct fw_acl *acl;
	char err[CFG_ERR_LEN];
	uint64_t t0, t1, done, build_ns, matched = 0;
	double acl_mpps, engine_mpps, stateful_mpps;
	uint32_t i;
	int round;

	if (fw_randgen_rules(&c, n_rules, &rng) < 0)
		exit(1);
	for (i = 0; i < N_PKTS; i++) {
		fw_randgen_packet(&c, &rng, &pi[i], &in_port[i]);
		fw_acl_key_from_pkt(&keys[i], &pi[i], in_port[i]);
		kp[i] = &keys[i];
	}

	t0 = now_ns();
	acl = fw_acl_build(&c, 0, err, sizeof(err));
	build_ns = now_ns() - t0;
	if (acl == NULL) {
		fprintf(stderr, "fw_bench: %s\n", err);
		exit(1);
	}
	acl_mpps = 0;
	for (round = 0; round < ROUNDS; round++) {
		done = 0;
		t0 = now_ns();
		do {
			for (i = 0; i < N_PKTS; i += BURST) {
				fw_acl_classify(acl, kp + i, results, BURST);
				matched += results[0] != 0;
			}
			done += N_PKTS;
			t1 = now_ns();
		} while (t1 - t0 < RUN_NS);
		acl_mpps = RTE_MAX(acl_mpps, (double)done * 1e3 / (double)(t1 - t0));
	}
	fw_acl_free(acl);

	engine_mpps = bench_engine(&c, false, pi, in_port);
	stateful_mpps = bench_engine(&c, true, pi, in_port);
	fw_config_free(&c);

	printf("%7u rules | build %7.1f ms | rte_acl_classify %6.2f Mpps | decision %6.2f Mpps"
	       " | stateful %6.2f Mpps\n", n_rules, (double)build_ns / 1e6, acl_mpps,
	       engine_mpps, stateful_mpps);
	(void)matched;
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	char *def[] = { argv[0], "--no-huge", "--no-pci", "--no-shconf", "-l", "0",
			"--file-prefix", "fw_bench", "--log-level=error" };
	static const uint32_t sizes[] = { 10, 1000, 10000 };
	size_t i;

	if (bench_eal_init("fw_bench", argc, argv, def, RTE_DIM(def)) < 0)
		return 1;
	printf("firewall classification, bursts of %d, %d distinct packets, one core\n", BURST,
	       N_PKTS);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bench_size(sizes[i]);
	bench_eal_exit();
	return 0;
}
