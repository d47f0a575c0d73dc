/* SPDX-License-Identifier: BSD-3-Clause */
/* speed_tester's packets: the synthetic frame, the latency stamp, the summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csum_ref.h"
#include "pkt_parse.h"
#include "st_packet.h"

static const uint8_t dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

/* Every size from the minimum to a jumbo frame parses as the UDP packet it claims to be. */
static void
synthetic_frames_parse(void **state)
{
	static uint8_t f[ST_MAX_FRAME];

	for (uint32_t len = ST_MIN_FRAME; len <= ST_MAX_FRAME; len += (len < 1600 ? 1 : 997)) {
		struct pkt_info pi;
		uint32_t flow = len * 7919;

		st_build_udp_frame(f, (uint16_t)len, flow, dst);
		assert_int_equal(pkt_parse(f, len, &pi), 0);
		assert_true(pi.flags & PKT_F_IPV4);
		assert_true(pi.flags & PKT_F_L4);
		assert_false(pi.flags & (PKT_F_TRUNCATED | PKT_F_BAD_L3 | PKT_F_BAD_L4));
		assert_memory_equal(pi.eth_dst, dst, 6);
		assert_int_equal(pi.ip_proto, PKT_PROTO_UDP);
		assert_int_equal(pi.ip_total_len, len - 14);
		assert_int_equal(pi.ipv4_src, 0x0a000001);
		assert_int_equal(pi.ipv4_dst, 0x0a000002);
		assert_int_equal(pi.src_port, 1024 + flow % 64512);
		assert_int_equal(pi.dst_port, 9);
		assert_int_equal(pi.payload_len, len - 42);
		/* the IPv4 header checksum verifies */
		assert_true(csum_ref_ok(f + 14, 20, 0));
		/* UDP length covers the rest of the frame */
		assert_int_equal((f[38] << 8) | f[39], len - 34);
	}
}

static void
flows_differ(void **state)
{
	uint8_t a[64], b[64];
	struct pkt_info pa, pb;

	st_build_udp_frame(a, 64, 1, dst);
	st_build_udp_frame(b, 64, 2, dst);
	pkt_parse(a, 64, &pa);
	pkt_parse(b, 64, &pb);
	assert_int_not_equal(pa.src_port, pb.src_port);
}

static void
stamp_round_trip(void **state)
{
	uint8_t f[128], copy[128];
	uint64_t tsc = 0;

	st_build_udp_frame(f, 64, 0, dst);
	memcpy(copy, f, sizeof(f));
	assert_false(st_stamp_read(f, 64, &tsc)); /* a fresh frame carries none */
	st_stamp_write(f, 64, 0x0123456789abcdefULL);
	assert_true(st_stamp_read(f, 64, &tsc));
	assert_int_equal(tsc, 0x0123456789abcdefULL);
	/* only the last 16 bytes changed: headers intact */
	assert_memory_equal(f, copy, 64 - ST_STAMP_LEN);
	assert_memory_equal(f + 64, copy + 64, sizeof(f) - 64);
	/* a stamp read at another length is not found */
	assert_false(st_stamp_read(f, 63, &tsc));
}

static void
short_frames_carry_no_stamp(void **state)
{
	uint8_t f[64], copy[64];
	uint64_t tsc;

	memset(f, 0x5a, sizeof(f));
	memcpy(copy, f, sizeof(f));
	for (uint32_t len = 0; len < ST_MIN_STAMPED; len++) {
		st_stamp_write(f, len, 42);
		assert_memory_equal(f, copy, sizeof(f));
		assert_false(st_stamp_read(f, len, &tsc));
	}
	st_stamp_write(f, ST_MIN_STAMPED, 42);
	assert_true(st_stamp_read(f, ST_MIN_STAMPED, &tsc));
	assert_int_equal(tsc, 42);
	assert_memory_equal(f, copy, 14); /* the Ethernet header is never touched */
}

static void
latency_summary_matches_reference(void **state)
{
	struct st_latency l;
	uint64_t sum = 0, min = UINT64_MAX, max = 0;

	st_latency_reset(&l);
	assert_int_equal(l.count, 0);
	srand(11);
	for (int i = 0; i < 5000; i++) {
		uint64_t v = (uint64_t)rand() * (uint64_t)(rand() % 100);

		st_latency_add(&l, v);
		sum += v;
		min = v < min ? v : min;
		max = v > max ? v : max;
	}
	assert_int_equal(l.count, 5000);
	assert_int_equal(l.sum, sum);
	assert_int_equal(l.min, min);
	assert_int_equal(l.max, max);
	st_latency_reset(&l);
	st_latency_add(&l, 7);
	assert_int_equal(l.min, 7);
	assert_int_equal(l.max, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(synthetic_frames_parse),
		cmocka_unit_test(flows_differ),
		cmocka_unit_test(stamp_round_trip),
		cmocka_unit_test(short_frames_carry_no_stamp),
		cmocka_unit_test(latency_summary_matches_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
