/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_monitor: passive per-flow quality. Every packet
 * passes on unchanged (next); each flow's figures go out as JSON lines at
 * an interval and when the flow ends.
 *
 *   qoe_monitor [EAL options] -- [nflib options] -- [-o FLOWS] [-i SECONDS]
 *               [-t IDLE_S] [-c CLOSED_S] [-m MAX_FLOWS]
 *
 * Arrival times are the packets' own (onvm_nflib_pkt_time_ns). Between
 * packets the tick advances that clock by the wall time elapsed since the
 * latest packet, so idle timeouts and interval records keep coming when
 * traffic stops, even when the port replays a capture's old timestamps.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_mbuf.h>

#include "onvm_nflib.h"
#include "onvm_nflib_state.h"
#include "qoe_args.h"
#include "qoe_engine.h"

/* Timeouts and intervals are whole seconds: a few ticks a second suffice. */
#define QOE_TICK_MS 250

struct qoe_nf {
	struct qoe_engine *engine;
	FILE *out;
	int counter[QOE_PKT_RESULTS];   /* named counter of each untracked kind */
	int counter_evicted;
	uint64_t evicted_counted;
	uint64_t latest_pkt_ns;         /* latest arrival time seen ... */
	uint64_t latest_wall_ns;        /* ... and the wall clock when it came */
};

static int
qoe_handle(struct rte_mbuf *pkt, struct onvm_verdict *v, struct onvm_nf_ctx *nf)
{
	struct qoe_nf *q = onvm_nflib_user(nf);
	uint64_t t = onvm_nflib_pkt_time_ns(nf, pkt);
	enum qoe_pkt_result res;

	/* Only the first segment is parsed; bytes count the whole frame. */
	res = qoe_engine_packet(q->engine, rte_pktmbuf_mtod(pkt, const uint8_t *),
				rte_pktmbuf_data_len(pkt), rte_pktmbuf_pkt_len(pkt), t,
				onvm_nflib_bucket(nf));
	if (res != QOE_PKT_FLOW && q->counter[res] >= 0)
		onvm_nflib_counter_add(nf, q->counter[res], 1);
	if (t >= q->latest_pkt_ns) {
		q->latest_pkt_ns = t;
		uint64_t rx_ns = onvm_pkt_rx_ns(pkt);

		q->latest_wall_ns = rx_ns ? rx_ns : onvm_nflib_now_ns();
	}
	return onvm_nf_next(v);   /* a monitor never alters the path */
}

static void
qoe_tick(struct onvm_nf_ctx *nf, uint64_t now_ns)
{
	struct qoe_nf *q = onvm_nflib_user(nf);

	if (q->latest_pkt_ns == 0)
		return;   /* no packet yet: no clock, no flows */
	uint64_t idle = now_ns > q->latest_wall_ns ? now_ns - q->latest_wall_ns : 0;

	qoe_engine_tick(q->engine, q->latest_pkt_ns + idle);
	uint64_t evicted = qoe_engine_stats(q->engine)->evicted;
	if (q->counter_evicted >= 0 && evicted > q->evicted_counted)
		onvm_nflib_counter_add(nf, q->counter_evicted, evicted - q->evicted_counted);
	q->evicted_counted = evicted;
}

/* Flows move to or from another instance (between bursts). */
static long
qoe_export_state(void *ctx, const struct onvm_bucket_set *buckets, uint8_t *blob, size_t cap,
		 uint32_t *flows)
{
	return qoe_engine_export_state(((struct qoe_nf *)ctx)->engine, buckets, blob, cap, flows);
}

static int
qoe_import_state(void *ctx, const uint8_t *blob, size_t len, uint32_t *flows)
{
	return qoe_engine_import_state(((struct qoe_nf *)ctx)->engine, blob, len, flows);
}

static void
qoe_drop_state(void *ctx, const struct onvm_bucket_set *buckets)
{
	qoe_engine_drop_state(((struct qoe_nf *)ctx)->engine, buckets);
}

static void
register_counters(struct onvm_nf_ctx *nf, struct qoe_nf *q)
{
	q->counter[QOE_PKT_FLOW] = -1;
	for (int r = 1; r < QOE_PKT_RESULTS; r++)
		q->counter[r] = onvm_nflib_counter_register(nf, qoe_pkt_result_name(r));
	q->counter_evicted = onvm_nflib_counter_register(nf, "flows_evicted");
}

static void
print_summary(const struct qoe_engine *e)
{
	const struct qoe_stats *s = qoe_engine_stats(e);

	fprintf(stderr, "qoe_monitor: %llu packets, %llu flows, %llu records, %llu evicted",
		(unsigned long long)s->packets, (unsigned long long)s->flows,
		(unsigned long long)s->records, (unsigned long long)s->evicted);
	if (s->write_errors)
		fprintf(stderr, ", %llu records NOT written", (unsigned long long)s->write_errors);
	for (int r = 1; r < QOE_PKT_RESULTS; r++)
		fprintf(stderr, ", %s %llu", qoe_pkt_result_name(r),
			(unsigned long long)s->by_result[r]);
	fprintf(stderr, "\n");
}

int
main(int argc, char **argv)
{
	struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "qoe_monitor");
	struct qoe_nf q = { .out = stdout };
	struct qoe_options opts;
	char err[256];

	int argc_nf = onvm_nflib_app_argc(nf);
	int prc = qoe_args_parse(argc_nf, onvm_nflib_app_argv(nf), &opts, err, sizeof(err));

	if (prc == 0 && opts.first_operand != argc_nf) {
		snprintf(err, sizeof(err), "unexpected operand '%s'",
			 onvm_nflib_app_argv(nf)[opts.first_operand]);
		prc = -1;
	}
	if (prc < 0) {
		fprintf(stderr, "qoe_monitor: %s\nusage: qoe_monitor [EAL] -- [nflib] -- %s\n", err,
			qoe_args_usage);
		onvm_nflib_close(nf);
		return 2;
	}
	if (opts.out_path && !(q.out = fopen(opts.out_path, "w"))) {
		fprintf(stderr, "qoe_monitor: %s: cannot write: %m\n", opts.out_path);
		onvm_nflib_close(nf);
		return 1;
	}
	/* Instances of the service number their flows apart. */
	opts.cfg.first_flow_id = ((uint64_t)onvm_nflib_instance(nf) << 48) + 1;
	q.engine = qoe_engine_create(&opts.cfg, q.out);
	if (!q.engine) {
		fprintf(stderr, "qoe_monitor: no memory for %u flows\n", opts.cfg.max_flows);
		onvm_nflib_close(nf);
		return 1;
	}
	register_counters(nf, &q);
	onvm_nflib_set_user(nf, &q);
	onvm_nflib_set_tick(nf, qoe_tick, QOE_TICK_MS);
	onvm_nflib_state_register(nf, &(struct onvm_state_ops){
		.export_state = qoe_export_state, .import_state = qoe_import_state,
		.drop_state = qoe_drop_state, .ctx = &q });

	onvm_nflib_run(nf, qoe_handle);

	/* Every flow gets its final record before the NF goes. */
	qoe_tick(nf, onvm_nflib_now_ns());
	qoe_engine_shutdown(q.engine);
	print_summary(q.engine);
	qoe_engine_destroy(q.engine);
	if (q.out != stdout)
		fclose(q.out);
	return onvm_nflib_close(nf);
}
