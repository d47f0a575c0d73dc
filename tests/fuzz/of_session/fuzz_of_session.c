/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the OpenFlow switch behind the codec: a session
 * (sdn_agent/switch/of_session.c) over a switch with eight tables, fed a
 * controller's conversation that of_fuzz_gen builds from the fuzzer's
 * bytes: flow, group and meter mods that name each other, multipart
 * requests, barriers, deletes, PACKET_OUTs, role changes, clock steps.
 *
 * After every message it aborts unless
 *   - the session keeps the connection and its reply buffer did not fail;
 *   - every reply frames and decodes with ofp_decode(), is one a switch
 *     sends, and carries the request's xid; a multipart reply answers the
 *     request's type and its entries decode;
 *   - a BARRIER_REPLY follows exactly one sync of the data path;
 *   - the switch is consistent (ofz_check_switch), and an aggregate or
 *     flow-stats request over every flow counts the switch's flows;
 *   - an accepted mod did what it says (check_effect).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "of_fuzz_gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 200

/* Replies point into the buffer they decode from: each one is decoded
 * from a copy that outlives the walk. */
static uint8_t keep[1 << 17];

/* Say what broke before aborting, so a crash input explains itself. */
static void
fail(const struct ofz_sent *sent, const char *why)
{
	fprintf(stderr, "of_session: %s (after %s%s, type %u, xid %u)\n", why,
		sent->raw ? "raw " : "", ofp_type_name(sent->type), sent->type, sent->xid);
	abort();
}

static uint32_t
walk_mp_reply(const struct ofp_msg *m)
{
	struct ofp_rd r;
	uint32_t n = 0;

	ofp_rd_init(&r, m->u.mp_reply.body.data, m->u.mp_reply.body.len);
	switch (m->u.mp_reply.type) {
	case OFPMP_FLOW:
		while (ofp_rd_left(&r) > 0) {
			struct ofp_flow_stats_entry e;
			if (ofp_mp_flow_stats_next(&r, &e) != OFP_OK)
				abort();
			ofp_instructions_free(&e.insts);
			n++;
		}
		break;
	case OFPMP_GROUP_DESC:
		while (ofp_rd_left(&r) > 0) {
			uint8_t type;
			uint32_t id;
			struct ofp_bucket *bk;
			uint16_t nb;
			if (ofp_mp_group_desc_next(&r, &type, &id, &bk, &nb) != OFP_OK)
				abort();
			ofp_buckets_free(bk, nb);
			n++;
		}
		break;
	case OFPMP_METER:
		while (ofp_rd_left(&r) > 0) {
			struct ofp_meter_stats_entry e;
			if (ofp_mp_meter_stats_next(&r, &e) != OFP_OK)
				abort();
			n++;
		}
		break;
	case OFPMP_METER_CONFIG:
		while (ofp_rd_left(&r) > 0) {
			struct ofp_meter_config_entry e;
			if (ofp_mp_meter_config_next(&r, &e) != OFP_OK)
				abort();
			n++;
		}
		break;
	case OFPMP_AGGREGATE: {
		struct ofp_aggregate_stats a;
		if (ofp_mp_aggregate_decode(&r, &a) != OFP_OK)
			abort();
		n = a.flow_count;
		break;
	}
	case OFPMP_DESC: {
		struct ofp_desc d;
		if (ofp_mp_desc_decode(&r, &d) != OFP_OK)
			abort();
		break;
	}
	case OFPMP_METER_FEATURES: {
		struct ofp_meter_features f;
		if (ofp_mp_meter_features_decode(&r, &f) != OFP_OK)
			abort();
		break;
	}
	default:
		break;
	}
	return n;
}

static unsigned
check_replies(struct ofz_world *w, const struct ofz_sent *sent, const struct ofp_buf *out,
	      uint64_t syncs_before)
{
	size_t off = 0, len;
	unsigned n_barrier = 0, n_errors = 0, n_other = 0;
	uint32_t mp_count = 0;
	bool mp_more = false;

	while (off < out->len) {
		struct ofp_msg m;

		if (ofp_frame_len(out->data + off, out->len - off, &len) != OFP_OK || len < 8 ||
		    len > out->len - off || len > sizeof(keep))
			fail(sent, "a reply does not frame");
		memcpy(keep, out->data + off, len);
		if (ofp_decode(keep, len, &m) != OFP_OK || m.h.version != 4 || m.h.xid != sent->xid)
			fail(sent, "a reply does not decode, or not with the request's xid");
		switch (m.h.type) {
		case OFPT_ERROR:
			if (m.u.error.type > OFPET_TABLE_FEATURES_FAILED)
				fail(sent, "an ERROR of a type the spec does not define");
			n_errors++;
			break;
		case OFPT_BARRIER_REPLY:
			n_barrier++;
			break;
		case OFPT_MULTIPART_REPLY:
			if (sent->type != OFPT_MULTIPART_REQUEST ||
			    (!sent->raw && m.u.mp_reply.type != sent->mp_type))
				fail(sent, "a multipart reply of another type");
			mp_count += walk_mp_reply(&m);
			mp_more = m.u.mp_reply.flags & 1;
			n_other++;
			break;
		case OFPT_ECHO_REPLY:
		case OFPT_FEATURES_REPLY:
		case OFPT_GET_CONFIG_REPLY:
		case OFPT_ROLE_REPLY:
			n_other++;
			break;
		default:
			fail(sent, "a reply type a switch does not answer with");
		}
		ofp_msg_release(&m);
		off += len;
	}
	/* One answer at most, unless a multipart reply was split. */
	if (n_errors > 1 || (n_errors && (n_barrier || n_other)))
		fail(sent, "an ERROR next to another answer");
	if (sent->type == OFPT_MULTIPART_REQUEST && n_other == 0 && n_errors == 0)
		fail(sent, "a multipart request went unanswered");
	if (mp_more)
		fail(sent, "the last part of a multipart reply says more follow");
	if (sent->type == OFPT_BARRIER_REQUEST && n_errors == 0) {
		if (n_barrier != 1 || w->n_sync != syncs_before + 1)
			fail(sent, "a barrier without exactly one sync and one reply");
	} else if (n_barrier) {
		fail(sent, "a BARRIER_REPLY to something else");
	}
	uint32_t n_flows = ofz_check_switch(w);
	if (sent->mp_all_flows && n_errors == 0 && mp_count != n_flows)
		fail(sent, "the flow count of a reply over every flow is not the switch's");
	return n_errors;
}

static bool
has_flow(struct of_switch *sw, uint8_t tid, uint16_t prio, const struct ofp_match *m)
{
	for (uint32_t i = 0; i < sw->tables[tid].n; i++) {
		const struct ofs_flow *f = sw->tables[tid].flows[i];
		if (f->priority == prio && ofs_match_equal(&f->match, m))
			return true;
	}
	return false;
}

/*
 * What an accepted mod must have done, from the message as the switch
 * decoded it: an added flow, group or meter is there; a strictly deleted
 * flow, a deleted group or meter is gone (and no flow uses the meter).
 */
static void
check_effect(struct ofz_world *w, const struct ofz_sent *sent, const struct ofp_buf *msg)
{
	struct of_switch *sw = &w->sw;
	struct ofp_msg m;

	if (sent->raw || ofp_decode(msg->data, msg->len, &m) != OFP_OK)
		return;
	switch (m.h.type) {
	case OFPT_FLOW_MOD: {
		const struct ofp_flow_mod *fm = &m.u.flow_mod;
		if (fm->table_id >= sw->n_tables)
			break;
		if (fm->command == OFPFC_ADD &&
		    !has_flow(sw, fm->table_id, fm->priority, &fm->match))
			fail(sent, "an accepted ADD left no such flow");
		if (fm->command == OFPFC_DELETE_STRICT && fm->out_port == OFPP_ANY &&
		    fm->out_group == OFPG_ANY && fm->cookie_mask == 0 &&
		    has_flow(sw, fm->table_id, fm->priority, &fm->match))
			fail(sent, "an accepted DELETE_STRICT left the flow");
		break;
	}
	case OFPT_GROUP_MOD: {
		const struct ofp_group_mod *gm = &m.u.group_mod;
		const struct ofs_group *g = ofs_group_find(sw, gm->group_id);
		if (gm->command != OFPGC_DELETE &&
		    (g == NULL || g->type != gm->type || g->n_buckets != gm->n_buckets))
			fail(sent, "an accepted GROUP_MOD left another group");
		if (gm->command == OFPGC_DELETE && (g != NULL || (gm->group_id == OFPG_ALL &&
								 sw->n_groups != 0)))
			fail(sent, "an accepted group DELETE left the group");
		break;
	}
	case OFPT_METER_MOD: {
		const struct ofp_meter_mod *mm = &m.u.meter_mod;
		const struct ofs_meter *me = ofs_meter_find(sw, mm->meter_id);
		if (mm->command != OFPMC_DELETE && (me == NULL || me->n_bands != mm->n_bands))
			fail(sent, "an accepted METER_MOD left another meter");
		if (mm->command == OFPMC_DELETE &&
		    (me != NULL || ofs_meter_flow_count(sw, mm->meter_id) != 0 ||
		     (mm->meter_id == OFPM_ALL && sw->n_meters != 0)))
			fail(sent, "an accepted meter DELETE left the meter or its flows");
		break;
	}
	default:
		break;
	}
	ofp_msg_release(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ofz_in in = { data, size, 0 };
	struct ofz_world w;
	struct ofp_buf msg, out;
	uint32_t xid = 1;

	ofz_world_init(&w, ofz_u8(&in) & 1);
	ofp_buf_init(&msg);
	ofp_buf_init(&out);
	of_session_start(&w.s, &out);
	ofp_buf_reset(&out);
	ofp_encode_hello(&msg, 0, 1u << 4);
	if (!of_session_handle(&w.s, msg.data, msg.len, w.now_ms, &out) || out.len != 0)
		abort();
	for (int step = 0; step < MAX_STEPS && ofz_more(&in); step++) {
		struct ofz_sent sent;
		uint64_t syncs = w.n_sync;

		ofp_buf_reset(&msg);
		ofp_buf_reset(&out);
		ofz_next(&in, xid++, &msg, &sent);
		if (sent.type == 0xff) {
			w.now_ms += sent.advance_ms;
			ofs_expire(&w.sw, w.now_ms);
			ofz_check_switch(&w);
			continue;
		}
		if (msg.failed || msg.len == 0)
			abort();
		if (!of_session_handle(&w.s, msg.data, msg.len, w.now_ms, &out) || out.failed)
			abort();
		if (check_replies(&w, &sent, &out, syncs) == 0)
			check_effect(&w, &sent, &msg);
		w.now_ms += 1;
	}
	ofp_buf_free(&msg);
	ofp_buf_free(&out);
	ofz_world_destroy(&w);
	return 0;
}
