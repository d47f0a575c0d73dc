/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Meters between the switch and the data path: compiling the switch's
 * meters into a table (of_meter.h buckets) and harvesting the per-lcore
 * meter counters into the switch's meter stats.
 */
#include <stdlib.h>
#include <string.h>

#include "ofdp_compile.h"

int
ofdp_meter_index(const struct ofdp_table *t, uint32_t id)
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
ofdp_compile_meters(const struct of_switch *sw, const struct ofdp_table *prev, uint64_t tsc_hz,
		    struct ofdp_table *t)
{
	t->meters = calloc(sw->n_meters + 1, sizeof(*t->meters));
	if (t->meters == NULL)
		return -1;
	for (uint32_t i = 0; i < sw->n_meters; i++) {
		const struct ofs_meter *sm = &sw->meters[i];
		struct ofm_meter *dm = &t->meters[t->n_meters++];

		ofm_meter_init(dm, sm->id, sm->flags, sm->bands, sm->n_bands, tsc_hz);
		int o = prev ? ofdp_meter_index(prev, sm->id) : -1;
		if (o >= 0 && ofm_meter_same(&prev->meters[o], dm))
			for (unsigned int b = 0; b < dm->n_bands; b++)
				dm->tat[b] = __atomic_load_n(&prev->meters[o].tat[b],
							     __ATOMIC_RELAXED);
	}
	return 0;
}

/* Per meter: packets and bytes in, then each band's packets and bytes. */
#define METER_HARVEST_WORDS (2 + 2 * OFP_MAX_METER_BANDS)

size_t
ofdp_meter_harvest_words(const struct ofdp_table *t)
{
	return METER_HARVEST_WORDS * t->n_meters;
}

void
ofdp_harvest_meters(struct of_switch *sw, const struct ofdp_table *t, uint64_t *seen)
{
	for (uint32_t i = 0; i < t->n_meters; i++) {
		struct ofs_meter *sm = ofs_meter_find(sw, t->meters[i].meter_id);
		uint64_t *h = &seen[METER_HARVEST_WORDS * i];
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
