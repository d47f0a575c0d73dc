/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OXM match <-> struct flow_key + mask (OpenFlow 1.3.5, 7.2.3).
 *
 * One table describes every supported OXM_OF_* field: its wire length,
 * where it lives in flow_key, whether the spec lets it be masked, its
 * valid value range, and its prerequisite. Decoding checks, in the order
 * the spec lists them: TLV lengths (BAD_LEN), class and field (BAD_FIELD),
 * mask allowed (BAD_MASK), duplicates (DUP_FIELD), value range
 * (BAD_VALUE), value bits outside the mask (BAD_WILDCARDS) and, once the
 * whole match is read, prerequisites (BAD_PREREQ), so field order does
 * not matter.
 */
#include <stddef.h>
#include <string.h>

#include "ofp.h"
#include "ofp_priv.h"

enum oxm_kind { K_U8, K_U16, K_U32, K_U64, K_BYTES };

enum oxm_prereq {
	P_NONE,
	P_VLAN,      /* VLAN_VID != NONE */
	P_IP_ANY,    /* eth_type 0x0800 or 0x86dd */
	P_IPV4,
	P_IPV6,
	P_ARP,
	P_MPLS,      /* eth_type 0x8847 or 0x8848 */
	P_TCP,
	P_UDP,
	P_SCTP,
	P_ICMPV4,
	P_ICMPV6,
	P_ND_TARGET, /* icmpv6 type 135 or 136 */
	P_ND_SLL,    /* icmpv6 type 135 */
	P_ND_TLL,    /* icmpv6 type 136 */
	P_PBB,       /* eth_type 0x88e7 */
};

struct oxm_desc {
	struct ofp_oxm_field_info info;
	uint8_t kind;
	uint8_t prereq;
	uint16_t key_off;
	uint64_t valid; /* all bits a value may have (integer kinds) */
};

#define KO(f) offsetof(struct flow_key, f)
#define FIELD(id, len, mask, set, nm, kind, pre, off, valid) \
	[id] = { { id, len, mask, set, nm }, kind, pre, off, valid }

static const struct oxm_desc oxm_table[OFPXMT_OFB_IPV6_EXTHDR + 1] = {
	FIELD(OFPXMT_OFB_IN_PORT, 4, false, false, "in_port", K_U32, P_NONE, KO(in_port), 0xffffffff),
	FIELD(OFPXMT_OFB_METADATA, 8, true, false, "metadata", K_U64, P_NONE, KO(metadata), UINT64_MAX),
	FIELD(OFPXMT_OFB_ETH_DST, 6, true, true, "eth_dst", K_BYTES, P_NONE, KO(eth_dst), 0),
	FIELD(OFPXMT_OFB_ETH_SRC, 6, true, true, "eth_src", K_BYTES, P_NONE, KO(eth_src), 0),
	FIELD(OFPXMT_OFB_ETH_TYPE, 2, false, true, "eth_type", K_U16, P_NONE, KO(eth_type), 0xffff),
	FIELD(OFPXMT_OFB_VLAN_VID, 2, true, true, "vlan_vid", K_U16, P_NONE, KO(vlan_vid), 0x1fff),
	FIELD(OFPXMT_OFB_VLAN_PCP, 1, false, true, "vlan_pcp", K_U8, P_VLAN, KO(vlan_pcp), 0x7),
	FIELD(OFPXMT_OFB_IP_DSCP, 1, false, true, "ip_dscp", K_U8, P_IP_ANY, KO(ip_dscp), 0x3f),
	FIELD(OFPXMT_OFB_IP_ECN, 1, false, true, "ip_ecn", K_U8, P_IP_ANY, KO(ip_ecn), 0x3),
	FIELD(OFPXMT_OFB_IP_PROTO, 1, false, true, "ip_proto", K_U8, P_IP_ANY, KO(ip_proto), 0xff),
	FIELD(OFPXMT_OFB_IPV4_SRC, 4, true, true, "ipv4_src", K_U32, P_IPV4, KO(ipv4_src), 0xffffffff),
	FIELD(OFPXMT_OFB_IPV4_DST, 4, true, true, "ipv4_dst", K_U32, P_IPV4, KO(ipv4_dst), 0xffffffff),
	FIELD(OFPXMT_OFB_TCP_SRC, 2, false, true, "tcp_src", K_U16, P_TCP, KO(tp_src), 0xffff),
	FIELD(OFPXMT_OFB_TCP_DST, 2, false, true, "tcp_dst", K_U16, P_TCP, KO(tp_dst), 0xffff),
	FIELD(OFPXMT_OFB_UDP_SRC, 2, false, true, "udp_src", K_U16, P_UDP, KO(tp_src), 0xffff),
	FIELD(OFPXMT_OFB_UDP_DST, 2, false, true, "udp_dst", K_U16, P_UDP, KO(tp_dst), 0xffff),
	FIELD(OFPXMT_OFB_SCTP_SRC, 2, false, true, "sctp_src", K_U16, P_SCTP, KO(tp_src), 0xffff),
	FIELD(OFPXMT_OFB_SCTP_DST, 2, false, true, "sctp_dst", K_U16, P_SCTP, KO(tp_dst), 0xffff),
	FIELD(OFPXMT_OFB_ICMPV4_TYPE, 1, false, true, "icmpv4_type", K_U8, P_ICMPV4, KO(icmp_type), 0xff),
	FIELD(OFPXMT_OFB_ICMPV4_CODE, 1, false, true, "icmpv4_code", K_U8, P_ICMPV4, KO(icmp_code), 0xff),
	FIELD(OFPXMT_OFB_ARP_OP, 2, false, true, "arp_op", K_U16, P_ARP, KO(arp_op), 0xffff),
	FIELD(OFPXMT_OFB_ARP_SPA, 4, true, true, "arp_spa", K_U32, P_ARP, KO(arp_spa), 0xffffffff),
	FIELD(OFPXMT_OFB_ARP_TPA, 4, true, true, "arp_tpa", K_U32, P_ARP, KO(arp_tpa), 0xffffffff),
	FIELD(OFPXMT_OFB_ARP_SHA, 6, true, true, "arp_sha", K_BYTES, P_ARP, KO(arp_sha), 0),
	FIELD(OFPXMT_OFB_ARP_THA, 6, true, true, "arp_tha", K_BYTES, P_ARP, KO(arp_tha), 0),
	FIELD(OFPXMT_OFB_IPV6_SRC, 16, true, true, "ipv6_src", K_BYTES, P_IPV6, KO(ipv6_src), 0),
	FIELD(OFPXMT_OFB_IPV6_DST, 16, true, true, "ipv6_dst", K_BYTES, P_IPV6, KO(ipv6_dst), 0),
	FIELD(OFPXMT_OFB_IPV6_FLABEL, 4, true, true, "ipv6_flabel", K_U32, P_IPV6, KO(ipv6_flabel), 0xfffff),
	FIELD(OFPXMT_OFB_ICMPV6_TYPE, 1, false, true, "icmpv6_type", K_U8, P_ICMPV6, KO(icmp_type), 0xff),
	FIELD(OFPXMT_OFB_ICMPV6_CODE, 1, false, true, "icmpv6_code", K_U8, P_ICMPV6, KO(icmp_code), 0xff),
	FIELD(OFPXMT_OFB_IPV6_ND_TARGET, 16, false, true, "ipv6_nd_target", K_BYTES, P_ND_TARGET, KO(nd_target), 0),
	FIELD(OFPXMT_OFB_IPV6_ND_SLL, 6, false, true, "ipv6_nd_sll", K_BYTES, P_ND_SLL, KO(nd_sll), 0),
	FIELD(OFPXMT_OFB_IPV6_ND_TLL, 6, false, true, "ipv6_nd_tll", K_BYTES, P_ND_TLL, KO(nd_tll), 0),
	FIELD(OFPXMT_OFB_MPLS_LABEL, 4, false, true, "mpls_label", K_U32, P_MPLS, KO(mpls_label), 0xfffff),
	FIELD(OFPXMT_OFB_MPLS_TC, 1, false, true, "mpls_tc", K_U8, P_MPLS, KO(mpls_tc), 0x7),
	FIELD(OFPXMT_OFB_MPLS_BOS, 1, false, true, "mpls_bos", K_U8, P_MPLS, KO(mpls_bos), 0x1),
	FIELD(OFPXMT_OFB_PBB_ISID, 3, true, true, "pbb_isid", K_U32, P_PBB, KO(pbb_isid), 0xffffff),
	FIELD(OFPXMT_OFB_TUNNEL_ID, 8, true, true, "tunnel_id", K_U64, P_NONE, KO(tunnel_id), UINT64_MAX),
	FIELD(OFPXMT_OFB_IPV6_EXTHDR, 2, true, false, "ipv6_exthdr", K_U16, P_IPV6, KO(ipv6_exthdr), 0x1ff),
	/* IN_PHY_PORT: no physical/logical port distinction here, left zero
	 * so it decodes as OFPBMC_BAD_FIELD. */
};

static const struct oxm_desc *
oxm_desc(uint8_t field)
{
	if (field > OFPXMT_OFB_IPV6_EXTHDR || oxm_table[field].info.len == 0)
		return NULL;
	return &oxm_table[field];
}

const struct ofp_oxm_field_info *
ofp_oxm_field(uint8_t field)
{
	const struct oxm_desc *d = oxm_desc(field);

	return d ? &d->info : NULL;
}

/* Integer value of a field in a key (integer kinds only). */
static uint64_t
key_get(const struct oxm_desc *d, const struct flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k + d->key_off;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (d->kind) {
	case K_U8: memcpy(&v8, p, 1); return v8;
	case K_U16: memcpy(&v16, p, 2); return v16;
	case K_U32: memcpy(&v32, p, 4); return v32;
	case K_U64: memcpy(&v64, p, 8); return v64;
	}
	return 0;
}

static void
key_set(const struct oxm_desc *d, struct flow_key *k, uint64_t v)
{
	uint8_t *p = (uint8_t *)k + d->key_off;
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (d->kind) {
	case K_U8: memcpy(p, &v8, 1); break;
	case K_U16: memcpy(p, &v16, 2); break;
	case K_U32: memcpy(p, &v32, 4); break;
	case K_U64: memcpy(p, &v, 8); break;
	}
}

static uint64_t
wire_get(const uint8_t *w, uint8_t len)
{
	uint64_t v = 0;

	for (uint8_t i = 0; i < len; i++)
		v = v << 8 | w[i];
	return v;
}

static void
wire_put(uint8_t *w, uint8_t len, uint64_t v)
{
	for (int i = len - 1; i >= 0; i--) {
		w[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Store a wire value into a key (value or mask). */
static void
field_from_wire(const struct oxm_desc *d, struct flow_key *k, const uint8_t *w)
{
	if (d->kind == K_BYTES)
		memcpy((uint8_t *)k + d->key_off, w, d->info.len);
	else
		key_set(d, k, wire_get(w, d->info.len));
}

static void
field_to_wire(const struct oxm_desc *d, const struct flow_key *k, uint8_t *w)
{
	if (d->kind == K_BYTES)
		memcpy(w, (const uint8_t *)k + d->key_off, d->info.len);
	else
		wire_put(w, d->info.len, key_get(d, k));
}

static bool
field_is_zero(const struct oxm_desc *d, const struct flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k + d->key_off;

	if (d->kind != K_BYTES)
		return key_get(d, k) == 0;
	for (uint8_t i = 0; i < d->info.len; i++)
		if (p[i])
			return false;
	return true;
}

/* The mask an unmasked TLV stands for. */
static void
field_set_exact(const struct oxm_desc *d, struct flow_key *mask)
{
	if (d->kind == K_BYTES)
		memset((uint8_t *)mask + d->key_off, 0xff, d->info.len);
	else
		key_set(d, mask, d->valid);
}

static bool
field_is_exact(const struct oxm_desc *d, const struct flow_key *mask)
{
	const uint8_t *p = (const uint8_t *)mask + d->key_off;

	if (d->kind != K_BYTES)
		return (key_get(d, mask) & d->valid) == d->valid;
	for (uint8_t i = 0; i < d->info.len; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

/* Value range (BAD_VALUE) for a wire value of an integer field. */
static bool
wire_value_valid(const struct oxm_desc *d, const uint8_t *w)
{
	if (d->kind == K_BYTES)
		return true;
	return (wire_get(w, d->info.len) & ~d->valid) == 0;
}

/* Is `field` matched exactly on one of the given values? */
static bool
exact_u8(const struct ofp_match *m, uint8_t field, uint8_t a, uint8_t b)
{
	const struct oxm_desc *d = oxm_desc(field);

	if (!field_is_exact(d, &m->mask))
		return false;
	uint64_t v = key_get(d, &m->key);
	return v == a || v == b;
}

static bool
eth_type_is(const struct ofp_match *m, uint16_t a, uint16_t b)
{
	return m->mask.eth_type == 0xffff && (m->key.eth_type == a || m->key.eth_type == b);
}

static bool
prereq_met(uint8_t prereq, const struct ofp_match *m)
{
	switch (prereq) {
	case P_NONE: return true;
	case P_VLAN:
		return (m->mask.vlan_vid & OFPVID_PRESENT) && (m->key.vlan_vid & OFPVID_PRESENT);
	case P_IP_ANY: return eth_type_is(m, PKT_ETHERTYPE_IPV4, PKT_ETHERTYPE_IPV6);
	case P_IPV4: return eth_type_is(m, PKT_ETHERTYPE_IPV4, PKT_ETHERTYPE_IPV4);
	case P_IPV6: return eth_type_is(m, PKT_ETHERTYPE_IPV6, PKT_ETHERTYPE_IPV6);
	case P_ARP: return eth_type_is(m, PKT_ETHERTYPE_ARP, PKT_ETHERTYPE_ARP);
	case P_MPLS: return eth_type_is(m, 0x8847, 0x8848);
	case P_PBB: return eth_type_is(m, FLOW_ETHERTYPE_PBB, FLOW_ETHERTYPE_PBB);
	case P_TCP:
		return prereq_met(P_IP_ANY, m) && exact_u8(m, OFPXMT_OFB_IP_PROTO, 6, 6);
	case P_UDP:
		return prereq_met(P_IP_ANY, m) && exact_u8(m, OFPXMT_OFB_IP_PROTO, 17, 17);
	case P_SCTP:
		return prereq_met(P_IP_ANY, m) && exact_u8(m, OFPXMT_OFB_IP_PROTO, 132, 132);
	case P_ICMPV4:
		return prereq_met(P_IPV4, m) && exact_u8(m, OFPXMT_OFB_IP_PROTO, 1, 1);
	case P_ICMPV6:
		return prereq_met(P_IPV6, m) && exact_u8(m, OFPXMT_OFB_IP_PROTO, 58, 58);
	case P_ND_TARGET:
		return prereq_met(P_ICMPV6, m) && exact_u8(m, OFPXMT_OFB_ICMPV6_TYPE, 135, 136);
	case P_ND_SLL:
		return prereq_met(P_ICMPV6, m) && exact_u8(m, OFPXMT_OFB_ICMPV6_TYPE, 135, 135);
	case P_ND_TLL:
		return prereq_met(P_ICMPV6, m) && exact_u8(m, OFPXMT_OFB_ICMPV6_TYPE, 136, 136);
	}
	return false;
}

/* Decode one OXM TLV into the match; `seen` tracks fields for DUP_FIELD. */
static ofp_err_t
oxm_decode_one(struct ofp_rd *r, struct ofp_match *m, uint64_t *seen)
{
	uint32_t h;

	if (!ofp_rd_be32(r, &h))
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	uint8_t len = OXM_LENGTH(h);
	const uint8_t *val = ofp_rd_ptr(r);

	if (!ofp_rd_skip(r, len))
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	if (OXM_CLASS(h) != OFPXMC_OPENFLOW_BASIC)
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);

	const struct oxm_desc *d = oxm_desc(OXM_FIELD(h));
	if (d == NULL)
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
	bool hasmask = OXM_HASMASK(h);
	if (len != d->info.len * (hasmask ? 2 : 1))
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	if (hasmask && !d->info.maskable)
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_MASK);
	if (*seen & (1ull << d->info.field))
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_DUP_FIELD);
	*seen |= 1ull << d->info.field;
	if (!wire_value_valid(d, val))
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_VALUE);

	if (hasmask) {
		const uint8_t *msk = val + d->info.len;

		for (uint8_t i = 0; i < d->info.len; i++)
			if (val[i] & ~msk[i])
				return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_WILDCARDS);
		field_from_wire(d, &m->mask, msk);
		/* Bits outside the field's range carry no meaning. */
		if (d->kind != K_BYTES)
			key_set(d, &m->mask, key_get(d, &m->mask) & d->valid);
	} else {
		field_set_exact(d, &m->mask);
	}
	field_from_wire(d, &m->key, val);
	return OFP_OK;
}

ofp_err_t
ofp_match_decode(struct ofp_rd *r, struct ofp_match *m)
{
	uint16_t type, length;
	struct ofp_rd fields;
	uint64_t seen = 0;

	memset(m, 0, sizeof(*m));
	if (ofp_rd_left(r) < 4)
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	ofp_rd_be16(r, &type);
	ofp_rd_be16(r, &length);
	if (type != OFPMT_OXM)
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_TYPE);
	if (length < 4)
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	size_t padded = ((size_t)length + 7) / 8 * 8;
	if (!ofp_rd_sub(r, length - 4u, &fields) || !ofp_rd_skip(r, padded - length))
		return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_LEN);

	while (ofp_rd_left(&fields) > 0) {
		ofp_err_t err = oxm_decode_one(&fields, m, &seen);

		if (err)
			return err;
	}
	for (uint8_t f = 0; f <= OFPXMT_OFB_IPV6_EXTHDR; f++) {
		if ((seen & (1ull << f)) && !prereq_met(oxm_table[f].prereq, m))
			return OFP_ERR(OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	}
	return OFP_OK;
}

/*
 * Fields sharing a flow_key slot (L4 ports, ICMP type/code) are written
 * under the OXM the key's eth_type / ip_proto call for.
 */
static bool
field_applies(uint8_t f, const struct flow_key *k)
{
	bool v6 = k->eth_type == PKT_ETHERTYPE_IPV6;

	switch (f) {
	case OFPXMT_OFB_TCP_SRC: case OFPXMT_OFB_TCP_DST:
		return k->ip_proto != PKT_PROTO_UDP && k->ip_proto != PKT_PROTO_SCTP;
	case OFPXMT_OFB_UDP_SRC: case OFPXMT_OFB_UDP_DST:
		return k->ip_proto == PKT_PROTO_UDP;
	case OFPXMT_OFB_SCTP_SRC: case OFPXMT_OFB_SCTP_DST:
		return k->ip_proto == PKT_PROTO_SCTP;
	case OFPXMT_OFB_ICMPV4_TYPE: case OFPXMT_OFB_ICMPV4_CODE:
		return !v6;
	case OFPXMT_OFB_ICMPV6_TYPE: case OFPXMT_OFB_ICMPV6_CODE:
		return v6;
	}
	return true;
}

void
ofp_match_encode(struct ofp_buf *b, const struct ofp_match *m)
{
	size_t start = b->len;

	ofp_buf_put_be16(b, OFPMT_OXM);
	ofp_buf_put_be16(b, 0);
	for (uint8_t f = 0; f <= OFPXMT_OFB_IPV6_EXTHDR; f++) {
		const struct oxm_desc *d = oxm_desc(f);

		if (d == NULL || field_is_zero(d, &m->mask) || !field_applies(f, &m->key))
			continue;
		bool hasmask = d->info.maskable && !field_is_exact(d, &m->mask);
		uint8_t len = (uint8_t)(d->info.len * (hasmask ? 2 : 1));
		ofp_buf_put_be32(b, OXM_HEADER(OFPXMC_OPENFLOW_BASIC, f, hasmask, len));
		uint8_t *w = ofp_buf_put_zeros(b, len);
		if (w == NULL)
			return;
		struct flow_key v = m->key;
		if (hasmask) {
			/* The wire value may not have bits outside its mask. */
			uint8_t *kv = (uint8_t *)&v, *km = (uint8_t *)&m->mask;
			for (uint8_t i = 0; i < (d->kind == K_BYTES ? d->info.len : 0); i++)
				kv[d->key_off + i] &= km[d->key_off + i];
			if (d->kind != K_BYTES)
				key_set(d, &v, key_get(d, &v) & key_get(d, &m->mask));
			field_to_wire(d, &m->mask, w + d->info.len);
		}
		field_to_wire(d, &v, w);
	}
	ofp_buf_set_be16(b, start + 2, (uint16_t)(b->len - start));
	ofp_buf_pad8(b, start);
}

void
ofp_match_normalize(struct ofp_match *m)
{
	uint8_t *k = (uint8_t *)&m->key;
	const uint8_t *mk = (const uint8_t *)&m->mask;

	for (size_t i = 0; i < sizeof(m->key); i++)
		k[i] &= mk[i];
}

/* ---- set-field support (used by ofp_actions.c) ---- */

ofp_err_t
ofp_set_field_decode_value(uint32_t h, const uint8_t *value, struct ofp_action *a)
{
	if (OXM_CLASS(h) != OFPXMC_OPENFLOW_BASIC)
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	const struct oxm_desc *d = oxm_desc(OXM_FIELD(h));
	if (d == NULL || !d->info.settable)
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	if (OXM_HASMASK(h))
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_SET_ARGUMENT);
	if (OXM_LENGTH(h) != d->info.len)
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
	if (!wire_value_valid(d, value))
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_SET_ARGUMENT);
	a->u.set_field.field = d->info.field;
	a->u.set_field.len = d->info.len;
	memcpy(a->u.set_field.value, value, d->info.len);
	return OFP_OK;
}

bool
ofp_set_field_prereq_met(uint8_t field, const struct ofp_match *m)
{
	const struct oxm_desc *d = oxm_desc(field);

	return d != NULL && prereq_met(d->prereq, m);
}

void
ofp_set_field_apply(const struct ofp_action *a, struct flow_key *k)
{
	const struct oxm_desc *d = oxm_desc(a->u.set_field.field);

	if (d != NULL)
		field_from_wire(d, k, a->u.set_field.value);
}
