/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids: Snort/Suricata-style rules over the packets of a chain.
 *
 *   ids [EAL options] -- [nflib options] -- -r RULES [-a ALERTS] [-V VARS] [-s]
 *                                           [-F MAX_FLOWS] [-W WINDOW_BYTES]
 *
 * Each matching rule writes one eve.json-style alert line (to ALERTS, or
 * stdout); a packet that matches a `drop` rule is dropped (IPS mode), every
 * other packet goes on to the next hop. Malformed packets and fragments pass
 * uninspected and are counted.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "ids_engine.h"
#include "onvm_nflib.h"
#include "onvm_nflib_state.h"

#define IDS_EXTRA_STATS 5

struct ids_nf {
	struct ids_engine *engine;
	FILE *alerts;
	int ctr_alerts, ctr_drops, ctr_malformed, ctr_fragments;
	int ctr_extra[IDS_EXTRA_STATS];
	struct ids_counters shown;      /* what the named counters already hold */
	uint64_t extra_shown[IDS_EXTRA_STATS];
};

static void
publish(struct onvm_nf_ctx *nf, int idx, uint64_t now, uint64_t *shown)
{
	if (idx >= 0 && now > *shown)
		onvm_nflib_counter_add(nf, idx, now - *shown);
	*shown = now;
}

/* Counters are pushed from the tick (same thread), off the per-packet path. */
static void
ids_publish(struct onvm_nf_ctx *nf, uint64_t now_ns)
{
	struct ids_nf *st = onvm_nflib_user(nf);
	const struct ids_counters *c = ids_engine_counters(st->engine);
	const char *names[IDS_EXTRA_STATS];
	uint64_t values[IDS_EXTRA_STATS];

	publish(nf, st->ctr_alerts, c->alerts, &st->shown.alerts);
	publish(nf, st->ctr_drops, c->drops, &st->shown.drops);
	publish(nf, st->ctr_malformed, c->malformed, &st->shown.malformed);
	publish(nf, st->ctr_fragments, c->fragments, &st->shown.fragments);
	uint32_t n = ids_engine_extra_stats(st->engine, names, values, IDS_EXTRA_STATS);
	for (uint32_t i = 0; i < n; i++)
		publish(nf, st->ctr_extra[i], values[i], &st->extra_shown[i]);
	if (st->alerts)
		fflush(st->alerts);
}

static int
ids_handle(struct rte_mbuf *pkt, struct onvm_verdict *v, struct onvm_nf_ctx *nf)
{
	struct ids_nf *st = onvm_nflib_user(nf);
	enum ids_verdict iv = ids_engine_inspect(st->engine, rte_pktmbuf_mtod(pkt, const uint8_t *),
						rte_pktmbuf_data_len(pkt),
						onvm_nflib_pkt_time_ns(nf, pkt),
						onvm_nflib_bucket(nf));

	return iv == IDS_DROP ? onvm_nf_drop(v) : onvm_nf_next(v);
}

/* Flows, stream windows included, move to or from another instance. */
static long
ids_export_state(void *ctx, const struct onvm_bucket_set *buckets, uint8_t *blob, size_t cap,
		 uint32_t *flows)
{
	return ids_engine_export_state(((struct ids_nf *)ctx)->engine, buckets, blob, cap, flows);
}

static int
ids_import_state(void *ctx, const uint8_t *blob, size_t len, uint32_t *flows)
{
	return ids_engine_import_state(((struct ids_nf *)ctx)->engine, blob, len, flows);
}

static void
ids_drop_state(void *ctx, const struct onvm_bucket_set *buckets)
{
	ids_engine_drop_state(((struct ids_nf *)ctx)->engine, buckets);
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL] -- [nflib] -- -r RULES [-a ALERTS] [-V VARS] [-s] "
		"[-F MAX_FLOWS] [-W WINDOW_BYTES]\n",
		prog);
}

/* The NF's own options: what follows the second "--", starting at that "--". */
static char **
nf_args(int argc, char **argv, int *nf_argc)
{
	int dashes = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 && ++dashes == 2) {
			*nf_argc = argc - i;
			return argv + i;
		}
	}
	*nf_argc = 0;
	return NULL;
}

/*
 * Load and compile the rules before joining the platform, so that a bad
 * rules file is reported (file:line: reason) and nothing is registered.
 */
static int
ids_setup(int argc, char **argv, struct ids_nf *st)
{
	const char *rules = NULL, *alerts = NULL;
	struct ids_load_opts lo = { 0 };
	struct ids_engine_cfg cfg = { 0 };
	unsigned long v;
	int opt;

	optind = 0; /* a full reset: nflib parses its own options later */
	while (argv != NULL && (opt = getopt(argc, argv, "+r:a:V:sF:W:")) != -1) {
		switch (opt) {
		case 'r': rules = optarg; break;
		case 'a': alerts = optarg; break;
		case 'V': lo.vars_path = optarg; break;
		case 's': lo.strict = true; break;
		case 'F':
			if (onvm_arg_uint(optarg, 8, 1u << 26, &v) != 0)
				goto bad;
			cfg.max_flows = (uint32_t)v;
			break;
		case 'W':
			if (onvm_arg_uint(optarg, 0, 1u << 20, &v) != 0)
				goto bad;
			cfg.window = v ? (uint32_t)v : IDS_WINDOW_NONE;
			break;
		default:
			goto bad;
		}
	}
	optind = 0;
	if (rules == NULL)
		goto bad;
	struct ids_ruleset *rs = ids_rules_load(rules, &lo);
	if (rs == NULL)
		return -1;
	if (rs->n_errors > 0)
		fprintf(stderr, "ids: %s: %u line(s) skipped\n", rules, rs->n_errors);
	st->alerts = stdout;
	if (alerts != NULL && strcmp(alerts, "-") != 0) {
		st->alerts = fopen(alerts, "a");
		if (st->alerts == NULL) {
			perror(alerts);
			ids_rules_free(rs);
			return -1;
		}
	}
	setvbuf(st->alerts, NULL, _IOLBF, 0); /* whole lines for `tail -f` readers */
	cfg.alerts = st->alerts;
	uint32_t n_rules = rs->n_rules;
	st->engine = ids_engine_new(rs, &cfg, stderr);
	if (st->engine == NULL)
		return -1;
	fprintf(stderr, "ids: %u rules loaded from %s\n", n_rules, rules);
	return 0;
bad:
	optind = 0;
	usage("ids");
	return -1;
}

int
main(int argc, char **argv)
{
	struct ids_nf st = { 0 };
	const char *names[IDS_EXTRA_STATS];
	uint64_t values[IDS_EXTRA_STATS];
	int nf_argc;
	char **nf_argv = nf_args(argc, argv, &nf_argc);
	char *saved = nf_argv ? nf_argv[0] : NULL;

	if (nf_argv)
		nf_argv[0] = (char *)"ids"; /* getopt's argv[0] */
	int rc = ids_setup(nf_argc, nf_argv, &st);
	if (nf_argv)
		nf_argv[0] = saved; /* nflib gets its command line back as it was */
	if (rc < 0)
		return 1;
	struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "ids");
	st.ctr_alerts = onvm_nflib_counter_register(nf, "alerts");
	st.ctr_drops = onvm_nflib_counter_register(nf, "drops");
	st.ctr_malformed = onvm_nflib_counter_register(nf, "malformed");
	st.ctr_fragments = onvm_nflib_counter_register(nf, "fragments");
	uint32_t n = ids_engine_extra_stats(st.engine, names, values, IDS_EXTRA_STATS);
	for (uint32_t i = 0; i < IDS_EXTRA_STATS; i++)
		st.ctr_extra[i] = i < n ? onvm_nflib_counter_register(nf, names[i]) : -1;
	onvm_nflib_set_user(nf, &st);
	onvm_nflib_set_tick(nf, ids_publish, 200);
	onvm_nflib_state_register(nf, &(struct onvm_state_ops){
		.export_state = ids_export_state, .import_state = ids_import_state,
		.drop_state = ids_drop_state, .ctx = &st });
	onvm_nflib_run(nf, ids_handle);
	ids_publish(nf, onvm_nflib_now_ns());
	ids_engine_print_rule_hits(st.engine, stderr); /* per-rule totals at exit */
	ids_engine_free(st.engine);
	if (st.alerts && st.alerts != stdout)
		fclose(st.alerts);
	return onvm_nflib_close(nf);
}
