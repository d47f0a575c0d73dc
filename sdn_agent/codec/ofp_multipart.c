/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MULTIPART requests and replies (OpenFlow 1.3.5, 7.3.5).
 *
 * Requests decode into struct ofp_mp_request. Replies are written through
 * an ofp_mp_writer that splits them into messages of at most 64 KiB, each
 * but the last flagged OFPMPF_REPLY_MORE (a flow table of any size still
 * dumps). Types this switch does not serve (queues, experimenter)
 * get OFPBRC_BAD_MULTIPART (BAD_EXPERIMENTER) as the spec says.
 */
#include <string.h>

#include "ofp.h"

#define BAD_LEN OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN)
#define MP_HDR_LEN 16

static ofp_err_t
flow_stats_request_decode(struct ofp_rd *r, struct ofp_flow_stats_request *f)
{
	ofp_err_t err;

	if (ofp_rd_left(r) < sizeof(struct ofp_flow_stats_request_fixed))
		return BAD_LEN;
	ofp_rd_u8(r, &f->table_id);
	ofp_rd_skip(r, 3);
	ofp_rd_be32(r, &f->out_port);
	ofp_rd_be32(r, &f->out_group);
	ofp_rd_skip(r, 4);
	ofp_rd_be64(r, &f->cookie);
	ofp_rd_be64(r, &f->cookie_mask);
	if ((err = ofp_match_decode(r, &f->match)))
		return err;
	return ofp_rd_left(r) == 0 ? OFP_OK : BAD_LEN;
}

ofp_err_t
ofp_mp_request_decode(struct ofp_rd *r, struct ofp_mp_request *mp)
{
	memset(mp, 0, sizeof(*mp));
	if (!ofp_rd_be16(r, &mp->type) || !ofp_rd_be16(r, &mp->flags) || !ofp_rd_skip(r, 4))
		return BAD_LEN;
	/* Requests that span messages are only defined for TABLE_FEATURES
	 * settings, which this switch refuses anyway. */
	if (mp->flags & OFPMPF_REQ_MORE)
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_MULTIPART_BUFFER_OVERFLOW);

	switch (mp->type) {
	case OFPMP_DESC:
	case OFPMP_TABLE:
	case OFPMP_GROUP_DESC:
	case OFPMP_GROUP_FEATURES:
	case OFPMP_PORT_DESC:
	case OFPMP_METER_FEATURES:
		return ofp_rd_left(r) == 0 ? OFP_OK : BAD_LEN;
	case OFPMP_FLOW:
	case OFPMP_AGGREGATE:
		return flow_stats_request_decode(r, &mp->u.flow);
	case OFPMP_PORT_STATS:
		if (ofp_rd_left(r) != 8)
			return BAD_LEN;
		ofp_rd_be32(r, &mp->u.port_no);
		return OFP_OK;
	case OFPMP_GROUP:
		if (ofp_rd_left(r) != 8)
			return BAD_LEN;
		ofp_rd_be32(r, &mp->u.group_id);
		return OFP_OK;
	case OFPMP_METER:
	case OFPMP_METER_CONFIG:
		if (ofp_rd_left(r) != 8)
			return BAD_LEN;
		ofp_rd_be32(r, &mp->u.meter_id);
		return OFP_OK;
	case OFPMP_TABLE_FEATURES:
		/* An empty body asks; a body would reconfigure the pipeline. */
		return ofp_rd_left(r) == 0 ? OFP_OK
					   : OFP_ERR(OFPET_TABLE_FEATURES_FAILED, OFPTFFC_EPERM);
	case OFPMP_EXPERIMENTER:
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_EXPERIMENTER);
	default: /* QUEUE, undefined */
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
	}
}

void
ofp_encode_mp_request(struct ofp_buf *b, uint32_t xid, const struct ofp_mp_request *mp)
{
	size_t start = ofp_msg_start(b, OFPT_MULTIPART_REQUEST, xid);

	ofp_buf_put_be16(b, mp->type);
	ofp_buf_put_be16(b, mp->flags);
	ofp_buf_put_zeros(b, 4);
	switch (mp->type) {
	case OFPMP_FLOW:
	case OFPMP_AGGREGATE:
		ofp_buf_put_u8(b, mp->u.flow.table_id);
		ofp_buf_put_zeros(b, 3);
		ofp_buf_put_be32(b, mp->u.flow.out_port);
		ofp_buf_put_be32(b, mp->u.flow.out_group);
		ofp_buf_put_zeros(b, 4);
		ofp_buf_put_be64(b, mp->u.flow.cookie);
		ofp_buf_put_be64(b, mp->u.flow.cookie_mask);
		ofp_match_encode(b, &mp->u.flow.match);
		break;
	case OFPMP_PORT_STATS:
		ofp_buf_put_be32(b, mp->u.port_no);
		ofp_buf_put_zeros(b, 4);
		break;
	case OFPMP_GROUP:
		ofp_buf_put_be32(b, mp->u.group_id);
		ofp_buf_put_zeros(b, 4);
		break;
	case OFPMP_METER:
	case OFPMP_METER_CONFIG:
		ofp_buf_put_be32(b, mp->u.meter_id);
		ofp_buf_put_zeros(b, 4);
		break;
	}
	ofp_msg_finish(b, start);
}

ofp_err_t
ofp_mp_reply_decode(struct ofp_rd *r, struct ofp_mp_reply *mp)
{
	memset(mp, 0, sizeof(*mp));
	if (!ofp_rd_be16(r, &mp->type) || !ofp_rd_be16(r, &mp->flags) || !ofp_rd_skip(r, 4))
		return BAD_LEN;
	mp->body.data = ofp_rd_ptr(r);
	mp->body.len = ofp_rd_left(r);
	return OFP_OK;
}

/* ---- reply writer ---- */

static size_t
mp_header_put(struct ofp_buf *b, uint32_t xid, uint16_t type)
{
	size_t start = ofp_msg_start(b, OFPT_MULTIPART_REPLY, xid);

	ofp_buf_put_be16(b, type);
	ofp_buf_put_be16(b, 0);
	ofp_buf_put_zeros(b, 4);
	return start;
}

void
ofp_mp_writer_begin(struct ofp_mp_writer *w, struct ofp_buf *b, uint32_t xid, uint16_t type)
{
	w->b = b;
	w->xid = xid;
	w->type = type;
	w->max_msg_len = OFP_MAX_MSG_LEN;
	w->n_msgs = 1;
	w->msg_start = mp_header_put(b, xid, type);
}

size_t
ofp_mp_entry_begin(struct ofp_mp_writer *w)
{
	return w->b->len;
}

void
ofp_mp_entry_end(struct ofp_mp_writer *w, size_t entry_start)
{
	struct ofp_buf *b = w->b;

	if (b->failed || b->len - w->msg_start <= w->max_msg_len)
		return;
	if (entry_start == w->msg_start + MP_HDR_LEN) {
		/* One entry alone overflows: cannot happen for 16-bit entry
		 * lengths under the 64 KiB limit; refuse rather than truncate. */
		if (b->len - w->msg_start > OFP_MAX_MSG_LEN)
			b->failed = true;
		return;
	}
	/* Close the current message before this entry, flagged "more". */
	ofp_buf_set_be16(b, w->msg_start + 2, (uint16_t)(entry_start - w->msg_start));
	ofp_buf_set_be16(b, w->msg_start + 10, OFPMPF_REPLY_MORE);
	/* Open a new one in front of the entry. */
	size_t entry_len = b->len - entry_start;
	if (ofp_buf_put_zeros(b, MP_HDR_LEN) == NULL)
		return;
	memmove(b->data + entry_start + MP_HDR_LEN, b->data + entry_start, entry_len);
	uint8_t *h = b->data + entry_start;
	memset(h, 0, MP_HDR_LEN);
	h[0] = OFP_VERSION_1_3;
	h[1] = OFPT_MULTIPART_REPLY;
	be32_store(h + 4, w->xid);
	be16_store(h + 8, w->type);
	w->msg_start = entry_start;
	w->n_msgs++;
}

void
ofp_mp_writer_end(struct ofp_mp_writer *w)
{
	ofp_msg_finish(w->b, w->msg_start);
}

/* ---- single-message replies ---- */

static void
put_str(struct ofp_buf *b, const char *s, size_t field_len)
{
	uint8_t *d = ofp_buf_put_zeros(b, field_len);

	if (d != NULL && s != NULL)
		strncpy((char *)d, s, field_len - 1);
}

void
ofp_encode_desc_reply(struct ofp_buf *b, uint32_t xid, const struct ofp_desc_info *d)
{
	size_t start = mp_header_put(b, xid, OFPMP_DESC);

	put_str(b, d->mfr, OFP_DESC_STR_LEN);
	put_str(b, d->hw, OFP_DESC_STR_LEN);
	put_str(b, d->sw, OFP_DESC_STR_LEN);
	put_str(b, d->serial, OFP_SERIAL_NUM_LEN);
	put_str(b, d->dp, OFP_DESC_STR_LEN);
	ofp_msg_finish(b, start);
}

void
ofp_encode_aggregate_reply(struct ofp_buf *b, uint32_t xid, const struct ofp_aggregate_stats *a)
{
	size_t start = mp_header_put(b, xid, OFPMP_AGGREGATE);

	ofp_buf_put_be64(b, a->packet_count);
	ofp_buf_put_be64(b, a->byte_count);
	ofp_buf_put_be32(b, a->flow_count);
	ofp_buf_put_zeros(b, 4);
	ofp_msg_finish(b, start);
}

/* Actions this switch performs, as a 1.3 bitmap of (1 << OFPAT_*). */
#define OFP_SUPPORTED_ACTIONS                                                      \
	((1u << OFPAT_OUTPUT) | (1u << OFPAT_COPY_TTL_OUT) | (1u << OFPAT_COPY_TTL_IN) | \
	 (1u << OFPAT_SET_MPLS_TTL) | (1u << OFPAT_DEC_MPLS_TTL) | (1u << OFPAT_PUSH_VLAN) | \
	 (1u << OFPAT_POP_VLAN) | (1u << OFPAT_PUSH_MPLS) | (1u << OFPAT_POP_MPLS) |       \
	 (1u << OFPAT_GROUP) | (1u << OFPAT_SET_NW_TTL) | (1u << OFPAT_DEC_NW_TTL) |       \
	 (1u << OFPAT_SET_FIELD))

void
ofp_encode_group_features_reply(struct ofp_buf *b, uint32_t xid)
{
	size_t start = mp_header_put(b, xid, OFPMP_GROUP_FEATURES);

	ofp_buf_put_be32(b, (1u << OFPGT_ALL) | (1u << OFPGT_SELECT) | (1u << OFPGT_INDIRECT) |
				    (1u << OFPGT_FF));
	ofp_buf_put_be32(b, OFPGFC_SELECT_WEIGHT | OFPGFC_SELECT_LIVENESS | OFPGFC_CHAINING |
				    OFPGFC_CHAINING_CHECKS);
	for (int i = 0; i < 4; i++)
		ofp_buf_put_be32(b, 4096);
	for (int i = 0; i < 4; i++)
		ofp_buf_put_be32(b, OFP_SUPPORTED_ACTIONS);
	ofp_msg_finish(b, start);
}

/* ---- entries ---- */

void
ofp_mp_put_flow_stats(struct ofp_mp_writer *w, const struct ofp_flow_stats_entry *e)
{
	struct ofp_buf *b = w->b;
	size_t start = ofp_mp_entry_begin(w);

	ofp_buf_put_be16(b, 0);
	ofp_buf_put_u8(b, e->table_id);
	ofp_buf_put_u8(b, 0);
	ofp_buf_put_be32(b, e->duration_sec);
	ofp_buf_put_be32(b, e->duration_nsec);
	ofp_buf_put_be16(b, e->priority);
	ofp_buf_put_be16(b, e->idle_timeout);
	ofp_buf_put_be16(b, e->hard_timeout);
	ofp_buf_put_be16(b, e->flags);
	ofp_buf_put_zeros(b, 4);
	ofp_buf_put_be64(b, e->cookie);
	ofp_buf_put_be64(b, e->packet_count);
	ofp_buf_put_be64(b, e->byte_count);
	ofp_match_encode(b, &e->match);
	ofp_instructions_encode(b, &e->insts);
	ofp_buf_set_be16(b, start, (uint16_t)(b->len - start));
	ofp_mp_entry_end(w, start);
}

void
ofp_mp_put_table_stats(struct ofp_mp_writer *w, const struct ofp_table_stats_entry *e)
{
	size_t start = ofp_mp_entry_begin(w);

	ofp_buf_put_u8(w->b, e->table_id);
	ofp_buf_put_zeros(w->b, 3);
	ofp_buf_put_be32(w->b, e->active_count);
	ofp_buf_put_be64(w->b, e->lookup_count);
	ofp_buf_put_be64(w->b, e->matched_count);
	ofp_mp_entry_end(w, start);
}

void
ofp_mp_put_port_stats(struct ofp_mp_writer *w, const struct ofp_port_stats_entry *e)
{
	struct ofp_buf *b = w->b;
	size_t start = ofp_mp_entry_begin(w);

	ofp_buf_put_be32(b, e->port_no);
	ofp_buf_put_zeros(b, 4);
	ofp_buf_put_be64(b, e->rx_packets);
	ofp_buf_put_be64(b, e->tx_packets);
	ofp_buf_put_be64(b, e->rx_bytes);
	ofp_buf_put_be64(b, e->tx_bytes);
	ofp_buf_put_be64(b, e->rx_dropped);
	ofp_buf_put_be64(b, e->tx_dropped);
	ofp_buf_put_be64(b, e->rx_errors);
	ofp_buf_put_be64(b, e->tx_errors);
	/* Counters a DPDK port does not report are all-ones (7.3.5.6). */
	for (int i = 0; i < 4; i++)
		ofp_buf_put_be64(b, UINT64_MAX);
	ofp_buf_put_be32(b, e->duration_sec);
	ofp_buf_put_be32(b, e->duration_nsec);
	ofp_mp_entry_end(w, start);
}

void
ofp_mp_put_port_desc(struct ofp_mp_writer *w, const struct ofp_port_info *p)
{
	size_t start = ofp_mp_entry_begin(w);

	ofp_port_info_encode(w->b, p);
	ofp_mp_entry_end(w, start);
}

void
ofp_mp_put_group_stats(struct ofp_mp_writer *w, const struct ofp_group_stats_entry *e)
{
	struct ofp_buf *b = w->b;
	size_t start = ofp_mp_entry_begin(w);

	ofp_buf_put_be16(b, 0);
	ofp_buf_put_zeros(b, 2);
	ofp_buf_put_be32(b, e->group_id);
	ofp_buf_put_be32(b, e->ref_count);
	ofp_buf_put_zeros(b, 4);
	ofp_buf_put_be64(b, e->packet_count);
	ofp_buf_put_be64(b, e->byte_count);
	ofp_buf_put_be32(b, e->duration_sec);
	ofp_buf_put_be32(b, e->duration_nsec);
	for (uint16_t i = 0; i < e->n_buckets; i++) {
		ofp_buf_put_be64(b, e->buckets[i].packet_count);
		ofp_buf_put_be64(b, e->buckets[i].byte_count);
	}
	ofp_buf_set_be16(b, start, (uint16_t)(b->len - start));
	ofp_mp_entry_end(w, start);
}

void
ofp_mp_put_group_desc(struct ofp_mp_writer *w, const struct ofp_group_desc_entry *e)
{
	struct ofp_buf *b = w->b;
	size_t start = ofp_mp_entry_begin(w);

	ofp_buf_put_be16(b, 0);
	ofp_buf_put_u8(b, e->type);
	ofp_buf_put_u8(b, 0);
	ofp_buf_put_be32(b, e->group_id);
	ofp_buckets_encode(b, e->buckets, e->n_buckets);
	ofp_buf_set_be16(b, start, (uint16_t)(b->len - start));
	ofp_mp_entry_end(w, start);
}

/* ---- reply-body decoders (controller side) ---- */

ofp_err_t
ofp_mp_desc_decode(struct ofp_rd *r, struct ofp_desc *d)
{
	if (ofp_rd_left(r) != sizeof(*d))
		return BAD_LEN;
	ofp_rd_bytes(r, d, sizeof(*d));
	d->mfr_desc[OFP_DESC_STR_LEN - 1] = '\0';
	d->hw_desc[OFP_DESC_STR_LEN - 1] = '\0';
	d->sw_desc[OFP_DESC_STR_LEN - 1] = '\0';
	d->serial_num[OFP_SERIAL_NUM_LEN - 1] = '\0';
	d->dp_desc[OFP_DESC_STR_LEN - 1] = '\0';
	return OFP_OK;
}

ofp_err_t
ofp_mp_aggregate_decode(struct ofp_rd *r, struct ofp_aggregate_stats *a)
{
	if (ofp_rd_left(r) != sizeof(struct ofp_aggregate_stats_reply))
		return BAD_LEN;
	ofp_rd_be64(r, &a->packet_count);
	ofp_rd_be64(r, &a->byte_count);
	ofp_rd_be32(r, &a->flow_count);
	return OFP_OK;
}

ofp_err_t
ofp_mp_flow_stats_next(struct ofp_rd *r, struct ofp_flow_stats_entry *e)
{
	uint16_t len;
	struct ofp_rd ent;
	ofp_err_t err;

	memset(e, 0, sizeof(*e));
	if (!ofp_rd_be16(r, &len) || len < sizeof(struct ofp_flow_stats_fixed) ||
	    !ofp_rd_sub(r, len - 2u, &ent))
		return BAD_LEN;
	ofp_rd_u8(&ent, &e->table_id);
	ofp_rd_skip(&ent, 1);
	ofp_rd_be32(&ent, &e->duration_sec);
	ofp_rd_be32(&ent, &e->duration_nsec);
	ofp_rd_be16(&ent, &e->priority);
	ofp_rd_be16(&ent, &e->idle_timeout);
	ofp_rd_be16(&ent, &e->hard_timeout);
	ofp_rd_be16(&ent, &e->flags);
	ofp_rd_skip(&ent, 4);
	ofp_rd_be64(&ent, &e->cookie);
	ofp_rd_be64(&ent, &e->packet_count);
	ofp_rd_be64(&ent, &e->byte_count);
	if ((err = ofp_match_decode(&ent, &e->match)))
		return err;
	return ofp_instructions_decode(&ent, ofp_rd_left(&ent), &e->insts);
}

ofp_err_t
ofp_mp_group_desc_next(struct ofp_rd *r, uint8_t *type, uint32_t *group_id,
		       struct ofp_bucket **buckets, uint16_t *n_buckets)
{
	uint16_t len;
	struct ofp_rd ent;

	if (!ofp_rd_be16(r, &len) || len < sizeof(struct ofp_group_desc_fixed) ||
	    !ofp_rd_sub(r, len - 2u, &ent))
		return BAD_LEN;
	ofp_rd_u8(&ent, type);
	ofp_rd_skip(&ent, 1);
	ofp_rd_be32(&ent, group_id);
	return ofp_buckets_decode(&ent, ofp_rd_left(&ent), *type, buckets, n_buckets);
}
