/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_key_from_frame: the OpenFlow-only fields (top MPLS label, IPv6
 * flow label, ND target and link-layer options) read from real frame
 * layouts, truncated frames never read past their end, and the select
 * group hash: symmetric, and sensitive to MACs, IPv6 and ARP addresses.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flow_key.h"
#include "pkt_parse.h"

static void
key_of(const uint8_t *f, uint32_t len, struct flow_key *k)
{
	struct pkt_info pi;

	pkt_parse(f, len, &pi);
	flow_key_from_frame(k, &pi, f, len, 3);
}

static uint32_t
eth(uint8_t *f, uint16_t type)
{
	static const uint8_t hdr[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memcpy(f, hdr, 12);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return 14;
}

static void
test_mpls_top_label(void **state)
{
	(void)state;
	uint8_t f[64] = { 0 };
	uint32_t o = eth(f, 0x8847);
	/* label 0x12345, tc 5, bos 0, ttl 64; then a second entry (bos 1) */
	f[o] = 0x12;
	f[o + 1] = 0x34;
	f[o + 2] = 0x5a;
	f[o + 3] = 64;
	f[o + 6] = 0x01;
	struct flow_key k;

	key_of(f, sizeof(f), &k);
	assert_int_equal(k.eth_type, 0x8847);
	assert_int_equal(k.mpls_label, 0x12345);
	assert_int_equal(k.mpls_tc, 5);
	assert_int_equal(k.mpls_bos, 0);
	assert_int_equal(k.in_port, 3);
	/* cut inside the label: nothing read */
	key_of(f, o + 3, &k);
	assert_int_equal(k.mpls_label, 0);
}

/* IPv6 + ICMPv6 neighbour solicitation/advertisement with one option. */
static uint32_t
nd_frame(uint8_t *f, uint8_t type, uint8_t opt_type)
{
	uint32_t o = eth(f, 0x86dd);
	uint8_t *ip = f + o, *icmp = ip + 40;

	memset(ip, 0, 40 + 32);
	ip[0] = 0x6a;          /* version 6, tc high nibble */
	ip[1] = 0xb1;          /* tc low nibble, flow label 0x1 .... */
	ip[2] = 0x23;
	ip[3] = 0x45;          /* flow label 0x12345 */
	ip[5] = 32;            /* payload length */
	ip[6] = 58;            /* ICMPv6 */
	ip[7] = 255;
	icmp[0] = type;
	for (int i = 0; i < 16; i++)
		icmp[8 + i] = (uint8_t)(0xf0 + i); /* target */
	icmp[24] = opt_type;
	icmp[25] = 1;          /* 8 bytes */
	memcpy(icmp + 26, "\xaa\xbb\xcc\xdd\xee\xff", 6);
	return o + 40 + 32;
}

static void
test_ipv6_flabel_and_nd(void **state)
{
	(void)state;
	uint8_t f[128];
	struct flow_key k;
	uint32_t len = nd_frame(f, 135, 1);

	key_of(f, len, &k);
	assert_int_equal(k.ipv6_flabel, 0x12345);
	assert_int_equal(k.icmp_type, 135);
	assert_int_equal(k.nd_target[0], 0xf0);
	assert_int_equal(k.nd_target[15], 0xff);
	assert_memory_equal(k.nd_sll, "\xaa\xbb\xcc\xdd\xee\xff", 6);
	assert_memory_equal(k.nd_tll, "\0\0\0\0\0\0", 6);

	len = nd_frame(f, 136, 2);
	key_of(f, len, &k);
	assert_memory_equal(k.nd_tll, "\xaa\xbb\xcc\xdd\xee\xff", 6);
	assert_memory_equal(k.nd_sll, "\0\0\0\0\0\0", 6);

	/* A solicitation carrying a TLL option: not an SLL. */
	len = nd_frame(f, 135, 2);
	key_of(f, len, &k);
	assert_memory_equal(k.nd_sll, "\0\0\0\0\0\0", 6);
}

static void
test_nd_option_length_zero_stops(void **state)
{
	(void)state;
	uint8_t f[128];
	struct flow_key k;
	uint32_t len = nd_frame(f, 135, 1);

	f[14 + 40 + 25] = 0; /* option length 0 would loop forever */
	key_of(f, len, &k);
	assert_memory_equal(k.nd_sll, "\0\0\0\0\0\0", 6);
}

/* An 802.1ah frame: B-DA, B-SA, [B-TAG], 0x88e7, I-TAG (PCP/DEI/UCA,
 * reserved, 24-bit I-SID), then the customer frame. */
static uint32_t
pbb_frame(uint8_t *f, bool btag, uint32_t isid)
{
	uint32_t o = eth(f, btag ? 0x88a8 : 0x88e7);

	if (btag) {
		f[o] = 0x00;
		f[o + 1] = 10;
		f[o + 2] = 0x88;
		f[o + 3] = 0xe7;
		o += 4;
	}
	f[o] = 0xe8; /* PCP 7, DEI 0, UCA 1: not part of the I-SID */
	f[o + 1] = (uint8_t)(isid >> 16);
	f[o + 2] = (uint8_t)(isid >> 8);
	f[o + 3] = (uint8_t)isid;
	o += 4;
	return o + eth(f + o, 0x0800);
}

static void
test_pbb_isid(void **state)
{
	(void)state;
	uint8_t f[64] = { 0 };
	struct flow_key k;
	uint32_t len = pbb_frame(f, false, 0xabcdef);

	key_of(f, len, &k);
	assert_int_equal(k.eth_type, 0x88e7);
	assert_int_equal(k.pbb_isid, 0xabcdef);
	assert_memory_equal(k.exthdr_pad, "\0\0", 2);
	/* Behind a B-TAG (what os-ken's svlan/itag cases send). */
	memset(f, 0, sizeof(f));
	len = pbb_frame(f, true, 100);
	key_of(f, len, &k);
	assert_int_equal(k.eth_type, 0x88e7);
	assert_int_equal(k.vlan_vid, 0x1000 | 10);
	assert_int_equal(k.pbb_isid, 100);
	/* I-TAG cut short: no I-SID. */
	key_of(f, 14 + 4 + 3, &k);
	assert_int_equal(k.pbb_isid, 0);
	/* Not PBB: the same bytes under another ethertype give no I-SID. */
	f[16] = 0x08;
	f[17] = 0x00;
	key_of(f, len, &k);
	assert_int_equal(k.pbb_isid, 0);
}

/* IPv6 with the extension headers `nh` (next-header values, each made 8
 * bytes long; AUTH's length field counts 4-byte words less 2), then TCP. */
static uint32_t
v6_ext_frame(uint8_t *f, const uint8_t *nh, unsigned int n)
{
	uint32_t o = eth(f, 0x86dd), l3 = o;

	f[o] = 0x60;
	f[o + 6] = n ? nh[0] : 6;
	f[o + 7] = 64;
	o += 40;
	for (unsigned int i = 0; i < n; i++) {
		memset(f + o, 0, 8);
		f[o] = i + 1 < n ? nh[i + 1] : 6;
		f[o + 1] = 0; /* 8 bytes: (0 + 1) * 8, or AUTH's (0 + 2) * 4 */
		o += 8;
	}
	memset(f + o, 0, 20);
	f[o + 12] = 0x50;
	o += 20;
	f[l3 + 4] = (uint8_t)((o - l3 - 40) >> 8);
	f[l3 + 5] = (uint8_t)(o - l3 - 40);
	return o;
}

static uint16_t
exthdr_of(const uint8_t *nh, unsigned int n)
{
	uint8_t f[256];
	struct flow_key k;
	uint32_t len = v6_ext_frame(f, nh, n);

	key_of(f, len, &k);
	assert_int_equal(k.eth_type, 0x86dd);
	return k.ipv6_exthdr;
}

static void
test_ipv6_exthdr(void **state)
{
	(void)state;
	/* os-ken's case: hop-by-hop then AUTH = 68. */
	assert_int_equal(exthdr_of((const uint8_t[]){ 0, 51 }, 2), FLOW_IEH_HOP | FLOW_IEH_AUTH);
	assert_int_equal(FLOW_IEH_HOP | FLOW_IEH_AUTH, 68);
	assert_int_equal(exthdr_of(NULL, 0), 0);
	/* The full preferred order, destination options twice: no UNREP/UNSEQ. */
	assert_int_equal(exthdr_of((const uint8_t[]){ 0, 60, 43, 44, 51, 60 }, 6),
			 FLOW_IEH_HOP | FLOW_IEH_DEST | FLOW_IEH_ROUTER | FLOW_IEH_FRAG |
				 FLOW_IEH_AUTH);
	/* Repeats and order. */
	assert_int_equal(exthdr_of((const uint8_t[]){ 43, 43 }, 2),
			 FLOW_IEH_ROUTER | FLOW_IEH_UNREP);
	assert_int_equal(exthdr_of((const uint8_t[]){ 60, 60 }, 2), FLOW_IEH_DEST | FLOW_IEH_UNREP);
	assert_int_equal(exthdr_of((const uint8_t[]){ 60, 0 }, 2),
			 FLOW_IEH_DEST | FLOW_IEH_HOP | FLOW_IEH_UNSEQ);
	assert_int_equal(exthdr_of((const uint8_t[]){ 51, 43 }, 2),
			 FLOW_IEH_AUTH | FLOW_IEH_ROUTER | FLOW_IEH_UNSEQ);
	/* No next header; ESP ends the walk (the rest is encrypted). */
	assert_int_equal(exthdr_of((const uint8_t[]){ 60, 59 }, 2), FLOW_IEH_DEST | FLOW_IEH_NONEXT);
	assert_int_equal(exthdr_of((const uint8_t[]){ 50, 0 }, 2), FLOW_IEH_ESP);
	/* A non-first fragment: nothing after it is read. */
	uint8_t f[256];
	struct flow_key k;
	uint32_t len = v6_ext_frame(f, (const uint8_t[]){ 44, 51 }, 2);
	f[14 + 40 + 3] = 0x08; /* offset 1 */
	key_of(f, len, &k);
	assert_int_equal(k.ipv6_exthdr, FLOW_IEH_FRAG);
	/* A chain longer than the walk's bound stops, flags so far kept. */
	uint8_t many[20];
	memset(many, 60, sizeof(many));
	assert_int_equal(exthdr_of(many, 20), FLOW_IEH_DEST | FLOW_IEH_UNREP);
}

static void
test_every_truncation_is_safe(void **state)
{
	(void)state;
	uint8_t full[128];
	uint32_t len = nd_frame(full, 135, 1);

	/* Each cut in a buffer of exactly its size: the sanitizer build
	 * catches any read past the end. */
	for (uint32_t cut = 0; cut <= len; cut++) {
		uint8_t *f = malloc(cut ? cut : 1);
		struct flow_key k;

		memcpy(f, full, cut);
		key_of(f, cut, &k);
		free(f);
	}
	len = pbb_frame(full, true, 7);
	for (uint32_t cut = 0; cut <= len; cut++) {
		uint8_t *f = malloc(cut ? cut : 1);
		struct flow_key k;

		memcpy(f, full, cut);
		key_of(f, cut, &k);
		free(f);
	}
	/* IPv6 extension headers, the payload length made to fit each cut so
	 * the walk runs against the frame's end, a routing header claiming
	 * 2 KiB. */
	len = v6_ext_frame(full, (const uint8_t[]){ 0, 60, 43, 44 }, 4);
	full[14 + 40 + 16 + 1] = 255;
	for (uint32_t cut = 14 + 40; cut <= len; cut++) {
		uint8_t *f = malloc(cut);
		struct flow_key k;

		memcpy(f, full, cut);
		f[14 + 4] = (uint8_t)((cut - 54) >> 8);
		f[14 + 5] = (uint8_t)(cut - 54);
		key_of(f, cut, &k);
		assert_true(cut < 54 + 8 || (k.ipv6_exthdr & FLOW_IEH_HOP));
		free(f);
	}
	for (uint32_t cut = 0; cut <= len; cut++) {
		uint8_t *f = malloc(cut ? cut : 1);
		struct flow_key k;

		memcpy(f, full, cut);
		key_of(f, cut, &k);
		free(f);
	}
}

static void
test_hash_symmetric_and_sensitive(void **state)
{
	(void)state;
	struct flow_key a, b;

	memset(&a, 0, sizeof(a));
	a.eth_type = 0x86dd;
	a.ip_proto = 6;
	memcpy(a.eth_src, "\x02\0\0\0\0\x01", 6);
	memcpy(a.eth_dst, "\x02\0\0\0\0\x02", 6);
	a.ipv6_src[15] = 1;
	a.ipv6_dst[15] = 2;
	a.tp_src = 1234;
	a.tp_dst = 80;
	b = a;
	memcpy(b.eth_src, a.eth_dst, 6);
	memcpy(b.eth_dst, a.eth_src, 6);
	memcpy(b.ipv6_src, a.ipv6_dst, 16);
	memcpy(b.ipv6_dst, a.ipv6_src, 16);
	b.tp_src = a.tp_dst;
	b.tp_dst = a.tp_src;
	assert_int_equal(flow_key_hash_symmetric(&a), flow_key_hash_symmetric(&b));

	/* Spread: 1000 keys differing only in the source MAC, then only in
	 * the IPv6 source, land in both halves about evenly. */
	for (int field = 0; field < 2; field++) {
		unsigned int odd = 0;

		for (unsigned int i = 0; i < 1000; i++) {
			b = a;
			if (field == 0) {
				b.eth_src[4] = (uint8_t)(i >> 8);
				b.eth_src[5] = (uint8_t)i;
			} else {
				b.ipv6_src[14] = (uint8_t)(i >> 8);
				b.ipv6_src[15] = (uint8_t)i;
			}
			odd += flow_key_hash_symmetric(&b) & 1;
		}
		assert_in_range(odd, 400, 600);
	}
}

/* An instance is picked by the 5-tuple hash, from the key when the
 * packet was classified and from its headers otherwise: for any frame,
 * well-formed or cut short, both must give the same hash, or a flow
 * would change instance when the chains are reloaded. */
static void
test_5tuple_from_key_equals_parse(void **state)
{
	uint8_t f[128];

	(void)state;
	srand(7);
	for (int iter = 0; iter < 20000; iter++) {
		uint32_t len = 14 + (uint32_t)(rand() % 100);
		struct pkt_5tuple a, b;
		struct flow_key k;
		struct pkt_info pi;

		for (uint32_t i = 0; i < sizeof(f); i++)
			f[i] = (uint8_t)rand();
		f[12] = 0x08; /* mostly IPv4 with a sane version/IHL, some not */
		f[13] = iter % 7 ? 0x00 : 0x06;
		f[14] = iter % 5 ? 0x45 : (uint8_t)(0x40 | (rand() & 0xf));
		f[23] = (uint8_t)(iter % 3 == 0 ? 6 : iter % 3 == 1 ? 17 : rand());
		pkt_parse(f, len, &pi);
		pkt_info_5tuple(&pi, &a);
		flow_key_from_frame(&k, &pi, f, len, 1);
		flow_key_5tuple(&k, &b);
		assert_int_equal(pkt_5tuple_hash_symmetric(&a), pkt_5tuple_hash_symmetric(&b));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mpls_top_label),
		cmocka_unit_test(test_5tuple_from_key_equals_parse),
		cmocka_unit_test(test_ipv6_flabel_and_nd),
		cmocka_unit_test(test_nd_option_length_zero_stops),
		cmocka_unit_test(test_pbb_isid),
		cmocka_unit_test(test_ipv6_exthdr),
		cmocka_unit_test(test_every_truncation_is_safe),
		cmocka_unit_test(test_hash_symmetric_and_sensitive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
