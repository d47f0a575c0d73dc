/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message framing and the top-level decoder, plus the small fixed-layout
 * messages: HELLO, ERROR, ECHO, FEATURES, GET/SET_CONFIG, BARRIER, ROLE.
 * Port and packet messages are in ofp_packet.c.
 *
 * The header's length must equal the bytes given; each body decoder gets
 * a reader bounded by that length, so nothing can read past the message.
 */
#include <string.h>

#include "ofp.h"
#include "ofp_priv.h"

#define BAD_LEN OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN)

size_t
ofp_msg_start(struct ofp_buf *b, uint8_t type, uint32_t xid)
{
	size_t start = b->len;

	ofp_buf_put_u8(b, OFP_VERSION_1_3);
	ofp_buf_put_u8(b, type);
	ofp_buf_put_be16(b, OFP_HEADER_LEN);
	ofp_buf_put_be32(b, xid);
	return start;
}

void
ofp_msg_finish(struct ofp_buf *b, size_t start)
{
	size_t len = b->len - start;

	/* A message that cannot be expressed in 16 bits is a caller bug; the
	 * multipart writer splits long replies before this point. */
	if (len > OFP_MAX_MSG_LEN)
		b->failed = true;
	ofp_buf_set_be16(b, start + 2, (uint16_t)len);
}

ofp_err_t
ofp_frame_len(const uint8_t *buf, size_t avail, size_t *msg_len)
{
	*msg_len = 0;
	if (avail < OFP_HEADER_LEN)
		return OFP_OK;
	uint16_t len = be16_load(buf + 2);
	if (len < OFP_HEADER_LEN)
		return BAD_LEN;
	*msg_len = len;
	return OFP_OK;
}

/* ---- HELLO ---- */

static ofp_err_t
hello_decode(struct ofp_rd *r, struct ofp_hello *h)
{
	h->bitmap = 0;
	while (ofp_rd_left(r) > 0) {
		uint16_t type, len;
		struct ofp_rd el;

		if (!ofp_rd_be16(r, &type) || !ofp_rd_be16(r, &len) || len < 4 ||
		    !ofp_rd_sub(r, len - 4u, &el))
			return BAD_LEN;
		/* Elements are padded to 8 bytes; the last may end the message. */
		size_t pad = (8 - len % 8) % 8;
		if (!ofp_rd_skip(r, pad < ofp_rd_left(r) ? pad : ofp_rd_left(r)))
			return BAD_LEN;
		if (type == OFPHET_VERSIONBITMAP) {
			if ((len - 4u) % 4 != 0)
				return BAD_LEN;
			/* Versions above 31 are beyond 1.3's concern. */
			if (ofp_rd_left(&el) >= 4)
				ofp_rd_be32(&el, &h->bitmap);
		}
		/* Unknown element types are ignored (7.5.1). */
	}
	return OFP_OK;
}

ofp_err_t
ofp_hello_negotiate(const struct ofp_msg *hello, uint8_t *version)
{
	const uint32_t ours = 1u << OFP_VERSION_1_3;

	if (hello->u.hello.bitmap != 0) {
		if (!(hello->u.hello.bitmap & ours))
			return OFP_ERR(OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE);
	} else if (hello->h.version < OFP_VERSION_1_3) {
		return OFP_ERR(OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE);
	}
	*version = OFP_VERSION_1_3;
	return OFP_OK;
}

void
ofp_encode_hello(struct ofp_buf *b, uint32_t xid, uint32_t version_bitmap)
{
	size_t start = ofp_msg_start(b, OFPT_HELLO, xid);

	ofp_buf_put_be16(b, OFPHET_VERSIONBITMAP);
	ofp_buf_put_be16(b, 8);
	ofp_buf_put_be32(b, version_bitmap);
	ofp_msg_finish(b, start);
}

/* ---- ERROR, ECHO, empty bodies ---- */

void
ofp_encode_error_raw(struct ofp_buf *b, uint32_t xid, uint16_t type, uint16_t code,
		     const uint8_t *data, size_t data_len)
{
	size_t start = ofp_msg_start(b, OFPT_ERROR, xid);

	ofp_buf_put_be16(b, type);
	ofp_buf_put_be16(b, code);
	if (data_len > OFP_MAX_MSG_LEN - 12)
		data_len = OFP_MAX_MSG_LEN - 12;
	ofp_buf_put(b, data, data_len);
	ofp_msg_finish(b, start);
}

void
ofp_encode_error(struct ofp_buf *b, uint32_t xid, ofp_err_t err,
		 const uint8_t *offending, size_t offending_len)
{
	if (offending_len > OFP_ERROR_ECHO_LEN)
		offending_len = OFP_ERROR_ECHO_LEN;
	ofp_encode_error_raw(b, xid, OFP_ERR_TYPE(err), OFP_ERR_CODE(err), offending,
			     offending_len);
}

void
ofp_encode_echo(struct ofp_buf *b, uint8_t type, uint32_t xid, const uint8_t *data, size_t len)
{
	size_t start = ofp_msg_start(b, type, xid);

	if (len > OFP_MAX_MSG_LEN - OFP_HEADER_LEN)
		len = OFP_MAX_MSG_LEN - OFP_HEADER_LEN;
	ofp_buf_put(b, data, len);
	ofp_msg_finish(b, start);
}

void
ofp_encode_empty(struct ofp_buf *b, uint8_t type, uint32_t xid)
{
	ofp_msg_finish(b, ofp_msg_start(b, type, xid));
}

/* ---- FEATURES, CONFIG, ROLE ---- */

void
ofp_encode_features_reply(struct ofp_buf *b, uint32_t xid, const struct ofp_features *f)
{
	size_t start = ofp_msg_start(b, OFPT_FEATURES_REPLY, xid);

	ofp_buf_put_be64(b, f->datapath_id);
	ofp_buf_put_be32(b, f->n_buffers);
	ofp_buf_put_u8(b, f->n_tables);
	ofp_buf_put_u8(b, f->auxiliary_id);
	ofp_buf_put_zeros(b, 2);
	ofp_buf_put_be32(b, f->capabilities);
	ofp_buf_put_be32(b, 0);
	ofp_msg_finish(b, start);
}

static ofp_err_t
features_decode(struct ofp_rd *r, struct ofp_features *f)
{
	if (ofp_rd_left(r) != 24)
		return BAD_LEN;
	ofp_rd_be64(r, &f->datapath_id);
	ofp_rd_be32(r, &f->n_buffers);
	ofp_rd_u8(r, &f->n_tables);
	ofp_rd_u8(r, &f->auxiliary_id);
	ofp_rd_skip(r, 2);
	ofp_rd_be32(r, &f->capabilities);
	return OFP_OK;
}

void
ofp_encode_config(struct ofp_buf *b, uint8_t type, uint32_t xid, const struct ofp_config *c)
{
	size_t start = ofp_msg_start(b, type, xid);

	ofp_buf_put_be16(b, c->flags);
	ofp_buf_put_be16(b, c->miss_send_len);
	ofp_msg_finish(b, start);
}

static ofp_err_t
config_decode(struct ofp_rd *r, uint8_t type, struct ofp_config *c)
{
	if (ofp_rd_left(r) != 4)
		return BAD_LEN;
	ofp_rd_be16(r, &c->flags);
	ofp_rd_be16(r, &c->miss_send_len);
	if (type == OFPT_SET_CONFIG) {
		if (c->flags & ~(uint16_t)OFPC_FRAG_MASK)
			return OFP_ERR(OFPET_SWITCH_CONFIG_FAILED, OFPSCFC_BAD_FLAGS);
		if (c->miss_send_len > OFPCML_MAX && c->miss_send_len != OFPCML_NO_BUFFER)
			return OFP_ERR(OFPET_SWITCH_CONFIG_FAILED, OFPSCFC_BAD_LEN);
	}
	return OFP_OK;
}

void
ofp_encode_role(struct ofp_buf *b, uint8_t type, uint32_t xid, const struct ofp_role *r)
{
	size_t start = ofp_msg_start(b, type, xid);

	ofp_buf_put_be32(b, r->role);
	ofp_buf_put_zeros(b, 4);
	ofp_buf_put_be64(b, r->generation_id);
	ofp_msg_finish(b, start);
}

static ofp_err_t
role_decode(struct ofp_rd *r, struct ofp_role *role)
{
	if (ofp_rd_left(r) != 16)
		return BAD_LEN;
	ofp_rd_be32(r, &role->role);
	ofp_rd_skip(r, 4);
	ofp_rd_be64(r, &role->generation_id);
	if (role->role > OFPCR_ROLE_SLAVE)
		return OFP_ERR(OFPET_ROLE_REQUEST_FAILED, OFPRRFC_BAD_ROLE);
	return OFP_OK;
}

/* ---- the top-level decoder ---- */

static ofp_err_t
expect_empty(struct ofp_rd *r)
{
	return ofp_rd_left(r) == 0 ? OFP_OK : BAD_LEN;
}

static ofp_err_t
body_decode(struct ofp_rd *r, struct ofp_msg *m)
{
	switch (m->h.type) {
	case OFPT_HELLO:
		return hello_decode(r, &m->u.hello);
	case OFPT_ERROR:
		if (!ofp_rd_be16(r, &m->u.error.type) || !ofp_rd_be16(r, &m->u.error.code))
			return BAD_LEN;
		m->u.error.data = ofp_rd_ptr(r);
		m->u.error.data_len = ofp_rd_left(r);
		return OFP_OK;
	case OFPT_ECHO_REQUEST:
	case OFPT_ECHO_REPLY:
		m->u.echo.data = ofp_rd_ptr(r);
		m->u.echo.len = ofp_rd_left(r);
		return OFP_OK;
	case OFPT_EXPERIMENTER:
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_EXPERIMENTER);
	case OFPT_FEATURES_REQUEST:
	case OFPT_GET_CONFIG_REQUEST:
	case OFPT_BARRIER_REQUEST:
	case OFPT_BARRIER_REPLY:
		return expect_empty(r);
	case OFPT_FEATURES_REPLY:
		return features_decode(r, &m->u.features);
	case OFPT_GET_CONFIG_REPLY:
	case OFPT_SET_CONFIG:
		return config_decode(r, m->h.type, &m->u.config);
	case OFPT_PACKET_IN:
		return ofp_packet_in_decode(r, &m->u.packet_in);
	case OFPT_FLOW_REMOVED:
		return ofp_flow_removed_decode(r, &m->u.flow_removed);
	case OFPT_PORT_STATUS:
		return ofp_port_status_decode(r, &m->u.port_status);
	case OFPT_PACKET_OUT:
		return ofp_packet_out_decode(r, &m->u.packet_out);
	case OFPT_FLOW_MOD:
		return ofp_flow_mod_decode(r, &m->u.flow_mod);
	case OFPT_GROUP_MOD:
		return ofp_group_mod_decode(r, &m->u.group_mod);
	case OFPT_PORT_MOD:
		return ofp_port_mod_decode(r, &m->u.port_mod);
	case OFPT_TABLE_MOD:
		return ofp_table_mod_decode(r, &m->u.table_mod);
	case OFPT_MULTIPART_REQUEST:
		return ofp_mp_request_decode(r, &m->u.mp_request);
	case OFPT_MULTIPART_REPLY:
		return ofp_mp_reply_decode(r, &m->u.mp_reply);
	case OFPT_ROLE_REQUEST:
	case OFPT_ROLE_REPLY:
		return role_decode(r, &m->u.role);
	case OFPT_METER_MOD:
		return ofp_meter_mod_decode(r, &m->u.meter_mod);
	default:
		/* QUEUE_GET_CONFIG, GET/SET_ASYNC and undefined types. */
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	}
}

ofp_err_t
ofp_decode(const uint8_t *msg, size_t len, struct ofp_msg *out)
{
	struct ofp_rd r;

	memset(out, 0, sizeof(*out));
	ofp_rd_init(&r, msg, len);
	if (!ofp_rd_u8(&r, &out->h.version) || !ofp_rd_u8(&r, &out->h.type) ||
	    !ofp_rd_be16(&r, &out->h.length) || !ofp_rd_be32(&r, &out->h.xid))
		return BAD_LEN;
	if (out->h.length != len || len < OFP_HEADER_LEN)
		return BAD_LEN;
	if (out->h.version != OFP_VERSION_1_3 && out->h.type != OFPT_HELLO &&
	    out->h.type != OFPT_ERROR)
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION);

	ofp_err_t err = body_decode(&r, out);
	if (err) {
		/* Decoders free what they allocated before failing; clear the
		 * body so a stray release is harmless. */
		struct ofp_hdr h = out->h;
		memset(out, 0, sizeof(*out));
		out->h = h;
	}
	return err;
}

void
ofp_msg_release(struct ofp_msg *m)
{
	switch (m->h.type) {
	case OFPT_PACKET_OUT:
		ofp_action_list_free(&m->u.packet_out.actions);
		break;
	case OFPT_FLOW_MOD:
		ofp_instructions_free(&m->u.flow_mod.insts);
		break;
	case OFPT_GROUP_MOD:
		ofp_buckets_free(m->u.group_mod.buckets, m->u.group_mod.n_buckets);
		m->u.group_mod.buckets = NULL;
		m->u.group_mod.n_buckets = 0;
		break;
	}
}

const char *
ofp_type_name(uint8_t type)
{
	static const char *const names[] = {
		"HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "EXPERIMENTER",
		"FEATURES_REQUEST", "FEATURES_REPLY", "GET_CONFIG_REQUEST",
		"GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN", "FLOW_REMOVED",
		"PORT_STATUS", "PACKET_OUT", "FLOW_MOD", "GROUP_MOD", "PORT_MOD",
		"TABLE_MOD", "MULTIPART_REQUEST", "MULTIPART_REPLY", "BARRIER_REQUEST",
		"BARRIER_REPLY", "QUEUE_GET_CONFIG_REQUEST", "QUEUE_GET_CONFIG_REPLY",
		"ROLE_REQUEST", "ROLE_REPLY", "GET_ASYNC_REQUEST", "GET_ASYNC_REPLY",
		"SET_ASYNC", "METER_MOD",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "UNKNOWN";
}
