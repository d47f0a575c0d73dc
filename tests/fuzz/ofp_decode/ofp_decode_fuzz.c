/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arbitrary bytes as an OpenFlow stream: frame it, decode every message.
 * Whatever decodes must re-encode to something that decodes again to the
 * same thing (FLOW_MOD, GROUP_MOD, PACKET_OUT), and every refusal must
 * carry an error type the spec defines; an ERROR reply is built for it.
 * The same messages then go through a session over a fresh switch, so the
 * switch logic (flow and group tables, stats replies) meets them too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "of_session.h"
#include "ofp.h"

static void
check_reencode(const struct ofp_msg *m)
{
	struct ofp_buf b;
	struct ofp_msg again;

	ofp_buf_init(&b);
	switch (m->h.type) {
	case OFPT_FLOW_MOD: ofp_encode_flow_mod(&b, m->h.xid, &m->u.flow_mod); break;
	case OFPT_GROUP_MOD: ofp_encode_group_mod(&b, m->h.xid, &m->u.group_mod); break;
	case OFPT_PACKET_OUT: ofp_encode_packet_out(&b, m->h.xid, &m->u.packet_out); break;
	default: ofp_buf_free(&b); return;
	}
	if (b.failed)
		abort();
	if (ofp_decode(b.data, b.len, &again) != OFP_OK)
		abort();
	if (m->h.type == OFPT_FLOW_MOD &&
	    memcmp(&again.u.flow_mod.match, &m->u.flow_mod.match, sizeof(struct ofp_match)) != 0)
		abort();
	ofp_msg_release(&again);
	ofp_buf_free(&b);
}

static void
walk_reply(const struct ofp_msg *m)
{
	struct ofp_rd r;

	ofp_rd_init(&r, m->u.mp_reply.body.data, m->u.mp_reply.body.len);
	while (ofp_rd_left(&r) > 0) {
		if (m->u.mp_reply.type == OFPMP_FLOW) {
			struct ofp_flow_stats_entry e;
			if (ofp_mp_flow_stats_next(&r, &e) != OFP_OK)
				return;
			ofp_instructions_free(&e.insts);
		} else if (m->u.mp_reply.type == OFPMP_GROUP_DESC) {
			uint8_t type;
			uint32_t id;
			struct ofp_bucket *bk;
			uint16_t n;
			if (ofp_mp_group_desc_next(&r, &type, &id, &bk, &n) != OFP_OK)
				return;
			ofp_buckets_free(bk, n);
		} else {
			return;
		}
	}
}

static bool
any_port(void *ctx, uint32_t port)
{
	return port < 8 || (port > 1000 && port < 1004);
}

static unsigned
two_ports(void *ctx, struct ofp_port_info *out, unsigned max)
{
	memset(out, 0, 2 * sizeof(*out));
	out[0].port_no = 1;
	out[1].port_no = 1001;
	return 2;
}

static void
through_session(const uint8_t *data, size_t size)
{
	static const struct of_datapath_ops ops = { .port_list = two_ports };
	struct of_switch sw;
	struct of_session s;
	struct ofp_buf out;
	size_t off = 0, len;
	uint64_t now = 0;

	ofs_init(&sw, 4, 64, 16);
	sw.port_exists = any_port;
	of_session_init(&s, &sw, &ops, 1);
	s.negotiated = true;
	ofp_buf_init(&out);
	while (off < size && ofp_frame_len(data + off, size - off, &len) == OFP_OK && len &&
	       len <= size - off) {
		of_session_handle(&s, data + off, len, now, &out);
		now += 1500;
		ofs_expire(&sw, now);
		if (out.failed)
			abort();
		ofp_buf_reset(&out);
		off += len;
	}
	ofp_buf_free(&out);
	ofs_destroy(&sw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	through_session(data, size);

	while (off < size) {
		size_t len;
		struct ofp_msg m;

		if (ofp_frame_len(data + off, size - off, &len) != OFP_OK || len == 0 ||
		    len > size - off)
			break;
		ofp_err_t err = ofp_decode(data + off, len, &m);
		if (err) {
			if (OFP_ERR_TYPE(err) > OFPET_TABLE_FEATURES_FAILED)
				abort();
			struct ofp_buf b;
			ofp_buf_init(&b);
			ofp_encode_error(&b, m.h.xid, err, data + off, len);
			ofp_buf_free(&b);
		} else {
			check_reencode(&m);
			if (m.h.type == OFPT_MULTIPART_REPLY)
				walk_reply(&m);
			ofp_msg_release(&m);
		}
		off += len;
	}
	return 0;
}
