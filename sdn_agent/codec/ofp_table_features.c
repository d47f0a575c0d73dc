/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TABLE_FEATURES reply (OpenFlow 1.3.5, 7.3.5.5): what every table
 * matches, which instructions and actions it takes, where goto-table may
 * lead. ovs-ofctl asks for it before add-flow and dump-flows and reads it
 * loosely, but every property must be well formed: lengths include the
 * 4-byte property header and exclude the padding to 8; WILDCARDS and
 * SETFIELD properties list OXM headers without hasmask, MATCH sets
 * hasmask on the fields that may be masked.
 */
#include <stdio.h>

#include "ofp.h"

static const uint16_t supported_instructions[] = {
	OFPIT_GOTO_TABLE, OFPIT_WRITE_METADATA, OFPIT_WRITE_ACTIONS,
	OFPIT_APPLY_ACTIONS, OFPIT_CLEAR_ACTIONS, OFPIT_METER,
};

static const uint16_t supported_actions[] = {
	OFPAT_OUTPUT, OFPAT_COPY_TTL_OUT, OFPAT_COPY_TTL_IN, OFPAT_SET_MPLS_TTL,
	OFPAT_DEC_MPLS_TTL, OFPAT_PUSH_VLAN, OFPAT_POP_VLAN, OFPAT_PUSH_MPLS,
	OFPAT_POP_MPLS, OFPAT_GROUP, OFPAT_SET_NW_TTL, OFPAT_DEC_NW_TTL,
	OFPAT_SET_FIELD, OFPAT_PUSH_PBB, OFPAT_POP_PBB,
};

static size_t
prop_begin(struct ofp_buf *b, uint16_t type)
{
	size_t start = b->len;

	ofp_buf_put_be16(b, type);
	ofp_buf_put_be16(b, 0);
	return start;
}

static void
prop_end(struct ofp_buf *b, size_t start)
{
	ofp_buf_set_be16(b, start + 2, (uint16_t)(b->len - start));
	ofp_buf_pad8(b, start);
}

static void
put_instruction_ids(struct ofp_buf *b, uint16_t type, bool last_table)
{
	size_t p = prop_begin(b, type);

	for (size_t i = 0; i < sizeof(supported_instructions) / sizeof(uint16_t); i++) {
		if (last_table && supported_instructions[i] == OFPIT_GOTO_TABLE)
			continue;
		ofp_buf_put_be16(b, supported_instructions[i]);
		ofp_buf_put_be16(b, 4);
	}
	prop_end(b, p);
}

static void
put_next_tables(struct ofp_buf *b, uint16_t type, uint8_t table_id, uint8_t n_tables)
{
	size_t p = prop_begin(b, type);

	for (unsigned t = table_id + 1u; t < n_tables; t++)
		ofp_buf_put_u8(b, (uint8_t)t);
	prop_end(b, p);
}

static void
put_action_ids(struct ofp_buf *b, uint16_t type)
{
	size_t p = prop_begin(b, type);

	for (size_t i = 0; i < sizeof(supported_actions) / sizeof(uint16_t); i++) {
		ofp_buf_put_be16(b, supported_actions[i]);
		ofp_buf_put_be16(b, 4);
	}
	prop_end(b, p);
}

enum oxm_list { OXM_MATCH, OXM_WILDCARDS, OXM_SETFIELD };

static void
put_oxm_ids(struct ofp_buf *b, uint16_t type, enum oxm_list which)
{
	size_t p = prop_begin(b, type);

	for (unsigned f = 0; f <= OFPXMT_OFB_IPV6_EXTHDR; f++) {
		const struct ofp_oxm_field_info *fi = ofp_oxm_field((uint8_t)f);

		if (fi == NULL || (which == OXM_SETFIELD && !fi->settable))
			continue;
		bool hasmask = which == OXM_MATCH && fi->maskable;
		ofp_buf_put_be32(b, OXM_HEADER(OFPXMC_OPENFLOW_BASIC, f, hasmask,
					       fi->len * (hasmask ? 2 : 1)));
	}
	prop_end(b, p);
}

static void
put_table(struct ofp_mp_writer *w, uint8_t table_id, const struct ofp_table_features_info *t)
{
	struct ofp_buf *b = w->b;
	size_t start = ofp_mp_entry_begin(w);
	char name[OFP_MAX_TABLE_NAME_LEN] = { 0 };
	bool last = table_id + 1u >= t->n_tables;

	snprintf(name, sizeof(name), "table%u", table_id);
	ofp_buf_put_be16(b, 0);
	ofp_buf_put_u8(b, table_id);
	ofp_buf_put_zeros(b, 5);
	ofp_buf_put(b, name, sizeof(name));
	ofp_buf_put_be64(b, UINT64_MAX); /* metadata_match */
	ofp_buf_put_be64(b, UINT64_MAX); /* metadata_write */
	ofp_buf_put_be32(b, 0);          /* config: 1.3 deprecates the bits */
	ofp_buf_put_be32(b, t->max_entries);

	put_instruction_ids(b, OFPTFPT_INSTRUCTIONS, last);
	put_instruction_ids(b, OFPTFPT_INSTRUCTIONS_MISS, last);
	put_next_tables(b, OFPTFPT_NEXT_TABLES, table_id, t->n_tables);
	put_next_tables(b, OFPTFPT_NEXT_TABLES_MISS, table_id, t->n_tables);
	put_action_ids(b, OFPTFPT_WRITE_ACTIONS);
	put_action_ids(b, OFPTFPT_WRITE_ACTIONS_MISS);
	put_action_ids(b, OFPTFPT_APPLY_ACTIONS);
	put_action_ids(b, OFPTFPT_APPLY_ACTIONS_MISS);
	put_oxm_ids(b, OFPTFPT_MATCH, OXM_MATCH);
	put_oxm_ids(b, OFPTFPT_WILDCARDS, OXM_WILDCARDS);
	put_oxm_ids(b, OFPTFPT_WRITE_SETFIELD, OXM_SETFIELD);
	put_oxm_ids(b, OFPTFPT_WRITE_SETFIELD_MISS, OXM_SETFIELD);
	put_oxm_ids(b, OFPTFPT_APPLY_SETFIELD, OXM_SETFIELD);
	put_oxm_ids(b, OFPTFPT_APPLY_SETFIELD_MISS, OXM_SETFIELD);

	ofp_buf_set_be16(b, start, (uint16_t)(b->len - start));
	ofp_mp_entry_end(w, start);
}

void
ofp_encode_table_features_reply(struct ofp_buf *b, uint32_t xid,
				const struct ofp_table_features_info *t)
{
	struct ofp_mp_writer w;

	ofp_mp_writer_begin(&w, b, xid, OFPMP_TABLE_FEATURES);
	for (unsigned id = 0; id < t->n_tables && id <= OFPTT_MAX; id++)
		put_table(&w, (uint8_t)id, t);
	ofp_mp_writer_end(&w);
}
