/* SPDX-License-Identifier: BSD-3-Clause */
/* of_fuzz_gen: see of_fuzz_gen.h. */
#include <stdlib.h>
#include <string.h>

#include "of_fuzz_gen.h"
#include "ofdp_compile.h"

uint8_t
ofz_u8(struct ofz_in *in)
{
	return in->off < in->n ? in->p[in->off++] : 0;
}

static uint16_t
ofz_u16(struct ofz_in *in)
{
	uint16_t hi = ofz_u8(in);
	return (uint16_t)(hi << 8 | ofz_u8(in));
}

#define PICK(in, arr) ((arr)[ofz_u8(in) % (sizeof(arr) / sizeof((arr)[0]))])

static const uint32_t out_ports[] = {
	1, 2, 3, 1001, 1002, OFPP_CONTROLLER, OFPP_FLOOD, OFPP_IN_PORT,
	OFPP_ALL, 7 /* no such port */, OFPP_TABLE, OFPP_LOCAL, 1, 1001,
};
static const uint32_t in_ports[] = { 1, 2, 3, 1001, 1002 };
static const uint32_t group_ids[] = { 1, 2, 3, 4, 1, 2, 99 };
static const uint32_t meter_ids[] = { 1, 2, 3, 4, 1, 2, 0, OFPM_MAX + 1 };
static const uint16_t priorities[] = { 0, 1, 100, 100, 200, 0x8000, 0xffff };

/* ---- matches ---- */

static void
set_ipv4(struct ofz_in *in, uint32_t *key, uint32_t *mask)
{
	static const uint8_t lens[] = { 8, 24, 32, 32 };
	uint8_t b = ofz_u8(in);
	uint8_t len = lens[b & 3];

	*mask = 0xffffffffu << (32 - len);
	*key = (0x0a000000u | (uint32_t)(b >> 2 & 3) << 8 | (b >> 4)) & *mask;
}

static void
gen_match(struct ofz_in *in, struct ofp_match *m)
{
	uint8_t f = ofz_u8(in);
	struct flow_key *k = &m->key, *mk = &m->mask;

	memset(m, 0, sizeof(*m));
	if (f & 1) {
		k->in_port = PICK(in, in_ports);
		mk->in_port = 0xffffffffu;
	}
	if (f & 0x80) {
		k->vlan_vid = (uint16_t)(FLOW_VID_PRESENT | (ofz_u8(in) % 3 + 1));
		mk->vlan_vid = 0x1fff;
	}
	if (f & 0x40) {
		k->metadata = ofz_u8(in) & 3;
		mk->metadata = 3;
	}
	switch (f >> 1 & 7) {
	case 0:
		break;
	case 1: case 2: case 3: case 4:
		k->eth_type = PKT_ETHERTYPE_IPV4;
		mk->eth_type = 0xffff;
		if (f & 0x10)
			set_ipv4(in, &k->ipv4_dst, &mk->ipv4_dst);
		if (f & 0x20)
			set_ipv4(in, &k->ipv4_src, &mk->ipv4_src);
		if ((f >> 1 & 7) == 4) {
			k->ip_proto = PKT_PROTO_ICMP;
			mk->ip_proto = 0xff;
			k->icmp_type = 8;
			mk->icmp_type = 0xff;
		} else if ((f >> 1 & 7) > 1) {
			static const uint16_t ports[] = { 80, 443, 53 };
			k->ip_proto = (f >> 1 & 7) == 2 ? PKT_PROTO_TCP : PKT_PROTO_UDP;
			mk->ip_proto = 0xff;
			k->tp_dst = PICK(in, ports);
			mk->tp_dst = 0xffff;
		}
		break;
	case 5:
		k->eth_type = PKT_ETHERTYPE_IPV6;
		mk->eth_type = 0xffff;
		k->ipv6_dst[0] = 0xfd;
		k->ipv6_dst[15] = ofz_u8(in) & 3;
		memset(mk->ipv6_dst, 0xff, 16);
		if (f & 0x10) {
			k->ip_proto = PKT_PROTO_TCP;
			mk->ip_proto = 0xff;
		}
		break;
	case 6:
		k->eth_type = PKT_ETHERTYPE_ARP;
		mk->eth_type = 0xffff;
		k->arp_op = (uint16_t)(ofz_u8(in) % 2 + 1);
		mk->arp_op = 0xffff;
		break;
	default:
		k->eth_type = PKT_ETHERTYPE_MPLS;
		mk->eth_type = 0xffff;
		k->mpls_label = ofz_u8(in) % 4 + 16;
		mk->mpls_label = 0xfffff;
		break;
	}
}

/* ---- actions and instructions ---- */

static void
gen_set_field(struct ofz_in *in, struct ofp_action *a)
{
	static const uint8_t fields[] = {
		OFPXMT_OFB_ETH_DST, OFPXMT_OFB_ETH_SRC, OFPXMT_OFB_VLAN_VID, OFPXMT_OFB_IPV4_DST,
		OFPXMT_OFB_TCP_DST, OFPXMT_OFB_IP_DSCP, OFPXMT_OFB_MPLS_LABEL, OFPXMT_OFB_TUNNEL_ID,
		OFPXMT_OFB_UDP_SRC, OFPXMT_OFB_IPV6_SRC,
	};
	uint8_t field = PICK(in, fields);
	const struct ofp_oxm_field_info *fi = ofp_oxm_field(field);
	uint8_t v = ofz_u8(in);

	a->type = OFPAT_SET_FIELD;
	a->u.set_field.field = field;
	a->u.set_field.len = fi ? fi->len : 0;
	memset(a->u.set_field.value, 0, sizeof(a->u.set_field.value));
	/* Values in range for their field (wire order): a valid VID has the
	 * present bit, a DSCP six bits, a label twenty. */
	switch (field) {
	case OFPXMT_OFB_VLAN_VID:
		a->u.set_field.value[0] = 0x10;
		a->u.set_field.value[1] = v;
		break;
	case OFPXMT_OFB_IP_DSCP:
		a->u.set_field.value[0] = v & 0x3f;
		break;
	case OFPXMT_OFB_MPLS_LABEL:
		a->u.set_field.value[3] = v;
		break;
	default:
		a->u.set_field.value[a->u.set_field.len ? a->u.set_field.len - 1 : 0] = v;
		a->u.set_field.value[0] |= 2; /* a MAC that is not multicast */
		break;
	}
}

static void
gen_actions(struct ofz_in *in, struct ofp_action_list *l)
{
	uint16_t n = ofz_u8(in) % 5;

	l->n = 0;
	l->v = n ? calloc(n, sizeof(*l->v)) : NULL;
	if (l->v == NULL)
		return;
	for (uint16_t i = 0; i < n; i++) {
		struct ofp_action *a = &l->v[l->n++];
		uint8_t k = ofz_u8(in) % 14;

		switch (k) {
		case 0: case 1: case 2: case 3:
			a->type = OFPAT_OUTPUT;
			a->u.output.port = PICK(in, out_ports);
			a->u.output.max_len = k == 3 ? 128 : 0xffff;
			break;
		case 4: case 5:
			a->type = OFPAT_GROUP;
			a->u.group_id = PICK(in, group_ids);
			break;
		case 6: case 7:
			gen_set_field(in, a);
			break;
		case 8:
			a->type = ofz_u8(in) & 1 ? OFPAT_POP_VLAN : OFPAT_PUSH_VLAN;
			a->u.ethertype = ofz_u8(in) & 1 ? PKT_ETHERTYPE_QINQ : PKT_ETHERTYPE_VLAN;
			break;
		case 9:
			a->type = ofz_u8(in) & 1 ? OFPAT_DEC_NW_TTL : OFPAT_SET_NW_TTL;
			a->u.ttl = ofz_u8(in);
			break;
		case 10:
			if (ofz_u8(in) & 1) {
				a->type = OFPAT_PUSH_MPLS;
				a->u.ethertype = PKT_ETHERTYPE_MPLS;
			} else {
				a->type = OFPAT_POP_MPLS;
				a->u.ethertype = PKT_ETHERTYPE_IPV4;
			}
			break;
		case 11:
			a->type = ofz_u8(in) & 1 ? OFPAT_POP_PBB : OFPAT_PUSH_PBB;
			a->u.ethertype = FLOW_ETHERTYPE_PBB;
			break;
		case 12: {
			static const uint16_t ttl_ops[] = { OFPAT_COPY_TTL_OUT, OFPAT_COPY_TTL_IN,
							    OFPAT_DEC_MPLS_TTL, OFPAT_SET_MPLS_TTL };
			a->type = PICK(in, ttl_ops);
			a->u.ttl = 64;
			break;
		}
		default:
			a->type = OFPAT_OUTPUT;
			a->u.output.port = OFPP_CONTROLLER;
			a->u.output.max_len = ofz_u8(in);
			break;
		}
	}
}

static void
gen_insts(struct ofz_in *in, uint8_t table_id, struct ofp_instructions *x)
{
	uint8_t b = ofz_u8(in);

	memset(x, 0, sizeof(*x));
	if (b & 1) {
		x->present |= OFP_INST_BIT(OFPIT_APPLY_ACTIONS);
		gen_actions(in, &x->apply);
	}
	if (b & 2) {
		x->present |= OFP_INST_BIT(OFPIT_WRITE_ACTIONS);
		gen_actions(in, &x->write);
	}
	if (b & 4) {
		x->present |= OFP_INST_BIT(OFPIT_GOTO_TABLE);
		x->goto_table = (uint8_t)(table_id + 1 + ofz_u8(in) % 3);
		if (b & 0x80)
			x->goto_table = table_id; /* backwards: refused */
	}
	if (b & 8) {
		x->present |= OFP_INST_BIT(OFPIT_WRITE_METADATA);
		x->metadata = ofz_u8(in) & 3;
		x->metadata_mask = b & 0x40 ? ~0ull : 3;
	}
	if (b & 0x10)
		x->present |= OFP_INST_BIT(OFPIT_CLEAR_ACTIONS);
	if (b & 0x20) {
		x->present |= OFP_INST_BIT(OFPIT_METER);
		x->meter_id = PICK(in, meter_ids);
	}
}

/* ---- messages ---- */

static void
gen_flow_mod(struct ofz_in *in, uint32_t xid, struct ofp_buf *out, bool delete_all)
{
	static const uint8_t commands[] = { OFPFC_ADD, OFPFC_ADD, OFPFC_ADD, OFPFC_ADD,
					    OFPFC_MODIFY, OFPFC_MODIFY_STRICT, OFPFC_DELETE,
					    OFPFC_DELETE_STRICT };
	struct ofp_flow_mod fm;
	uint8_t b = ofz_u8(in);

	memset(&fm, 0, sizeof(fm));
	fm.command = delete_all ? OFPFC_DELETE : PICK(in, commands);
	fm.table_id = (uint8_t)(ofz_u8(in) % (OFZ_TABLES + 1));
	if (fm.command >= OFPFC_DELETE && (b & 1))
		fm.table_id = OFPTT_ALL;
	fm.priority = PICK(in, priorities);
	fm.cookie = b >> 6;
	fm.cookie_mask = b & 2 ? ~0ull : 0;
	fm.buffer_id = b & 4 && (ofz_u8(in) & 7) == 0 ? 5 : OFP_NO_BUFFER;
	if (!(b & 8)) {
		fm.idle_timeout = ofz_u8(in) % 3;
		fm.hard_timeout = ofz_u8(in) % 4;
	}
	fm.flags = ofz_u8(in) & 0x1f;
	fm.out_port = OFPP_ANY;
	fm.out_group = OFPG_ANY;
	if (fm.command >= OFPFC_DELETE && (b & 0x10))
		fm.out_port = PICK(in, out_ports);
	if (fm.command >= OFPFC_DELETE && (b & 0x20))
		fm.out_group = PICK(in, group_ids);
	if (!delete_all)
		gen_match(in, &fm.match);
	if (fm.command < OFPFC_DELETE)
		gen_insts(in, fm.table_id, &fm.insts);
	ofp_encode_flow_mod(out, xid, &fm);
	ofp_instructions_free(&fm.insts);
}

static void
gen_group_mod(struct ofz_in *in, uint32_t xid, struct ofp_buf *out)
{
	static const uint32_t ids[] = { 1, 2, 3, 4, 1, 2, OFPG_ALL, OFPG_MAX + 1 };
	struct ofp_group_mod gm;
	struct ofp_bucket bk[4];

	memset(&gm, 0, sizeof(gm));
	memset(bk, 0, sizeof(bk));
	gm.command = ofz_u8(in) % 3;
	gm.type = ofz_u8(in) % 4;
	gm.group_id = PICK(in, ids);
	if (gm.command != OFPGC_DELETE) {
		gm.n_buckets = gm.type == OFPGT_INDIRECT ? 1 : ofz_u8(in) % 4;
		gm.buckets = bk;
	}
	for (uint16_t i = 0; i < gm.n_buckets; i++) {
		bk[i].weight = gm.type == OFPGT_SELECT ? (uint16_t)(ofz_u8(in) % 3 + 1) : 0;
		bk[i].watch_port = OFPP_ANY;
		bk[i].watch_group = OFPG_ANY;
		if (gm.type == OFPGT_FF) {
			bk[i].watch_port = PICK(in, in_ports);
			if (ofz_u8(in) & 1)
				bk[i].watch_group = PICK(in, group_ids);
		}
		gen_actions(in, &bk[i].actions);
	}
	ofp_encode_group_mod(out, xid, &gm);
	for (uint16_t i = 0; i < gm.n_buckets; i++)
		ofp_action_list_free(&bk[i].actions);
}

static void
gen_meter_mod(struct ofz_in *in, uint32_t xid, struct ofp_buf *out)
{
	static const uint16_t flags[] = {
		OFPMF_KBPS, OFPMF_PKTPS, OFPMF_KBPS | OFPMF_BURST | OFPMF_STATS,
		OFPMF_PKTPS | OFPMF_BURST, OFPMF_KBPS | OFPMF_PKTPS, OFPMF_STATS,
	};
	struct ofp_meter_mod mm;

	memset(&mm, 0, sizeof(mm));
	mm.command = ofz_u8(in) % 3;
	mm.flags = PICK(in, flags);
	mm.meter_id = ofz_u8(in) % 8 == 7 ? OFPM_ALL : PICK(in, meter_ids);
	if (mm.command != OFPMC_DELETE)
		mm.n_bands = ofz_u8(in) % 3;
	for (uint16_t i = 0; i < mm.n_bands; i++) {
		uint8_t b = ofz_u8(in);
		mm.bands[i].type = b & 1 ? OFPMBT_DSCP_REMARK : OFPMBT_DROP;
		mm.bands[i].rate = (uint32_t)(b >> 1) * 100;
		mm.bands[i].burst_size = ofz_u8(in);
		mm.bands[i].prec_level = b >> 6;
	}
	ofp_encode_meter_mod(out, xid, &mm);
}

static void
gen_multipart(struct ofz_in *in, uint32_t xid, struct ofp_buf *out, struct ofz_sent *sent)
{
	static const uint16_t types[] = {
		OFPMP_DESC, OFPMP_FLOW, OFPMP_FLOW, OFPMP_AGGREGATE, OFPMP_AGGREGATE, OFPMP_TABLE,
		OFPMP_PORT_STATS, OFPMP_GROUP, OFPMP_GROUP_DESC, OFPMP_GROUP_FEATURES,
		OFPMP_METER, OFPMP_METER_CONFIG, OFPMP_METER_FEATURES, OFPMP_TABLE_FEATURES,
		OFPMP_PORT_DESC, OFPMP_QUEUE,
	};
	static const uint32_t stat_ports[] = { OFPP_ANY, 1, 2, 9 };
	struct ofp_mp_request mp;
	uint8_t b;

	memset(&mp, 0, sizeof(mp));
	mp.type = PICK(in, types);
	sent->mp_type = mp.type;
	switch (mp.type) {
	case OFPMP_FLOW:
	case OFPMP_AGGREGATE:
		b = ofz_u8(in);
		mp.u.flow.table_id = b & 1 ? (uint8_t)(b >> 1 & 7) : OFPTT_ALL;
		mp.u.flow.out_port = b & 0x10 ? PICK(in, out_ports) : OFPP_ANY;
		mp.u.flow.out_group = b & 0x20 ? PICK(in, group_ids) : OFPG_ANY;
		mp.u.flow.cookie = b >> 6;
		mp.u.flow.cookie_mask = b & 0x40 ? 3 : 0;
		if (b & 0x80)
			gen_match(in, &mp.u.flow.match);
		sent->mp_all_flows = (b & 0xf1) == 0;
		break;
	case OFPMP_PORT_STATS:
		mp.u.port_no = PICK(in, stat_ports);
		break;
	case OFPMP_GROUP:
		mp.u.group_id = ofz_u8(in) & 1 ? OFPG_ALL : PICK(in, group_ids);
		break;
	case OFPMP_METER:
	case OFPMP_METER_CONFIG:
		mp.u.meter_id = ofz_u8(in) & 1 ? OFPM_ALL : PICK(in, meter_ids);
		break;
	default:
		break;
	}
	ofp_encode_mp_request(out, xid, &mp);
}

static void
gen_packet_out(struct ofz_in *in, uint32_t xid, struct ofp_buf *out)
{
	static const uint32_t from[] = { OFPP_CONTROLLER, 1, 1001, OFPP_ANY };
	static uint8_t frame[128];
	struct ofp_packet_out po;

	memset(&po, 0, sizeof(po));
	po.buffer_id = OFP_NO_BUFFER;
	po.in_port = PICK(in, from);
	gen_actions(in, &po.actions);
	po.data_len = ofz_u8(in) % sizeof(frame);
	for (size_t i = 0; i < po.data_len; i++)
		frame[i] = ofz_u8(in);
	po.data = frame;
	ofp_encode_packet_out(out, xid, &po);
	ofp_action_list_free(&po.actions);
}

static void
gen_other(struct ofz_in *in, uint32_t xid, struct ofp_buf *out, struct ofz_sent *sent)
{
	uint8_t k = ofz_u8(in) % 8;

	switch (k) {
	case 0: {
		static const uint8_t hi[] = { 'h', 'i', 0, 1 };
		ofp_encode_echo(out, OFPT_ECHO_REQUEST, xid, hi, ofz_u8(in) % 5);
		sent->type = OFPT_ECHO_REQUEST;
		break;
	}
	case 1:
		ofp_encode_empty(out, OFPT_FEATURES_REQUEST, xid);
		sent->type = OFPT_FEATURES_REQUEST;
		break;
	case 2:
		ofp_encode_empty(out, OFPT_GET_CONFIG_REQUEST, xid);
		sent->type = OFPT_GET_CONFIG_REQUEST;
		break;
	case 3: {
		struct ofp_config c = { .flags = ofz_u8(in) & 3, .miss_send_len = ofz_u16(in) };
		ofp_encode_config(out, OFPT_SET_CONFIG, xid, &c);
		sent->type = OFPT_SET_CONFIG;
		break;
	}
	case 4: {
		struct ofp_table_mod tm = { .table_id = ofz_u8(in) % 10, .config = 3 };
		if (tm.table_id == 9)
			tm.table_id = OFPTT_ALL;
		ofp_encode_table_mod(out, xid, &tm);
		sent->type = OFPT_TABLE_MOD;
		break;
	}
	case 5: {
		struct ofp_port_mod pm = { .port_no = PICK(in, in_ports), .config = OFPPC_PORT_DOWN,
					   .mask = ofz_u8(in) & 1 ? OFPPC_PORT_DOWN : 0 };
		ofp_encode_port_mod(out, xid, &pm);
		sent->type = OFPT_PORT_MOD;
		break;
	}
	case 6:
		ofp_encode_hello(out, xid, 1u << 4);
		sent->type = OFPT_HELLO;
		break;
	default:
		/* Messages only a switch sends: BAD_TYPE. */
		ofp_encode_empty(out, OFPT_BARRIER_REPLY, xid);
		sent->type = OFPT_BARRIER_REPLY;
		break;
	}
}

static void
gen_raw(struct ofz_in *in, uint32_t xid, struct ofp_buf *out, struct ofz_sent *sent)
{
	uint8_t type = ofz_u8(in) % 32;
	size_t n = ofz_u8(in) % 96;
	size_t start = ofp_msg_start(out, type, xid);

	for (size_t i = 0; i < n; i++)
		ofp_buf_put_u8(out, ofz_u8(in));
	ofp_msg_finish(out, start);
	sent->type = type;
	sent->raw = true;
}

void
ofz_next(struct ofz_in *in, uint32_t xid, struct ofp_buf *out, struct ofz_sent *sent)
{
	uint8_t k = ofz_u8(in) % 32;

	memset(sent, 0, sizeof(*sent));
	sent->xid = xid;
	if (k < 10) {
		sent->type = OFPT_FLOW_MOD;
		gen_flow_mod(in, xid, out, false);
	} else if (k < 14) {
		sent->type = OFPT_GROUP_MOD;
		gen_group_mod(in, xid, out);
	} else if (k < 17) {
		sent->type = OFPT_METER_MOD;
		gen_meter_mod(in, xid, out);
	} else if (k < 22) {
		sent->type = OFPT_MULTIPART_REQUEST;
		gen_multipart(in, xid, out, sent);
	} else if (k < 24) {
		sent->type = OFPT_BARRIER_REQUEST;
		ofp_encode_empty(out, OFPT_BARRIER_REQUEST, xid);
	} else if (k < 26) {
		sent->type = OFPT_PACKET_OUT;
		gen_packet_out(in, xid, out);
	} else if (k == 26) {
		static const uint32_t roles[] = { OFPCR_ROLE_NOCHANGE, OFPCR_ROLE_EQUAL,
						  OFPCR_ROLE_MASTER, OFPCR_ROLE_MASTER,
						  OFPCR_ROLE_SLAVE, 7 };
		struct ofp_role r = { .role = PICK(in, roles), .generation_id = ofz_u8(in) % 4 };
		sent->type = OFPT_ROLE_REQUEST;
		ofp_encode_role(out, OFPT_ROLE_REQUEST, xid, &r);
	} else if (k == 27) {
		gen_other(in, xid, out, sent);
	} else if (k == 28) {
		sent->type = 0xff;
		sent->advance_ms = (uint64_t)ofz_u8(in) * 50;
	} else if (k == 29) {
		gen_raw(in, xid, out, sent);
	} else if (k == 30) {
		sent->type = OFPT_FLOW_MOD;
		gen_flow_mod(in, xid, out, true);
	} else {
		/* The aggregate over every flow, which the harness checks
		 * against the switch's own count. */
		struct ofp_mp_request mp = { .type = OFPMP_AGGREGATE };
		mp.u.flow.table_id = OFPTT_ALL;
		mp.u.flow.out_port = OFPP_ANY;
		mp.u.flow.out_group = OFPG_ANY;
		sent->type = OFPT_MULTIPART_REQUEST;
		sent->mp_type = OFPMP_AGGREGATE;
		sent->mp_all_flows = true;
		ofp_encode_mp_request(out, xid, &mp);
	}
}

/* ---- the world: a switch, a session and stubs ---- */

static unsigned
port_list(void *ctx, struct ofp_port_info *out, unsigned max)
{
	static const uint32_t nos[] = { 1, 2, 3, 1001, 1002 };
	unsigned n = 0;

	for (; n < max && n < 5; n++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].port_no = nos[n];
		out[n].hw_addr[0] = 2;
		out[n].hw_addr[5] = (uint8_t)n;
		out[n].name[0] = (char)('a' + n);
	}
	return n;
}

static bool
port_stats(void *ctx, uint32_t port_no, struct ofp_port_stats_entry *e)
{
	if (port_no < 1 || port_no > 3)
		return false;
	memset(e, 0, sizeof(*e));
	e->port_no = port_no;
	e->rx_packets = port_no * 10;
	return true;
}

static ofp_err_t
packet_out(void *ctx, const struct ofp_packet_out *po)
{
	struct ofz_world *w = ctx;

	w->n_packet_out++;
	if (po->data_len && po->data == NULL)
		abort();
	return OFP_OK;
}

static void
sync_dp(void *ctx)
{
	struct ofz_world *w = ctx;

	w->n_sync++;
}

static ofp_err_t
flow_check(void *ctx, const struct ofp_flow_mod *fm)
{
	struct ofz_world *w = ctx;

	return ofdp_check_flow(&w->env, fm);
}

static ofp_err_t
group_check(void *ctx, const struct ofp_group_mod *gm)
{
	struct ofz_world *w = ctx;

	return ofdp_check_group(&w->env, gm);
}

static bool
port_exists(void *ctx, uint32_t port)
{
	struct ofz_world *w = ctx;

	return ofdp_env_dpdk_port(&w->env, port) || ofdp_env_service_port(&w->env, port);
}

static void
flow_removed(void *ctx, const struct ofs_flow *f, uint8_t reason, uint64_t now_ms)
{
	struct ofz_world *w = ctx;
	struct ofp_buf b;
	struct ofp_msg m;

	w->n_removed++;
	/* FLOW_REMOVED, as the agent would send it, must decode. */
	ofp_buf_init(&b);
	of_session_flow_removed(&w->s, &b, f, reason, now_ms);
	if (b.failed || ofp_decode(b.data, b.len, &m) != OFP_OK ||
	    m.h.type != OFPT_FLOW_REMOVED || m.u.flow_removed.table_id != f->table_id ||
	    m.u.flow_removed.priority != f->priority)
		abort();
	ofp_msg_release(&m);
	ofp_buf_free(&b);
}

void
ofz_world_init(struct ofz_world *w, bool check_with_pipeline)
{
	memset(w, 0, sizeof(*w));
	w->port_ids[0] = 0;
	w->port_ids[1] = 1;
	w->port_ids[2] = 2;
	for (uint16_t i = 0; i < 4; i++)
		w->services[i].id = i;
	w->services[1].num_instances = 1;
	w->env = (struct ofdp_env){ .port_mask = 7, .num_ports = 3, .port_ids = w->port_ids,
				    .max_service = 3, .services = w->services };
	if (ofs_init(&w->sw, OFZ_TABLES, OFZ_MAX_FLOWS, OFZ_MAX_GROUPS) < 0)
		abort();
	w->sw.max_meters = OFZ_MAX_METERS;
	w->sw.port_exists = port_exists;
	w->sw.on_removed = flow_removed;
	w->sw.ctx = w;
	w->ops = (struct of_datapath_ops){ .port_list = port_list, .port_stats = port_stats,
					   .packet_out = packet_out, .sync = sync_dp, .ctx = w };
	if (check_with_pipeline) {
		w->ops.flow_check = flow_check;
		w->ops.group_check = group_check;
	}
	of_session_init(&w->s, &w->sw, &w->ops, 0x1234);
	w->now_ms = 1000;
}

void
ofz_world_destroy(struct ofz_world *w)
{
	ofs_destroy(&w->sw);
}

/* ---- invariants ---- */

static void
check_actions(struct of_switch *sw, const struct ofp_action_list *l, uint32_t self)
{
	for (uint16_t i = 0; i < l->n; i++)
		if (l->v[i].type == OFPAT_GROUP &&
		    (l->v[i].u.group_id == self || ofs_group_find(sw, l->v[i].u.group_id) == NULL))
			abort();
}

static int
by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

uint32_t
ofz_check_switch(struct ofz_world *w)
{
	struct of_switch *sw = &w->sw;
	static uint64_t ids[OFZ_TABLES * OFZ_MAX_FLOWS];
	uint32_t n = 0;

	if (sw->generation < w->last_generation)
		abort();
	w->last_generation = sw->generation;
	for (uint8_t tid = 0; tid < sw->n_tables; tid++) {
		const struct ofs_table *t = &sw->tables[tid];

		if (t->n > sw->max_flows || t->n > t->cap)
			abort();
		for (uint32_t i = 0; i < t->n; i++) {
			const struct ofs_flow *f = t->flows[i];

			if (f->table_id != tid || f->id >= sw->next_flow_id)
				abort();
			check_actions(sw, &f->insts.apply, OFPG_ANY);
			check_actions(sw, &f->insts.write, OFPG_ANY);
			if ((f->insts.present & OFP_INST_BIT(OFPIT_METER)) &&
			    ofs_meter_find(sw, f->insts.meter_id) == NULL)
				abort();
			if ((f->insts.present & OFP_INST_BIT(OFPIT_GOTO_TABLE)) &&
			    (f->insts.goto_table <= tid || f->insts.goto_table >= sw->n_tables))
				abort();
			ids[n++] = f->id;
		}
	}
	qsort(ids, n, sizeof(ids[0]), by_u64);
	for (uint32_t i = 1; i < n; i++)
		if (ids[i] == ids[i - 1])
			abort();
	if (sw->n_groups > sw->max_groups || sw->n_groups > sw->groups_cap)
		abort();
	for (uint32_t i = 0; i < sw->n_groups; i++) {
		const struct ofs_group *g = &sw->groups[i];

		if ((i && g->id <= sw->groups[i - 1].id) || g->id > OFPG_MAX || g->type > OFPGT_FF)
			abort();
		if (g->type == OFPGT_INDIRECT && g->n_buckets != 1)
			abort();
		for (uint16_t j = 0; j < g->n_buckets; j++)
			check_actions(sw, &g->buckets[j].actions, g->id);
	}
	if (sw->n_meters > sw->max_meters || sw->n_meters > sw->meters_cap)
		abort();
	for (uint32_t i = 0; i < sw->n_meters; i++) {
		const struct ofs_meter *m = &sw->meters[i];

		if ((i && m->id <= sw->meters[i - 1].id) || m->id == 0 || m->id > OFPM_MAX ||
		    m->n_bands > OFP_MAX_METER_BANDS)
			abort();
	}
	return n;
}
