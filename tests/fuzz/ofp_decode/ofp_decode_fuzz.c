/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arbitrary bytes as an OpenFlow stream: frame it, decode every message.
 * Whatever decodes must re-encode to something that decodes again to the
 * same thing (FLOW_MOD, GROUP_MOD, PACKET_OUT), and every refusal must
 * carry an error type the spec defines; an ERROR reply is built for it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

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
