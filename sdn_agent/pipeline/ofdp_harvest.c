/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data lcores count per flow, group, table and meter in their own
 * rows of the compiled table; the agent adds what is new to the switch,
 * whose stats replies and idle timeouts read them (ofdp_compile.h).
 */
#include <stdlib.h>

#include "ofdp_compile.h"

/* `seen` layout: flows (packets, bytes), groups (packets, bytes), tables
 * (lookups, matches), then the meters' words. */
size_t
ofdp_harvest_words(const struct ofdp_table *t)
{
	return 2 * (t->n_flows + t->n_groups + OFDP_N_TABLES) + ofdp_meter_harvest_words(t);
}

static void
harvest_flows(struct of_switch *sw, const struct ofdp_table *t, uint64_t *seen, uint64_t now_ms)
{
	uint32_t n;
	const struct ofs_flow **flows = ofdp_flows_by_id(sw, &n);

	if (flows == NULL)
		return;
	/* Both in flow id order: walk them together. */
	for (uint32_t i = 0, j = 0; i < t->n_flows; i++) {
		uint64_t pk = 0, by = 0;

		for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
			pk += __atomic_load_n(&t->flow_ctr[s][i].packets, __ATOMIC_RELAXED);
			by += __atomic_load_n(&t->flow_ctr[s][i].bytes, __ATOMIC_RELAXED);
		}
		uint64_t dp = pk - seen[2 * i], db = by - seen[2 * i + 1];
		seen[2 * i] = pk;
		seen[2 * i + 1] = by;
		while (j < n && flows[j]->id < t->flows[i].flow_id)
			j++;
		if (dp && j < n && flows[j]->id == t->flows[i].flow_id) {
			struct ofs_flow *f = (struct ofs_flow *)flows[j];
			f->packet_count += dp;
			f->byte_count += db;
			f->used_ms = now_ms;
		}
	}
	free(flows);
}

static void
harvest_groups(struct of_switch *sw, const struct ofdp_table *t, uint64_t *seen)
{
	for (uint32_t g = 0; g < t->n_groups; g++) {
		struct ofs_group *sg = ofs_group_find(sw, t->groups[g].group_id);
		uint64_t pk = 0, by = 0;

		for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
			pk += __atomic_load_n(&t->group_ctr[s][g].packets, __ATOMIC_RELAXED);
			by += __atomic_load_n(&t->group_ctr[s][g].bytes, __ATOMIC_RELAXED);
		}
		uint64_t *h = &seen[2 * g];
		if (sg) {
			sg->packet_count += pk - h[0];
			sg->byte_count += by - h[1];
		}
		h[0] = pk;
		h[1] = by;
	}
}

static void
harvest_tables(struct of_switch *sw, const struct ofdp_table *t, uint64_t *seen)
{
	for (unsigned int tid = 0; tid < OFDP_N_TABLES && tid < sw->n_tables; tid++) {
		uint64_t lk = 0, mt = 0;

		for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
			lk += __atomic_load_n(&t->tbl_ctr[s][tid].lookups, __ATOMIC_RELAXED);
			mt += __atomic_load_n(&t->tbl_ctr[s][tid].matches, __ATOMIC_RELAXED);
		}
		sw->tables[tid].lookups += lk - seen[2 * tid];
		sw->tables[tid].matches += mt - seen[2 * tid + 1];
		seen[2 * tid] = lk;
		seen[2 * tid + 1] = mt;
	}
}

void
ofdp_harvest(struct of_switch *sw, const struct ofdp_table *t, uint64_t *seen, uint64_t now_ms)
{
	if (t == NULL || seen == NULL)
		return;
	harvest_flows(sw, t, seen, now_ms);
	seen += 2 * t->n_flows;
	harvest_groups(sw, t, seen);
	seen += 2 * t->n_groups;
	harvest_tables(sw, t, seen);
	seen += 2 * OFDP_N_TABLES;
	ofdp_harvest_meters(sw, t, seen);
}
