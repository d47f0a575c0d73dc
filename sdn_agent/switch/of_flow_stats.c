/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FLOW, AGGREGATE and TABLE stats replies from the flow tables
 * (OpenFlow 1.3.5, 7.3.5.2-4), and the flow side of group ref counts.
 */
#include "of_switch.h"
#include "of_switch_priv.h"

static bool
stats_selects(const struct ofs_flow *f, const struct ofp_flow_stats_request *req)
{
	return (req->table_id == OFPTT_ALL || req->table_id == f->table_id) &&
	       (f->cookie & req->cookie_mask) == (req->cookie & req->cookie_mask) &&
	       ofs_flow_outputs_to(f, req->out_port, req->out_group) &&
	       ofs_match_covers(&req->match, &f->match);
}

void
ofs_reply_flow_stats(struct of_switch *sw, uint32_t xid, const struct ofp_flow_stats_request *req,
		     uint64_t now_ms, struct ofp_buf *b)
{
	struct ofp_mp_writer w;

	ofp_mp_writer_begin(&w, b, xid, OFPMP_FLOW);
	for (unsigned tid = 0; tid < sw->n_tables; tid++) {
		const struct ofs_table *t = &sw->tables[tid];

		for (uint32_t i = 0; i < t->n; i++) {
			const struct ofs_flow *f = t->flows[i];

			if (!stats_selects(f, req))
				continue;
			uint64_t age = now_ms - f->created_ms;
			struct ofp_flow_stats_entry e = {
				.table_id = f->table_id,
				.duration_sec = (uint32_t)(age / 1000),
				.duration_nsec = (uint32_t)(age % 1000) * 1000000u,
				.priority = f->priority,
				.idle_timeout = f->idle_timeout,
				.hard_timeout = f->hard_timeout,
				.flags = f->flags,
				.cookie = f->cookie,
				.packet_count = f->packet_count,
				.byte_count = f->byte_count,
				.match = f->match,
				.insts = f->insts,
			};
			ofp_mp_put_flow_stats(&w, &e);
		}
	}
	ofp_mp_writer_end(&w);
}

void
ofs_reply_aggregate(struct of_switch *sw, uint32_t xid, const struct ofp_flow_stats_request *req,
		    struct ofp_buf *b)
{
	struct ofp_aggregate_stats a = { 0 };

	for (unsigned tid = 0; tid < sw->n_tables; tid++) {
		const struct ofs_table *t = &sw->tables[tid];

		for (uint32_t i = 0; i < t->n; i++) {
			if (!stats_selects(t->flows[i], req))
				continue;
			a.packet_count += t->flows[i]->packet_count;
			a.byte_count += t->flows[i]->byte_count;
			a.flow_count++;
		}
	}
	ofp_encode_aggregate_reply(b, xid, &a);
}

void
ofs_reply_table_stats(struct of_switch *sw, uint32_t xid, struct ofp_buf *b)
{
	struct ofp_mp_writer w;

	ofp_mp_writer_begin(&w, b, xid, OFPMP_TABLE);
	for (unsigned tid = 0; tid < sw->n_tables; tid++) {
		struct ofp_table_stats_entry e = { (uint8_t)tid, sw->tables[tid].n,
						   sw->tables[tid].lookups,
						   sw->tables[tid].matches };
		ofp_mp_put_table_stats(&w, &e);
	}
	ofp_mp_writer_end(&w);
}

/* References from flows, for group stats' ref_count. */
uint32_t
ofs_flow_refs_to_group(const struct of_switch *sw, uint32_t group_id)
{
	uint32_t n = 0;

	for (unsigned tid = 0; tid < sw->n_tables; tid++)
		for (uint32_t i = 0; i < sw->tables[tid].n; i++)
			n += ofs_flow_outputs_to(sw->tables[tid].flows[i], OFPP_ANY, group_id);
	return n;
}
