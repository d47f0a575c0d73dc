/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FLOW_MOD, GROUP_MOD (with buckets), PORT_MOD and TABLE_MOD bodies
 * (OpenFlow 1.3.5, 7.3.4).
 *
 * The reader given to the decoders starts after the 8-byte header and
 * ends at the message's end. Checks here are the ones that hold whatever
 * the switch's state: command and type ranges, table and group id ranges,
 * lengths, goto-table going forward, set-field consistency with the
 * match. Whether a port, table or group exists is of_switch's business.
 */
#include <stdlib.h>
#include <string.h>

#include "ofp.h"
#include "ofp_priv.h"

#define FLOW_MOD_FLAGS (OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP | OFPFF_RESET_COUNTS | \
			OFPFF_NO_PKT_COUNTS | OFPFF_NO_BYT_COUNTS)

/* OFPP_TABLE only makes sense in PACKET_OUT (7.2.1). */
static ofp_err_t
no_output_to_table(const struct ofp_action_list *l)
{
	for (uint16_t i = 0; i < l->n; i++)
		if (l->v[i].type == OFPAT_OUTPUT && l->v[i].u.output.port == OFPP_TABLE)
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
	return OFP_OK;
}

static ofp_err_t
flow_mod_check(const struct ofp_flow_mod *fm)
{
	const struct ofp_instructions *in = &fm->insts;
	ofp_err_t err;

	if ((in->present & OFP_INST_BIT(OFPIT_GOTO_TABLE)) && fm->table_id != OFPTT_ALL &&
	    in->goto_table <= fm->table_id)
		return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
	if ((err = no_output_to_table(&in->apply)) || (err = no_output_to_table(&in->write)))
		return err;
	if ((err = ofp_actions_check_match(&in->apply, &fm->match)))
		return err;
	/* Write-actions run after apply-actions, on the packet apply left. */
	struct ofp_action_list both = { NULL, 0 };
	if (in->write.n > 0) {
		both.v = malloc(((size_t)in->apply.n + in->write.n) * sizeof(*both.v));
		if (both.v == NULL)
			return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_UNKNOWN);
		if (in->apply.n > 0)
			memcpy(both.v, in->apply.v, in->apply.n * sizeof(*both.v));
		memcpy(both.v + in->apply.n, in->write.v, in->write.n * sizeof(*both.v));
		both.n = (uint16_t)(in->apply.n + in->write.n);
		err = ofp_actions_check_match(&both, &fm->match);
		free(both.v);
	}
	return err;
}

ofp_err_t
ofp_flow_mod_decode(struct ofp_rd *r, struct ofp_flow_mod *fm)
{
	uint8_t pad[2];
	ofp_err_t err;

	memset(fm, 0, sizeof(*fm));
	if (ofp_rd_left(r) < sizeof(struct ofp_flow_mod_fixed) - OFP_HEADER_LEN)
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	ofp_rd_be64(r, &fm->cookie);
	ofp_rd_be64(r, &fm->cookie_mask);
	ofp_rd_u8(r, &fm->table_id);
	ofp_rd_u8(r, &fm->command);
	ofp_rd_be16(r, &fm->idle_timeout);
	ofp_rd_be16(r, &fm->hard_timeout);
	ofp_rd_be16(r, &fm->priority);
	ofp_rd_be32(r, &fm->buffer_id);
	ofp_rd_be32(r, &fm->out_port);
	ofp_rd_be32(r, &fm->out_group);
	ofp_rd_be16(r, &fm->flags);
	ofp_rd_bytes(r, pad, 2);

	if (fm->command > OFPFC_DELETE_STRICT)
		return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND);
	bool is_delete = fm->command == OFPFC_DELETE || fm->command == OFPFC_DELETE_STRICT;
	if (!is_delete && fm->table_id == OFPTT_ALL)
		return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID);
	if (fm->flags & ~FLOW_MOD_FLAGS)
		return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_FLAGS);
	if ((err = ofp_match_decode(r, &fm->match)))
		return err;
	if ((err = ofp_instructions_decode(r, ofp_rd_left(r), &fm->insts)))
		return err;
	if (!is_delete) {
		/* This switch keeps no packet buffers (n_buffers = 0). */
		if (fm->buffer_id != OFP_NO_BUFFER)
			err = OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
		else
			err = flow_mod_check(fm);
		if (err) {
			ofp_instructions_free(&fm->insts);
			return err;
		}
	}
	return OFP_OK;
}

void
ofp_encode_flow_mod(struct ofp_buf *b, uint32_t xid, const struct ofp_flow_mod *fm)
{
	size_t start = ofp_msg_start(b, OFPT_FLOW_MOD, xid);

	ofp_buf_put_be64(b, fm->cookie);
	ofp_buf_put_be64(b, fm->cookie_mask);
	ofp_buf_put_u8(b, fm->table_id);
	ofp_buf_put_u8(b, fm->command);
	ofp_buf_put_be16(b, fm->idle_timeout);
	ofp_buf_put_be16(b, fm->hard_timeout);
	ofp_buf_put_be16(b, fm->priority);
	ofp_buf_put_be32(b, fm->buffer_id);
	ofp_buf_put_be32(b, fm->out_port);
	ofp_buf_put_be32(b, fm->out_group);
	ofp_buf_put_be16(b, fm->flags);
	ofp_buf_put_zeros(b, 2);
	ofp_match_encode(b, &fm->match);
	ofp_instructions_encode(b, &fm->insts);
	ofp_msg_finish(b, start);
}

/* ---- buckets and GROUP_MOD ---- */

void
ofp_buckets_free(struct ofp_bucket *bk, uint16_t n)
{
	if (bk == NULL)
		return;
	for (uint16_t i = 0; i < n; i++)
		ofp_action_list_free(&bk[i].actions);
	free(bk);
}

static ofp_err_t
bucket_decode_one(struct ofp_rd *r, uint8_t group_type, struct ofp_bucket *bk)
{
	uint16_t len;
	struct ofp_rd body;
	ofp_err_t err;

	memset(bk, 0, sizeof(*bk));
	if (ofp_rd_left(r) < sizeof(struct ofp_bucket_fixed))
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET);
	ofp_rd_be16(r, &len);
	if (len < sizeof(struct ofp_bucket_fixed) || len % 8 != 0 ||
	    !ofp_rd_sub(r, len - 2u, &body))
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET);
	ofp_rd_be16(&body, &bk->weight);
	ofp_rd_be32(&body, &bk->watch_port);
	ofp_rd_be32(&body, &bk->watch_group);
	ofp_rd_skip(&body, 4);
	if ((err = ofp_actions_decode(&body, ofp_rd_left(&body), &bk->actions)))
		return err;
	if ((err = no_output_to_table(&bk->actions)))
		return err;
	/* Weights mean something only to select groups (5.6.1). */
	if (group_type != OFPGT_SELECT && bk->weight != 0)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET);
	if (group_type == OFPGT_FF && bk->watch_port == OFPP_ANY && bk->watch_group == OFPG_ANY)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH);
	if (group_type == OFPGT_FF && bk->watch_group != OFPG_ANY && bk->watch_group > OFPG_MAX)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH);
	return OFP_OK;
}

ofp_err_t
ofp_buckets_decode(struct ofp_rd *r, size_t len, uint8_t group_type,
		   struct ofp_bucket **out, uint16_t *n_out)
{
	struct ofp_rd run;
	struct ofp_bucket *v = NULL;
	uint16_t n = 0, cap = 0;

	*out = NULL;
	*n_out = 0;
	if (!ofp_rd_sub(r, len, &run))
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET);
	while (ofp_rd_left(&run) > 0) {
		if (n == OFP_MAX_BUCKETS) {
			ofp_buckets_free(v, n);
			return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_BUCKETS);
		}
		if (n == cap) {
			cap = cap ? (uint16_t)(cap * 2) : 4;
			struct ofp_bucket *nv = realloc(v, cap * sizeof(*nv));
			if (nv == NULL) {
				ofp_buckets_free(v, n);
				return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_BUCKETS);
			}
			v = nv;
		}
		ofp_err_t err = bucket_decode_one(&run, group_type, &v[n]);
		if (err) {
			ofp_action_list_free(&v[n].actions);
			ofp_buckets_free(v, n);
			return err;
		}
		n++;
	}
	*out = v;
	*n_out = n;
	return OFP_OK;
}

void
ofp_buckets_encode(struct ofp_buf *b, const struct ofp_bucket *bk, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		size_t start = b->len;

		ofp_buf_put_be16(b, 0);
		ofp_buf_put_be16(b, bk[i].weight);
		ofp_buf_put_be32(b, bk[i].watch_port);
		ofp_buf_put_be32(b, bk[i].watch_group);
		ofp_buf_put_zeros(b, 4);
		ofp_actions_encode(b, &bk[i].actions);
		ofp_buf_set_be16(b, start, (uint16_t)(b->len - start));
	}
}

ofp_err_t
ofp_group_mod_decode(struct ofp_rd *r, struct ofp_group_mod *gm)
{
	uint8_t pad;
	ofp_err_t err;

	memset(gm, 0, sizeof(*gm));
	if (ofp_rd_left(r) < sizeof(struct ofp_group_mod_fixed) - OFP_HEADER_LEN)
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	ofp_rd_be16(r, &gm->command);
	ofp_rd_u8(r, &gm->type);
	ofp_rd_u8(r, &pad);
	ofp_rd_be32(r, &gm->group_id);

	if (gm->command > OFPGC_DELETE)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_COMMAND);
	if (gm->command == OFPGC_DELETE) {
		/* Buckets of a delete carry no meaning; OFPG_ALL deletes all. */
		if (gm->group_id > OFPG_MAX && gm->group_id != OFPG_ALL)
			return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_INVALID_GROUP);
		return OFP_OK;
	}
	if (gm->type > OFPGT_FF)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_TYPE);
	if (gm->group_id > OFPG_MAX)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_INVALID_GROUP);
	if ((err = ofp_buckets_decode(r, ofp_rd_left(r), gm->type, &gm->buckets, &gm->n_buckets)))
		return err;
	if (gm->type == OFPGT_INDIRECT && gm->n_buckets != 1) {
		ofp_buckets_free(gm->buckets, gm->n_buckets);
		gm->buckets = NULL;
		gm->n_buckets = 0;
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_INVALID_GROUP);
	}
	return OFP_OK;
}

void
ofp_encode_group_mod(struct ofp_buf *b, uint32_t xid, const struct ofp_group_mod *gm)
{
	size_t start = ofp_msg_start(b, OFPT_GROUP_MOD, xid);

	ofp_buf_put_be16(b, gm->command);
	ofp_buf_put_u8(b, gm->type);
	ofp_buf_put_u8(b, 0);
	ofp_buf_put_be32(b, gm->group_id);
	ofp_buckets_encode(b, gm->buckets, gm->n_buckets);
	ofp_msg_finish(b, start);
}

/* ---- PORT_MOD, TABLE_MOD ---- */

#define PORT_CONFIG_BITS (OFPPC_PORT_DOWN | OFPPC_NO_RECV | OFPPC_NO_FWD | OFPPC_NO_PACKET_IN)

ofp_err_t
ofp_port_mod_decode(struct ofp_rd *r, struct ofp_port_mod *pm)
{
	memset(pm, 0, sizeof(*pm));
	if (ofp_rd_left(r) != sizeof(struct ofp_port_mod_wire) - OFP_HEADER_LEN)
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	ofp_rd_be32(r, &pm->port_no);
	ofp_rd_skip(r, 4);
	ofp_rd_bytes(r, pm->hw_addr, 6);
	ofp_rd_skip(r, 2);
	ofp_rd_be32(r, &pm->config);
	ofp_rd_be32(r, &pm->mask);
	ofp_rd_be32(r, &pm->advertise);
	if (pm->port_no == 0 || pm->port_no > OFPP_MAX)
		return OFP_ERR(OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT);
	if ((pm->config | pm->mask) & ~PORT_CONFIG_BITS)
		return OFP_ERR(OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_CONFIG);
	return OFP_OK;
}

void
ofp_encode_port_mod(struct ofp_buf *b, uint32_t xid, const struct ofp_port_mod *pm)
{
	size_t start = ofp_msg_start(b, OFPT_PORT_MOD, xid);

	ofp_buf_put_be32(b, pm->port_no);
	ofp_buf_put_zeros(b, 4);
	ofp_buf_put(b, pm->hw_addr, 6);
	ofp_buf_put_zeros(b, 2);
	ofp_buf_put_be32(b, pm->config);
	ofp_buf_put_be32(b, pm->mask);
	ofp_buf_put_be32(b, pm->advertise);
	ofp_buf_put_zeros(b, 4);
	ofp_msg_finish(b, start);
}

ofp_err_t
ofp_table_mod_decode(struct ofp_rd *r, struct ofp_table_mod *tm)
{
	memset(tm, 0, sizeof(*tm));
	if (ofp_rd_left(r) != sizeof(struct ofp_table_mod_wire) - OFP_HEADER_LEN)
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	ofp_rd_u8(r, &tm->table_id);
	ofp_rd_skip(r, 3);
	ofp_rd_be32(r, &tm->config);
	/* 1.3 deprecates every table-miss config bit (OFPTC_DEPRECATED_MASK = 3). */
	if (tm->config & ~3u)
		return OFP_ERR(OFPET_TABLE_MOD_FAILED, OFPTMFC_BAD_CONFIG);
	return OFP_OK;
}

void
ofp_encode_table_mod(struct ofp_buf *b, uint32_t xid, const struct ofp_table_mod *tm)
{
	size_t start = ofp_msg_start(b, OFPT_TABLE_MOD, xid);

	ofp_buf_put_u8(b, tm->table_id);
	ofp_buf_put_zeros(b, 3);
	ofp_buf_put_be32(b, tm->config);
	ofp_msg_finish(b, start);
}
