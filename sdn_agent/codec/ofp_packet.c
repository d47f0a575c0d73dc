/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The messages about ports and packets: port descriptions, PORT_STATUS,
 * PACKET_IN, PACKET_OUT and FLOW_REMOVED (OpenFlow 1.3.5, 7.4 and 7.3.7).
 * The reader given to each decoder starts after the header and ends at
 * the message's end.
 */
#include <string.h>

#include "ofp.h"
#include "ofp_priv.h"

#define BAD_LEN OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN)

/* ---- ports ---- */

void
ofp_port_info_encode(struct ofp_buf *b, const struct ofp_port_info *p)
{
	char name[OFP_MAX_PORT_NAME_LEN] = { 0 };

	memcpy(name, p->name, strnlen(p->name, sizeof(name) - 1));
	ofp_buf_put_be32(b, p->port_no);
	ofp_buf_put_zeros(b, 4);
	ofp_buf_put(b, p->hw_addr, 6);
	ofp_buf_put_zeros(b, 2);
	ofp_buf_put(b, name, sizeof(name));
	ofp_buf_put_be32(b, p->config);
	ofp_buf_put_be32(b, p->state);
	ofp_buf_put_be32(b, p->curr);
	ofp_buf_put_be32(b, p->advertised);
	ofp_buf_put_be32(b, p->supported);
	ofp_buf_put_be32(b, p->peer);
	ofp_buf_put_be32(b, p->curr_speed);
	ofp_buf_put_be32(b, p->max_speed);
}

bool
ofp_port_info_decode(struct ofp_rd *r, struct ofp_port_info *p)
{
	memset(p, 0, sizeof(*p));
	if (ofp_rd_left(r) < sizeof(struct ofp_port))
		return false;
	ofp_rd_be32(r, &p->port_no);
	ofp_rd_skip(r, 4);
	ofp_rd_bytes(r, p->hw_addr, 6);
	ofp_rd_skip(r, 2);
	ofp_rd_bytes(r, p->name, sizeof(p->name));
	p->name[sizeof(p->name) - 1] = '\0';
	ofp_rd_be32(r, &p->config);
	ofp_rd_be32(r, &p->state);
	ofp_rd_be32(r, &p->curr);
	ofp_rd_be32(r, &p->advertised);
	ofp_rd_be32(r, &p->supported);
	ofp_rd_be32(r, &p->peer);
	ofp_rd_be32(r, &p->curr_speed);
	ofp_rd_be32(r, &p->max_speed);
	return true;
}

void
ofp_encode_port_status(struct ofp_buf *b, uint32_t xid, const struct ofp_port_status *ps)
{
	size_t start = ofp_msg_start(b, OFPT_PORT_STATUS, xid);

	ofp_buf_put_u8(b, ps->reason);
	ofp_buf_put_zeros(b, 7);
	ofp_port_info_encode(b, &ps->desc);
	ofp_msg_finish(b, start);
}

ofp_err_t
ofp_port_status_decode(struct ofp_rd *r, struct ofp_port_status *ps)
{
	if (ofp_rd_left(r) != sizeof(struct ofp_port_status_wire) - OFP_HEADER_LEN)
		return BAD_LEN;
	ofp_rd_u8(r, &ps->reason);
	ofp_rd_skip(r, 7);
	ofp_port_info_decode(r, &ps->desc);
	return OFP_OK;
}

/* ---- PACKET_IN, PACKET_OUT, FLOW_REMOVED ---- */

void
ofp_encode_packet_in(struct ofp_buf *b, uint32_t xid, const struct ofp_packet_in *pi)
{
	size_t start = ofp_msg_start(b, OFPT_PACKET_IN, xid);
	size_t room = OFP_MAX_MSG_LEN - 24 - 2 - 8 * 40; /* header + worst-case match */
	size_t data_len = pi->data_len < room ? pi->data_len : room;

	ofp_buf_put_be32(b, pi->buffer_id);
	ofp_buf_put_be16(b, pi->total_len);
	ofp_buf_put_u8(b, pi->reason);
	ofp_buf_put_u8(b, pi->table_id);
	ofp_buf_put_be64(b, pi->cookie);
	ofp_match_encode(b, &pi->match);
	ofp_buf_put_zeros(b, 2);
	ofp_buf_put(b, pi->data, data_len);
	ofp_msg_finish(b, start);
}

ofp_err_t
ofp_packet_in_decode(struct ofp_rd *r, struct ofp_packet_in *pi)
{
	ofp_err_t err;

	if (ofp_rd_left(r) < 16)
		return BAD_LEN;
	ofp_rd_be32(r, &pi->buffer_id);
	ofp_rd_be16(r, &pi->total_len);
	ofp_rd_u8(r, &pi->reason);
	ofp_rd_u8(r, &pi->table_id);
	ofp_rd_be64(r, &pi->cookie);
	if ((err = ofp_match_decode(r, &pi->match)))
		return err;
	if (!ofp_rd_skip(r, 2))
		return BAD_LEN;
	pi->data = ofp_rd_ptr(r);
	pi->data_len = ofp_rd_left(r);
	return OFP_OK;
}

void
ofp_encode_packet_out(struct ofp_buf *b, uint32_t xid, const struct ofp_packet_out *po)
{
	size_t start = ofp_msg_start(b, OFPT_PACKET_OUT, xid);

	ofp_buf_put_be32(b, po->buffer_id);
	ofp_buf_put_be32(b, po->in_port);
	ofp_buf_put_be16(b, 0);
	ofp_buf_put_zeros(b, 6);
	size_t actions = b->len;
	ofp_actions_encode(b, &po->actions);
	ofp_buf_set_be16(b, start + 16, (uint16_t)(b->len - actions));
	ofp_buf_put(b, po->data, po->data_len);
	ofp_msg_finish(b, start);
}

ofp_err_t
ofp_packet_out_decode(struct ofp_rd *r, struct ofp_packet_out *po)
{
	uint16_t actions_len;
	ofp_err_t err;

	if (ofp_rd_left(r) < sizeof(struct ofp_packet_out_fixed) - OFP_HEADER_LEN)
		return BAD_LEN;
	ofp_rd_be32(r, &po->buffer_id);
	ofp_rd_be32(r, &po->in_port);
	ofp_rd_be16(r, &actions_len);
	ofp_rd_skip(r, 6);
	if (actions_len > ofp_rd_left(r))
		return BAD_LEN;
	if (po->in_port == 0 || (po->in_port > OFPP_MAX && po->in_port != OFPP_CONTROLLER &&
				 po->in_port != OFPP_LOCAL && po->in_port != OFPP_ANY))
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	if ((err = ofp_actions_decode(r, actions_len, &po->actions)))
		return err;
	if (po->buffer_id != OFP_NO_BUFFER) {
		ofp_action_list_free(&po->actions);
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
	}
	po->data = ofp_rd_ptr(r);
	po->data_len = ofp_rd_left(r);
	return OFP_OK;
}

void
ofp_encode_flow_removed(struct ofp_buf *b, uint32_t xid, const struct ofp_flow_removed *fr)
{
	size_t start = ofp_msg_start(b, OFPT_FLOW_REMOVED, xid);

	ofp_buf_put_be64(b, fr->cookie);
	ofp_buf_put_be16(b, fr->priority);
	ofp_buf_put_u8(b, fr->reason);
	ofp_buf_put_u8(b, fr->table_id);
	ofp_buf_put_be32(b, fr->duration_sec);
	ofp_buf_put_be32(b, fr->duration_nsec);
	ofp_buf_put_be16(b, fr->idle_timeout);
	ofp_buf_put_be16(b, fr->hard_timeout);
	ofp_buf_put_be64(b, fr->packet_count);
	ofp_buf_put_be64(b, fr->byte_count);
	ofp_match_encode(b, &fr->match);
	ofp_msg_finish(b, start);
}

ofp_err_t
ofp_flow_removed_decode(struct ofp_rd *r, struct ofp_flow_removed *fr)
{
	if (ofp_rd_left(r) < sizeof(struct ofp_flow_removed_fixed) - OFP_HEADER_LEN)
		return BAD_LEN;
	ofp_rd_be64(r, &fr->cookie);
	ofp_rd_be16(r, &fr->priority);
	ofp_rd_u8(r, &fr->reason);
	ofp_rd_u8(r, &fr->table_id);
	ofp_rd_be32(r, &fr->duration_sec);
	ofp_rd_be32(r, &fr->duration_nsec);
	ofp_rd_be16(r, &fr->idle_timeout);
	ofp_rd_be16(r, &fr->hard_timeout);
	ofp_rd_be64(r, &fr->packet_count);
	ofp_rd_be64(r, &fr->byte_count);
	ofp_err_t err = ofp_match_decode(r, &fr->match);
	if (err)
		return err;
	return ofp_rd_left(r) == 0 ? OFP_OK : BAD_LEN;
}
