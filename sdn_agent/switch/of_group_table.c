/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Group table: GROUP_MOD semantics (OpenFlow 1.3.5, 6.5), chaining checks
 * and the GROUP/GROUP_DESC stats replies. Groups are kept sorted by id.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "of_sorted_array.h"
#include "of_switch.h"
#include "of_switch_priv.h"

static uint32_t
group_index(const struct of_switch *sw, uint32_t id, bool *found)
{
	return ofs_sorted_index(sw->groups, sw->n_groups, sizeof(sw->groups[0]),
				offsetof(struct ofs_group, id), id, found);
}

struct ofs_group *
ofs_group_find(struct of_switch *sw, uint32_t id)
{
	bool found;
	uint32_t i = group_index(sw, id, &found);

	return found ? &sw->groups[i] : NULL;
}

static void
group_clear(struct ofs_group *g)
{
	ofp_buckets_free(g->buckets, g->n_buckets);
	free(g->bucket_counts);
	g->buckets = NULL;
	g->bucket_counts = NULL;
	g->n_buckets = 0;
}

void
ofs_groups_destroy(struct of_switch *sw)
{
	for (uint32_t i = 0; i < sw->n_groups; i++)
		group_clear(&sw->groups[i]);
	free(sw->groups);
	sw->groups = NULL;
	sw->n_groups = sw->groups_cap = 0;
}

/* Can `from`'s buckets lead to group `target`, through existing groups?
 * Depth is bounded by the number of groups, so a cycle cannot spin. */
static bool
buckets_reach(struct of_switch *sw, const struct ofp_bucket *bk, uint16_t n, uint32_t target,
	      uint32_t depth)
{
	if (depth > sw->n_groups + 1)
		return true;
	for (uint16_t b = 0; b < n; b++) {
		const struct ofp_action_list *l = &bk[b].actions;

		for (uint16_t i = 0; i < l->n; i++) {
			if (l->v[i].type != OFPAT_GROUP)
				continue;
			if (l->v[i].u.group_id == target)
				return true;
			const struct ofs_group *g = ofs_group_find(sw, l->v[i].u.group_id);
			if (g && buckets_reach(sw, g->buckets, g->n_buckets, target, depth + 1))
				return true;
		}
	}
	return false;
}

static ofp_err_t
buckets_check(struct of_switch *sw, const struct ofp_group_mod *gm)
{
	for (uint16_t b = 0; b < gm->n_buckets; b++) {
		const struct ofp_bucket *bk = &gm->buckets[b];

		for (uint16_t i = 0; i < bk->actions.n; i++) {
			const struct ofp_action *a = &bk->actions.v[i];
			/* A group naming itself is a loop, not a missing group. */
			if (a->type == OFPAT_GROUP && a->u.group_id == gm->group_id)
				return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_LOOP);
		}
		ofp_err_t err = ofs_actions_check(sw, &bk->actions);
		if (err)
			return err;
		if (gm->type == OFPGT_FF) {
			if (bk->watch_port != OFPP_ANY && bk->watch_port <= OFPP_MAX &&
			    sw->port_exists && !sw->port_exists(sw->ctx, bk->watch_port))
				return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH);
			if (bk->watch_group != OFPG_ANY && ofs_group_find(sw, bk->watch_group) == NULL)
				return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH);
		}
	}
	if (buckets_reach(sw, gm->buckets, gm->n_buckets, gm->group_id, 0))
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_LOOP);
	return OFP_OK;
}

static int
group_set_buckets(struct ofs_group *g, const struct ofp_group_mod *gm)
{
	struct ofp_bucket *bk = calloc(gm->n_buckets ? gm->n_buckets : 1, sizeof(*bk));
	struct ofp_bucket_counter *cnt = calloc(gm->n_buckets ? gm->n_buckets : 1, sizeof(*cnt));

	if (bk == NULL || cnt == NULL)
		goto fail;
	for (uint16_t i = 0; i < gm->n_buckets; i++) {
		bk[i] = gm->buckets[i];
		bk[i].actions.v = NULL;
		bk[i].actions.n = 0;
		if (gm->buckets[i].actions.n == 0)
			continue;
		size_t sz = gm->buckets[i].actions.n * sizeof(struct ofp_action);
		bk[i].actions.v = malloc(sz);
		if (bk[i].actions.v == NULL) {
			ofp_buckets_free(bk, i);
			bk = NULL;
			goto fail;
		}
		memcpy(bk[i].actions.v, gm->buckets[i].actions.v, sz);
		bk[i].actions.n = gm->buckets[i].actions.n;
	}
	group_clear(g);
	g->type = gm->type;
	g->buckets = bk;
	g->bucket_counts = cnt;
	g->n_buckets = gm->n_buckets;
	return 0;
fail:
	free(bk);
	free(cnt);
	return -1;
}

/* Does any group other than `id` chain to `id`? */
static bool
group_is_chained_to(struct of_switch *sw, uint32_t id)
{
	for (uint32_t i = 0; i < sw->n_groups; i++) {
		const struct ofs_group *g = &sw->groups[i];

		if (g->id == id)
			continue;
		for (uint16_t b = 0; b < g->n_buckets; b++)
			if (ofs_actions_reach(&g->buckets[b].actions, OFPP_ANY, id))
				return true;
	}
	return false;
}

static ofp_err_t
group_add(struct of_switch *sw, const struct ofp_group_mod *gm, uint64_t now_ms)
{
	bool found;
	uint32_t at = group_index(sw, gm->group_id, &found);
	ofp_err_t err;

	if (found)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_GROUP_EXISTS);
	if (sw->n_groups >= sw->max_groups)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	if ((err = buckets_check(sw, gm)))
		return err;
	struct ofs_group *v = ofs_array_reserve(sw->groups, sw->n_groups, &sw->groups_cap,
						sizeof(*v));
	if (v == NULL)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	sw->groups = v;
	struct ofs_group g = { .id = gm->group_id, .created_ms = now_ms };
	if (group_set_buckets(&g, gm) < 0)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_BUCKETS);
	memmove(&sw->groups[at + 1], &sw->groups[at], (sw->n_groups - at) * sizeof(g));
	sw->groups[at] = g;
	sw->n_groups++;
	sw->generation++;
	return OFP_OK;
}

static void
group_remove_at(struct of_switch *sw, uint32_t at)
{
	group_clear(&sw->groups[at]);
	memmove(&sw->groups[at], &sw->groups[at + 1],
		(sw->n_groups - at - 1) * sizeof(sw->groups[0]));
	sw->n_groups--;
	sw->generation++;
}

ofp_err_t
ofs_group_mod(struct of_switch *sw, const struct ofp_group_mod *gm, uint64_t now_ms)
{
	struct ofs_group *g;
	ofp_err_t err;

	switch (gm->command) {
	case OFPGC_ADD:
		return group_add(sw, gm, now_ms);
	case OFPGC_MODIFY:
		if ((g = ofs_group_find(sw, gm->group_id)) == NULL)
			return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_UNKNOWN_GROUP);
		if ((err = buckets_check(sw, gm)))
			return err;
		if (group_set_buckets(g, gm) < 0)
			return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_BUCKETS);
		sw->generation++;
		return OFP_OK;
	case OFPGC_DELETE:
		if (gm->group_id == OFPG_ALL) {
			ofs_remove_flows_to_group(sw, OFPG_ALL, now_ms);
			while (sw->n_groups > 0)
				group_remove_at(sw, sw->n_groups - 1);
			return OFP_OK;
		}
		bool found;
		uint32_t at = group_index(sw, gm->group_id, &found);
		if (!found)
			return OFP_OK; /* deleting nothing is not an error (6.5) */
		if (group_is_chained_to(sw, gm->group_id))
			return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_CHAINED_GROUP);
		ofs_remove_flows_to_group(sw, gm->group_id, now_ms);
		group_remove_at(sw, at);
		return OFP_OK;
	}
	return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_COMMAND);
}

void
ofs_reply_group_stats(struct of_switch *sw, uint32_t xid, uint32_t group_id, uint64_t now_ms,
		      struct ofp_buf *b)
{
	struct ofp_mp_writer w;

	ofp_mp_writer_begin(&w, b, xid, OFPMP_GROUP);
	for (uint32_t i = 0; i < sw->n_groups; i++) {
		const struct ofs_group *g = &sw->groups[i];

		if (group_id != OFPG_ALL && g->id != group_id)
			continue;
		uint64_t age = now_ms - g->created_ms;
		uint32_t refs = ofs_flow_refs_to_group(sw, g->id);
		for (uint32_t j = 0; j < sw->n_groups; j++)
			for (uint16_t k = 0; k < sw->groups[j].n_buckets; k++)
				refs += ofs_actions_reach(&sw->groups[j].buckets[k].actions,
							  OFPP_ANY, g->id);
		struct ofp_group_stats_entry e = {
			.group_id = g->id,
			.ref_count = refs,
			.packet_count = g->packet_count,
			.byte_count = g->byte_count,
			.duration_sec = (uint32_t)(age / 1000),
			.duration_nsec = (uint32_t)(age % 1000) * 1000000u,
			.buckets = g->bucket_counts,
			.n_buckets = g->n_buckets,
		};
		ofp_mp_put_group_stats(&w, &e);
	}
	ofp_mp_writer_end(&w);
}

void
ofs_reply_group_desc(struct of_switch *sw, uint32_t xid, struct ofp_buf *b)
{
	struct ofp_mp_writer w;

	ofp_mp_writer_begin(&w, b, xid, OFPMP_GROUP_DESC);
	for (uint32_t i = 0; i < sw->n_groups; i++) {
		const struct ofs_group *g = &sw->groups[i];
		struct ofp_group_desc_entry e = { g->type, g->id, g->buckets, g->n_buckets };

		ofp_mp_put_group_desc(&w, &e);
	}
	ofp_mp_writer_end(&w);
}
