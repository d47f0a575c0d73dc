/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csum_ref.h"
#include "pkt_parse.h"

/* Ethernet + IPv4 (IHL 5) + TCP (doff 5), 4 payload bytes, checksums valid
 * (IPv4 0x6f20, TCP 0x1844: frame_checksums_are_valid checks them). */
static uint8_t tcp_frame[] = {
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x2c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x6f, 0x20,
	10, 0, 0, 1, 192, 168, 1, 2,
	0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff,
	0x18, 0x44, 0x00, 0x00,
	'G', 'E', 'T', ' ',
};

static void
fix_ip_csum(uint8_t *ip)
{
	ip[10] = ip[11] = 0;
	uint16_t c = csum_ref(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

static void
frame_checksums_are_valid(void **state)
{
	const uint8_t *ip = tcp_frame + 14;

	assert_true(csum_ref_ok(ip, 20, 0));
	assert_true(csum_ref_ok(ip + 20, 24, csum_ref_pseudo4(ip, 24)));
}

/* pkt_csum_partial + pkt_csum_fold against the plain sum: every length
 * (odd ones end in a padded byte) and a running sum carried in. */
static void
csum_matches_reference(void **state)
{
	uint8_t buf[1500];

	srand(7);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (uint32_t len = 0; len <= sizeof(buf); len += len < 64 ? 1 : 37) {
		uint32_t carried = (uint32_t)rand() & 0xfffff;

		assert_int_equal(pkt_csum_fold(pkt_csum_partial(buf, len, 0)),
				 csum_ref_fold(csum_ref_add(buf, len, 0)));
		assert_int_equal(pkt_csum_fold(pkt_csum_partial(buf, len, carried)),
				 csum_ref_fold(csum_ref_add(buf, len, carried)));
	}
	memset(buf, 0xff, sizeof(buf)); /* the most carries */
	assert_int_equal(pkt_csum_fold(pkt_csum_partial(buf, sizeof(buf), 0xffffffffu)),
			 csum_ref_fold(csum_ref_add(buf, sizeof(buf), 0xffffffffu)));
}

static void
parses_tcp(void **state)
{
	struct pkt_info pi;

	assert_int_equal(pkt_parse(tcp_frame, sizeof(tcp_frame), &pi), 0);
	assert_true(pi.flags & PKT_F_IPV4);
	assert_true(pi.flags & PKT_F_L4);
	assert_int_equal(pi.ip_proto, PKT_PROTO_TCP);
	assert_int_equal(pi.ipv4_src, 0x0a000001);
	assert_int_equal(pi.ipv4_dst, 0xc0a80102);
	assert_int_equal(pi.src_port, 12345);
	assert_int_equal(pi.dst_port, 80);
	assert_int_equal(pi.tcp_flags, PKT_TCP_SYN);
	assert_int_equal(pi.payload_off, 54);
	assert_int_equal(pi.payload_len, 4);
}

static void
every_truncation_is_safe(void **state)
{
	struct pkt_info pi;

	/* Each prefix must parse without reading past its end (ASan checks
	 * the heap copy) and must never claim a complete L4 header early. */
	for (uint32_t len = 0; len < sizeof(tcp_frame); len++) {
		uint8_t *copy = test_malloc(len ? len : 1);
		memcpy(copy, tcp_frame, len);
		int rc = pkt_parse(copy, len, &pi);
		assert_int_equal(rc, -1);
		assert_false(pi.flags & PKT_F_L4);
		test_free(copy);
	}
}

static void
bad_ihl_and_doff_are_flagged(void **state)
{
	uint8_t f[sizeof(tcp_frame)];
	struct pkt_info pi;

	memcpy(f, tcp_frame, sizeof(f));
	f[14] = 0x44; /* IHL 4 */
	assert_int_equal(pkt_parse(f, sizeof(f), &pi), -1);
	assert_true(pi.flags & PKT_F_BAD_L3);

	memcpy(f, tcp_frame, sizeof(f));
	f[14 + 20 + 12] = 0xf0; /* data offset 60 bytes, beyond the packet */
	assert_int_equal(pkt_parse(f, sizeof(f), &pi), -1);
	assert_true(pi.flags & PKT_F_BAD_L4);
}

static void
fragments_have_no_l4(void **state)
{
	uint8_t f[sizeof(tcp_frame)];
	struct pkt_info pi;

	memcpy(f, tcp_frame, sizeof(f));
	f[20] = 0x20; /* more fragments */
	f[21] = 0x00;
	assert_int_equal(pkt_parse(f, sizeof(f), &pi), 0);
	assert_true(pi.flags & PKT_F_FRAGMENT);
	assert_false(pi.flags & PKT_F_L4);
}

static void
vlan_tag_is_skipped(void **state)
{
	uint8_t f[sizeof(tcp_frame) + 4];
	struct pkt_info pi;

	memcpy(f, tcp_frame, 12);
	f[12] = 0x81; f[13] = 0x00; f[14] = 0x20; f[15] = 0x64; /* PCP 1, VID 100 */
	memcpy(f + 16, tcp_frame + 12, sizeof(tcp_frame) - 12);
	assert_int_equal(pkt_parse(f, sizeof(f), &pi), 0);
	assert_true(pi.flags & PKT_F_VLAN);
	assert_int_equal(pi.vlan_vid, 100);
	assert_int_equal(pi.vlan_pcp, 1);
	assert_int_equal(pi.dst_port, 80);
}

static void
symmetric_hash(void **state)
{
	struct pkt_5tuple a = { 0x0a000001, 0xc0a80102, 12345, 80, 6 };
	struct pkt_5tuple b = { 0xc0a80102, 0x0a000001, 80, 12345, 6 };
	struct pkt_5tuple c = { 0x0a000001, 0xc0a80102, 12346, 80, 6 };

	assert_int_equal(pkt_5tuple_hash_symmetric(&a), pkt_5tuple_hash_symmetric(&b));
	assert_int_not_equal(pkt_5tuple_hash_symmetric(&a), pkt_5tuple_hash_symmetric(&c));
}

static void
incremental_checksum_matches_recompute(void **state)
{
	uint8_t ip[20];

	memcpy(ip, tcp_frame + 14, 20);
	fix_ip_csum(ip);
	/* Decrement TTL and change the destination for many values; the
	 * RFC 1624 update must agree with a full recomputation each time. */
	for (uint32_t i = 0; i < 5000; i++) {
		uint16_t csum = (uint16_t)((ip[10] << 8) | ip[11]);
		uint16_t old_w = (uint16_t)((ip[8] << 8) | ip[9]);
		uint32_t old_dst = ((uint32_t)ip[16] << 24) | ((uint32_t)ip[17] << 16) |
				   ((uint32_t)ip[18] << 8) | ip[19];
		uint32_t new_dst = old_dst * 2654435761u + i;

		ip[8] = (uint8_t)(ip[8] - 1);
		uint16_t new_w = (uint16_t)((ip[8] << 8) | ip[9]);
		csum = pkt_csum_update16(csum, old_w, new_w);
		csum = pkt_csum_update32(csum, old_dst, new_dst);
		ip[16] = (uint8_t)(new_dst >> 24);
		ip[17] = (uint8_t)(new_dst >> 16);
		ip[18] = (uint8_t)(new_dst >> 8);
		ip[19] = (uint8_t)new_dst;

		uint8_t ref[20];
		memcpy(ref, ip, 20);
		fix_ip_csum(ref);
		/* 0x0000 and 0xffff are the same value in one's complement. */
		uint16_t want = (uint16_t)((ref[10] << 8) | ref[11]);
		if (csum != want)
			assert_true((csum == 0xffff && want == 0) || (csum == 0 && want == 0xffff));
		ip[10] = (uint8_t)(csum >> 8);
		ip[11] = (uint8_t)csum;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frame_checksums_are_valid),
		cmocka_unit_test(csum_matches_reference),
		cmocka_unit_test(parses_tcp),
		cmocka_unit_test(every_truncation_is_safe),
		cmocka_unit_test(bad_ihl_and_doff_are_flagged),
		cmocka_unit_test(fragments_have_no_l4),
		cmocka_unit_test(vlan_tag_is_skipped),
		cmocka_unit_test(symmetric_hash),
		cmocka_unit_test(incremental_checksum_matches_recompute),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
