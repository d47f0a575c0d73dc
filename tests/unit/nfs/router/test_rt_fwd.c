/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-frame router logic: verdicts, TTL and the RFC 1624 checksum update. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csum_ref.h"
#include "pkt_parse.h"
#include "rt_fwd.h"

static const uint8_t nh_mac[6] = { 0x02, 0, 0, 0, 1, 1 };
static const uint8_t port_mac[6] = { 0x02, 0xaa, 0, 0, 0, 7 };

/* The checksum a header should carry, recomputed from scratch (host order). */
static uint16_t
full_ip_csum(uint8_t *ip)
{
	unsigned int ihl = (ip[0] & 0x0f) * 4u;
	uint8_t copy[60];

	memcpy(copy, ip, ihl);
	copy[10] = copy[11] = 0;
	return csum_ref(copy, ihl, 0);
}

static void
store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An Ethernet + IPv4 (+ options) + 8 payload bytes frame; returns its length. */
static uint32_t
make_frame(uint8_t *f, int vlan, unsigned int opt_words, uint8_t ttl, unsigned int seed)
{
	unsigned int off = 12, ihl = 20 + 4 * opt_words;

	srand(seed);
	memset(f, 0, 128);
	for (int i = 0; i < 12; i++)
		f[i] = (uint8_t)rand();
	if (vlan) {
		f[off++] = 0x81;
		f[off++] = 0x00;
		f[off++] = 0x00;
		f[off++] = 0x05;
	}
	f[off++] = 0x08;
	f[off++] = 0x00;
	uint8_t *ip = f + off;

	ip[0] = (uint8_t)(0x40 | (ihl / 4));
	ip[1] = (uint8_t)rand();
	ip[2] = 0;
	ip[3] = (uint8_t)(ihl + 8);
	for (unsigned int i = 4; i < ihl; i++)
		ip[i] = (uint8_t)rand();
	ip[6] &= 0x40; /* DF may be set, never a fragment */
	ip[7] = 0;
	ip[8] = ttl;
	ip[9] = 17;
	store_be16(ip + 10, full_ip_csum(ip));
	return off + ihl + 8;
}

static void
ttl_and_checksum_match_full_recomputation(void **state)
{
	uint8_t f[128];

	for (unsigned int seed = 0; seed < 5000; seed++) {
		int vlan = seed & 1;
		unsigned int opts = seed % 11;
		uint8_t ttl = (uint8_t)(2 + seed % 254);
		uint32_t len = make_frame(f, vlan, opts, ttl, seed);
		uint16_t l3 = 0;
		uint32_t dst = 0, want_dst;

		assert_int_equal(rt_fwd_classify(f, len, &l3, &dst), RT_V_ROUTE);
		assert_int_equal(l3, vlan ? 18 : 14);
		uint8_t *ip = f + l3;

		want_dst = ((uint32_t)ip[16] << 24) | ((uint32_t)ip[17] << 16) | ((uint32_t)ip[18] << 8) | ip[19];
		assert_int_equal(dst, want_dst);

		rt_fwd_rewrite(f, l3, nh_mac, port_mac);
		assert_int_equal(ip[8], ttl - 1);
		uint16_t got = (uint16_t)((ip[10] << 8) | ip[11]);

		/* RFC 1624 may yield 0xffff where RFC 1071 gives 0x0000 only when
		 * the header sums to zero, which a header with version 4 cannot. */
		assert_int_equal(got, full_ip_csum(ip));
		assert_memory_equal(f, nh_mac, 6);
		assert_memory_equal(f + 6, port_mac, 6);
		/* and the result is itself a valid header */
		assert_int_equal(rt_fwd_classify(f, len, &l3, &dst),
				 ttl - 1 <= 1 ? RT_V_TTL_EXPIRED : RT_V_ROUTE);
	}
}

static void
ttl_expiry(void **state)
{
	uint8_t f[128];
	uint16_t l3;
	uint32_t dst, len;

	len = make_frame(f, 0, 0, 1, 1);
	assert_int_equal(rt_fwd_classify(f, len, &l3, &dst), RT_V_TTL_EXPIRED);
	len = make_frame(f, 0, 0, 0, 2);
	assert_int_equal(rt_fwd_classify(f, len, &l3, &dst), RT_V_TTL_EXPIRED);
	len = make_frame(f, 0, 0, 2, 3);
	assert_int_equal(rt_fwd_classify(f, len, &l3, &dst), RT_V_ROUTE);
}

static void
bad_frames(void **state)
{
	uint8_t f[128];
	uint16_t l3;
	uint32_t dst, len;

	len = make_frame(f, 0, 0, 64, 4);
	assert_int_equal(rt_fwd_classify(f, 10, &l3, &dst), RT_V_MALFORMED);   /* runt */
	assert_int_equal(rt_fwd_classify(f, 30, &l3, &dst), RT_V_MALFORMED);   /* cut IP header */
	assert_int_equal(rt_fwd_classify(f, len - 4, &l3, &dst), RT_V_MALFORMED); /* total len > frame */
	f[24] ^= 0x01; /* checksum byte */
	assert_int_equal(rt_fwd_classify(f, len, &l3, &dst), RT_V_BAD_CSUM);
	f[24] ^= 0x01;
	f[14] = 0x44; /* IHL 4 */
	assert_int_equal(rt_fwd_classify(f, len, &l3, &dst), RT_V_MALFORMED);

	/* the L4 header being short is not the router's business */
	len = make_frame(f, 0, 0, 64, 5);
	f[14 + 9] = 6; /* TCP, but only 8 bytes follow */
	store_be16(f + 24, full_ip_csum(f + 14));
	assert_int_equal(rt_fwd_classify(f, len, &l3, &dst), RT_V_ROUTE);
}

static void
non_ipv4(void **state)
{
	uint8_t f[128] = { 0 };
	uint16_t l3;
	uint32_t dst;

	f[12] = 0x08;
	f[13] = 0x06; /* ARP */
	assert_int_equal(rt_fwd_classify(f, 60, &l3, &dst), RT_V_NON_IP);
	f[12] = 0x86;
	f[13] = 0xdd; /* IPv6, even a broken one: left to the policy */
	assert_int_equal(rt_fwd_classify(f, 60, &l3, &dst), RT_V_NON_IP);
	f[12] = 0x88;
	f[13] = 0xcc; /* LLDP */
	assert_int_equal(rt_fwd_classify(f, 60, &l3, &dst), RT_V_NON_IP);
}

/*
 * Mutated and cut frames never make the router read past the frame (ASan
 * builds check that: each frame sits in a buffer of exactly its length) and
 * never route a header that does not check out.
 */
static void
hostile_frames(void **state)
{
	uint8_t good[128];
	unsigned int routed = 0;

	for (unsigned int i = 0; i < 100000; i++) {
		uint32_t full = make_frame(good, (int)(i & 1), i % 11, (uint8_t)(i % 64), i);
		uint32_t len = i % 3 ? full : (uint32_t)rand() % (full + 1);
		uint8_t *f = malloc(len ? len : 1);
		uint16_t l3 = 0;
		uint32_t dst = 0;

		memcpy(f, good, len);
		for (int k = rand() % 4; k > 0 && len > 0; k--)
			f[rand() % len] = (uint8_t)rand();
		if (rt_fwd_classify(f, len, &l3, &dst) == RT_V_ROUTE) {
			uint8_t *ip = f + l3;

			assert_true(l3 + 20u <= len);
			assert_true(ip[8] > 1);
			assert_true(csum_ref_ok(ip, (ip[0] & 0x0fu) * 4, 0));
			rt_fwd_rewrite(f, l3, nh_mac, port_mac);
			routed++;
		}
		free(f);
	}
	assert_true(routed > 1000); /* the test also reaches the rewrite */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ttl_and_checksum_match_full_recomputation),
		cmocka_unit_test(ttl_expiry),
		cmocka_unit_test(bad_frames),
		cmocka_unit_test(non_ipv4),
		cmocka_unit_test(hostile_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
