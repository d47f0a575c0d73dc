/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Meters on the wire (OpenFlow 1.3.5, 7.3.4.4 and 7.3.5.13-15): METER_MOD
 * and its bands, and the METER, METER_CONFIG and METER_FEATURES reply
 * bodies. Checks that need no switch state are made here: the command,
 * the meter id range, the rate unit flags, the band types and rates.
 */
#include <string.h>

#include "ofp.h"

#define BAD_LEN OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN)
#define MMFC(code) OFP_ERR(OFPET_METER_MOD_FAILED, (code))
#define OFPMF_ALL_FLAGS (OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS)

/* One band (7.2.1.1 ofp_meter_band_header): structure first, then values. */
static ofp_err_t
band_decode(struct ofp_rd *r, struct ofp_meter_band *b)
{
	uint16_t len;
	struct ofp_rd body;

	memset(b, 0, sizeof(*b));
	if (ofp_rd_left(r) < 4)
		return BAD_LEN;
	ofp_rd_be16(r, &b->type);
	ofp_rd_be16(r, &len);
	if (len < OFP_METER_BAND_LEN || len % 8 != 0 || !ofp_rd_sub(r, len - 4u, &body))
		return BAD_LEN;
	ofp_rd_be32(&body, &b->rate);
	ofp_rd_be32(&body, &b->burst_size);
	switch (b->type) {
	case OFPMBT_DROP:
		break;
	case OFPMBT_DSCP_REMARK:
		ofp_rd_u8(&body, &b->prec_level);
		break;
	default: /* experimenter bands and undefined types */
		return MMFC(OFPMMFC_BAD_BAND);
	}
	if (len != OFP_METER_BAND_LEN)
		return BAD_LEN;
	return OFP_OK;
}

static bool
meter_id_valid(uint32_t id, uint16_t command)
{
	if (id == OFPM_ALL)
		return command == OFPMC_DELETE;
	/* The virtual meters (SLOWPATH, CONTROLLER) do not exist here. */
	return id != 0 && id <= OFPM_MAX;
}

ofp_err_t
ofp_meter_mod_decode(struct ofp_rd *r, struct ofp_meter_mod *mm)
{
	memset(mm, 0, sizeof(*mm));
	if (ofp_rd_left(r) < OFP_METER_MOD_FIXED_LEN - OFP_HEADER_LEN)
		return BAD_LEN;
	ofp_rd_be16(r, &mm->command);
	ofp_rd_be16(r, &mm->flags);
	ofp_rd_be32(r, &mm->meter_id);
	if (mm->command > OFPMC_DELETE)
		return MMFC(OFPMMFC_BAD_COMMAND);
	if (!meter_id_valid(mm->meter_id, mm->command))
		return MMFC(OFPMMFC_INVALID_METER);

	while (ofp_rd_left(r) > 0) {
		struct ofp_meter_band b;
		ofp_err_t err = band_decode(r, &b);

		if (err)
			return err;
		if (mm->n_bands == OFP_MAX_METER_BANDS)
			return MMFC(OFPMMFC_OUT_OF_BANDS);
		mm->bands[mm->n_bands++] = b;
	}
	/* A delete names a meter; its flags and bands carry nothing. */
	if (mm->command == OFPMC_DELETE)
		return OFP_OK;

	bool kbps = mm->flags & OFPMF_KBPS, pktps = mm->flags & OFPMF_PKTPS;
	if ((mm->flags & ~OFPMF_ALL_FLAGS) || kbps == pktps)
		return MMFC(OFPMMFC_BAD_FLAGS);
	for (uint16_t i = 0; i < mm->n_bands; i++) {
		if (mm->bands[i].rate == 0)
			return MMFC(OFPMMFC_BAD_RATE);
		if ((mm->flags & OFPMF_BURST) && mm->bands[i].burst_size == 0)
			return MMFC(OFPMMFC_BAD_BURST);
	}
	return OFP_OK;
}

static void
band_encode(struct ofp_buf *b, const struct ofp_meter_band *band)
{
	ofp_buf_put_be16(b, band->type);
	ofp_buf_put_be16(b, OFP_METER_BAND_LEN);
	ofp_buf_put_be32(b, band->rate);
	ofp_buf_put_be32(b, band->burst_size);
	ofp_buf_put_u8(b, band->type == OFPMBT_DSCP_REMARK ? band->prec_level : 0);
	ofp_buf_put_zeros(b, 3);
}

void
ofp_encode_meter_mod(struct ofp_buf *b, uint32_t xid, const struct ofp_meter_mod *mm)
{
	size_t start = ofp_msg_start(b, OFPT_METER_MOD, xid);

	ofp_buf_put_be16(b, mm->command);
	ofp_buf_put_be16(b, mm->flags);
	ofp_buf_put_be32(b, mm->meter_id);
	for (uint16_t i = 0; i < mm->n_bands && i < OFP_MAX_METER_BANDS; i++)
		band_encode(b, &mm->bands[i]);
	ofp_msg_finish(b, start);
}

/* ---- replies ---- */

void
ofp_mp_put_meter_stats(struct ofp_mp_writer *w, const struct ofp_meter_stats_entry *e)
{
	struct ofp_buf *b = w->b;
	size_t start = ofp_mp_entry_begin(w);
	uint16_t n = e->n_bands < OFP_MAX_METER_BANDS ? e->n_bands : OFP_MAX_METER_BANDS;

	ofp_buf_put_be32(b, e->meter_id);
	ofp_buf_put_be16(b, (uint16_t)(OFP_METER_STATS_FIXED_LEN + n * OFP_METER_BAND_STATS_LEN));
	ofp_buf_put_zeros(b, 6);
	ofp_buf_put_be32(b, e->flow_count);
	ofp_buf_put_be64(b, e->packet_in_count);
	ofp_buf_put_be64(b, e->byte_in_count);
	ofp_buf_put_be32(b, e->duration_sec);
	ofp_buf_put_be32(b, e->duration_nsec);
	for (uint16_t i = 0; i < n; i++) {
		ofp_buf_put_be64(b, e->bands[i].packet_count);
		ofp_buf_put_be64(b, e->bands[i].byte_count);
	}
	ofp_mp_entry_end(w, start);
}

void
ofp_mp_put_meter_config(struct ofp_mp_writer *w, const struct ofp_meter_config_entry *e)
{
	struct ofp_buf *b = w->b;
	size_t start = ofp_mp_entry_begin(w);
	uint16_t n = e->n_bands < OFP_MAX_METER_BANDS ? e->n_bands : OFP_MAX_METER_BANDS;

	ofp_buf_put_be16(b, (uint16_t)(OFP_METER_CONFIG_FIXED_LEN + n * OFP_METER_BAND_LEN));
	ofp_buf_put_be16(b, e->flags);
	ofp_buf_put_be32(b, e->meter_id);
	for (uint16_t i = 0; i < n; i++)
		band_encode(b, &e->bands[i]);
	ofp_mp_entry_end(w, start);
}

void
ofp_encode_meter_features_reply(struct ofp_buf *b, uint32_t xid, const struct ofp_meter_features *f)
{
	struct ofp_mp_writer w;

	ofp_mp_writer_begin(&w, b, xid, OFPMP_METER_FEATURES);
	ofp_buf_put_be32(b, f->max_meter);
	ofp_buf_put_be32(b, f->band_types);
	ofp_buf_put_be32(b, f->capabilities);
	ofp_buf_put_u8(b, f->max_bands);
	ofp_buf_put_u8(b, f->max_color);
	ofp_buf_put_zeros(b, 2);
	ofp_mp_writer_end(&w);
}

/* ---- reply decoders (controller side, tests) ---- */

ofp_err_t
ofp_mp_meter_stats_next(struct ofp_rd *r, struct ofp_meter_stats_entry *e)
{
	uint16_t len;
	struct ofp_rd ent;

	memset(e, 0, sizeof(*e));
	if (ofp_rd_left(r) < OFP_METER_STATS_FIXED_LEN)
		return BAD_LEN;
	ofp_rd_be32(r, &e->meter_id);
	ofp_rd_be16(r, &len);
	if (len < OFP_METER_STATS_FIXED_LEN ||
	    (len - OFP_METER_STATS_FIXED_LEN) % OFP_METER_BAND_STATS_LEN != 0 ||
	    !ofp_rd_sub(r, len - 6u, &ent))
		return BAD_LEN;
	ofp_rd_skip(&ent, 6);
	ofp_rd_be32(&ent, &e->flow_count);
	ofp_rd_be64(&ent, &e->packet_in_count);
	ofp_rd_be64(&ent, &e->byte_in_count);
	ofp_rd_be32(&ent, &e->duration_sec);
	ofp_rd_be32(&ent, &e->duration_nsec);
	while (ofp_rd_left(&ent) > 0) {
		if (e->n_bands == OFP_MAX_METER_BANDS)
			return BAD_LEN;
		ofp_rd_be64(&ent, &e->bands[e->n_bands].packet_count);
		ofp_rd_be64(&ent, &e->bands[e->n_bands].byte_count);
		e->n_bands++;
	}
	return OFP_OK;
}

ofp_err_t
ofp_mp_meter_config_next(struct ofp_rd *r, struct ofp_meter_config_entry *e)
{
	uint16_t len;
	struct ofp_rd ent;

	memset(e, 0, sizeof(*e));
	if (!ofp_rd_be16(r, &len) || len < OFP_METER_CONFIG_FIXED_LEN ||
	    !ofp_rd_sub(r, len - 2u, &ent))
		return BAD_LEN;
	ofp_rd_be16(&ent, &e->flags);
	ofp_rd_be32(&ent, &e->meter_id);
	while (ofp_rd_left(&ent) > 0) {
		if (e->n_bands == OFP_MAX_METER_BANDS)
			return BAD_LEN;
		ofp_err_t err = band_decode(&ent, &e->bands[e->n_bands]);
		if (err)
			return err;
		e->n_bands++;
	}
	return OFP_OK;
}

ofp_err_t
ofp_mp_meter_features_decode(struct ofp_rd *r, struct ofp_meter_features *f)
{
	memset(f, 0, sizeof(*f));
	if (ofp_rd_left(r) != OFP_METER_FEATURES_LEN)
		return BAD_LEN;
	ofp_rd_be32(r, &f->max_meter);
	ofp_rd_be32(r, &f->band_types);
	ofp_rd_be32(r, &f->capabilities);
	ofp_rd_u8(r, &f->max_bands);
	ofp_rd_u8(r, &f->max_color);
	return OFP_OK;
}
