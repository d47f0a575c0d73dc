/* SPDX-License-Identifier: BSD-3-Clause */
/* Frame -> verdict: the IDS's per-packet path (see ids_engine.h). */
#include <stdlib.h>

#include "ids_alert.h"
#include "ids_engine.h"
#include "ids_flow.h"
#include "ids_match.h"
#include "pkt_parse.h"

struct ids_engine {
	struct ids_ruleset *rs;
	struct ids_matcher *m;
	struct ids_scratch *s;
	struct ids_flow_table *flows;
	uint8_t *buf;            /* stream window + one payload */
	uint64_t *rule_hits;
	uint32_t *hits;          /* one packet's matching rules: room for all */
	FILE *alerts;
	uint64_t clock_ns;       /* the latest arrival time seen */
	struct ids_counters c;
};

struct ids_engine *
ids_engine_new(struct ids_ruleset *rs, const struct ids_engine_cfg *cfg, FILE *err)
{
	struct ids_engine *e = calloc(1, sizeof(*e));
	uint32_t window = cfg && cfg->window ? cfg->window : IDS_DEFAULT_WINDOW;
	if (window == IDS_WINDOW_NONE)
		window = 0;
	uint32_t flows = cfg && cfg->max_flows ? cfg->max_flows : IDS_DEFAULT_FLOWS;
	uint64_t idle = cfg && cfg->idle_ns ? cfg->idle_ns : IDS_DEFAULT_IDLE_SEC * 1000000000ull;

	if (err == NULL)
		err = stderr;
	if (e == NULL) {
		ids_rules_free(rs);
		return NULL;
	}
	e->rs = rs;
	e->alerts = cfg ? cfg->alerts : NULL;
	e->m = ids_matcher_build(rs, err);
	e->s = e->m ? ids_scratch_new(e->m) : NULL;
	e->flows = ids_flow_table_new(flows, window, idle);
	e->buf = malloc((size_t)window + 65536);
	e->rule_hits = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(*e->rule_hits));
	e->hits = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(*e->hits));
	if (e->m == NULL || e->s == NULL || e->flows == NULL || e->buf == NULL ||
	    e->rule_hits == NULL || e->hits == NULL) {
		fprintf(err, "ids: cannot build the matcher or allocate %u flows\n", flows);
		ids_engine_free(e);
		return NULL;
	}
	return e;
}

void
ids_engine_free(struct ids_engine *e)
{
	if (e == NULL)
		return;
	ids_scratch_free(e->s);
	ids_matcher_free(e->m);
	ids_flow_table_free(e->flows);
	ids_rules_free(e->rs);
	free(e->buf);
	free(e->rule_hits);
	free(e->hits);
	free(e);
}

const uint64_t *
ids_engine_rule_hits(const struct ids_engine *e)
{
	return e->rule_hits;
}

void
ids_engine_print_rule_hits(const struct ids_engine *e, FILE *out)
{
	for (uint32_t i = 0; i < e->rs->n_rules; i++) {
		const struct ids_rule *r = &e->rs->rules[i];
		if (e->rule_hits[i] > 0)
			fprintf(out, "sid %u rev %u: %lu alerts (%s)\n", r->sid, r->rev,
				(unsigned long)e->rule_hits[i], r->msg ? r->msg : "");
	}
}

const struct ids_counters *
ids_engine_counters(const struct ids_engine *e)
{
	return &e->c;
}

const struct ids_ruleset *
ids_engine_rules(const struct ids_engine *e)
{
	return e->rs;
}

uint32_t
ids_engine_extra_stats(const struct ids_engine *e, const char **names, uint64_t *values,
		       uint32_t max)
{
	const struct ids_flow_stats *fs = ids_flow_table_stats(e->flows);
	const char *n[] = { "flows", "flow_evicted", "stream_gaps", "stream_old",
			    "confirm_budget" };
	uint64_t v[] = { fs->created, fs->evicted, fs->stream_gaps, fs->stream_old,
			 ids_scratch_budget_exceeded(e->s) };
	uint32_t k = 0;

	for (; k < max && k < sizeof(n) / sizeof(n[0]); k++) {
		names[k] = n[k];
		values[k] = v[k];
	}
	return k;
}

static void
write_alerts(struct ids_engine *e, const struct pkt_info *pi, const struct ids_flow *f,
	     uint64_t ts_ns, const uint32_t *hits, uint32_t n)
{
	struct ids_alert_pkt ap = {
		.ts_ns = ts_ns, .flow_id = f ? f->id : 0, .proto = pi->ip_proto,
		.src_ip = pi->ipv4_src, .dst_ip = pi->ipv4_dst,
		.src_port = pi->src_port, .dst_port = pi->dst_port,
		.icmp_type = pi->icmp_type, .icmp_code = pi->icmp_code,
	};

	for (uint32_t i = 0; i < n; i++) {
		const struct ids_rule *r = &e->rs->rules[hits[i]];
		e->c.alerts++;
		e->rule_hits[hits[i]]++;
		if (e->alerts && ids_alert_write(e->alerts, &ap, r, r->action == IDS_ACTION_DROP) < 0)
			e->c.alert_write_errors++;
	}
}

enum ids_verdict
ids_engine_inspect(struct ids_engine *e, const uint8_t *frame, uint32_t len, uint64_t ts_ns,
		   uint16_t bucket)
{
	struct pkt_info pi;
	uint32_t *hits = e->hits;

	e->c.packets++;
	if (ts_ns > e->clock_ns)
		e->clock_ns = ts_ns;
	if (pkt_parse(frame, len, &pi) < 0) {
		if (pi.flags & (PKT_F_TRUNCATED | PKT_F_BAD_L3 | PKT_F_BAD_L4))
			e->c.malformed++;
		else
			e->c.not_ipv4++;
		return IDS_PASS;
	}
	if (!(pi.flags & PKT_F_IPV4)) {
		e->c.not_ipv4++;
		return IDS_PASS;
	}
	if (pi.flags & PKT_F_FRAGMENT) {
		e->c.fragments++;
		return IDS_PASS;
	}
	e->c.inspected++;

	bool to_server;
	struct ids_flow *f = ids_flow_lookup(e->flows, &pi, ts_ns, bucket, &to_server);
	struct ids_pkt p = {
		.proto = pi.ip_proto,
		.flow = (uint8_t)((to_server ? IDS_FLOW_TO_SERVER : IDS_FLOW_TO_CLIENT) |
				  (f->established ? IDS_FLOW_ESTABLISHED : 0)),
		.src_ip = pi.ipv4_src, .dst_ip = pi.ipv4_dst,
		.src_port = pi.src_port, .dst_port = pi.dst_port,
		.data = frame + pi.payload_off, .len = pi.payload_len,
	};
	if (pi.ip_proto == PKT_PROTO_ICMP) {
		/* The ICMP header is 8 bytes (type, code, checksum and 4 bytes that
		 * depend on the type); content is matched after it, as Suricata does. */
		uint32_t rest = pi.payload_len < 4 ? pi.payload_len : 4;
		p.data += rest;
		p.len -= rest;
	}
	bool in_stream = false;
	if (pi.ip_proto == PKT_PROTO_TCP && pi.payload_len > 0) {
		in_stream = ids_stream_prepare(e->flows, f, to_server, &pi, frame + pi.payload_off,
					       e->buf, &p.len, &p.new_start, &p.stream_off);
		p.data = e->buf;
	}

	/* Every matching rule, so that a drop rule is never crowded out. */
	uint32_t n = ids_match(e->m, e->s, &p, hits, e->rs->n_rules);
	bool drop = false;
	for (uint32_t i = 0; i < n; i++)
		drop |= e->rs->rules[hits[i]].action == IDS_ACTION_DROP;
	write_alerts(e, &pi, f, ts_ns, hits, n);
	if (in_stream && !drop)
		ids_stream_commit(e->flows, f, to_server, &pi, e->buf, p.len, p.new_start);
	if (drop) {
		e->c.drops++;
		return IDS_DROP;
	}
	return IDS_PASS;
}

long
ids_engine_export_state(struct ids_engine *e, const struct onvm_bucket_set *buckets,
			uint8_t *blob, size_t cap, uint32_t *flows)
{
	return ids_flow_export(e->flows, buckets, blob, cap, flows);
}

int
ids_engine_import_state(struct ids_engine *e, const uint8_t *blob, size_t len, uint32_t *flows)
{
	/* Flows are timed by the packets' own clock (which a replayed capture
	 * may keep in the past), not by the wall clock. */
	return ids_flow_import(e->flows, blob, len, e->clock_ns, flows);
}

void
ids_engine_drop_state(struct ids_engine *e, const struct onvm_bucket_set *buckets)
{
	ids_flow_drop(e->flows, buckets);
}
