/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall: drop what the rules deny, pass the rest on.
 *
 *   firewall [EAL options] -- [nflib options] -- -f RULES.json [-s SECONDS]
 *
 * -f  the rule file (README.md describes it); SIGHUP reloads it.
 * -s  how often to print per-rule hits (default 10, 0 = only at exit).
 *
 * The decisions are fw_engine's; this file wires it to the NF library:
 * parse each frame once, classify the burst, set next or drop. A reload
 * thread rebuilds the rules on SIGHUP so the packet loop never stalls for
 * an ACL build.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "fw_engine.h"
#include "onvm_nflib.h"
#include "onvm_nflib_state.h"
#include "pkt_parse.h"

#define FW_TICK_MS 100
#define FW_PREFETCH_AHEAD 3

/* Counters published to the manager, beyond the per-verdict ones. */
enum {
	FW_CNT_MALFORMED = FW_V_COUNT,
	FW_CNT_NO_L4,
	FW_CNT_CT_CREATED,
	FW_CNT_CT_FULL,
	FW_CNT_CT_EXPIRED,
	FW_CNT_CT_CLOSED,
	FW_CNT_NUM,
};

static const char *const extra_counter_names[] = {
	"malformed", "no_l4", "ct_created", "ct_table_full", "ct_expired", "ct_closed",
};

struct fw_nf {
	struct fw_engine *engine;
	const char *rules_path;
	uint64_t stats_interval_ns;
	uint64_t next_stats_ns;
	int counter_idx[FW_CNT_NUM];
	uint64_t published[FW_CNT_NUM];
	pthread_t reload_thread;
	volatile bool stopping;
};

/* A signal handler can only reach globals; sem_post is async-signal-safe. */
static sem_t reload_request;

static void
on_sighup(int sig)
{
	(void)sig;
	sem_post(&reload_request);
}

/*
 * The library pinned the main thread to the NF's core, and threads inherit
 * that. An ACL build is background work: let it run on any core, at a
 * lower priority, rather than time-slice with this NF's packet loop.
 */
static void
unpin_background_thread(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t all;
	long c;

	CPU_ZERO(&all);
	for (c = 0; c < ncpu && c < CPU_SETSIZE; c++)
		CPU_SET(c, &all);
	pthread_setaffinity_np(pthread_self(), sizeof(all), &all);
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
}

static void *
reload_loop(void *arg)
{
	struct fw_nf *fw = arg;
	char err[CFG_ERR_LEN];

	unpin_background_thread();
	for (;;) {
		while (sem_wait(&reload_request) < 0 && errno == EINTR)
			;
		if (fw->stopping)
			return NULL;
		if (fw_engine_reload(fw->engine, fw->rules_path, NULL, false, stdout, err,
				     sizeof(err)) < 0)
			fprintf(stderr, "firewall: reload refused, old rules stay: %s\n", err);
		fflush(stdout);
	}
}

static void
fw_burst(struct rte_mbuf **pkts, struct onvm_verdict *v, uint16_t n, struct onvm_nf_ctx *nf)
{
	struct fw_nf *fw = onvm_nflib_user(nf);
	struct pkt_info pi[FW_BURST_MAX];
	uint16_t in_port[FW_BURST_MAX];
	uint8_t verdicts[FW_BURST_MAX];
	uint64_t now_ns = onvm_nflib_now_ns();
	uint16_t base, i;

	for (base = 0; base < n; base += FW_BURST_MAX) {
		uint16_t cnt = RTE_MIN((uint16_t)(n - base), (uint16_t)FW_BURST_MAX);
		struct rte_mbuf **b = pkts + base;

		for (i = 0; i < cnt && i < FW_PREFETCH_AHEAD; i++)
			rte_prefetch0(rte_pktmbuf_mtod(b[i], void *));
		for (i = 0; i < cnt; i++) {
			if (i + FW_PREFETCH_AHEAD < cnt)
				rte_prefetch0(rte_pktmbuf_mtod(b[i + FW_PREFETCH_AHEAD], void *));
			pkt_parse(rte_pktmbuf_mtod(b[i], const uint8_t *), rte_pktmbuf_data_len(b[i]),
				  &pi[i]);
			in_port[i] = onvm_nflib_burst_in_ports(nf)[base + i];
		}
		fw_engine_classify_burst(fw->engine, pi, in_port, onvm_nflib_burst_buckets(nf) + base,
					 cnt, now_ns, verdicts);
		for (i = 0; i < cnt; i++) {
			if (fw_verdict_allows(verdicts[i]))
				onvm_nf_next(&v[base + i]);
			else
				onvm_nf_drop(&v[base + i]);
		}
	}
	fw_engine_quiescent(fw->engine);
}

/* The connections of some buckets move to or from another instance
 * (between bursts, on the packet thread). */
static long
fw_export_state(void *ctx, const struct onvm_bucket_set *buckets, uint8_t *blob, size_t cap,
		uint32_t *flows)
{
	struct fw_nf *fw = ctx;
	long n = fw_engine_export_state(fw->engine, buckets, blob, cap, flows);

	fw_engine_quiescent(fw->engine);
	return n;
}

static int
fw_import_state(void *ctx, const uint8_t *blob, size_t len, uint32_t *flows)
{
	struct fw_nf *fw = ctx;
	int rc = fw_engine_import_state(fw->engine, blob, len, onvm_nflib_now_ns(), flows);

	fw_engine_quiescent(fw->engine);
	return rc;
}

static void
fw_drop_state(void *ctx, const struct onvm_bucket_set *buckets)
{
	struct fw_nf *fw = ctx;

	fw_engine_drop_state(fw->engine, buckets);
	fw_engine_quiescent(fw->engine);
}

static void
publish_counters(struct fw_nf *fw, struct onvm_nf_ctx *nf)
{
	const struct fw_engine_counters *c = fw_engine_counters(fw->engine);
	uint64_t now[FW_CNT_NUM] = { 0 };
	struct fw_ct_stats s;
	int i;

	for (i = 0; i < FW_V_COUNT; i++)
		now[i] = c->verdicts[i];
	now[FW_CNT_MALFORMED] = c->malformed;
	now[FW_CNT_NO_L4] = c->no_l4;
	if (fw_engine_ct_stats(fw->engine, &s)) {
		now[FW_CNT_CT_CREATED] = s.created;
		now[FW_CNT_CT_FULL] = s.table_full;
		now[FW_CNT_CT_EXPIRED] = s.expired;
		now[FW_CNT_CT_CLOSED] = s.closed;
	}
	for (i = 0; i < FW_CNT_NUM; i++) {
		if (fw->counter_idx[i] >= 0 && now[i] != fw->published[i])
			onvm_nflib_counter_add(nf, fw->counter_idx[i], now[i] - fw->published[i]);
		fw->published[i] = now[i];
	}
}

static void
print_summary(struct fw_nf *fw, FILE *out, bool final)
{
	const struct fw_engine_counters *c = fw_engine_counters(fw->engine);
	const struct fw_ruleset *rs = fw_engine_ruleset(fw->engine);
	struct fw_ct_stats s;
	int i;

	fprintf(out, "firewall: %s (rule set %u, %u rules):", final ? "final counters" : "counters",
		rs->generation, rs->cfg.n_rules);
	for (i = 0; i < FW_V_COUNT; i++)
		fprintf(out, " %s=%" PRIu64, fw_verdict_names[i], c->verdicts[i]);
	fprintf(out, " malformed=%" PRIu64 " no_l4=%" PRIu64 "\n", c->malformed, c->no_l4);
	if (fw_engine_ct_stats(fw->engine, &s))
		fprintf(out, "firewall: conntrack in_use=%u/%u created=%" PRIu64 " hits=%" PRIu64
			" table_full=%" PRIu64 " expired=%" PRIu64 " closed=%" PRIu64
			" reclaimed=%" PRIu64 "\n", s.in_use, s.capacity, s.created, s.hits,
			s.table_full, s.expired, s.closed, s.reclaimed);
	fw_engine_print_rule_hits(fw->engine, out, final, final ? UINT32_MAX : 32);
	fflush(out);
}

static void
fw_tick(struct onvm_nf_ctx *nf, uint64_t now_ns)
{
	struct fw_nf *fw = onvm_nflib_user(nf);

	fw_engine_tick(fw->engine, now_ns);
	publish_counters(fw, nf);
	if (fw->stats_interval_ns != 0 && now_ns >= fw->next_stats_ns) {
		fw->next_stats_ns = now_ns + fw->stats_interval_ns;
		print_summary(fw, stdout, false);
	}
	fw_engine_quiescent(fw->engine);
}

static int
usage(const char *why)
{
	fprintf(stderr, "firewall: %s\nusage: firewall [EAL] -- [nflib] -- -f RULES.json "
		"[-s STATS_SECONDS]\n", why);
	return -1;
}

static int
parse_app_args(struct fw_nf *fw, int argc, char **argv)
{
	unsigned long secs = 10;
	int opt;

	optind = 0; /* glibc: restart getopt, the library may have used it */
	while ((opt = getopt(argc, argv, "f:s:")) != -1) {
		switch (opt) {
		case 'f':
			fw->rules_path = optarg;
			break;
		case 's':
			if (onvm_arg_uint(optarg, 0, 86400, &secs) < 0)
				return usage("-s wants seconds 0-86400");
			break;
		default:
			return usage("unknown option");
		}
	}
	if (optind != argc)
		return usage("unexpected argument");
	if (fw->rules_path == NULL)
		return usage("-f RULES.json is required");
	fw->stats_interval_ns = secs * 1000000000ull;
	return 0;
}

int
main(int argc, char **argv)
{
	struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "firewall");
	struct fw_nf fw = { 0 };
	char err[CFG_ERR_LEN];
	int i;

	if (parse_app_args(&fw, onvm_nflib_app_argc(nf), onvm_nflib_app_argv(nf)) < 0) {
		onvm_nflib_close(nf);
		return 2;
	}
	fw.engine = fw_engine_create(fw.rules_path, (int)rte_socket_id(), err, sizeof(err));
	if (fw.engine == NULL) {
		fprintf(stderr, "firewall: %s\n", err);
		onvm_nflib_close(nf);
		return 1;
	}
	for (i = 0; i < FW_CNT_NUM; i++)
		fw.counter_idx[i] = onvm_nflib_counter_register(
			nf, i < FW_V_COUNT ? fw_verdict_names[i] : extra_counter_names[i - FW_V_COUNT]);
	onvm_nflib_set_user(nf, &fw);
	onvm_nflib_set_tick(nf, fw_tick, FW_TICK_MS);
	onvm_nflib_state_register(nf, &(struct onvm_state_ops){
		.export_state = fw_export_state, .import_state = fw_import_state,
		.drop_state = fw_drop_state, .ctx = &fw });

	sem_init(&reload_request, 0, 0);
	if (pthread_create(&fw.reload_thread, NULL, reload_loop, &fw) != 0) {
		fprintf(stderr, "firewall: cannot start the reload thread\n");
		fw_engine_free(fw.engine, NULL);
		onvm_nflib_close(nf);
		return 1;
	}
	signal(SIGHUP, on_sighup);
	printf("firewall: %u rules from %s, default %s%s\n",
	       fw_engine_ruleset(fw.engine)->cfg.n_rules, fw.rules_path,
	       fw_action_name(fw_engine_ruleset(fw.engine)->cfg.default_action),
	       fw_engine_ruleset(fw.engine)->cfg.stateful ? ", stateful" : "");
	fflush(stdout);

	onvm_nflib_run_burst(nf, fw_burst);

	/* The loop is over: a reload in progress must not wait for it. */
	signal(SIGHUP, SIG_IGN);
	fw_engine_reader_offline(fw.engine);
	fw.stopping = true;
	sem_post(&reload_request);
	pthread_join(fw.reload_thread, NULL);

	publish_counters(&fw, nf);
	print_summary(&fw, stdout, true);
	fw_engine_free(fw.engine, NULL);
	return onvm_nflib_close(nf);
}
