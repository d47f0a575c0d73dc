/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Meter table: METER_MOD semantics (OpenFlow 1.3.5, 5.7 and 7.3.4.4) and
 * the METER, METER_CONFIG and METER_FEATURES replies. Meters are kept
 * sorted by id, like groups; the data path compiles them in that order.
 * Rates are enforced by the data path; the counters here are what it
 * reports (ofa_harvest).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "of_sorted_array.h"
#include "of_switch.h"
#include "of_switch_priv.h"

#define MMFC(code) OFP_ERR(OFPET_METER_MOD_FAILED, (code))

static uint32_t
meter_index(const struct of_switch *sw, uint32_t id, bool *found)
{
	return ofs_sorted_index(sw->meters, sw->n_meters, sizeof(sw->meters[0]),
				offsetof(struct ofs_meter, id), id, found);
}

struct ofs_meter *
ofs_meter_find(struct of_switch *sw, uint32_t id)
{
	bool found;
	uint32_t i = meter_index(sw, id, &found);

	return found ? &sw->meters[i] : NULL;
}

void
ofs_meters_destroy(struct of_switch *sw)
{
	free(sw->meters);
	sw->meters = NULL;
	sw->n_meters = sw->meters_cap = 0;
}

static void
meter_configure(struct ofs_meter *m, const struct ofp_meter_mod *mm)
{
	m->flags = mm->flags;
	/* A band that stays where it was keeps its counts; new ones start at 0. */
	for (uint16_t i = mm->n_bands; i < OFP_MAX_METER_BANDS; i++)
		m->band_counts[i] = (struct ofp_bucket_counter){ 0, 0 };
	m->n_bands = mm->n_bands;
	memcpy(m->bands, mm->bands, sizeof(m->bands));
}

static ofp_err_t
meter_add(struct of_switch *sw, const struct ofp_meter_mod *mm, uint64_t now_ms)
{
	bool found;
	uint32_t at = meter_index(sw, mm->meter_id, &found);

	if (found)
		return MMFC(OFPMMFC_METER_EXISTS);
	if (sw->n_meters >= sw->max_meters)
		return MMFC(OFPMMFC_OUT_OF_METERS);
	struct ofs_meter *v = ofs_array_reserve(sw->meters, sw->n_meters, &sw->meters_cap,
						sizeof(*v));
	if (v == NULL)
		return MMFC(OFPMMFC_OUT_OF_METERS);
	sw->meters = v;
	memmove(&sw->meters[at + 1], &sw->meters[at], (sw->n_meters - at) * sizeof(*sw->meters));
	sw->n_meters++;
	struct ofs_meter *m = &sw->meters[at];
	memset(m, 0, sizeof(*m));
	m->id = mm->meter_id;
	m->created_ms = now_ms;
	meter_configure(m, mm);
	return OFP_OK;
}

static void
meter_remove_at(struct of_switch *sw, uint32_t at, uint64_t now_ms)
{
	ofs_remove_flows_with_meter(sw, sw->meters[at].id, now_ms);
	memmove(&sw->meters[at], &sw->meters[at + 1],
		(sw->n_meters - at - 1) * sizeof(*sw->meters));
	sw->n_meters--;
}

ofp_err_t
ofs_meter_mod(struct of_switch *sw, const struct ofp_meter_mod *mm, uint64_t now_ms)
{
	ofp_err_t err = OFP_OK;
	bool found;
	uint32_t at;

	switch (mm->command) {
	case OFPMC_ADD:
		err = meter_add(sw, mm, now_ms);
		break;
	case OFPMC_MODIFY:
		at = meter_index(sw, mm->meter_id, &found);
		if (!found)
			return MMFC(OFPMMFC_UNKNOWN_METER);
		meter_configure(&sw->meters[at], mm);
		break;
	case OFPMC_DELETE:
		if (mm->meter_id == OFPM_ALL) {
			while (sw->n_meters > 0)
				meter_remove_at(sw, sw->n_meters - 1, now_ms);
			break;
		}
		at = meter_index(sw, mm->meter_id, &found);
		if (!found)
			return MMFC(OFPMMFC_UNKNOWN_METER);
		meter_remove_at(sw, at, now_ms);
		break;
	default:
		return MMFC(OFPMMFC_BAD_COMMAND);
	}
	if (err == OFP_OK)
		sw->generation++;
	return err;
}

void
ofs_meter_features(const struct of_switch *sw, struct ofp_meter_features *f)
{
	memset(f, 0, sizeof(*f));
	f->max_meter = sw->max_meters;
	f->band_types = (1u << OFPMBT_DROP) | (1u << OFPMBT_DSCP_REMARK);
	f->capabilities = OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS;
	f->max_bands = OFP_MAX_METER_BANDS;
	/* No color-aware metering: one color. */
	f->max_color = 0;
}

void
ofs_reply_meter_stats(struct of_switch *sw, uint32_t xid, uint32_t meter_id, uint64_t now_ms,
		      struct ofp_buf *b)
{
	struct ofp_mp_writer w;

	ofp_mp_writer_begin(&w, b, xid, OFPMP_METER);
	for (uint32_t i = 0; i < sw->n_meters; i++) {
		const struct ofs_meter *m = &sw->meters[i];

		if (meter_id != OFPM_ALL && m->id != meter_id)
			continue;
		uint64_t age = now_ms - m->created_ms;
		struct ofp_meter_stats_entry e = {
			.meter_id = m->id,
			.flow_count = ofs_meter_flow_count(sw, m->id),
			.packet_in_count = m->packet_in_count,
			.byte_in_count = m->byte_in_count,
			.duration_sec = (uint32_t)(age / 1000),
			.duration_nsec = (uint32_t)(age % 1000) * 1000000u,
			.n_bands = m->n_bands,
		};
		memcpy(e.bands, m->band_counts, sizeof(e.bands));
		ofp_mp_put_meter_stats(&w, &e);
	}
	ofp_mp_writer_end(&w);
}

void
ofs_reply_meter_config(struct of_switch *sw, uint32_t xid, uint32_t meter_id, struct ofp_buf *b)
{
	struct ofp_mp_writer w;

	ofp_mp_writer_begin(&w, b, xid, OFPMP_METER_CONFIG);
	for (uint32_t i = 0; i < sw->n_meters; i++) {
		const struct ofs_meter *m = &sw->meters[i];

		if (meter_id != OFPM_ALL && m->id != meter_id)
			continue;
		struct ofp_meter_config_entry e = {
			.flags = m->flags,
			.meter_id = m->id,
			.n_bands = m->n_bands,
		};
		memcpy(e.bands, m->bands, sizeof(e.bands));
		ofp_mp_put_meter_config(&w, &e);
	}
	ofp_mp_writer_end(&w);
}
