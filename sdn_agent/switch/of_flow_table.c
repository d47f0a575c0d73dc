/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow tables: FLOW_MOD semantics (OpenFlow 1.3.5, 6.4) and timeouts.
 * Their stats replies are in of_flow_stats.c.
 *
 * Tables are small unordered arrays walked linearly: this is the control
 * plane's copy and the reference lookup, not the data path (the manager
 * compiles the entries into its classifier).
 */
#include <stdlib.h>
#include <string.h>

#include "of_switch.h"
#include "of_switch_priv.h"

/* ---- match relations ---- */

bool
ofs_match_covers(const struct ofp_match *wide, const struct ofp_match *narrow)
{
	const uint8_t *wk = (const uint8_t *)&wide->key, *wm = (const uint8_t *)&wide->mask;
	const uint8_t *nk = (const uint8_t *)&narrow->key, *nm = (const uint8_t *)&narrow->mask;

	for (size_t i = 0; i < sizeof(struct flow_key); i++)
		if ((wm[i] & ~nm[i]) || ((wk[i] ^ nk[i]) & wm[i]))
			return false;
	return true;
}

bool
ofs_match_overlaps(const struct ofp_match *a, const struct ofp_match *b)
{
	const uint8_t *ak = (const uint8_t *)&a->key, *am = (const uint8_t *)&a->mask;
	const uint8_t *bk = (const uint8_t *)&b->key, *bm = (const uint8_t *)&b->mask;

	for (size_t i = 0; i < sizeof(struct flow_key); i++)
		if ((ak[i] ^ bk[i]) & am[i] & bm[i])
			return false;
	return true;
}

bool
ofs_match_equal(const struct ofp_match *a, const struct ofp_match *b)
{
	return ofs_match_covers(a, b) && ofs_match_covers(b, a);
}

bool
ofs_match_key(const struct ofp_match *m, const struct flow_key *k)
{
	const uint8_t *mk = (const uint8_t *)&m->key, *mm = (const uint8_t *)&m->mask;
	const uint8_t *kk = (const uint8_t *)k;

	for (size_t i = 0; i < sizeof(struct flow_key); i++)
		if ((mk[i] ^ kk[i]) & mm[i])
			return false;
	return true;
}

/* ---- life cycle ---- */

int
ofs_init(struct of_switch *sw, uint8_t n_tables, uint32_t max_flows, uint32_t max_groups)
{
	memset(sw, 0, sizeof(*sw));
	if (n_tables == 0 || n_tables > OFS_MAX_TABLES)
		return -1;
	sw->n_tables = n_tables;
	sw->max_flows = max_flows;
	sw->max_groups = max_groups;
	sw->max_meters = OFS_MAX_METERS;
	sw->next_flow_id = 1;
	return 0;
}

static void
flow_free(struct ofs_flow *f)
{
	ofp_instructions_free(&f->insts);
	free(f);
}

void
ofs_destroy(struct of_switch *sw)
{
	for (unsigned t = 0; t < sw->n_tables; t++) {
		for (uint32_t i = 0; i < sw->tables[t].n; i++)
			flow_free(sw->tables[t].flows[i]);
		free(sw->tables[t].flows);
	}
	ofs_groups_destroy(sw);
	ofs_meters_destroy(sw);
	memset(sw, 0, sizeof(*sw));
}

/* ---- state-dependent action checks (shared with groups) ---- */

ofp_err_t
ofs_actions_check(const struct of_switch *sw, const struct ofp_action_list *l)
{
	for (uint16_t i = 0; i < l->n; i++) {
		const struct ofp_action *a = &l->v[i];

		if (a->type == OFPAT_OUTPUT && a->u.output.port <= OFPP_MAX && sw->port_exists &&
		    !sw->port_exists(sw->ctx, a->u.output.port))
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
		if (a->type == OFPAT_GROUP &&
		    ofs_group_find((struct of_switch *)sw, a->u.group_id) == NULL)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP);
	}
	return OFP_OK;
}

bool
ofs_actions_reach(const struct ofp_action_list *l, uint32_t port, uint32_t group)
{
	for (uint16_t i = 0; i < l->n; i++) {
		const struct ofp_action *a = &l->v[i];

		if (port != OFPP_ANY && a->type == OFPAT_OUTPUT && a->u.output.port == port)
			return true;
		if (group != OFPG_ANY && a->type == OFPAT_GROUP && a->u.group_id == group)
			return true;
	}
	return false;
}

bool
ofs_flow_outputs_to(const struct ofs_flow *f, uint32_t out_port, uint32_t out_group)
{
	/* Each filter, when set, must be met on its own (6.4). */
	if (out_port != OFPP_ANY && !ofs_actions_reach(&f->insts.apply, out_port, OFPG_ANY) &&
	    !ofs_actions_reach(&f->insts.write, out_port, OFPG_ANY))
		return false;
	if (out_group != OFPG_ANY && !ofs_actions_reach(&f->insts.apply, OFPP_ANY, out_group) &&
	    !ofs_actions_reach(&f->insts.write, OFPP_ANY, out_group))
		return false;
	return true;
}

static int
actions_copy(struct ofp_action_list *dst, const struct ofp_action_list *src)
{
	dst->n = 0;
	dst->v = NULL;
	if (src->n == 0)
		return 0;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (dst->v == NULL)
		return -1;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = src->n;
	return 0;
}

static int
insts_copy(struct ofp_instructions *dst, const struct ofp_instructions *src)
{
	*dst = *src;
	if (actions_copy(&dst->apply, &src->apply) < 0)
		return -1;
	if (actions_copy(&dst->write, &src->write) < 0) {
		ofp_action_list_free(&dst->apply);
		return -1;
	}
	return 0;
}

/* ---- removal ---- */

static void
table_remove_at(struct of_switch *sw, struct ofs_table *t, uint32_t i, uint8_t reason,
		uint64_t now_ms)
{
	struct ofs_flow *f = t->flows[i];

	if ((f->flags & OFPFF_SEND_FLOW_REM) && sw->on_removed)
		sw->on_removed(sw->ctx, f, reason, now_ms);
	t->flows[i] = t->flows[--t->n];
	flow_free(f);
	sw->generation++;
}

unsigned
ofs_remove_flows_to_group(struct of_switch *sw, uint32_t group_id, uint64_t now_ms)
{
	unsigned removed = 0;

	for (unsigned tid = 0; tid < sw->n_tables; tid++) {
		struct ofs_table *t = &sw->tables[tid];

		for (uint32_t i = 0; i < t->n;) {
			if (group_id == OFPG_ALL
				    ? flow_outputs_any_group(t->flows[i])
				    : ofs_flow_outputs_to(t->flows[i], OFPP_ANY, group_id)) {
				table_remove_at(sw, t, i, OFPRR_GROUP_DELETE, now_ms);
				removed++;
			} else {
				i++;
			}
		}
	}
	return removed;
}

bool
flow_outputs_any_group(const struct ofs_flow *f)
{
	for (int w = 0; w < 2; w++) {
		const struct ofp_action_list *l = w ? &f->insts.write : &f->insts.apply;
		for (uint16_t i = 0; i < l->n; i++)
			if (l->v[i].type == OFPAT_GROUP)
				return true;
	}
	return false;
}

bool
ofs_flow_remove_id(struct of_switch *sw, uint8_t table_id, uint64_t id)
{
	if (table_id >= sw->n_tables)
		return false;
	struct ofs_table *t = &sw->tables[table_id];

	for (uint32_t i = 0; i < t->n; i++) {
		if (t->flows[i]->id != id)
			continue;
		t->flows[i]->flags &= (uint16_t)~OFPFF_SEND_FLOW_REM;
		table_remove_at(sw, t, i, OFPRR_DELETE, 0);
		return true;
	}
	return false;
}

unsigned
ofs_expire(struct of_switch *sw, uint64_t now_ms)
{
	unsigned removed = 0;

	for (unsigned tid = 0; tid < sw->n_tables; tid++) {
		struct ofs_table *t = &sw->tables[tid];

		for (uint32_t i = 0; i < t->n;) {
			const struct ofs_flow *f = t->flows[i];

			if (f->hard_timeout && now_ms - f->created_ms >= f->hard_timeout * 1000ull) {
				table_remove_at(sw, t, i, OFPRR_HARD_TIMEOUT, now_ms);
				removed++;
			} else if (f->idle_timeout &&
				   now_ms - f->used_ms >= f->idle_timeout * 1000ull) {
				table_remove_at(sw, t, i, OFPRR_IDLE_TIMEOUT, now_ms);
				removed++;
			} else {
				i++;
			}
		}
	}
	return removed;
}

static bool
flow_uses_meter(const struct ofs_flow *f, uint32_t meter_id)
{
	return (f->insts.present & OFP_INST_BIT(OFPIT_METER)) &&
	       (meter_id == OFPM_ALL || f->insts.meter_id == meter_id);
}

unsigned
ofs_remove_flows_with_meter(struct of_switch *sw, uint32_t meter_id, uint64_t now_ms)
{
	unsigned removed = 0;

	for (unsigned tid = 0; tid < sw->n_tables; tid++) {
		struct ofs_table *t = &sw->tables[tid];

		for (uint32_t i = 0; i < t->n;) {
			if (flow_uses_meter(t->flows[i], meter_id)) {
				/* 1.3 has no METER_DELETE reason (1.4 adds it). */
				table_remove_at(sw, t, i, OFPRR_DELETE, now_ms);
				removed++;
			} else {
				i++;
			}
		}
	}
	return removed;
}

uint32_t
ofs_meter_flow_count(const struct of_switch *sw, uint32_t id)
{
	uint32_t n = 0;

	for (unsigned tid = 0; tid < sw->n_tables; tid++)
		for (uint32_t i = 0; i < sw->tables[tid].n; i++)
			n += flow_uses_meter(sw->tables[tid].flows[i], id);
	return n;
}

/* ---- FLOW_MOD ---- */

static ofp_err_t
flow_mod_check_state(const struct of_switch *sw, const struct ofp_flow_mod *fm)
{
	ofp_err_t err;

	if (fm->table_id >= sw->n_tables)
		return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID);
	if ((fm->insts.present & OFP_INST_BIT(OFPIT_GOTO_TABLE)) &&
	    fm->insts.goto_table >= sw->n_tables)
		return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
	if ((fm->insts.present & OFP_INST_BIT(OFPIT_METER)) &&
	    ofs_meter_find((struct of_switch *)sw, fm->insts.meter_id) == NULL)
		return OFP_ERR(OFPET_METER_MOD_FAILED, OFPMMFC_UNKNOWN_METER);
	if ((err = ofs_actions_check(sw, &fm->insts.apply)))
		return err;
	return ofs_actions_check(sw, &fm->insts.write);
}

static ofp_err_t
flow_add(struct of_switch *sw, const struct ofp_flow_mod *fm, uint64_t now_ms)
{
	struct ofs_table *t = &sw->tables[fm->table_id];
	struct ofs_flow *same = NULL;
	uint32_t same_at = 0;

	for (uint32_t i = 0; i < t->n; i++) {
		struct ofs_flow *f = t->flows[i];

		if (f->priority != fm->priority)
			continue;
		if (ofs_match_equal(&f->match, &fm->match)) {
			same = f;
			same_at = i;
		} else if ((fm->flags & OFPFF_CHECK_OVERLAP) &&
			   ofs_match_overlaps(&f->match, &fm->match)) {
			return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_OVERLAP);
		}
	}
	if (same == NULL && t->n >= sw->max_flows)
		return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL);

	struct ofs_flow *f = calloc(1, sizeof(*f));
	if (f == NULL || insts_copy(&f->insts, &fm->insts) < 0) {
		free(f);
		return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL);
	}
	f->id = sw->next_flow_id++;
	f->table_id = fm->table_id;
	f->priority = fm->priority;
	f->match = fm->match;
	ofp_match_normalize(&f->match);
	f->cookie = fm->cookie;
	f->idle_timeout = fm->idle_timeout;
	f->hard_timeout = fm->hard_timeout;
	f->flags = fm->flags;
	f->created_ms = f->used_ms = now_ms;

	if (same != NULL) {
		/* Replaced in place: a new entry (duration restarts), counters
		 * carried over unless asked to reset (6.4). */
		if (!(fm->flags & OFPFF_RESET_COUNTS)) {
			f->packet_count = same->packet_count;
			f->byte_count = same->byte_count;
		}
		t->flows[same_at] = f;
		flow_free(same);
	} else {
		if (t->n == t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 16;
			struct ofs_flow **v = realloc(t->flows, cap * sizeof(*v));
			if (v == NULL) {
				flow_free(f);
				return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL);
			}
			t->flows = v;
			t->cap = cap;
		}
		t->flows[t->n++] = f;
	}
	sw->generation++;
	return OFP_OK;
}

static bool
cookie_ok(const struct ofs_flow *f, const struct ofp_flow_mod *fm)
{
	return (f->cookie & fm->cookie_mask) == (fm->cookie & fm->cookie_mask);
}

static ofp_err_t
flow_modify(struct of_switch *sw, const struct ofp_flow_mod *fm, bool strict)
{
	struct ofs_table *t = &sw->tables[fm->table_id];

	for (uint32_t i = 0; i < t->n; i++) {
		struct ofs_flow *f = t->flows[i];
		struct ofp_instructions insts;

		if (!cookie_ok(f, fm))
			continue;
		if (strict ? (f->priority != fm->priority || !ofs_match_equal(&f->match, &fm->match))
			   : !ofs_match_covers(&fm->match, &f->match))
			continue;
		if (insts_copy(&insts, &fm->insts) < 0)
			return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_UNKNOWN);
		ofp_instructions_free(&f->insts);
		f->insts = insts;
		if (fm->flags & OFPFF_RESET_COUNTS)
			f->packet_count = f->byte_count = 0;
		sw->generation++;
	}
	/* No match: nothing happens, no error (1.3 no longer adds). */
	return OFP_OK;
}

static void
flow_delete(struct of_switch *sw, const struct ofp_flow_mod *fm, bool strict, uint64_t now_ms)
{
	for (unsigned tid = 0; tid < sw->n_tables; tid++) {
		if (fm->table_id != OFPTT_ALL && fm->table_id != tid)
			continue;
		struct ofs_table *t = &sw->tables[tid];
		for (uint32_t i = 0; i < t->n;) {
			struct ofs_flow *f = t->flows[i];
			bool hit = cookie_ok(f, fm) && ofs_flow_outputs_to(f, fm->out_port, fm->out_group) &&
				   (strict ? f->priority == fm->priority &&
						     ofs_match_equal(&f->match, &fm->match)
					   : ofs_match_covers(&fm->match, &f->match));
			if (hit)
				table_remove_at(sw, t, i, OFPRR_DELETE, now_ms);
			else
				i++;
		}
	}
}

ofp_err_t
ofs_flow_mod(struct of_switch *sw, const struct ofp_flow_mod *fm, uint64_t now_ms)
{
	ofp_err_t err;

	switch (fm->command) {
	case OFPFC_ADD:
	case OFPFC_MODIFY:
	case OFPFC_MODIFY_STRICT:
		if ((err = flow_mod_check_state(sw, fm)))
			return err;
		if (fm->command == OFPFC_ADD)
			return flow_add(sw, fm, now_ms);
		return flow_modify(sw, fm, fm->command == OFPFC_MODIFY_STRICT);
	case OFPFC_DELETE:
	case OFPFC_DELETE_STRICT:
		if (fm->table_id != OFPTT_ALL && fm->table_id >= sw->n_tables)
			return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID);
		flow_delete(sw, fm, fm->command == OFPFC_DELETE_STRICT, now_ms);
		return OFP_OK;
	}
	return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND);
}

/* ---- lookup and counters ---- */

struct ofs_flow *
ofs_lookup(struct of_switch *sw, uint8_t table_id, const struct flow_key *k)
{
	struct ofs_flow *best = NULL;

	if (table_id >= sw->n_tables)
		return NULL;
	struct ofs_table *t = &sw->tables[table_id];
	t->lookups++;
	for (uint32_t i = 0; i < t->n; i++) {
		struct ofs_flow *f = t->flows[i];

		if (!ofs_match_key(&f->match, k))
			continue;
		if (best == NULL || f->priority > best->priority ||
		    (f->priority == best->priority && f->id < best->id))
			best = f;
	}
	if (best != NULL)
		t->matches++;
	return best;
}

static int
by_id(const void *a, const void *b)
{
	const struct ofs_flow *fa = *(const struct ofs_flow *const *)a;
	const struct ofs_flow *fb = *(const struct ofs_flow *const *)b;

	return fa->id < fb->id ? -1 : fa->id > fb->id;
}

uint32_t
ofs_table_flows(const struct of_switch *sw, uint8_t table_id, const struct ofs_flow **out,
		uint32_t cap)
{
	if (table_id >= sw->n_tables)
		return 0;
	const struct ofs_table *t = &sw->tables[table_id];
	uint32_t n = t->n < cap ? t->n : cap;

	if (n)
		memcpy(out, t->flows, n * sizeof(*out));
	/* Only a full copy can be put in order. */
	if (n == t->n)
		qsort(out, n, sizeof(*out), by_id);
	return t->n;
}

void
ofs_flow_hit(struct ofs_flow *f, uint32_t bytes, uint64_t now_ms)
{
	f->packet_count++;
	f->byte_count += bytes;
	f->used_ms = now_ms;
}
