/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Switch logic: match relations against a brute-force enumeration, the
 * FLOW_MOD commands, timeouts, groups and chaining, stats replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "of_switch.h"
#include "ofp_samples.h"

/* ---- helpers ---- */

struct removed_log {
	unsigned n;
	uint8_t reasons[64];
	uint64_t cookies[64];
};

static void
on_removed(void *ctx, const struct ofs_flow *f, uint8_t reason, uint64_t now_ms)
{
	struct removed_log *log = ctx;

	if (log->n < 64) {
		log->reasons[log->n] = reason;
		log->cookies[log->n] = f->cookie;
	}
	log->n++;
}

static bool
ports_1_to_4(void *ctx, uint32_t port)
{
	return port >= 1 && port <= 4;
}

static struct ofp_action actions_pool[64];
static unsigned actions_used;

static struct ofp_flow_mod
fm_make(uint8_t cmd, uint8_t table, uint16_t prio, uint16_t tp_dst, uint32_t out_port)
{
	struct ofp_flow_mod fm;

	memset(&fm, 0, sizeof(fm));
	fm.command = cmd;
	fm.table_id = table;
	fm.priority = prio;
	fm.buffer_id = OFP_NO_BUFFER;
	fm.out_port = OFPP_ANY;
	fm.out_group = OFPG_ANY;
	fm.match.key.eth_type = 0x0800;
	fm.match.mask.eth_type = 0xffff;
	if (tp_dst) {
		fm.match.key.ip_proto = 6;
		fm.match.mask.ip_proto = 0xff;
		fm.match.key.tp_dst = tp_dst;
		fm.match.mask.tp_dst = 0xffff;
	}
	if (out_port) {
		struct ofp_action *a = &actions_pool[actions_used++ % 64];
		a->type = OFPAT_OUTPUT;
		a->u.output.port = out_port;
		fm.insts.present = OFP_INST_BIT(OFPIT_APPLY_ACTIONS);
		fm.insts.apply.v = a;
		fm.insts.apply.n = 1;
	}
	return fm;
}

static unsigned
total_flows(const struct of_switch *sw)
{
	unsigned n = 0;

	for (unsigned t = 0; t < sw->n_tables; t++)
		n += sw->tables[t].n;
	return n;
}

static struct ofs_flow *
find_prio(struct of_switch *sw, uint8_t table, uint16_t prio)
{
	for (uint32_t i = 0; i < sw->tables[table].n; i++)
		if (sw->tables[table].flows[i]->priority == prio)
			return sw->tables[table].flows[i];
	return NULL;
}

/* ---- match relations vs. enumeration ---- */

/* A random match over 3 low bits of tp_src and tp_dst and 2 of ip_proto. */
static void
random_match(struct ofp_match *m)
{
	memset(m, 0, sizeof(*m));
	m->mask.tp_src = (uint16_t)(rand() & 7);
	m->key.tp_src = (uint16_t)(rand() & m->mask.tp_src);
	m->mask.tp_dst = (uint16_t)(rand() & 7);
	m->key.tp_dst = (uint16_t)(rand() & m->mask.tp_dst);
	m->mask.ip_proto = (uint8_t)(rand() & 3);
	m->key.ip_proto = (uint8_t)(rand() & m->mask.ip_proto);
}

static void
key_from_index(struct flow_key *k, unsigned i)
{
	memset(k, 0, sizeof(*k));
	k->tp_src = (uint16_t)(i & 7);
	k->tp_dst = (uint16_t)((i >> 3) & 7);
	k->ip_proto = (uint8_t)((i >> 6) & 3);
}

static void
match_relations_vs_enumeration(void **state)
{
	srand(7);
	for (int round = 0; round < 3000; round++) {
		struct ofp_match a, b;
		bool covers = true, overlaps = false;

		random_match(&a);
		random_match(&b);
		for (unsigned i = 0; i < 256; i++) {
			struct flow_key k;
			key_from_index(&k, i);
			bool in_a = ofs_match_key(&a, &k), in_b = ofs_match_key(&b, &k);
			if (in_b && !in_a)
				covers = false;
			if (in_a && in_b)
				overlaps = true;
		}
		assert_int_equal(ofs_match_covers(&a, &b), covers);
		assert_int_equal(ofs_match_overlaps(&a, &b), overlaps);
		assert_int_equal(ofs_match_equal(&a, &b), covers && ofs_match_covers(&b, &a));
	}
}

/* The lookup against an independent reference: a sorted list. */
static void
lookup_picks_highest_priority(void **state)
{
	struct of_switch sw;
	struct ofp_match ms[40];
	uint16_t prios[40];

	assert_int_equal(ofs_init(&sw, 1, 1000, 10), 0);
	srand(11);
	for (int i = 0; i < 40; i++) {
		struct ofp_flow_mod fm = fm_make(OFPFC_ADD, 0, (uint16_t)(rand() % 8), 0, 0);
		random_match(&fm.match);
		ms[i] = fm.match;
		prios[i] = fm.priority;
		assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	}
	for (unsigned i = 0; i < 256; i++) {
		struct flow_key k;
		int best = -1;

		key_from_index(&k, i);
		/* Reference: the first-added among the highest priority that
		 * match, unless replaced by an identical later entry. */
		for (int j = 0; j < 40; j++) {
			if (!ofs_match_key(&ms[j], &k))
				continue;
			if (best < 0 || prios[j] > prios[best])
				best = j;
		}
		struct ofs_flow *f = ofs_lookup(&sw, 0, &k);
		/* The compile order gives the same answer: first match among
		 * the highest priority, oldest first. */
		const struct ofs_flow *order[64];
		uint32_t n = ofs_table_flows(&sw, 0, order, 64);
		const struct ofs_flow *first = NULL;
		for (uint32_t j = 0; j < n; j++) {
			if (j > 0)
				assert_true(order[j - 1]->id < order[j]->id);
			if (ofs_match_key(&order[j]->match, &k) &&
			    (first == NULL || order[j]->priority > first->priority))
				first = order[j];
		}
		assert_ptr_equal(first, f);
		if (best < 0) {
			assert_null(f);
		} else {
			assert_non_null(f);
			assert_int_equal(f->priority, prios[best]);
			assert_true(ofs_match_key(&f->match, &k));
		}
	}
	ofs_destroy(&sw);
}

/* ---- FLOW_MOD ---- */

static void
add_replace_and_overlap(void **state)
{
	struct of_switch sw;
	struct ofp_flow_mod fm;

	ofs_init(&sw, 4, 3, 10);
	sw.port_exists = ports_1_to_4;
	fm = fm_make(OFPFC_ADD, 0, 10, 80, 1);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	ofs_flow_hit(find_prio(&sw, 0, 10), 100, 5);
	/* Identical match and priority: replaced, counters kept. */
	fm = fm_make(OFPFC_ADD, 0, 10, 80, 2);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 10), OFP_OK);
	assert_int_equal(sw.tables[0].n, 1);
	struct ofs_flow *f = find_prio(&sw, 0, 10);
	assert_int_equal(f->packet_count, 1);
	assert_int_equal(f->created_ms, 10);
	assert_int_equal(f->insts.apply.v[0].u.output.port, 2);
	/* ... unless RESET_COUNTS. */
	fm.flags = OFPFF_RESET_COUNTS;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 20), OFP_OK);
	assert_int_equal(find_prio(&sw, 0, 10)->packet_count, 0);
	/* CHECK_OVERLAP: same priority, overlapping match. */
	fm = fm_make(OFPFC_ADD, 0, 10, 0, 1); /* all IPv4 covers tcp/80 */
	fm.flags = OFPFF_CHECK_OVERLAP;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_OVERLAP));
	fm.priority = 11;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	fm = fm_make(OFPFC_ADD, 0, 10, 443, 1);
	fm.flags = OFPFF_CHECK_OVERLAP;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	/* Full table. */
	fm = fm_make(OFPFC_ADD, 0, 12, 22, 1);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL));
	/* State checks: table, goto, port, group. */
	fm = fm_make(OFPFC_ADD, 4, 1, 0, 1);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID));
	fm = fm_make(OFPFC_ADD, 1, 1, 0, 1);
	fm.insts.present |= OFP_INST_BIT(OFPIT_GOTO_TABLE);
	fm.insts.goto_table = 4;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID));
	fm = fm_make(OFPFC_ADD, 1, 1, 0, 9);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT));
	fm = fm_make(OFPFC_ADD, 1, 1, 0, OFPP_CONTROLLER);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	struct ofp_action grp = { .type = OFPAT_GROUP, .u.group_id = 5 };
	fm.insts.apply.v = &grp;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP));
	ofs_destroy(&sw);
}

static void
modify_and_delete(void **state)
{
	struct of_switch sw;
	struct removed_log log = { 0 };
	struct ofp_flow_mod fm;

	ofs_init(&sw, 2, 100, 10);
	sw.on_removed = on_removed;
	sw.ctx = &log;
	for (uint16_t p = 1; p <= 4; p++) {
		fm = fm_make(OFPFC_ADD, 0, p, (uint16_t)(p == 4 ? 0 : 80 + p), p == 2 ? 2 : 1);
		fm.cookie = p;
		fm.flags = OFPFF_SEND_FLOW_REM;
		assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	}
	fm = fm_make(OFPFC_ADD, 1, 7, 0, 3);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);

	/* MODIFY (non-strict) with the IPv4-only match covers the 4 flows. */
	fm = fm_make(OFPFC_MODIFY, 0, 0, 0, 3);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	for (uint16_t p = 1; p <= 4; p++)
		assert_int_equal(find_prio(&sw, 0, p)->insts.apply.v[0].u.output.port, 3);
	/* MODIFY_STRICT needs the same priority and match. */
	fm = fm_make(OFPFC_MODIFY_STRICT, 0, 1, 81, 4);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	assert_int_equal(find_prio(&sw, 0, 1)->insts.apply.v[0].u.output.port, 4);
	assert_int_equal(find_prio(&sw, 0, 2)->insts.apply.v[0].u.output.port, 3);
	fm = fm_make(OFPFC_MODIFY_STRICT, 0, 9, 81, 2);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK); /* no match: no change, no add */
	assert_int_equal(total_flows(&sw), 5);
	/* Cookie filter: only cookie 3. */
	fm = fm_make(OFPFC_MODIFY, 0, 0, 0, 2);
	fm.cookie = 3;
	fm.cookie_mask = UINT64_MAX;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	assert_int_equal(find_prio(&sw, 0, 3)->insts.apply.v[0].u.output.port, 2);
	assert_int_equal(find_prio(&sw, 0, 4)->insts.apply.v[0].u.output.port, 3);

	/* DELETE with out_port = 4: only priority 1 outputs there. */
	fm = fm_make(OFPFC_DELETE, OFPTT_ALL, 0, 0, 0);
	fm.out_port = 4;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	assert_null(find_prio(&sw, 0, 1));
	assert_int_equal(total_flows(&sw), 4);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.reasons[0], OFPRR_DELETE);
	assert_int_equal(log.cookies[0], 1);
	/* DELETE_STRICT of a priority that differs: nothing. */
	fm = fm_make(OFPFC_DELETE_STRICT, 0, 5, 82, 0);
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	assert_int_equal(total_flows(&sw), 4);
	fm.priority = 2;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	assert_int_equal(total_flows(&sw), 3);
	/* DELETE in table 0 with a tcp match leaves the IPv4-only flow. */
	fm = fm_make(OFPFC_DELETE, 0, 0, 0, 0);
	fm.match.key.ip_proto = 6;
	fm.match.mask.ip_proto = 0xff;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	assert_int_equal(sw.tables[0].n, 1);
	assert_non_null(find_prio(&sw, 0, 4));
	/* DELETE all tables, empty match. */
	memset(&fm, 0, sizeof(fm));
	fm.command = OFPFC_DELETE;
	fm.table_id = OFPTT_ALL;
	fm.out_port = OFPP_ANY;
	fm.out_group = OFPG_ANY;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	assert_int_equal(total_flows(&sw), 0);
	ofs_destroy(&sw);
}

static void
timeouts(void **state)
{
	struct of_switch sw;
	struct removed_log log = { 0 };
	struct ofp_flow_mod fm;

	ofs_init(&sw, 1, 100, 10);
	sw.on_removed = on_removed;
	sw.ctx = &log;
	fm = fm_make(OFPFC_ADD, 0, 1, 80, 1);
	fm.idle_timeout = 10;
	fm.flags = OFPFF_SEND_FLOW_REM;
	fm.cookie = 1;
	ofs_flow_mod(&sw, &fm, 0);
	fm = fm_make(OFPFC_ADD, 0, 2, 81, 1);
	fm.hard_timeout = 30;
	fm.flags = OFPFF_SEND_FLOW_REM;
	fm.cookie = 2;
	ofs_flow_mod(&sw, &fm, 0);
	fm = fm_make(OFPFC_ADD, 0, 3, 82, 1);
	fm.idle_timeout = 5; /* no SEND_FLOW_REM: silent */
	ofs_flow_mod(&sw, &fm, 0);

	ofs_flow_hit(find_prio(&sw, 0, 1), 60, 8000);
	assert_int_equal(ofs_expire(&sw, 9999), 1); /* prio 3 idle, silently */
	assert_int_equal(log.n, 0);
	assert_int_equal(ofs_expire(&sw, 17999), 0);
	assert_int_equal(ofs_expire(&sw, 18000), 1);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.reasons[0], OFPRR_IDLE_TIMEOUT);
	assert_int_equal(ofs_expire(&sw, 29999), 0);
	assert_int_equal(ofs_expire(&sw, 30000), 1);
	assert_int_equal(log.reasons[1], OFPRR_HARD_TIMEOUT);
	assert_int_equal(log.cookies[1], 2);
	ofs_destroy(&sw);
}

/* ---- groups ---- */

static struct ofp_group_mod
gm_make(uint16_t cmd, uint8_t type, uint32_t id, struct ofp_bucket *bk, uint16_t n)
{
	struct ofp_group_mod gm = { cmd, type, id, bk, n };
	return gm;
}

static void
groups_and_chaining(void **state)
{
	struct of_switch sw;
	struct removed_log log = { 0 };
	struct ofp_action out1 = { .type = OFPAT_OUTPUT, .u.output = { 1, 0 } };
	struct ofp_action out9 = { .type = OFPAT_OUTPUT, .u.output = { 9, 0 } };
	struct ofp_action to1 = { .type = OFPAT_GROUP, .u.group_id = 1 };
	struct ofp_action to2 = { .type = OFPAT_GROUP, .u.group_id = 2 };
	struct ofp_bucket b_out1 = { 1, OFPP_ANY, OFPG_ANY, { &out1, 1 } };
	struct ofp_bucket b_out9 = { 1, OFPP_ANY, OFPG_ANY, { &out9, 1 } };
	struct ofp_bucket b_to1 = { 0, OFPP_ANY, OFPG_ANY, { &to1, 1 } };
	struct ofp_bucket b_to2 = { 0, OFPP_ANY, OFPG_ANY, { &to2, 1 } };
	struct ofp_group_mod gm;

	ofs_init(&sw, 1, 100, 3);
	sw.port_exists = ports_1_to_4;
	sw.on_removed = on_removed;
	sw.ctx = &log;

	gm = gm_make(OFPGC_ADD, OFPGT_SELECT, 1, &b_out1, 1);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0), OFP_OK);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0),
			 OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_GROUP_EXISTS));
	gm = gm_make(OFPGC_ADD, OFPGT_SELECT, 3, &b_out9, 1);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0), OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT));
	gm = gm_make(OFPGC_MODIFY, OFPGT_SELECT, 8, &b_out1, 1);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0),
			 OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_UNKNOWN_GROUP));
	/* Chains: 2 -> 1 is fine; 1 -> 2 would close a loop; 4 -> 4 too. */
	gm = gm_make(OFPGC_ADD, OFPGT_INDIRECT, 2, &b_to1, 1);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0), OFP_OK);
	gm = gm_make(OFPGC_MODIFY, OFPGT_INDIRECT, 1, &b_to2, 1);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0), OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_LOOP));
	struct ofp_action to4 = { .type = OFPAT_GROUP, .u.group_id = 4 };
	struct ofp_bucket b_to4 = { 0, OFPP_ANY, OFPG_ANY, { &to4, 1 } };
	gm = gm_make(OFPGC_ADD, OFPGT_ALL, 4, &b_to4, 1);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0), OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_LOOP));
	/* Fast failover watching a port that does not exist. */
	struct ofp_bucket b_ff = { 0, 7, OFPG_ANY, { &out1, 1 } };
	gm = gm_make(OFPGC_ADD, OFPGT_FF, 5, &b_ff, 1);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0), OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH));
	b_ff.watch_port = 2;
	assert_int_equal(ofs_group_mod(&sw, &gm, 0), OFP_OK);
	/* Out of groups (max 3). */
	gm = gm_make(OFPGC_ADD, OFPGT_ALL, 6, &b_out1, 1);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0),
			 OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS));

	/* Group 1 is chained from 2: cannot go. */
	gm = gm_make(OFPGC_DELETE, 0, 1, NULL, 0);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0),
			 OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_CHAINED_GROUP));
	/* A flow to group 2; deleting group 2 removes it (GROUP_DELETE). */
	struct ofp_flow_mod fm = fm_make(OFPFC_ADD, 0, 5, 0, 0);
	fm.insts.present = OFP_INST_BIT(OFPIT_WRITE_ACTIONS);
	fm.insts.write.v = &to2;
	fm.insts.write.n = 1;
	fm.flags = OFPFF_SEND_FLOW_REM;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);

	struct ofp_buf b;
	struct ofp_msg m;
	ofp_buf_init(&b);
	ofs_reply_group_stats(&sw, 1, OFPG_ALL, 2500, &b);
	assert_int_equal(ofp_decode(b.data, b.len, &m), OFP_OK);
	assert_int_equal(m.u.mp_reply.body.len, 3 * 40 + 3 * 16);
	/* group 1: one bucket, referenced by group 2 */
	assert_int_equal(be32_load(m.u.mp_reply.body.data + 4), 1);
	assert_int_equal(be32_load(m.u.mp_reply.body.data + 8), 1);
	assert_int_equal(be32_load(m.u.mp_reply.body.data + 32), 2); /* duration_sec */
	ofp_buf_reset(&b);
	ofs_reply_group_desc(&sw, 2, &b);
	assert_int_equal(ofp_decode(b.data, b.len, &m), OFP_OK);
	struct ofp_rd r;
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	unsigned n_desc = 0;
	while (ofp_rd_left(&r) > 0) {
		uint8_t type;
		uint32_t id;
		struct ofp_bucket *bk;
		uint16_t nb;
		assert_int_equal(ofp_mp_group_desc_next(&r, &type, &id, &bk, &nb), OFP_OK);
		ofp_buckets_free(bk, nb);
		n_desc++;
	}
	assert_int_equal(n_desc, 3);
	ofp_buf_free(&b);

	gm = gm_make(OFPGC_DELETE, 0, 2, NULL, 0);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0), OFP_OK);
	assert_int_equal(total_flows(&sw), 0);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.reasons[0], OFPRR_GROUP_DELETE);
	assert_int_equal(sw.n_groups, 2);
	gm = gm_make(OFPGC_DELETE, 0, 77, NULL, 0);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0), OFP_OK);
	gm = gm_make(OFPGC_DELETE, 0, OFPG_ALL, NULL, 0);
	assert_int_equal(ofs_group_mod(&sw, &gm, 0), OFP_OK);
	assert_int_equal(sw.n_groups, 0);
	ofs_destroy(&sw);
}

/* ---- stats replies ---- */

static void
stats_replies(void **state)
{
	struct of_switch sw;
	struct ofp_buf b;
	struct ofp_msg m;
	struct ofp_flow_stats_request req;

	ofs_init(&sw, 2, 100000, 10);
	for (uint16_t p = 0; p < 3000; p++) {
		struct ofp_flow_mod fm = fm_make(OFPFC_ADD, (uint8_t)(p % 2), p, (uint16_t)(p + 1), 1);
		fm.cookie = p % 3;
		assert_int_equal(ofs_flow_mod(&sw, &fm, 1000), OFP_OK);
		ofs_flow_hit(find_prio(&sw, (uint8_t)(p % 2), p), 100, 1000);
	}
	memset(&req, 0, sizeof(req));
	req.table_id = OFPTT_ALL;
	req.out_port = OFPP_ANY;
	req.out_group = OFPG_ANY;
	ofp_buf_init(&b);
	ofs_reply_flow_stats(&sw, 5, &req, 3500, &b);
	assert_false(b.failed);
	/* Walk the messages: all flows come back, across several replies. */
	unsigned entries = 0, msgs = 0;
	for (size_t off = 0; off < b.len;) {
		size_t len;
		ofp_frame_len(b.data + off, b.len - off, &len);
		assert_int_equal(ofp_decode(b.data + off, len, &m), OFP_OK);
		struct ofp_rd r;
		ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
		while (ofp_rd_left(&r) > 0) {
			struct ofp_flow_stats_entry e;
			assert_int_equal(ofp_mp_flow_stats_next(&r, &e), OFP_OK);
			assert_int_equal(e.duration_sec, 2);
			assert_int_equal(e.duration_nsec, 500000000);
			assert_int_equal(e.packet_count, 1);
			assert_int_equal(e.match.key.tp_dst, e.priority + 1);
			ofp_instructions_free(&e.insts);
			entries++;
		}
		msgs++;
		off += len;
	}
	assert_int_equal(entries, 3000);
	assert_true(msgs > 1);

	/* Aggregate over table 1, cookie 0 (mask all): p odd and p % 3 == 0. */
	req.table_id = 1;
	req.cookie = 0;
	req.cookie_mask = UINT64_MAX;
	ofp_buf_reset(&b);
	ofs_reply_aggregate(&sw, 6, &req, &b);
	assert_int_equal(ofp_decode(b.data, b.len, &m), OFP_OK);
	struct ofp_rd r;
	struct ofp_aggregate_stats a;
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	assert_int_equal(ofp_mp_aggregate_decode(&r, &a), OFP_OK);
	assert_int_equal(a.flow_count, 500);
	assert_int_equal(a.packet_count, 500);
	assert_int_equal(a.byte_count, 50000);
	/* A match filter: only tp_dst 81. */
	req.table_id = OFPTT_ALL;
	req.cookie_mask = 0;
	req.match.key.eth_type = 0x0800;
	req.match.mask.eth_type = 0xffff;
	req.match.key.ip_proto = 6;
	req.match.mask.ip_proto = 0xff;
	req.match.key.tp_dst = 81;
	req.match.mask.tp_dst = 0xffff;
	ofp_buf_reset(&b);
	ofs_reply_aggregate(&sw, 7, &req, &b);
	ofp_decode(b.data, b.len, &m);
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	ofp_mp_aggregate_decode(&r, &a);
	assert_int_equal(a.flow_count, 1);

	ofp_buf_reset(&b);
	ofs_reply_table_stats(&sw, 8, &b);
	assert_int_equal(ofp_decode(b.data, b.len, &m), OFP_OK);
	assert_int_equal(m.u.mp_reply.body.len, 2 * 24);
	assert_int_equal(be32_load(m.u.mp_reply.body.data + 4), 1500);
	ofp_buf_free(&b);
	ofs_destroy(&sw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(match_relations_vs_enumeration),
		cmocka_unit_test(lookup_picks_highest_priority),
		cmocka_unit_test(add_replace_and_overlap),
		cmocka_unit_test(modify_and_delete),
		cmocka_unit_test(timeouts),
		cmocka_unit_test(groups_and_chaining),
		cmocka_unit_test(stats_replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
