/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Meters between the switch and the data path: compiling the switch's
 * meters into the table (of_meter.h buckets) and harvesting the per-lcore
 * meter counters into the switch's meter stats. Agent thread only.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "of_agent_priv.h"

/* Index of meter `id` in a table's sorted meters, or -1. */
int
ofa_meter_slot(const struct ofdp_table *t, uint32_t id)
{
	uint32_t lo = 0, hi = t->n_meters;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->meters[mid].meter_id == id)
			return (int)mid;
		if (t->meters[mid].meter_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * The switch's meters, in id order. A meter whose configuration did not
 * change takes its buckets' state from the table in force, so a FLOW_MOD
 * elsewhere does not hand out a fresh burst; packets the old table's
 * lcores meter between this copy and the swap are not charged here (a
 * few packets' worth, at most once per recompile). A new or modified
 * meter starts with full buckets.
 */
int
ofa_compile_meters(struct of_agent *a, struct ofdp_table *t)
{
	const struct mgr_chain_state *cur = mgr_chains_current();
	const struct ofdp_table *old = cur ? cur->of : NULL;
	uint64_t hz = rte_get_tsc_hz();

	t->meters = calloc(a->sw.n_meters + 1, sizeof(*t->meters));
	if (t->meters == NULL)
		return -1;
	for (uint32_t i = 0; i < a->sw.n_meters; i++) {
		const struct ofs_meter *sm = &a->sw.meters[i];
		struct ofm_meter *dm = &t->meters[t->n_meters++];

		ofm_meter_init(dm, sm->id, sm->flags, sm->bands, sm->n_bands, hz);
		int o = old ? ofa_meter_slot(old, sm->id) : -1;
		if (o >= 0 && ofm_meter_same(&old->meters[o], dm))
			for (unsigned int b = 0; b < dm->n_bands; b++)
				dm->tat[b] = __atomic_load_n(&old->meters[o].tat[b],
							     __ATOMIC_RELAXED);
	}
	return 0;
}

/* a->harvested after the flows, groups and tables: per meter, packets and
 * bytes in, then each band's packets and bytes. */
#define METER_HARVEST_WORDS (2 + 2 * OFP_MAX_METER_BANDS)

size_t
ofa_harvest_words(const struct ofdp_table *t)
{
	return 2 * (t->n_flows + t->n_groups + OFDP_N_TABLES) + METER_HARVEST_WORDS * t->n_meters;
}

void
ofa_harvest_meters(struct of_agent *a, const struct ofdp_table *t)
{
	uint64_t *base = &a->harvested[2 * (t->n_flows + t->n_groups + OFDP_N_TABLES)];

	for (uint32_t i = 0; i < t->n_meters; i++) {
		struct ofs_meter *sm = ofs_meter_find(&a->sw, t->meters[i].meter_id);
		uint64_t *h = &base[METER_HARVEST_WORDS * i];
		uint64_t now[METER_HARVEST_WORDS] = { 0 };

		for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
			const struct ofdp_meter_counter *c = &t->meter_ctr[s][i];

			now[0] += __atomic_load_n(&c->packets, __ATOMIC_RELAXED);
			now[1] += __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
			for (unsigned int b = 0; b < OFP_MAX_METER_BANDS; b++) {
				now[2 + 2 * b] += __atomic_load_n(&c->band[b].packets,
								  __ATOMIC_RELAXED);
				now[3 + 2 * b] += __atomic_load_n(&c->band[b].bytes,
								  __ATOMIC_RELAXED);
			}
		}
		/* A meter deleted since this table was compiled: nothing to add to. */
		if (sm) {
			sm->packet_in_count += now[0] - h[0];
			sm->byte_in_count += now[1] - h[1];
			for (unsigned int b = 0; b < OFP_MAX_METER_BANDS && b < sm->n_bands; b++) {
				sm->band_counts[b].packet_count += now[2 + 2 * b] - h[2 + 2 * b];
				sm->band_counts[b].byte_count += now[3 + 2 * b] - h[3 + 2 * b];
			}
		}
		memcpy(h, now, sizeof(now));
	}
}
