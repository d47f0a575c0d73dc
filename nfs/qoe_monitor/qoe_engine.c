/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_engine: packets to flows to records. */
#include <stdlib.h>
#include <string.h>

#include "qoe_engine.h"
#include "qoe_state.h"

#define NS_PER_SEC 1000000000ull

struct qoe_engine {
	struct qoe_config cfg;
	FILE *out;
	struct qoe_flow_table *table;
	uint64_t clock_ns;
	uint64_t next_interval_ns;       /* 0 until the first packet */
	struct qoe_stats stats;
	uint32_t n_retired;
	struct qoe_flow *retired;        /* QOE_RETIRED_MAX flows awaiting their record */
	struct qoe_flow overflow;        /* evicted with the queue full */
};

void
qoe_config_defaults(struct qoe_config *cfg)
{
	cfg->max_flows = QOE_DEFAULT_MAX_FLOWS;
	cfg->idle_timeout_ns = QOE_DEFAULT_IDLE_TIMEOUT_S * NS_PER_SEC;
	cfg->closed_timeout_ns = QOE_DEFAULT_CLOSED_TIMEOUT_S * NS_PER_SEC;
	cfg->interval_ns = 0;
	cfg->first_flow_id = 1;
}

struct qoe_engine *
qoe_engine_create(const struct qoe_config *cfg, FILE *out)
{
	struct qoe_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->out = out;
	e->table = qoe_flow_table_create(cfg->max_flows);
	e->retired = malloc(sizeof(*e->retired) * QOE_RETIRED_MAX);
	if (!e->table || !e->retired) {
		qoe_engine_destroy(e);
		return NULL;
	}
	qoe_flow_table_set_next_id(e->table, cfg->first_flow_id ? cfg->first_flow_id : 1);
	return e;
}

void
qoe_engine_destroy(struct qoe_engine *e)
{
	if (!e)
		return;
	qoe_flow_table_destroy(e->table);
	free(e->retired);
	free(e);
}

const char *
qoe_pkt_result_name(enum qoe_pkt_result r)
{
	static const char *const names[QOE_PKT_RESULTS] = {
		[QOE_PKT_FLOW] = "tracked",       [QOE_PKT_NOT_IPV4] = "not_ipv4",
		[QOE_PKT_FRAGMENT] = "fragment",  [QOE_PKT_BAD_L3] = "bad_l3",
		[QOE_PKT_BAD_L4] = "bad_l4",      [QOE_PKT_TRUNCATED] = "truncated",
	};
	return r < QOE_PKT_RESULTS ? names[r] : "unknown";
}

static void
emit(struct qoe_engine *e, const struct qoe_flow *f, enum qoe_reason reason)
{
	if (!e->out)
		return;
	if (qoe_report_write(e->out, f, reason) == 0)
		e->stats.records++;
	else
		e->stats.write_errors++;
}

/* Why a flow ends: its own close, else what the caller says. */
static enum qoe_reason
end_reason(const struct qoe_flow *f, enum qoe_reason otherwise)
{
	if (f->state == QOE_STATE_CLOSED)
		return f->client.proto == PKT_PROTO_TCP && qoe_tcp_reset(&f->tcp) ?
		       QOE_REASON_RST : QOE_REASON_FIN;
	return otherwise;
}

static enum qoe_pkt_result
classify(int rc, const struct pkt_info *pi)
{
	if (pi->flags & PKT_F_BAD_L3)
		return QOE_PKT_BAD_L3;
	if (pi->flags & PKT_F_BAD_L4)
		return QOE_PKT_BAD_L4;
	if (pi->flags & PKT_F_TRUNCATED)
		return QOE_PKT_TRUNCATED;
	if (rc < 0 || !(pi->flags & PKT_F_IPV4))
		return QOE_PKT_NOT_IPV4;
	if (pi->flags & PKT_F_FRAGMENT)
		return QOE_PKT_FRAGMENT;
	return QOE_PKT_FLOW;
}

/* Take a live flow out of the table; its final record goes out at the next
 * tick (at once if the queue is full, rather than lose it). */
static void
retire_flow(struct qoe_engine *e, struct qoe_flow *f)
{
	if (e->n_retired < QOE_RETIRED_MAX)
		e->retired[e->n_retired++] = *f;
	else
		emit(e, f, end_reason(f, QOE_REASON_TIMEOUT));
	qoe_flow_remove(e->table, f);
}

/* A SYN on a closed connection's tuple opens a new connection (port reuse). */
static bool
reopens(const struct qoe_flow *f, const struct pkt_info *pi)
{
	return f->client.proto == PKT_PROTO_TCP && f->state == QOE_STATE_CLOSED &&
	       (pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_RST)) == PKT_TCP_SYN;
}

/* A new flow for this packet; *dir says which way the packet goes. */
static struct qoe_flow *
open_flow(struct qoe_engine *e, const struct pkt_info *pi, const struct pkt_5tuple *t,
	  uint64_t t_ns, uint16_t bucket, enum qoe_dir *dir)
{
	struct pkt_5tuple client = *t;
	bool is_tcp = t->proto == PKT_PROTO_TCP;
	uint8_t syn_ack = pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK);

	*dir = QOE_DIR_TOSERVER;
	if (is_tcp && syn_ack == (PKT_TCP_SYN | PKT_TCP_ACK)) {
		/* The SYN went unseen: the SYN-ACK's receiver opened it. */
		client = (struct pkt_5tuple){ .src_ip = t->dst_ip, .dst_ip = t->src_ip,
					      .src_port = t->dst_port, .dst_port = t->src_port,
					      .proto = t->proto };
		*dir = QOE_DIR_TOCLIENT;
	}
	struct qoe_flow *slot = e->n_retired < QOE_RETIRED_MAX ?
				&e->retired[e->n_retired] : &e->overflow;
	bool evicted;
	struct qoe_flow *f = qoe_flow_insert(e->table, &client, t_ns, slot, &evicted);

	if (evicted) {
		e->stats.evicted++;
		if (slot == &e->overflow)
			emit(e, slot, end_reason(slot, QOE_REASON_TIMEOUT)); /* rare: keep it */
		else
			e->n_retired++;
	}
	e->stats.flows++;
	f->bucket = bucket;
	f->opened_by_syn = is_tcp && syn_ack == PKT_TCP_SYN;
	if (is_tcp) {
		qoe_tcp_init(&f->tcp);
	} else {
		qoe_rtp_init(&f->rtp[0]);
		qoe_rtp_init(&f->rtp[1]);
	}
	return f;
}

static void
update_state(struct qoe_flow *f)
{
	bool both_ways = f->pkts[0] && f->pkts[1];

	if (f->state == QOE_STATE_CLOSED)
		return;
	if (f->client.proto == PKT_PROTO_TCP) {
		if (qoe_tcp_closed(&f->tcp))
			f->state = QOE_STATE_CLOSED;
		else if (qoe_tcp_handshake_done(&f->tcp) || (!f->opened_by_syn && both_ways))
			f->state = QOE_STATE_ESTABLISHED;
	} else if (both_ways) {
		f->state = QOE_STATE_ESTABLISHED;
	}
}

enum qoe_pkt_result
qoe_engine_packet(struct qoe_engine *e, const uint8_t *data, uint32_t caplen,
		  uint32_t wire_len, uint64_t t_ns, uint16_t bucket)
{
	struct pkt_info pi;
	struct pkt_5tuple t;
	enum qoe_dir dir;
	int rc = pkt_parse(data, caplen, &pi);
	enum qoe_pkt_result res = classify(rc, &pi);

	e->stats.packets++;
	e->stats.by_result[res]++;
	if (res != QOE_PKT_FLOW)
		return res;
	if (t_ns > e->clock_ns)
		e->clock_ns = t_ns;
	if (e->next_interval_ns == 0 && e->cfg.interval_ns)
		e->next_interval_ns = t_ns + e->cfg.interval_ns;

	pkt_info_5tuple(&pi, &t);
	struct qoe_flow *f = qoe_flow_lookup(e->table, &t, &dir);
	if (f && reopens(f, &pi)) {
		retire_flow(e, f);
		f = NULL;
	}
	if (f)
		qoe_flow_touch(e->table, f);
	else
		f = open_flow(e, &pi, &t, t_ns, bucket, &dir);

	/* Capture clocks can step back: the flow spans min..max arrival. */
	if (t_ns < f->start_ns)
		f->start_ns = t_ns;
	if (t_ns > f->last_ns)
		f->last_ns = t_ns;
	f->pkts[dir]++;
	f->bytes[dir] += wire_len;
	f->updated = true;

	if (t.proto == PKT_PROTO_TCP) {
		struct qoe_tcp_seg seg = { .seq = pi.tcp_seq, .ack = pi.tcp_ack,
					   .window = pi.tcp_window, .flags = pi.tcp_flags,
					   .payload_len = pi.payload_len };
		qoe_tcp_segment(&f->tcp, dir, &seg, t_ns);
	} else if (t.proto == PKT_PROTO_UDP) {
		qoe_rtp_packet(&f->rtp[dir], data + pi.payload_off, pi.payload_len, t_ns);
	}
	update_state(f);
	return QOE_PKT_FLOW;
}

static void
drain_retired(struct qoe_engine *e)
{
	for (uint32_t i = 0; i < e->n_retired; i++)
		emit(e, &e->retired[i], end_reason(&e->retired[i], QOE_REASON_TIMEOUT));
	e->n_retired = 0;
}

/*
 * End the flows that have been quiet long enough. The table's LRU list runs
 * from the least recently active flow, so the walk stops at the first flow
 * quiet for less than the shorter timeout instead of visiting every flow.
 */
static void
expire_flows(struct qoe_engine *e, uint64_t now_ns)
{
	uint64_t shortest = e->cfg.closed_timeout_ns < e->cfg.idle_timeout_ns ?
			    e->cfg.closed_timeout_ns : e->cfg.idle_timeout_ns;
	struct qoe_flow *f = qoe_flow_oldest(e->table);

	while (f) {
		struct qoe_flow *next = qoe_flow_newer(e->table, f);
		uint64_t quiet = now_ns > f->last_ns ? now_ns - f->last_ns : 0;

		if (quiet < shortest)
			break;
		if (quiet >= (f->state == QOE_STATE_CLOSED ? e->cfg.closed_timeout_ns
							   : e->cfg.idle_timeout_ns)) {
			emit(e, f, end_reason(f, QOE_REASON_TIMEOUT));
			qoe_flow_remove(e->table, f);
		}
		f = next;
	}
}

/* An interval record for every flow with packets since its last record. */
static void
report_interval(struct qoe_engine *e)
{
	for (struct qoe_flow *f = qoe_flow_oldest(e->table); f; f = qoe_flow_newer(e->table, f)) {
		if (f->updated) {
			emit(e, f, QOE_REASON_INTERVAL);
			f->updated = false;
		}
	}
}

void
qoe_engine_tick(struct qoe_engine *e, uint64_t now_ns)
{
	if (now_ns > e->clock_ns)
		e->clock_ns = now_ns;
	now_ns = e->clock_ns;
	drain_retired(e);
	expire_flows(e, now_ns);
	if (e->cfg.interval_ns && e->next_interval_ns && now_ns >= e->next_interval_ns) {
		report_interval(e);
		while (e->next_interval_ns <= now_ns)
			e->next_interval_ns += e->cfg.interval_ns;
	}
	if (e->out)
		fflush(e->out);
}

void
qoe_engine_shutdown(struct qoe_engine *e)
{
	struct qoe_flow *f;

	drain_retired(e);
	while ((f = qoe_flow_oldest(e->table)) != NULL) {
		emit(e, f, end_reason(f, QOE_REASON_SHUTDOWN));
		qoe_flow_remove(e->table, f);
	}
	if (e->out)
		fflush(e->out);
}

long
qoe_engine_export_state(struct qoe_engine *e, const struct onvm_bucket_set *buckets,
			uint8_t *blob, size_t cap, uint32_t *flows)
{
	return qoe_state_export(e->table, buckets, blob, cap, flows);
}

int
qoe_engine_import_state(struct qoe_engine *e, const uint8_t *blob, size_t len, uint32_t *flows)
{
	return qoe_state_import(e->table, blob, len, flows);
}

void
qoe_engine_drop_state(struct qoe_engine *e, const struct onvm_bucket_set *buckets)
{
	/* No final record: the flow's record goes on at the other instance. */
	qoe_state_drop(e->table, buckets);
}

uint64_t qoe_engine_clock(const struct qoe_engine *e) { return e->clock_ns; }
const struct qoe_stats *qoe_engine_stats(const struct qoe_engine *e) { return &e->stats; }
uint32_t qoe_engine_active_flows(const struct qoe_engine *e) { return qoe_flow_count(e->table); }
