/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OpenFlow header rewrites (onvm_mgr/of_hdr_edit.c) on built frames:
 * each edit writes the expected bytes, and every checksum of the result is
 * verified from scratch here (own one's-complement sum, own bitwise
 * CRC32c), not with the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "byte_order.h"
#include "of_hdr_edit.h"
#include "ofp_wire.h"

#define MAXF 256

/* ---- reference checksums ---- */

static uint32_t
ref_sum(const uint8_t *p, uint32_t n, uint32_t s)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The checksum field value that makes the data sum to 0xffff. */
static uint16_t
ref_csum(const uint8_t *p, uint32_t n, uint32_t s)
{
	return (uint16_t)~ref_fold(ref_sum(p, n, s));
}

static uint32_t
pseudo_sum(const uint8_t *frame, uint32_t l3, bool v6, uint8_t proto, uint32_t l4_len)
{
	uint32_t s = v6 ? ref_sum(frame + l3 + 8, 32, 0) : ref_sum(frame + l3 + 12, 8, 0);

	return s + proto + l4_len;
}

/* A checksum over the L4 segment (field included) verifies when it sums to
 * 0xffff. */
static bool
l4_ok(const uint8_t *frame, uint32_t l3, bool v6, uint8_t proto, uint32_t l4_len)
{
	uint32_t l4 = l3 + (v6 ? 40 : 20);
	uint32_t s = ref_sum(frame + l4, l4_len, proto == 1 ? 0 : pseudo_sum(frame, l3, v6, proto,
									       l4_len));

	return ref_fold(s) == 0xffff;
}

static bool
ipv4_ok(const uint8_t *ip)
{
	return ref_fold(ref_sum(ip, 20, 0)) == 0xffff;
}

static uint32_t
ref_crc32c(const uint8_t *p, uint32_t n)
{
	uint32_t c = 0xffffffffu;

	for (uint32_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
	}
	return ~c;
}

static bool
sctp_ok(uint8_t *l4, uint32_t n)
{
	uint8_t saved[4];
	uint32_t stored, want;

	memcpy(saved, l4 + 8, 4);
	memset(l4 + 8, 0, 4);
	want = ref_crc32c(l4, n);
	memcpy(l4 + 8, saved, 4);
	stored = (uint32_t)saved[0] | (uint32_t)saved[1] << 8 | (uint32_t)saved[2] << 16 |
		 (uint32_t)saved[3] << 24;
	return stored == want;
}

/* ---- frame builders ---- */

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0xaa };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0xbb };
static const uint8_t V6_A[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t V6_B[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x12, [15] = 2 };

/* Ethernet (+ one 802.1Q tag when vlan), returns the L3 offset. */
static uint32_t
eth(uint8_t *f, uint16_t type, bool vlan)
{
	memcpy(f, MAC_B, 6);
	memcpy(f + 6, MAC_A, 6);
	if (!vlan) {
		be16_store(f + 12, type);
		return 14;
	}
	be16_store(f + 12, 0x8100);
	be16_store(f + 14, 0x2064); /* pcp 1, vid 100 */
	be16_store(f + 16, type);
	return 18;
}

static void
fill(uint8_t *p, uint32_t n, uint8_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* Fill the L4 checksum (TCP 16, UDP 6, ICMP/ICMPv6 2). SCTP: CRC32c. */
static void
l4_finish(uint8_t *f, uint32_t l3, bool v6, uint8_t proto, uint32_t l4_len)
{
	uint8_t *l4 = f + l3 + (v6 ? 40 : 20);
	uint32_t at = proto == 6 ? 16 : proto == 17 ? 6 : 2;

	if (proto == 132) {
		memset(l4 + 8, 0, 4);
		uint32_t c = ref_crc32c(l4, l4_len);
		for (int i = 0; i < 4; i++)
			l4[8 + i] = (uint8_t)(c >> (8 * i));
		return;
	}
	be16_store(l4 + at, 0);
	be16_store(l4 + at, ref_csum(l4, l4_len, proto == 1 ? 0 : pseudo_sum(f, l3, v6, proto, l4_len)));
}

/* Ethernet [+VLAN] + IPv4 + an L4 segment of l4_len bytes; frame length. */
static uint32_t
v4_frame(uint8_t *f, bool vlan, uint8_t proto, uint32_t l4_len)
{
	uint32_t l3 = eth(f, 0x0800, vlan);
	uint8_t *ip = f + l3;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[1] = 0xb9; /* dscp 46, ecn 1 */
	be16_store(ip + 2, (uint16_t)(20 + l4_len));
	be16_store(ip + 4, 0x1234);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, (uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	be16_store(ip + 10, ref_csum(ip, 20, 0));
	fill(ip + 20, l4_len, proto);
	if (proto == 6)
		ip[20 + 12] = 0x50;
	if (proto == 17)
		be16_store(ip + 20 + 4, (uint16_t)l4_len);
	l4_finish(f, l3, false, proto, l4_len);
	return l3 + 20 + l4_len;
}

static uint32_t
v6_frame(uint8_t *f, uint8_t proto, uint32_t l4_len)
{
	uint32_t l3 = eth(f, 0x86dd, false);
	uint8_t *ip = f + l3;

	memset(ip, 0, 40);
	ip[0] = 0x6b; /* tc 0xb4 */
	ip[1] = 0x45; /* flow label 0x5abcd */
	ip[2] = 0xab;
	ip[3] = 0xcd;
	be16_store(ip + 4, (uint16_t)l4_len);
	ip[6] = proto;
	ip[7] = 255;
	memcpy(ip + 8, V6_A, 16);
	memcpy(ip + 24, V6_B, 16);
	fill(ip + 40, l4_len, proto);
	if (proto == 6)
		ip[40 + 12] = 0x50;
	if (proto == 17)
		be16_store(ip + 40 + 4, (uint16_t)l4_len);
	if (proto != 6 && proto != 17 && proto != 58 && proto != 132)
		return l3 + 40 + l4_len;
	l4_finish(f, l3, true, proto, l4_len);
	return l3 + 40 + l4_len;
}

/* Neighbour solicitation (SLL option) or advertisement (TLL option). */
static uint32_t
nd_frame(uint8_t *f, uint8_t type)
{
	uint32_t n = v6_frame(f, 58, 32);
	uint8_t *m = f + 14 + 40;

	memset(m, 0, 32);
	m[0] = type;
	memcpy(m + 8, V6_B, 16);
	m[24] = type == 135 ? 1 : 2;
	m[25] = 1;
	memcpy(m + 26, MAC_A, 6);
	l4_finish(f, 14, true, 58, 32);
	return n;
}

static uint32_t
arp_frame(uint8_t *f)
{
	uint32_t l3 = eth(f, 0x0806, false);
	uint8_t *a = f + l3;

	be16_store(a, 1);
	be16_store(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	be16_store(a + 6, 1);
	memcpy(a + 8, MAC_A, 6);
	memcpy(a + 14, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	return l3 + 28;
}

/* Ethernet + MPLS entries (label, ttl each; bos on the last) + IPv4/UDP. */
static uint32_t
mpls_frame(uint8_t *f, int entries)
{
	uint8_t inner[MAXF];
	uint32_t n = v4_frame(inner, false, 17, 16);
	uint32_t off = eth(f, 0x8847, false);

	for (int i = 0; i < entries; i++, off += 4) {
		uint32_t label = 1000u + (uint32_t)i;
		f[off] = (uint8_t)(label >> 12);
		f[off + 1] = (uint8_t)(label >> 4);
		f[off + 2] = (uint8_t)((label & 0xf) << 4 | 5 << 1 | (i == entries - 1));
		f[off + 3] = (uint8_t)(30 + i);
	}
	memcpy(f + off, inner + 14, n - 14);
	return off + n - 14;
}

/* ---- set-field ---- */

static void
vlan_pcp_written_in_outer_tag(void **state)
{
	(void)state;
	uint8_t f[MAXF], g[MAXF], v = 5;
	uint32_t n = v4_frame(f, true, 6, 20);

	memcpy(g, f, n);
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_VLAN_PCP, &v));
	assert_int_equal(f[14], 0xa0);           /* pcp 5, vid 100 kept */
	assert_int_equal(f[15], 0x64);
	assert_memory_equal(f + 16, g + 16, n - 16);
	n = v4_frame(f, false, 6, 20);
	memcpy(g, f, n);
	assert_false(ofhe_set_field(f, n, OFPXMT_OFB_VLAN_PCP, &v));
	assert_memory_equal(f, g, n);
}

static void
dscp_ecn_ipv4_and_ipv6(void **state)
{
	(void)state;
	uint8_t f[MAXF], v;
	uint32_t n = v4_frame(f, true, 6, 20);

	v = 10;
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IP_DSCP, &v));
	assert_int_equal(f[18 + 1], 10 << 2 | 1);
	assert_true(ipv4_ok(f + 18));
	v = 2;
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IP_ECN, &v));
	assert_int_equal(f[18 + 1], 10 << 2 | 2);
	assert_true(ipv4_ok(f + 18));
	assert_true(l4_ok(f, 18, false, 6, 20));

	n = v6_frame(f, 6, 20);
	v = 0x3f;
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IP_DSCP, &v));
	assert_int_equal(f[14], 0x6f);            /* tc 0xfc: version kept */
	assert_int_equal(f[15], 0xc5);            /* flow label nibble kept */
	v = 0;
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IP_ECN, &v));
	assert_int_equal(f[15], 0xc5);
	v = 3;
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IP_ECN, &v));
	assert_int_equal(f[14], 0x6f);
	assert_int_equal(f[15], 0xf5);
	n = arp_frame(f);
	assert_false(ofhe_set_field(f, n, OFPXMT_OFB_IP_DSCP, &v));
}

static void
sctp_ports_recompute_crc32c(void **state)
{
	(void)state;
	uint8_t f[MAXF];
	const uint8_t check[] = "123456789";
	uint8_t src[2] = { 0x12, 0x34 }, dst[2] = { 0xab, 0xcd };

	assert_int_equal(ref_crc32c(check, 9), 0xe3069283u);
	assert_int_equal(ofhe_crc32c(check, 9), 0xe3069283u);
	assert_int_equal(ofhe_crc32c(check + 1, 8), ref_crc32c(check + 1, 8));
	for (uint32_t len = 12; len < 60; len += 7) {
		uint32_t n = v4_frame(f, false, 132, len);
		assert_true(sctp_ok(f + 34, len));
		assert_true(ofhe_set_field(f, n, OFPXMT_OFB_SCTP_SRC, src));
		assert_true(ofhe_set_field(f, n, OFPXMT_OFB_SCTP_DST, dst));
		assert_memory_equal(f + 34, ((uint8_t[]){ 0x12, 0x34, 0xab, 0xcd }), 4);
		assert_true(sctp_ok(f + 34, len));
	}
	uint32_t n = v6_frame(f, 132, 28);
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_SCTP_DST, dst));
	assert_true(sctp_ok(f + 54, 28));
	n = v4_frame(f, false, 6, 20);
	assert_false(ofhe_set_field(f, n, OFPXMT_OFB_SCTP_DST, dst));
}

static void
eth_type_and_ip_proto(void **state)
{
	(void)state;
	uint8_t f[MAXF], mpls_uc[2] = { 0x88, 0x48 }, udp = 17;
	uint32_t n = v4_frame(f, true, 6, 24);

	/* eth_type: the ethertype after the VLAN tag, nothing else. */
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_ETH_TYPE, mpls_uc));
	assert_int_equal(f[12], 0x81);
	assert_int_equal(f[16], 0x88);
	assert_int_equal(f[17], 0x48);
	/* ip_proto on IPv4: header checksum, and the TCP checksum agrees with
	 * a pseudo-header naming the new protocol. */
	n = v4_frame(f, true, 6, 24);
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IP_PROTO, &udp));
	assert_int_equal(f[18 + 9], 17);
	assert_true(ipv4_ok(f + 18));
	assert_true(l4_ok(f, 18, false, 17, 24));
	/* IPv6 next header, same for the pseudo-header. */
	n = v6_frame(f, 6, 24);
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IP_PROTO, &udp));
	assert_int_equal(f[14 + 6], 17);
	assert_true(l4_ok(f, 14, true, 17, 24));
}

static void
icmpv4_type_code(void **state)
{
	(void)state;
	uint8_t f[MAXF], t = 0, c = 3;
	uint32_t n = v4_frame(f, true, 1, 16);

	assert_true(l4_ok(f, 18, false, 1, 16));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_ICMPV4_TYPE, &t));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_ICMPV4_CODE, &c));
	assert_int_equal(f[38], 0);
	assert_int_equal(f[39], 3);
	assert_true(l4_ok(f, 18, false, 1, 16));
	assert_true(ipv4_ok(f + 18));
	n = v6_frame(f, 58, 16);
	assert_false(ofhe_set_field(f, n, OFPXMT_OFB_ICMPV4_TYPE, &t));
}

static void
arp_fields(void **state)
{
	(void)state;
	uint8_t f[MAXF], op[2] = { 0, 2 }, spa[4] = { 192, 168, 0, 1 }, tpa[4] = { 192, 168, 0, 9 };
	uint32_t n = arp_frame(f);

	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_ARP_OP, op));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_ARP_SHA, MAC_B));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_ARP_SPA, spa));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_ARP_THA, MAC_A));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_ARP_TPA, tpa));
	assert_memory_equal(f + 20, op, 2);
	assert_memory_equal(f + 22, MAC_B, 6);
	assert_memory_equal(f + 28, spa, 4);
	assert_memory_equal(f + 32, MAC_A, 6);
	assert_memory_equal(f + 38, tpa, 4);
	n = v4_frame(f, false, 6, 20);
	assert_false(ofhe_set_field(f, n, OFPXMT_OFB_ARP_OP, op));
}

static void
ipv6_addresses_fix_l4_checksums(void **state)
{
	(void)state;
	uint8_t f[MAXF];
	const uint8_t new_src[16] = { 0xfd, 0, [7] = 0x42, [15] = 0x77 };
	const uint8_t new_dst[16] = { 0xfe, 0x80, [13] = 0xff, [15] = 0x99 };
	const uint8_t protos[] = { 6, 17, 58 };

	for (size_t i = 0; i < sizeof(protos); i++) {
		uint32_t n = v6_frame(f, protos[i], 24);
		assert_true(l4_ok(f, 14, true, protos[i], 24));
		assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_SRC, new_src));
		assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_DST, new_dst));
		assert_memory_equal(f + 22, new_src, 16);
		assert_memory_equal(f + 38, new_dst, 16);
		assert_true(l4_ok(f, 14, true, protos[i], 24));
	}
	/* UDP without a checksum keeps none. */
	uint32_t n = v6_frame(f, 17, 24);
	be16_store(f + 54 + 6, 0);
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_SRC, new_src));
	assert_int_equal(f[60] | f[61], 0);
	n = v4_frame(f, false, 6, 20);
	assert_false(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_SRC, new_src));
}

static void
ipv6_flabel_and_icmpv6(void **state)
{
	(void)state;
	uint8_t f[MAXF], fl[4] = { 0, 0x0e, 0x12, 0x34 }, t = 129, c = 7;
	uint32_t n = v6_frame(f, 58, 16);

	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_FLABEL, fl));
	assert_memory_equal(f + 14, ((uint8_t[]){ 0x6b, 0x4e, 0x12, 0x34 }), 4);
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_ICMPV6_TYPE, &t));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_ICMPV6_CODE, &c));
	assert_int_equal(f[54], 129);
	assert_int_equal(f[55], 7);
	assert_true(l4_ok(f, 14, true, 58, 16));
}

static void
nd_target_sll_tll(void **state)
{
	(void)state;
	uint8_t f[MAXF], g[MAXF];
	const uint8_t tgt[16] = { 0xfe, 0x80, [15] = 0x33 };
	const uint8_t mac[6] = { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	uint32_t n = nd_frame(f, 135);

	assert_true(l4_ok(f, 14, true, 58, 32));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_ND_TARGET, tgt));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_ND_SLL, mac));
	assert_memory_equal(f + 54 + 8, tgt, 16);
	assert_memory_equal(f + 54 + 26, mac, 6);
	assert_true(l4_ok(f, 14, true, 58, 32));
	memcpy(g, f, n);
	assert_false(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_ND_TLL, mac)); /* NS has no TLL */
	assert_memory_equal(f, g, n);

	n = nd_frame(f, 136);
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_ND_TLL, mac));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_ND_TARGET, tgt));
	assert_memory_equal(f + 54 + 26, mac, 6);
	assert_true(l4_ok(f, 14, true, 58, 32));
	assert_false(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_ND_SLL, mac));
	f[54 + 25] = 0; /* a zero-length option: malformed, left alone */
	assert_false(ofhe_set_field(f, n, OFPXMT_OFB_IPV6_ND_TLL, mac));
}

static void
mpls_label_tc_bos_on_top_entry(void **state)
{
	(void)state;
	uint8_t f[MAXF], g[MAXF], label[4] = { 0, 0x0a, 0xbc, 0xde }, tc = 2, bos = 1;
	uint32_t n = mpls_frame(f, 2);

	memcpy(g, f, n);
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_MPLS_LABEL, label));
	/* label 0xabcde, tc 5, bos 0, ttl 30 */
	assert_memory_equal(f + 14, ((uint8_t[]){ 0xab, 0xcd, 0xea, 30 }), 4);
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_MPLS_TC, &tc));
	assert_true(ofhe_set_field(f, n, OFPXMT_OFB_MPLS_BOS, &bos));
	assert_memory_equal(f + 14, ((uint8_t[]){ 0xab, 0xcd, 0xe5, 30 }), 4);
	assert_memory_equal(f + 18, g + 18, n - 18); /* the inner entry untouched */
	n = v4_frame(f, false, 17, 16);
	assert_false(ofhe_set_field(f, n, OFPXMT_OFB_MPLS_TC, &tc));
}

/* ---- push / pop MPLS ---- */

static uint32_t
push(uint8_t *buf, uint32_t n, uint16_t type)
{
	uint8_t e[4];
	int t = ofhe_push_mpls_prepare(buf + 4, n, e);

	assert_true(t >= 12);
	ofhe_push_mpls_finish(buf, (uint32_t)t, type, e);
	return n + 4;
}

static void
push_pop_mpls_round_trip(void **state)
{
	(void)state;
	uint8_t orig[MAXF], buf[MAXF + 8];
	uint32_t n = v4_frame(orig, true, 6, 20);

	/* IPv4 behind a VLAN tag: the entry goes after the tag. */
	memcpy(buf + 4, orig, n);
	uint32_t m = push(buf, n, 0x8847);
	assert_memory_equal(buf, orig, 16);                 /* MACs + tag */
	assert_memory_equal(buf + 16, ((uint8_t[]){ 0x88, 0x47, 0, 0, 1, 64 }), 6);
	assert_memory_equal(buf + 22, orig + 18, n - 18);
	/* a second push copies the top entry, without bottom of stack */
	uint8_t buf2[MAXF + 8];
	memcpy(buf2 + 4, buf, m);
	uint32_t m2 = push(buf2, m, 0x8848);
	assert_memory_equal(buf2 + 16, ((uint8_t[]){ 0x88, 0x48, 0, 0, 0, 64, 0, 0, 1, 64 }), 10);
	assert_true(ofhe_pop_mpls(buf2, m2, 0x8847));
	assert_memory_equal(buf2 + 4, buf, m);
	assert_true(ofhe_pop_mpls(buf, m, 0x0800));
	assert_memory_equal(buf + 4, orig, n);
	assert_false(ofhe_pop_mpls(orig, n, 0x0800));

	/* IPv6: TTL from the hop limit; ARP: no TTL, 0. */
	n = v6_frame(orig, 6, 20);
	memcpy(buf + 4, orig, n);
	push(buf, n, 0x8847);
	assert_memory_equal(buf + 12, ((uint8_t[]){ 0x88, 0x47, 0, 0, 1, 255 }), 6);
	assert_true(ofhe_pop_mpls(buf, n + 4, 0x86dd));
	assert_memory_equal(buf + 4, orig, n);
	n = arp_frame(orig);
	memcpy(buf + 4, orig, n);
	push(buf, n, 0x8847);
	assert_int_equal(buf[17], 0);
}

/* ---- push / pop PBB ---- */

/* What os-ken's push_pbb cases expect: B-DA, B-SA copied, 0x88e7, the
 * I-TAG, then the old frame byte for byte. */
static uint32_t
push_pbb(uint8_t *buf, uint32_t n)
{
	uint8_t itag[4];

	assert_true(ofhe_push_pbb_prepare(buf + OFHE_PBB_HDR_LEN, n, itag));
	ofhe_push_pbb_finish(buf, itag);
	return n + OFHE_PBB_HDR_LEN;
}

static void
push_pop_pbb_round_trip(void **state)
{
	(void)state;
	uint8_t orig[MAXF], buf[MAXF + 64];
	uint32_t n = v4_frame(orig, true, 6, 20);
	static const uint8_t isid[3] = { 0x00, 0x00, 203 };

	memcpy(buf + 2 * OFHE_PBB_HDR_LEN, orig, n);
	uint32_t m = push_pbb(buf + OFHE_PBB_HDR_LEN, n);
	uint8_t *f = buf + OFHE_PBB_HDR_LEN;
	assert_int_equal(m, n + 18);
	assert_memory_equal(f, orig, 12);
	assert_memory_equal(f + 12, ((uint8_t[]){ 0x88, 0xe7, 0, 0, 0, 0 }), 6);
	assert_memory_equal(f + 18, orig, n);
	/* set-field pbb_isid writes the I-SID, nothing else. */
	assert_true(ofhe_set_field(f, m, OFPXMT_OFB_PBB_ISID, isid));
	assert_memory_equal(f + 12, ((uint8_t[]){ 0x88, 0xe7, 0, 0, 0, 203 }), 6);
	assert_memory_equal(f + 18, orig, n);
	/* A second push copies the outer I-SID (the PCP bits stay 0). */
	f[14] = 0xe0;
	uint32_t m2 = push_pbb(buf, m);
	assert_memory_equal(buf, orig, 12);
	assert_memory_equal(buf + 12, ((uint8_t[]){ 0x88, 0xe7, 0, 0, 0, 203 }), 6);
	assert_memory_equal(buf + 18, f, m);
	/* Pop twice: the original frame again. */
	uint32_t k = ofhe_pop_pbb_len(buf, m2);
	assert_int_equal(k, 18);
	k += ofhe_pop_pbb_len(buf + k, m2 - k);
	assert_int_equal(k, 36);
	assert_memory_equal(buf + k, orig, n);
	/* Not PBB: nothing to pop, set-field refused, frame unchanged. */
	assert_int_equal(ofhe_pop_pbb_len(orig, n), 0);
	memcpy(buf, orig, n);
	assert_false(ofhe_set_field(buf, n, OFPXMT_OFB_PBB_ISID, isid));
	assert_memory_equal(buf, orig, n);
}

/* os-ken's pop_pbb and pbb_isid cases: B-TAG (0x88a8) before the I-TAG,
 * customer frame with two tags after it. */
static void
pbb_behind_btag(void **state)
{
	(void)state;
	uint8_t inner[MAXF], f[MAXF + 32];
	uint32_t n = v4_frame(inner, true, 6, 20);
	static const uint8_t isid[3] = { 0x12, 0x34, 0x56 };

	memcpy(f, MAC_B, 6);
	memcpy(f + 6, MAC_A, 6);
	be16_store(f + 12, 0x88a8);
	be16_store(f + 14, 10);
	be16_store(f + 16, 0x88e7);
	memcpy(f + 18, ((uint8_t[]){ 0x60, 0, 0, 100 }), 4);
	memcpy(f + 22, inner, n);
	uint32_t m = n + 22;

	assert_true(ofhe_set_field(f, m, OFPXMT_OFB_PBB_ISID, isid));
	assert_memory_equal(f + 18, ((uint8_t[]){ 0x60, 0x12, 0x34, 0x56 }), 4);
	assert_int_equal(ofhe_pop_pbb_len(f, m), 22);
	/* No whole customer Ethernet header behind the I-TAG: not popped. */
	assert_int_equal(ofhe_pop_pbb_len(f, 22 + 13), 0);
	assert_int_equal(ofhe_pop_pbb_len(f, 22 + 14), 22);
	/* A push in front of a B-tagged PBB frame still copies its I-SID. */
	uint8_t itag[4];
	assert_true(ofhe_push_pbb_prepare(f, m, itag));
	assert_memory_equal(itag, ((uint8_t[]){ 0, 0x12, 0x34, 0x56 }), 4);
	assert_false(ofhe_push_pbb_prepare(f, 13, itag));
}

/* ---- TTLs ---- */

static void
nw_ttl_ipv4_ipv6(void **state)
{
	(void)state;
	uint8_t f[MAXF], g[MAXF];
	uint32_t n = v4_frame(f, false, 17, 16);

	assert_true(ofhe_set_nw_ttl(f, n, 2));
	assert_int_equal(f[22], 2);
	assert_true(ipv4_ok(f + 14));
	assert_true(ofhe_dec_nw_ttl(f, n));
	assert_true(ofhe_dec_nw_ttl(f, n));
	assert_int_equal(f[22], 0);
	assert_true(ipv4_ok(f + 14));
	memcpy(g, f, n);
	assert_false(ofhe_dec_nw_ttl(f, n));
	assert_memory_equal(f, g, n);

	n = v6_frame(f, 6, 20);
	assert_true(ofhe_dec_nw_ttl(f, n));
	assert_int_equal(f[21], 254);
	assert_true(ofhe_set_nw_ttl(f, n, 9));
	assert_int_equal(f[21], 9);
	assert_true(l4_ok(f, 14, true, 6, 20));
	n = arp_frame(f);
	assert_false(ofhe_set_nw_ttl(f, n, 9));
}

static void
mpls_ttl_and_copies(void **state)
{
	(void)state;
	uint8_t f[MAXF];
	uint32_t n = mpls_frame(f, 2); /* ttls 30, 31, ip 64 */

	assert_true(ofhe_dec_mpls_ttl(f, n));
	assert_int_equal(f[17], 29);
	assert_true(ofhe_copy_ttl_out(f, n)); /* from the next entry */
	assert_int_equal(f[17], 31);
	assert_true(ofhe_set_mpls_ttl(f, n, 77));
	assert_true(ofhe_copy_ttl_in(f, n));
	assert_int_equal(f[21], 77);
	assert_int_equal(f[22 + 8], 64);      /* IP untouched */

	n = mpls_frame(f, 1);               /* ttl 30 over IPv4 ttl 64 */
	assert_true(ofhe_copy_ttl_out(f, n));
	assert_int_equal(f[17], 64);
	assert_true(ofhe_set_mpls_ttl(f, n, 5));
	assert_true(ofhe_copy_ttl_in(f, n));
	assert_int_equal(f[18 + 8], 5);
	assert_true(ipv4_ok(f + 18));
	assert_true(ofhe_set_mpls_ttl(f, n, 0));
	assert_false(ofhe_dec_mpls_ttl(f, n));

	n = v4_frame(f, false, 17, 16);
	assert_false(ofhe_set_mpls_ttl(f, n, 1));
	assert_false(ofhe_copy_ttl_out(f, n));
	assert_false(ofhe_copy_ttl_in(f, n));
}

/* B-DA, B-SA, 0x88e7, I-TAG, then an IPv4 customer frame. */
static uint32_t
pbb_frame(uint8_t *f)
{
	uint32_t o = eth(f, 0x88e7, false);

	memcpy(f + o, ((uint8_t[]){ 0, 0, 0, 100 }), 4);
	return o + 4 + v4_frame(f + o + 4, false, 6, 20);
}

/* Every edit on every truncation of a few frames, each in a buffer of
 * exactly that size: the sanitizer build catches any access past len. */
static void
truncated_frames_stay_in_bounds(void **state)
{
	(void)state;
	uint8_t frames[7][MAXF], val[16];
	uint32_t lens[7] = { v4_frame(frames[0], true, 132, 24), nd_frame(frames[1], 135),
			     mpls_frame(frames[2], 2), arp_frame(frames[3]),
			     v6_frame(frames[4], 17, 12), nd_frame(frames[5], 136),
			     pbb_frame(frames[6]) };
	static const uint8_t fields[] = {
		OFPXMT_OFB_VLAN_PCP, OFPXMT_OFB_IP_DSCP, OFPXMT_OFB_IP_ECN, OFPXMT_OFB_SCTP_SRC,
		OFPXMT_OFB_ICMPV4_TYPE, OFPXMT_OFB_ARP_THA, OFPXMT_OFB_ARP_TPA, OFPXMT_OFB_IPV6_SRC,
		OFPXMT_OFB_IPV6_FLABEL, OFPXMT_OFB_ICMPV6_CODE, OFPXMT_OFB_IPV6_ND_TARGET,
		OFPXMT_OFB_IPV6_ND_SLL, OFPXMT_OFB_IPV6_ND_TLL, OFPXMT_OFB_MPLS_LABEL,
		OFPXMT_OFB_PBB_ISID,
	};

	memset(val, 0x5a, sizeof(val));
	for (int k = 0; k < 7; k++) {
		for (uint32_t len = 0; len <= lens[k]; len++) {
			uint8_t *b = malloc(len ? len : 1);
			uint8_t e[4];

			assert_non_null(b);
			for (size_t i = 0; i < sizeof(fields); i++) {
				memcpy(b, frames[k], len);
				ofhe_set_field(b, len, fields[i], val);
			}
			memcpy(b, frames[k], len);
			ofhe_set_nw_ttl(b, len, 3);
			ofhe_dec_nw_ttl(b, len);
			ofhe_set_mpls_ttl(b, len, 3);
			ofhe_dec_mpls_ttl(b, len);
			ofhe_copy_ttl_out(b, len);
			ofhe_copy_ttl_in(b, len);
			ofhe_pop_mpls(b, len, 0x0800);
			memcpy(b, frames[k], len);
			ofhe_push_mpls_prepare(b, len, e);
			ofhe_push_pbb_prepare(b, len, e);
			ofhe_pop_pbb_len(b, len);
			free(b);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vlan_pcp_written_in_outer_tag),
		cmocka_unit_test(dscp_ecn_ipv4_and_ipv6),
		cmocka_unit_test(sctp_ports_recompute_crc32c),
		cmocka_unit_test(eth_type_and_ip_proto),
		cmocka_unit_test(icmpv4_type_code),
		cmocka_unit_test(arp_fields),
		cmocka_unit_test(ipv6_addresses_fix_l4_checksums),
		cmocka_unit_test(ipv6_flabel_and_icmpv6),
		cmocka_unit_test(nd_target_sll_tll),
		cmocka_unit_test(mpls_label_tc_bos_on_top_entry),
		cmocka_unit_test(push_pop_mpls_round_trip),
		cmocka_unit_test(push_pop_pbb_round_trip),
		cmocka_unit_test(pbb_behind_btag),
		cmocka_unit_test(nw_ttl_ipv4_ipv6),
		cmocka_unit_test(mpls_ttl_and_copies),
		cmocka_unit_test(truncated_frames_stay_in_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
