/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Malformed and unsupported input: each case asserts the exact OFPT_ERROR
 * type and code the 1.3.5 specification names, at every level (header,
 * match and OXM TLV, instruction, action, bucket, multipart body).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ofp_samples.h"

#define OXM(field, hm, len) 0x80, 0x00, (uint8_t)((field) << 1 | (hm)), (len)
#define ETH_IPV4 OXM(OFPXMT_OFB_ETH_TYPE, 0, 2), 0x08, 0x00
#define ETH_IPV6 OXM(OFPXMT_OFB_ETH_TYPE, 0, 2), 0x86, 0xdd
#define ETH_PBB OXM(OFPXMT_OFB_ETH_TYPE, 0, 2), 0x88, 0xe7
#define PROTO(p) OXM(OFPXMT_OFB_IP_PROTO, 0, 1), (p)
#define TCP_DST_80 OXM(OFPXMT_OFB_TCP_DST, 0, 2), 0x00, 0x50
#define OUTPUT(p) 0, 0, 0, 16, 0, 0, (uint8_t)((p) >> 8), (uint8_t)(p), 0, 0, 0, 0, 0, 0, 0, 0
#define APPLY_HDR(n_bytes) 0, 4, 0, (uint8_t)(8 + (n_bytes)), 0, 0, 0, 0

static const uint8_t apply_out1[] = { APPLY_HDR(16), OUTPUT(1) };

static ofp_err_t
decode_buf(struct ofp_buf *b)
{
	struct ofp_msg m;
	ofp_err_t err = ofp_decode(b->data, b->len, &m);

	if (!err)
		ofp_msg_release(&m);
	return err;
}

/* A FLOW_MOD (ADD, table `table`) around raw match TLVs and instructions;
 * match_len < 0 means "the true length". */
static ofp_err_t
flow_mod_raw(uint8_t table, uint8_t command, const uint8_t *oxm, size_t oxm_len,
	     int match_len, const uint8_t *inst, size_t inst_len)
{
	struct ofp_buf b;

	ofp_buf_init(&b);
	size_t start = ofp_msg_start(&b, OFPT_FLOW_MOD, 1);
	ofp_buf_put_zeros(&b, 16);            /* cookie, cookie_mask */
	ofp_buf_put_u8(&b, table);
	ofp_buf_put_u8(&b, command);
	ofp_buf_put_zeros(&b, 4);             /* timeouts */
	ofp_buf_put_be16(&b, 10);             /* priority */
	ofp_buf_put_be32(&b, OFP_NO_BUFFER);
	ofp_buf_put_be32(&b, OFPP_ANY);
	ofp_buf_put_be32(&b, OFPG_ANY);
	ofp_buf_put_zeros(&b, 4);             /* flags, pad */
	size_t m = b.len;
	ofp_buf_put_be16(&b, OFPMT_OXM);
	ofp_buf_put_be16(&b, (uint16_t)(match_len >= 0 ? match_len : (int)(4 + oxm_len)));
	ofp_buf_put(&b, oxm, oxm_len);
	ofp_buf_pad8(&b, m);
	ofp_buf_put(&b, inst, inst_len);
	ofp_msg_finish(&b, start);
	ofp_err_t err = decode_buf(&b);
	ofp_buf_free(&b);
	return err;
}

static ofp_err_t
match_only(const uint8_t *oxm, size_t len)
{
	return flow_mod_raw(0, OFPFC_ADD, oxm, len, -1, apply_out1, sizeof(apply_out1));
}

static ofp_err_t
with_insts(const uint8_t *inst, size_t len)
{
	static const uint8_t tcp[] = { ETH_IPV4, PROTO(6) };

	return flow_mod_raw(0, OFPFC_ADD, tcp, sizeof(tcp), -1, inst, len);
}

#define EXPECT(call, type, code) assert_int_equal((call), OFP_ERR(type, code))
#define M(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static ofp_err_t
raw(const uint8_t *p, size_t n)
{
	struct ofp_msg m;
	ofp_err_t err = ofp_decode(p, n, &m);

	if (!err)
		ofp_msg_release(&m);
	return err;
}

static void
header_level(void **state)
{
	size_t len;

	EXPECT(raw(M(4, 5, 0, 8, 0, 0, 0)), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT(raw(M(4, 5, 0, 100, 0, 0, 0, 1)), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT(raw(M(4, 5, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0)), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT(raw(M(4, 5, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0)), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT(ofp_frame_len((const uint8_t[]){ 4, 0, 0, 4, 0, 0, 0, 0 }, 8, &len),
	       OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	assert_int_equal(ofp_frame_len((const uint8_t[]){ 4, 0, 0 }, 3, &len), OFP_OK);
	assert_int_equal(len, 0);
	assert_int_equal(ofp_frame_len((const uint8_t[]){ 4, 0, 1, 0, 0, 0, 0, 0 }, 8, &len), OFP_OK);
	assert_int_equal(len, 256);
	EXPECT(raw(M(1, 5, 0, 8, 0, 0, 0, 1)), OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION);
	EXPECT(raw(M(4, 30, 0, 8, 0, 0, 0, 1)), OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	EXPECT(raw(M(4, 200, 0, 8, 0, 0, 0, 1)), OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	EXPECT(raw(M(4, OFPT_QUEUE_GET_CONFIG_REQUEST, 0, 16, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0)),
	       OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	EXPECT(raw(M(4, OFPT_EXPERIMENTER, 0, 16, 0, 0, 0, 1, 0, 0, 0x23, 0x20, 0, 0, 0, 0)),
	       OFPET_BAD_REQUEST, OFPBRC_BAD_EXPERIMENTER);
	/* METER_MOD without a rate unit (neither KBPS nor PKTPS). */
	EXPECT(raw(M(4, OFPT_METER_MOD, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1)),
	       OFPET_METER_MOD_FAILED, OFPMMFC_BAD_FLAGS);
	EXPECT(raw(M(4, OFPT_BARRIER_REQUEST, 0, 9, 0, 0, 0, 1, 0)), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	/* A FLOW_MOD shorter than its fixed part. */
	uint8_t short_fm[40] = { 4, OFPT_FLOW_MOD, 0, 40 };
	EXPECT(raw(short_fm, sizeof(short_fm)), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	/* HELLO element longer than the message. */
	EXPECT(raw(M(4, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 12, 0, 0, 0, 0x10)),
	       OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	/* SET_CONFIG and ROLE value checks. */
	EXPECT(raw(M(4, OFPT_SET_CONFIG, 0, 12, 0, 0, 0, 1, 0, 4, 0, 128)),
	       OFPET_SWITCH_CONFIG_FAILED, OFPSCFC_BAD_FLAGS);
	EXPECT(raw(M(4, OFPT_SET_CONFIG, 0, 12, 0, 0, 0, 1, 0, 0, 0xff, 0xf0)),
	       OFPET_SWITCH_CONFIG_FAILED, OFPSCFC_BAD_LEN);
	EXPECT(raw(M(4, OFPT_ROLE_REQUEST, 0, 24, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0,
		     0, 0, 0, 0, 0, 0, 0, 0)),
	       OFPET_ROLE_REQUEST_FAILED, OFPRRFC_BAD_ROLE);
}

static void
match_level(void **state)
{
	/* Well-formed baseline. */
	assert_int_equal(match_only(M(ETH_IPV4, PROTO(6), TCP_DST_80)), OFP_OK);
	/* Match length runs past the message. */
	EXPECT(flow_mod_raw(0, OFPFC_ADD, M(ETH_IPV4), 200, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	/* Match length below its own header. */
	EXPECT(flow_mod_raw(0, OFPFC_ADD, M(ETH_IPV4), 3, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	/* An OXM TLV whose length runs past the match. */
	EXPECT(match_only(M(OXM(OFPXMT_OFB_ETH_TYPE, 0, 20), 0x08, 0x00)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_LEN);
	/* An OXM TLV whose length is wrong for its field. */
	EXPECT(match_only(M(OXM(OFPXMT_OFB_ETH_TYPE, 0, 3), 0x08, 0x00, 0)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_LEN);
	EXPECT(match_only(M(ETH_IPV4, OXM(OFPXMT_OFB_IPV4_DST, 1, 4), 10, 0, 0, 0)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_LEN);
	/* A partial OXM header at the end. */
	EXPECT(match_only(M(ETH_IPV4, 0x80, 0x00)), OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	/* Match type other than OXM (the 1.1 standard match). */
	struct ofp_buf b;
	ofp_buf_init(&b);
	ofp_sample_build("flow_mod", &b);
	be16_store(b.data + 48, OFPMT_STANDARD);
	EXPECT(decode_buf(&b), OFPET_BAD_MATCH, OFPBMC_BAD_TYPE);
	ofp_buf_free(&b);
}

static void
match_fields(void **state)
{
	/* Unknown / unsupported fields and classes. */
	EXPECT(match_only(M(OXM(OFPXMT_OFB_IN_PHY_PORT, 0, 4), 0, 0, 0, 1)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_FIELD);
	EXPECT(match_only(M(OXM(60, 0, 2), 0, 0)), OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
	EXPECT(match_only(M(0x00, 0x01, 0x02, 0x04, 0, 0, 0, 1)), OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
	EXPECT(match_only(M(0xff, 0xff, 0x00, 0x08, 0, 0, 0x23, 0x20, 0, 0, 0, 0)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_FIELD);
	/* Duplicate. */
	EXPECT(match_only(M(ETH_IPV4, ETH_IPV4)), OFPET_BAD_MATCH, OFPBMC_DUP_FIELD);
	/* tunnel_id: 8 bytes, maskable, no prerequisite. */
	assert_int_equal(match_only(M(OXM(OFPXMT_OFB_TUNNEL_ID, 0, 8), 0, 0, 0, 0, 0, 0, 0x30,
				      0x39)), OFP_OK);
	assert_int_equal(match_only(M(OXM(OFPXMT_OFB_TUNNEL_ID, 1, 16), 0, 0, 0, 0, 0, 0, 0x30, 0,
				      0, 0, 0, 0, 0, 0, 0xff, 0)), OFP_OK);
	EXPECT(match_only(M(OXM(OFPXMT_OFB_TUNNEL_ID, 1, 16), 0, 0, 0, 0, 0, 0, 0x30, 0x39,
			    0, 0, 0, 0, 0, 0, 0xff, 0)), OFPET_BAD_MATCH, OFPBMC_BAD_WILDCARDS);
	EXPECT(match_only(M(OXM(OFPXMT_OFB_TUNNEL_ID, 0, 4), 0, 0, 0x30, 0x39)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_LEN);
	/* ipv6_exthdr: 2 bytes, 9 flag bits, maskable, needs eth_type IPv6. */
	assert_int_equal(match_only(M(ETH_IPV6, OXM(OFPXMT_OFB_IPV6_EXTHDR, 0, 2), 0, 68)), OFP_OK);
	assert_int_equal(match_only(M(ETH_IPV6, OXM(OFPXMT_OFB_IPV6_EXTHDR, 1, 4), 0, 64, 1, 0xf0)),
			 OFP_OK);
	EXPECT(match_only(M(ETH_IPV4, OXM(OFPXMT_OFB_IPV6_EXTHDR, 0, 2), 0, 68)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_PREREQ);
	EXPECT(match_only(M(ETH_IPV6, OXM(OFPXMT_OFB_IPV6_EXTHDR, 0, 2), 2, 0)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_VALUE);
	EXPECT(match_only(M(ETH_IPV6, OXM(OFPXMT_OFB_IPV6_EXTHDR, 1, 4), 0, 68, 1, 0xf0)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_WILDCARDS);
	/* pbb_isid: 3 bytes, maskable, needs eth_type 0x88e7. */
	assert_int_equal(match_only(M(ETH_PBB, OXM(OFPXMT_OFB_PBB_ISID, 0, 3), 0, 0, 100)), OFP_OK);
	assert_int_equal(match_only(M(ETH_PBB, OXM(OFPXMT_OFB_PBB_ISID, 1, 6), 0, 0, 0x60, 0, 0,
				      0xf0)), OFP_OK);
	EXPECT(match_only(M(OXM(OFPXMT_OFB_PBB_ISID, 0, 3), 0, 0, 100)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_PREREQ);
	EXPECT(match_only(M(ETH_IPV4, OXM(OFPXMT_OFB_PBB_ISID, 0, 3), 0, 0, 100)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_PREREQ);
	EXPECT(match_only(M(ETH_PBB, OXM(OFPXMT_OFB_PBB_ISID, 0, 4), 0, 0, 0, 100)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_LEN);
	EXPECT(match_only(M(ETH_PBB, OXM(OFPXMT_OFB_PBB_ISID, 1, 6), 0, 0, 0x61, 0, 0, 0xf0)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_WILDCARDS);
	/* Mask on a field the spec does not let be masked. */
	EXPECT(match_only(M(ETH_IPV4, PROTO(6), OXM(OFPXMT_OFB_TCP_DST, 1, 4), 0, 0x50, 0xff, 0xff)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_MASK);
	EXPECT(match_only(M(OXM(OFPXMT_OFB_IN_PORT, 1, 8), 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_MASK);
	/* Value bits outside the mask. */
	EXPECT(match_only(M(ETH_IPV4, OXM(OFPXMT_OFB_IPV4_DST, 1, 8), 10, 0, 2, 1, 0xff, 0xff, 0xff, 0)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_WILDCARDS);
	/* Values out of range. */
	EXPECT(match_only(M(OXM(OFPXMT_OFB_VLAN_VID, 0, 2), 0x10, 0x05,
			    OXM(OFPXMT_OFB_VLAN_PCP, 0, 1), 8)), OFPET_BAD_MATCH, OFPBMC_BAD_VALUE);
	EXPECT(match_only(M(OXM(OFPXMT_OFB_VLAN_VID, 0, 2), 0x20, 0x05)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_VALUE);
	EXPECT(match_only(M(ETH_IPV4, OXM(OFPXMT_OFB_IP_DSCP, 0, 1), 64)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_VALUE);
	/* Maskable fields with masks are fine, VLAN "any tag" too. */
	assert_int_equal(match_only(M(OXM(OFPXMT_OFB_VLAN_VID, 1, 4), 0x10, 0x00, 0x10, 0x00,
				      OXM(OFPXMT_OFB_VLAN_PCP, 0, 1), 3)), OFP_OK);
	assert_int_equal(match_only(M(OXM(OFPXMT_OFB_ETH_DST, 1, 12), 1, 0, 0, 0, 0, 0,
				      1, 0, 0, 0, 0, 0)), OFP_OK);
}

static void
prerequisites(void **state)
{
	/* tcp_dst needs ip_proto = 6 and eth_type IPv4/IPv6. */
	EXPECT(match_only(M(TCP_DST_80)), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	EXPECT(match_only(M(ETH_IPV4, TCP_DST_80)), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	EXPECT(match_only(M(ETH_IPV4, PROTO(17), TCP_DST_80)), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	EXPECT(match_only(M(PROTO(6), TCP_DST_80)), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	assert_int_equal(match_only(M(ETH_IPV6, PROTO(6), TCP_DST_80)), OFP_OK);
	/* Order does not matter. */
	assert_int_equal(match_only(M(TCP_DST_80, PROTO(6), ETH_IPV4)), OFP_OK);
	/* ipv4_src under IPv6. */
	EXPECT(match_only(M(ETH_IPV6, OXM(OFPXMT_OFB_IPV4_SRC, 0, 4), 10, 0, 0, 1)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	/* ICMPv4 under IPv6, ICMPv6 under IPv4. */
	EXPECT(match_only(M(ETH_IPV6, PROTO(1), OXM(OFPXMT_OFB_ICMPV4_TYPE, 0, 1), 8)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	EXPECT(match_only(M(ETH_IPV4, PROTO(58), OXM(OFPXMT_OFB_ICMPV6_TYPE, 0, 1), 135)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	/* ND SLL needs a neighbour solicitation (135), not an advertisement. */
	EXPECT(match_only(M(ETH_IPV6, PROTO(58), OXM(OFPXMT_OFB_ICMPV6_TYPE, 0, 1), 136,
			    OXM(OFPXMT_OFB_IPV6_ND_SLL, 0, 6), 2, 0, 0, 0, 0, 1)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	assert_int_equal(match_only(M(ETH_IPV6, PROTO(58), OXM(OFPXMT_OFB_ICMPV6_TYPE, 0, 1), 135,
				      OXM(OFPXMT_OFB_IPV6_ND_SLL, 0, 6), 2, 0, 0, 0, 0, 1)), OFP_OK);
	/* vlan_pcp needs a VLAN (VLAN_VID != NONE). */
	EXPECT(match_only(M(OXM(OFPXMT_OFB_VLAN_PCP, 0, 1), 3)), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	EXPECT(match_only(M(OXM(OFPXMT_OFB_VLAN_VID, 0, 2), 0, 0, OXM(OFPXMT_OFB_VLAN_PCP, 0, 1), 3)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	/* ARP and MPLS fields need their ethertype. */
	EXPECT(match_only(M(OXM(OFPXMT_OFB_ARP_OP, 0, 2), 0, 1)), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	EXPECT(match_only(M(ETH_IPV4, OXM(OFPXMT_OFB_MPLS_LABEL, 0, 4), 0, 0, 0, 5)), OFPET_BAD_MATCH,
	       OFPBMC_BAD_PREREQ);
	assert_int_equal(match_only(M(OXM(OFPXMT_OFB_ETH_TYPE, 0, 2), 0x88, 0x47,
				      OXM(OFPXMT_OFB_MPLS_LABEL, 0, 4), 0, 0, 0, 5)), OFP_OK);
	/* A masked prerequisite is not a prerequisite. */
	EXPECT(match_only(M(ETH_IPV4, OXM(OFPXMT_OFB_IP_PROTO, 0, 1), 6,
			    OXM(OFPXMT_OFB_ETH_DST, 1, 12), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			    OXM(OFPXMT_OFB_SCTP_DST, 0, 2), 0, 1)),
	       OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
}

static void
instruction_level(void **state)
{
	assert_int_equal(with_insts(apply_out1, sizeof(apply_out1)), OFP_OK);
	/* Lengths. */
	EXPECT(with_insts(M(0, 4, 0, 4, 0, 0, 0, 0)), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	EXPECT(with_insts(M(0, 4, 0, 12, 0, 0, 0, 0)), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	EXPECT(with_insts(M(0, 4, 0, 32, 0, 0, 0, 0)), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	EXPECT(with_insts(M(0, 1, 0, 16, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), OFPET_BAD_INSTRUCTION,
	       OFPBIC_BAD_LEN);
	EXPECT(with_insts(M(0, 2, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), OFPET_BAD_INSTRUCTION,
	       OFPBIC_BAD_LEN);
	EXPECT(with_insts(M(0, 4, 0)), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	/* Types. */
	assert_int_equal(with_insts(M(0, 6, 0, 8, 0, 0, 0, 1)), OFP_OK);
	EXPECT(with_insts(M(0, 6, 0, 8, 0, 0, 0, 0)), OFPET_METER_MOD_FAILED, OFPMMFC_INVALID_METER);
	EXPECT(with_insts(M(0, 6, 0, 8, 0xff, 0xff, 0xff, 0xfd)), OFPET_METER_MOD_FAILED,
	       OFPMMFC_INVALID_METER);
	EXPECT(with_insts(M(0, 6, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)), OFPET_BAD_INSTRUCTION,
	       OFPBIC_BAD_LEN);
	EXPECT(with_insts(M(0, 6, 0, 8, 0, 0, 0, 1, 0, 6, 0, 8, 0, 0, 0, 2)), OFPET_BAD_INSTRUCTION,
	       OFPBIC_UNSUP_INST);
	EXPECT(with_insts(M(0, 7, 0, 8, 0, 0, 0, 0)), OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST);
	EXPECT(with_insts(M(0xff, 0xff, 0, 8, 0, 0, 0x23, 0x20)), OFPET_BAD_INSTRUCTION,
	       OFPBIC_BAD_EXPERIMENTER);
	EXPECT(with_insts(M(APPLY_HDR(16), OUTPUT(1), APPLY_HDR(16), OUTPUT(2))),
	       OFPET_BAD_INSTRUCTION, OFPBIC_UNSUP_INST);
	/* goto-table must go forward. */
	static const uint8_t go1[] = { 0, 1, 0, 8, 1, 0, 0, 0 };
	EXPECT(flow_mod_raw(2, OFPFC_ADD, NULL, 0, -1, go1, sizeof(go1)), OFPET_BAD_INSTRUCTION,
	       OFPBIC_BAD_TABLE_ID);
	assert_int_equal(flow_mod_raw(0, OFPFC_ADD, NULL, 0, -1, go1, sizeof(go1)), OFP_OK);
	EXPECT(with_insts(M(0, 1, 0, 8, 255, 0, 0, 0)), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
}

static void
action_level(void **state)
{
	/* Lengths: not a multiple of 8, zero, past the instruction, wrong for OUTPUT. */
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)),
	       OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 0, 0, 0, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 0, 0, 32, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)),
	       OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 0, 0, 8, 0, 0, 0, 1)), OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 0, 0, 8)), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	/* Types. */
	/* push_pbb takes only the I-TAG ethertype; pop_pbb is a bare header. */
	assert_int_equal(with_insts(M(APPLY_HDR(8), 0, 26, 0, 8, 0x88, 0xe7, 0, 0)), OFP_OK);
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 26, 0, 8, 0x81, 0x00, 0, 0)), OFPET_BAD_ACTION,
	       OFPBAC_BAD_ARGUMENT);
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 26, 0, 16, 0x88, 0xe7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
	       OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	assert_int_equal(with_insts(M(APPLY_HDR(8), 0, 27, 0, 8, 0, 0, 0, 0)), OFP_OK);
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 27, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
	       OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 28, 0, 8, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 99, 0, 8, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	EXPECT(with_insts(M(APPLY_HDR(8), 0xff, 0xff, 0, 8, 0, 0, 0x23, 0x20)), OFPET_BAD_ACTION,
	       OFPBAC_BAD_EXPERIMENTER);
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 21, 0, 8, 0, 0, 0, 1)), OFPET_BAD_ACTION,
	       OFPBAC_BAD_QUEUE);
	/* Output ports. */
	EXPECT(with_insts(M(APPLY_HDR(16), OUTPUT(0))), OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 0, 0, 16, 0xff, 0xff, 0xff, 0xfa, 0, 0, 0, 0, 0, 0, 0, 0)),
	       OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT); /* NORMAL */
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 0, 0, 16, 0xff, 0xff, 0xff, 0xf9, 0, 0, 0, 0, 0, 0, 0, 0)),
	       OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT); /* TABLE outside PACKET_OUT */
	assert_int_equal(with_insts(M(APPLY_HDR(16), 0, 0, 0, 16, 0xff, 0xff, 0xff, 0xfd, 0xff, 0xe5,
				      0, 0, 0, 0, 0, 0)), OFP_OK); /* CONTROLLER:max */
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 0, 0, 16, 0xff, 0xff, 0xff, 0xfd, 0xff, 0xf0, 0, 0, 0, 0,
			    0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
	/* Group id beyond OFPG_MAX. */
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 22, 0, 8, 0xff, 0xff, 0xff, 0xfc)), OFPET_BAD_ACTION,
	       OFPBAC_BAD_OUT_GROUP);
	/* push_vlan with a non-VLAN ethertype. */
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 17, 0, 8, 0x08, 0x00, 0, 0)), OFPET_BAD_ACTION,
	       OFPBAC_BAD_ARGUMENT);
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 19, 0, 8, 0x81, 0x00, 0, 0)), OFPET_BAD_ACTION,
	       OFPBAC_BAD_ARGUMENT);
}

static void
set_field_actions(void **state)
{
	/* Unsupported set-field targets. */
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_IPV6_EXTHDR, 0, 2),
			    0, 1, 0, 0, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	/* tunnel_id: settable, 8 bytes, no prerequisite. */
	assert_int_equal(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_TUNNEL_ID, 0, 8),
				      0, 0, 0, 0, 0, 0, 0x30, 0x39)), OFP_OK);
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_TUNNEL_ID, 0, 4),
			    0, 0, 0x30, 0x39, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_IN_PORT, 0, 4), 0, 0, 0, 1,
			    0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, 0x00, 0x01, 0x00, 0x04, 0, 0, 0, 1,
			    0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	/* Masked set-field, wrong OXM length, wrong action length. */
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_TCP_DST, 1, 4), 0, 80, 0xff,
			    0xff, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_SET_ARGUMENT);
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_TCP_DST, 0, 3), 0, 80, 0,
			    0, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_TCP_DST, 0, 12), 0, 80, 0,
			    0, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
	EXPECT(with_insts(M(APPLY_HDR(24), 0, 25, 0, 24, OXM(OFPXMT_OFB_TCP_DST, 0, 2), 0, 80, 0,
			    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
	/* Out-of-range value. */
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_IP_DSCP, 0, 1), 64, 0, 0, 0,
			    0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_BAD_SET_ARGUMENT);
	/* Valid: the match is tcp. */
	assert_int_equal(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_TCP_DST, 0, 2), 0,
				      80, 0, 0, 0, 0, 0, 0)), OFP_OK);
	/* udp_dst rewrite on a tcp match, vlan_vid rewrite without a tag. */
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_UDP_DST, 0, 2), 0, 80, 0, 0,
			    0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_MATCH_INCONSISTENT);
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_VLAN_VID, 0, 2), 0x10, 5, 0,
			    0, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_MATCH_INCONSISTENT);
	/* ... unless a push_vlan comes first. */
	assert_int_equal(with_insts(M(APPLY_HDR(24), 0, 17, 0, 8, 0x81, 0x00, 0, 0, 0, 25, 0, 16,
				      OXM(OFPXMT_OFB_VLAN_VID, 0, 2), 0x10, 5, 0, 0, 0, 0, 0, 0)),
			 OFP_OK);
	/* pbb_isid rewrite: not on a tcp match, fine after push_pbb. */
	EXPECT(with_insts(M(APPLY_HDR(16), 0, 25, 0, 16, OXM(OFPXMT_OFB_PBB_ISID, 0, 3), 0, 0, 203,
			    0, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_MATCH_INCONSISTENT);
	assert_int_equal(with_insts(M(APPLY_HDR(24), 0, 26, 0, 8, 0x88, 0xe7, 0, 0, 0, 25, 0, 16,
				      OXM(OFPXMT_OFB_PBB_ISID, 0, 3), 0, 0, 203, 0, 0, 0, 0, 0)),
			 OFP_OK);
	/* Write-actions are checked against the match too. */
	EXPECT(with_insts(M(0, 3, 0, 24, 0, 0, 0, 0, 0, 25, 0, 16, OXM(OFPXMT_OFB_ARP_OP, 0, 2), 0, 1,
			    0, 0, 0, 0, 0, 0)), OFPET_BAD_ACTION, OFPBAC_MATCH_INCONSISTENT);
	/* A set-field whose OXM header does not fit its action. */
	EXPECT(with_insts(M(APPLY_HDR(8), 0, 25, 0, 8, 0x80, 0x00, 0x1c, 0x02)), OFPET_BAD_ACTION,
	       OFPBAC_BAD_SET_LEN);
}

static void
flow_mod_fields(void **state)
{
	EXPECT(flow_mod_raw(0, 5, NULL, 0, -1, NULL, 0), OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND);
	EXPECT(flow_mod_raw(OFPTT_ALL, OFPFC_ADD, NULL, 0, -1, NULL, 0), OFPET_FLOW_MOD_FAILED,
	       OFPFMFC_BAD_TABLE_ID);
	assert_int_equal(flow_mod_raw(OFPTT_ALL, OFPFC_DELETE, NULL, 0, -1, NULL, 0), OFP_OK);

	struct ofp_buf b;
	ofp_buf_init(&b);
	ofp_sample_build("flow_mod", &b);
	b.data[45] = 0x40;              /* flags: an undefined bit */
	EXPECT(decode_buf(&b), OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_FLAGS);
	b.data[45] = 0;
	be32_store(b.data + 32, 5); /* buffer_id: this switch keeps none */
	EXPECT(decode_buf(&b), OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
	ofp_buf_free(&b);
}

/* A GROUP_MOD with raw buckets. */
static ofp_err_t
group_mod_raw(uint16_t command, uint8_t type, uint32_t id, const uint8_t *buckets, size_t len)
{
	struct ofp_buf b;

	ofp_buf_init(&b);
	size_t start = ofp_msg_start(&b, OFPT_GROUP_MOD, 1);
	ofp_buf_put_be16(&b, command);
	ofp_buf_put_u8(&b, type);
	ofp_buf_put_u8(&b, 0);
	ofp_buf_put_be32(&b, id);
	ofp_buf_put(&b, buckets, len);
	ofp_msg_finish(&b, start);
	ofp_err_t err = decode_buf(&b);
	ofp_buf_free(&b);
	return err;
}

#define BUCKET(len, weight) 0, (len), 0, (weight), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0

static void
bucket_level(void **state)
{
	assert_int_equal(group_mod_raw(OFPGC_ADD, OFPGT_SELECT, 1, M(BUCKET(32, 1), OUTPUT(1))), OFP_OK);
	/* Bucket lengths: below its fixed part, past the message, not 8-aligned. */
	EXPECT(group_mod_raw(OFPGC_ADD, OFPGT_SELECT, 1, M(BUCKET(8, 1))), OFPET_GROUP_MOD_FAILED,
	       OFPGMFC_BAD_BUCKET);
	EXPECT(group_mod_raw(OFPGC_ADD, OFPGT_SELECT, 1, M(BUCKET(48, 1), OUTPUT(1))),
	       OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET);
	EXPECT(group_mod_raw(OFPGC_ADD, OFPGT_SELECT, 1, M(BUCKET(20, 1), 0, 0, 0, 0)),
	       OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET);
	EXPECT(group_mod_raw(OFPGC_ADD, OFPGT_SELECT, 1, M(0, 16, 0, 1, 0)), OFPET_GROUP_MOD_FAILED,
	       OFPGMFC_BAD_BUCKET);
	/* An action inside a bucket with a bad length. */
	EXPECT(group_mod_raw(OFPGC_ADD, OFPGT_SELECT, 1, M(BUCKET(32, 1), 0, 0, 0, 24, 0, 0, 0, 1,
							   0, 0, 0, 0, 0, 0, 0, 0)),
	       OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	/* Command, type, id. */
	EXPECT(group_mod_raw(3, OFPGT_ALL, 1, NULL, 0), OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_COMMAND);
	EXPECT(group_mod_raw(OFPGC_ADD, 4, 1, NULL, 0), OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_TYPE);
	EXPECT(group_mod_raw(OFPGC_ADD, OFPGT_ALL, OFPG_ALL, NULL, 0), OFPET_GROUP_MOD_FAILED,
	       OFPGMFC_INVALID_GROUP);
	assert_int_equal(group_mod_raw(OFPGC_DELETE, 0, OFPG_ALL, NULL, 0), OFP_OK);
	/* Indirect groups have exactly one bucket. */
	EXPECT(group_mod_raw(OFPGC_ADD, OFPGT_INDIRECT, 1,
			     M(BUCKET(32, 0), OUTPUT(1), BUCKET(32, 0), OUTPUT(2))),
	       OFPET_GROUP_MOD_FAILED, OFPGMFC_INVALID_GROUP);
	EXPECT(group_mod_raw(OFPGC_ADD, OFPGT_INDIRECT, 1, NULL, 0), OFPET_GROUP_MOD_FAILED,
	       OFPGMFC_INVALID_GROUP);
	/* Weights only in select groups; fast-failover buckets watch something. */
	EXPECT(group_mod_raw(OFPGC_ADD, OFPGT_ALL, 1, M(BUCKET(32, 2), OUTPUT(1))),
	       OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET);
	EXPECT(group_mod_raw(OFPGC_ADD, OFPGT_FF, 1, M(BUCKET(32, 0), OUTPUT(1))),
	       OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH);
}

static ofp_err_t
mp_raw(uint16_t type, uint16_t flags, const uint8_t *body, size_t len)
{
	struct ofp_buf b;

	ofp_buf_init(&b);
	size_t start = ofp_msg_start(&b, OFPT_MULTIPART_REQUEST, 1);
	ofp_buf_put_be16(&b, type);
	ofp_buf_put_be16(&b, flags);
	ofp_buf_put_zeros(&b, 4);
	ofp_buf_put(&b, body, len);
	ofp_msg_finish(&b, start);
	ofp_err_t err = decode_buf(&b);
	ofp_buf_free(&b);
	return err;
}

static void
multipart_level(void **state)
{
	uint8_t flow_req[40] = { 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	flow_req[33] = 1; /* match type OXM */
	flow_req[35] = 4; /* match length */
	assert_int_equal(mp_raw(OFPMP_FLOW, 0, flow_req, 40), OFP_OK);
	assert_int_equal(mp_raw(OFPMP_AGGREGATE, 0, flow_req, 40), OFP_OK);
	EXPECT(mp_raw(OFPMP_FLOW, 0, flow_req, 20), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT(mp_raw(OFPMP_FLOW, 0, flow_req, 36), OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	uint8_t trailing[48] = { 0 };
	memcpy(trailing, flow_req, 40);
	EXPECT(mp_raw(OFPMP_FLOW, 0, trailing, 48), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT(mp_raw(OFPMP_PORT_STATS, 0, M(0xff, 0xff, 0xff, 0xff)), OFPET_BAD_REQUEST,
	       OFPBRC_BAD_LEN);
	assert_int_equal(mp_raw(OFPMP_PORT_STATS, 0, M(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0)), OFP_OK);
	EXPECT(mp_raw(OFPMP_GROUP, 0, M(0, 0, 0, 1, 0, 0, 0, 0, 0)), OFPET_BAD_REQUEST,
	       OFPBRC_BAD_LEN);
	EXPECT(mp_raw(OFPMP_DESC, 0, M(0, 0, 0, 0, 0, 0, 0, 0)), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT(mp_raw(OFPMP_QUEUE, 0, M(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
	       OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
	assert_int_equal(mp_raw(OFPMP_METER_FEATURES, 0, NULL, 0), OFP_OK);
	EXPECT(mp_raw(OFPMP_METER_FEATURES, 0, M(0, 0, 0, 0, 0, 0, 0, 0)), OFPET_BAD_REQUEST,
	       OFPBRC_BAD_LEN);
	assert_int_equal(mp_raw(OFPMP_METER, 0, M(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0)), OFP_OK);
	assert_int_equal(mp_raw(OFPMP_METER_CONFIG, 0, M(0, 0, 0, 1, 0, 0, 0, 0)), OFP_OK);
	EXPECT(mp_raw(OFPMP_METER_CONFIG, 0, M(0, 0, 0, 1)), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT(mp_raw(42, 0, NULL, 0), OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
	EXPECT(mp_raw(OFPMP_EXPERIMENTER, 0, M(0, 0, 0x23, 0x20, 0, 0, 0, 0)), OFPET_BAD_REQUEST,
	       OFPBRC_BAD_EXPERIMENTER);
	EXPECT(mp_raw(OFPMP_TABLE_FEATURES, 0, M(0, 64, 0, 0, 0, 0, 0, 0)),
	       OFPET_TABLE_FEATURES_FAILED, OFPTFFC_EPERM);
	assert_int_equal(mp_raw(OFPMP_TABLE_FEATURES, 0, NULL, 0), OFP_OK);
	EXPECT(mp_raw(OFPMP_DESC, OFPMPF_REQ_MORE, NULL, 0), OFPET_BAD_REQUEST,
	       OFPBRC_MULTIPART_BUFFER_OVERFLOW);
	/* A multipart header cut short. */
	EXPECT(raw(M(4, OFPT_MULTIPART_REQUEST, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0)), OFPET_BAD_REQUEST,
	       OFPBRC_BAD_LEN);
}

static void
packet_out_checks(void **state)
{
	struct ofp_buf b;

	ofp_buf_init(&b);
	ofp_sample_build("packet_out", &b);
	assert_int_equal(decode_buf(&b), OFP_OK);
	be16_store(b.data + 16, 200); /* actions_len past the end */
	EXPECT(decode_buf(&b), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	be16_store(b.data + 16, 12);  /* splits an action */
	EXPECT(decode_buf(&b), OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	be16_store(b.data + 16, 16);
	be32_store(b.data + 12, 0);   /* in_port 0 */
	EXPECT(decode_buf(&b), OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	be32_store(b.data + 12, OFPP_CONTROLLER);
	be32_store(b.data + 8, 3);    /* buffer_id */
	EXPECT(decode_buf(&b), OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
	ofp_buf_free(&b);
}

/* Every sample cut short at every length (with the header's length
 * patched to match) is refused or decoded, never read past. */
static void
every_truncation_is_safe(void **state)
{
	for (int i = 0; ofp_sample_names[i]; i++) {
		struct ofp_buf b;

		ofp_buf_init(&b);
		ofp_sample_build(ofp_sample_names[i], &b);
		for (size_t n = 0; n < b.len && n < 4096; n++) {
			uint8_t *copy = malloc(n ? n : 1);
			struct ofp_msg m;

			memcpy(copy, b.data, n);
			if (n >= 4)
				be16_store(copy + 2, (uint16_t)n);
			if (ofp_decode(copy, n, &m) == OFP_OK)
				ofp_msg_release(&m);
			free(copy);
		}
		ofp_buf_free(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_level),
		cmocka_unit_test(match_level),
		cmocka_unit_test(match_fields),
		cmocka_unit_test(prerequisites),
		cmocka_unit_test(instruction_level),
		cmocka_unit_test(action_level),
		cmocka_unit_test(set_field_actions),
		cmocka_unit_test(flow_mod_fields),
		cmocka_unit_test(bucket_level),
		cmocka_unit_test(multipart_level),
		cmocka_unit_test(packet_out_checks),
		cmocka_unit_test(every_truncation_is_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
