/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Actions and instructions (OpenFlow 1.3.5, 7.2.4 and 7.2.5).
 *
 * Each action header is checked before its body: a length that is not a
 * multiple of 8, shorter than the action or longer than what is left is
 * OFPBAC_BAD_LEN; an action type 1.3 does not define is OFPBAC_BAD_TYPE
 * (experimenter: BAD_EXPERIMENTER) and SET_QUEUE,
 * with no queues configured, is OFPBAC_BAD_QUEUE. Checks that need the
 * switch's state (does port N exist, does group G exist) belong to
 * of_switch; the codec checks what the spec makes invalid everywhere.
 */
#include <stdlib.h>
#include <string.h>

#include "ofp.h"
#include "ofp_priv.h"

static ofp_err_t
output_port_check(uint32_t port)
{
	if (port == 0)
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
	if (port <= OFPP_MAX)
		return OFP_OK;
	switch (port) {
	case OFPP_IN_PORT:
	case OFPP_TABLE:      /* only meaningful in PACKET_OUT: checked there */
	case OFPP_FLOOD:
	case OFPP_ALL:
	case OFPP_CONTROLLER:
		return OFP_OK;
	}
	/* NORMAL (no L2 learning pipeline), LOCAL (no host port), ANY. */
	return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
}

static ofp_err_t
action_decode_one(struct ofp_rd *r, struct ofp_action *a)
{
	uint16_t type, len;
	struct ofp_rd body;

	memset(a, 0, sizeof(*a));
	if (ofp_rd_left(r) < 4)
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	ofp_rd_be16(r, &type);
	ofp_rd_be16(r, &len);
	if (len < 8 || len % 8 != 0 || !ofp_rd_sub(r, len - 4u, &body))
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	a->type = type;

	/* Fixed-size actions: 16 bytes for OUTPUT, 8 for the rest. */
	switch (type) {
	case OFPAT_OUTPUT:
		if (len != 16)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
		ofp_rd_be32(&body, &a->u.output.port);
		ofp_rd_be16(&body, &a->u.output.max_len);
		if (a->u.output.port == OFPP_CONTROLLER && a->u.output.max_len > OFPCML_MAX &&
		    a->u.output.max_len != OFPCML_NO_BUFFER)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		return output_port_check(a->u.output.port);
	case OFPAT_COPY_TTL_OUT:
	case OFPAT_COPY_TTL_IN:
	case OFPAT_DEC_MPLS_TTL:
	case OFPAT_POP_VLAN:
	case OFPAT_DEC_NW_TTL:
	case OFPAT_POP_PBB:
		return len == 8 ? OFP_OK : OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	case OFPAT_SET_MPLS_TTL:
	case OFPAT_SET_NW_TTL:
		if (len != 8)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
		ofp_rd_u8(&body, &a->u.ttl);
		return OFP_OK;
	case OFPAT_PUSH_VLAN:
	case OFPAT_PUSH_MPLS:
	case OFPAT_POP_MPLS:
	case OFPAT_PUSH_PBB:
		if (len != 8)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
		ofp_rd_be16(&body, &a->u.ethertype);
		if (type == OFPAT_PUSH_PBB && a->u.ethertype != FLOW_ETHERTYPE_PBB)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		if (type == OFPAT_PUSH_VLAN && a->u.ethertype != PKT_ETHERTYPE_VLAN &&
		    a->u.ethertype != PKT_ETHERTYPE_QINQ)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		if (type == OFPAT_PUSH_MPLS && a->u.ethertype != 0x8847 && a->u.ethertype != 0x8848)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		return OFP_OK;
	case OFPAT_GROUP:
		if (len != 8)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
		ofp_rd_be32(&body, &a->u.group_id);
		return a->u.group_id <= OFPG_MAX ? OFP_OK
						 : OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP);
	case OFPAT_SET_FIELD: {
		uint32_t h;

		if (!ofp_rd_be32(&body, &h) || OXM_LENGTH(h) > ofp_rd_left(&body) ||
		    (4u + 4u + OXM_LENGTH(h) + 7u) / 8u * 8u != len)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
		return ofp_set_field_decode_value(h, ofp_rd_ptr(&body), a);
	}
	case OFPAT_SET_QUEUE:
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_QUEUE);
	case OFPAT_EXPERIMENTER:
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_EXPERIMENTER);
	default: /* types 1.3 does not define */
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	}
}

ofp_err_t
ofp_actions_decode(struct ofp_rd *r, size_t len, struct ofp_action_list *out)
{
	struct ofp_rd run;
	uint16_t cap = 0;

	out->v = NULL;
	out->n = 0;
	if (!ofp_rd_sub(r, len, &run))
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	while (ofp_rd_left(&run) > 0) {
		if (out->n == OFP_MAX_ACTIONS) {
			ofp_action_list_free(out);
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_TOO_MANY);
		}
		if (out->n == cap) {
			cap = cap ? (uint16_t)(cap * 2) : 4;
			struct ofp_action *v = realloc(out->v, cap * sizeof(*v));
			if (v == NULL) {
				ofp_action_list_free(out);
				return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_TOO_MANY);
			}
			out->v = v;
		}
		ofp_err_t err = action_decode_one(&run, &out->v[out->n]);
		if (err) {
			ofp_action_list_free(out);
			return err;
		}
		out->n++;
	}
	return OFP_OK;
}

void
ofp_action_list_free(struct ofp_action_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
action_encode_one(struct ofp_buf *b, const struct ofp_action *a)
{
	size_t start = b->len;

	ofp_buf_put_be16(b, a->type);
	ofp_buf_put_be16(b, 8);
	switch (a->type) {
	case OFPAT_OUTPUT:
		ofp_buf_put_be32(b, a->u.output.port);
		ofp_buf_put_be16(b, a->u.output.max_len);
		ofp_buf_put_zeros(b, 6);
		break;
	case OFPAT_SET_MPLS_TTL:
	case OFPAT_SET_NW_TTL:
		ofp_buf_put_u8(b, a->u.ttl);
		ofp_buf_put_zeros(b, 3);
		break;
	case OFPAT_PUSH_VLAN:
	case OFPAT_PUSH_MPLS:
	case OFPAT_POP_MPLS:
	case OFPAT_PUSH_PBB:
		ofp_buf_put_be16(b, a->u.ethertype);
		ofp_buf_put_zeros(b, 2);
		break;
	case OFPAT_GROUP:
		ofp_buf_put_be32(b, a->u.group_id);
		break;
	case OFPAT_SET_FIELD:
		ofp_buf_put_be32(b, OXM_HEADER(OFPXMC_OPENFLOW_BASIC, a->u.set_field.field, 0,
					       a->u.set_field.len));
		ofp_buf_put(b, a->u.set_field.value, a->u.set_field.len);
		ofp_buf_pad8(b, start);
		break;
	default:
		ofp_buf_put_zeros(b, 4);
		break;
	}
	ofp_buf_set_be16(b, start + 2, (uint16_t)(b->len - start));
}

void
ofp_actions_encode(struct ofp_buf *b, const struct ofp_action_list *l)
{
	for (uint16_t i = 0; i < l->n; i++)
		action_encode_one(b, &l->v[i]);
}

ofp_err_t
ofp_actions_check_match(const struct ofp_action_list *l, const struct ofp_match *m)
{
	struct ofp_match eff = *m;

	for (uint16_t i = 0; i < l->n; i++) {
		const struct ofp_action *a = &l->v[i];

		switch (a->type) {
		case OFPAT_PUSH_VLAN:
			/* From here on the packet has a tag to rewrite. */
			eff.key.vlan_vid = OFPVID_PRESENT;
			eff.mask.vlan_vid |= OFPVID_PRESENT;
			break;
		case OFPAT_POP_VLAN:
			eff.key.vlan_vid = 0;
			eff.mask.vlan_vid = 0x1fff;
			break;
		case OFPAT_PUSH_MPLS:
			eff.key.eth_type = a->u.ethertype;
			eff.mask.eth_type = 0xffff;
			break;
		case OFPAT_POP_MPLS:
			eff.key.eth_type = a->u.ethertype;
			eff.mask.eth_type = 0xffff;
			break;
		case OFPAT_PUSH_PBB:
			/* The new outer header has no VLAN tag and carries an I-TAG. */
			eff.key.eth_type = FLOW_ETHERTYPE_PBB;
			eff.mask.eth_type = 0xffff;
			eff.key.vlan_vid = 0;
			eff.mask.vlan_vid = 0x1fff;
			break;
		case OFPAT_POP_PBB:
			/* What the customer frame carries is not known from the match. */
			memset(&eff, 0, sizeof(eff));
			break;
		case OFPAT_SET_FIELD: {
			uint8_t f = a->u.set_field.field;
			bool ok;

			if (f == OFPXMT_OFB_VLAN_VID || f == OFPXMT_OFB_VLAN_PCP)
				ok = (eff.mask.vlan_vid & OFPVID_PRESENT) &&
				     (eff.key.vlan_vid & OFPVID_PRESENT);
			else
				ok = ofp_set_field_prereq_met(f, &eff);
			if (!ok)
				return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_MATCH_INCONSISTENT);
			break;
		}
		}
	}
	return OFP_OK;
}

/* ---- instructions ---- */

void
ofp_instructions_free(struct ofp_instructions *in)
{
	ofp_action_list_free(&in->apply);
	ofp_action_list_free(&in->write);
	in->present = 0;
}

static ofp_err_t
instruction_decode_one(struct ofp_rd *r, struct ofp_instructions *in)
{
	uint16_t type, len;
	struct ofp_rd body;

	if (ofp_rd_left(r) < 4)
		return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	ofp_rd_be16(r, &type);
	ofp_rd_be16(r, &len);
	if (len < 8 || len % 8 != 0 || !ofp_rd_sub(r, len - 4u, &body))
		return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);

	switch (type) {
	case OFPIT_GOTO_TABLE:
	case OFPIT_WRITE_METADATA:
	case OFPIT_WRITE_ACTIONS:
	case OFPIT_APPLY_ACTIONS:
	case OFPIT_CLEAR_ACTIONS:
	case OFPIT_METER:
		break;
	case OFPIT_EXPERIMENTER:
		return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_EXPERIMENTER);
	default:
		return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST);
	}
	/*
	 * 1.3 allows each instruction type once per flow entry but names no
	 * error for a repeat (1.4 adds DUP_INST); UNSUP_INST is the closest.
	 */
	if (in->present & OFP_INST_BIT(type))
		return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_UNSUP_INST);
	in->present |= OFP_INST_BIT(type);

	switch (type) {
	case OFPIT_GOTO_TABLE:
		if (len != 8)
			return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
		ofp_rd_u8(&body, &in->goto_table);
		if (in->goto_table > OFPTT_MAX)
			return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
		return OFP_OK;
	case OFPIT_WRITE_METADATA:
		if (len != 24)
			return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
		ofp_rd_skip(&body, 4);
		ofp_rd_be64(&body, &in->metadata);
		ofp_rd_be64(&body, &in->metadata_mask);
		return OFP_OK;
	case OFPIT_CLEAR_ACTIONS:
		return len == 8 ? OFP_OK : OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	case OFPIT_METER:
		/* Whether the meter exists is the switch's check (FLOW_MOD);
		 * ids past OFPM_MAX name virtual meters this switch lacks. */
		if (len != 8)
			return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
		ofp_rd_be32(&body, &in->meter_id);
		if (in->meter_id == 0 || in->meter_id > OFPM_MAX)
			return OFP_ERR(OFPET_METER_MOD_FAILED, OFPMMFC_INVALID_METER);
		return OFP_OK;
	default: /* WRITE_ACTIONS, APPLY_ACTIONS */
		ofp_rd_skip(&body, 4);
		return ofp_actions_decode(&body, ofp_rd_left(&body),
					  type == OFPIT_APPLY_ACTIONS ? &in->apply : &in->write);
	}
}

ofp_err_t
ofp_instructions_decode(struct ofp_rd *r, size_t len, struct ofp_instructions *out)
{
	struct ofp_rd run;

	memset(out, 0, sizeof(*out));
	if (!ofp_rd_sub(r, len, &run))
		return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	while (ofp_rd_left(&run) > 0) {
		ofp_err_t err = instruction_decode_one(&run, out);

		if (err) {
			ofp_instructions_free(out);
			return err;
		}
	}
	return OFP_OK;
}

static void
instruction_actions_encode(struct ofp_buf *b, uint16_t type, const struct ofp_action_list *l)
{
	size_t start = b->len;

	ofp_buf_put_be16(b, type);
	ofp_buf_put_be16(b, 0);
	ofp_buf_put_zeros(b, 4);
	ofp_actions_encode(b, l);
	ofp_buf_set_be16(b, start + 2, (uint16_t)(b->len - start));
}

void
ofp_instructions_encode(struct ofp_buf *b, const struct ofp_instructions *in)
{
	/* The order the pipeline executes them (5.9), which is also how
	 * ovs-ofctl prints them: the meter first. */
	if (in->present & OFP_INST_BIT(OFPIT_METER)) {
		ofp_buf_put_be16(b, OFPIT_METER);
		ofp_buf_put_be16(b, 8);
		ofp_buf_put_be32(b, in->meter_id);
	}
	if (in->present & OFP_INST_BIT(OFPIT_APPLY_ACTIONS))
		instruction_actions_encode(b, OFPIT_APPLY_ACTIONS, &in->apply);
	if (in->present & OFP_INST_BIT(OFPIT_CLEAR_ACTIONS)) {
		ofp_buf_put_be16(b, OFPIT_CLEAR_ACTIONS);
		ofp_buf_put_be16(b, 8);
		ofp_buf_put_zeros(b, 4);
	}
	if (in->present & OFP_INST_BIT(OFPIT_WRITE_ACTIONS))
		instruction_actions_encode(b, OFPIT_WRITE_ACTIONS, &in->write);
	if (in->present & OFP_INST_BIT(OFPIT_WRITE_METADATA)) {
		ofp_buf_put_be16(b, OFPIT_WRITE_METADATA);
		ofp_buf_put_be16(b, 24);
		ofp_buf_put_zeros(b, 4);
		ofp_buf_put_be64(b, in->metadata);
		ofp_buf_put_be64(b, in->metadata_mask);
	}
	if (in->present & OFP_INST_BIT(OFPIT_GOTO_TABLE)) {
		ofp_buf_put_be16(b, OFPIT_GOTO_TABLE);
		ofp_buf_put_be16(b, 8);
		ofp_buf_put_u8(b, in->goto_table);
		ofp_buf_put_zeros(b, 3);
	}
}
