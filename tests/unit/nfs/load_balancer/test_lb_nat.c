/* SPDX-License-Identifier: BSD-3-Clause */
/* Address/port rewrites: incremental checksums equal full recomputation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lb_frames.h"
#include "lb_nat.h"

static uint32_t rng_state = 2463534242u;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void
random_spec(struct lbf_spec *s, unsigned int i, uint8_t proto)
{
	memset(s, 0, sizeof(*s));
	s->proto = proto;
	s->sip = rng();
	s->dip = rng();
	s->sport = (uint16_t)rng();
	s->dport = (uint16_t)rng();
	s->tcp_flags = 0x18;
	s->payload = (uint16_t)(rng() % 101); /* odd lengths too */
	s->seed = i;
}

static void
check_rewrites(uint8_t proto)
{
	uint8_t f[LBF_MAX];

	for (unsigned int i = 0; i < 20000; i++) {
		struct lbf_spec s;

		random_spec(&s, i, proto);
		uint32_t len = lbf_make(f, &s), ip = rng();
		uint16_t port = (uint16_t)rng();

		assert_true(lbf_checksums_ok(f, len));
		if (i % 2 == 0) {
			lb_nat_set_dst(f + LBF_ETH, f + LBF_ETH + 20, ip, port);
			assert_int_equal(lbf_dst_ip(f), ip);
			assert_int_equal(lbf_dst_port(f), port);
			assert_int_equal(lbf_src_ip(f), s.sip);
			assert_int_equal(lbf_src_port(f), s.sport);
		} else {
			lb_nat_set_src(f + LBF_ETH, f + LBF_ETH + 20, ip, port);
			assert_int_equal(lbf_src_ip(f), ip);
			assert_int_equal(lbf_src_port(f), port);
			assert_int_equal(lbf_dst_ip(f), s.dip);
			assert_int_equal(lbf_dst_port(f), s.dport);
		}
		if (!lbf_checksums_ok(f, len))
			fail_msg("frame %u (proto %u, %u payload bytes): checksum wrong after rewrite",
				 i, proto, s.payload);
	}
}

static void
tcp_rewrites(void **state)
{
	check_rewrites(6);
}

static void
udp_rewrites(void **state)
{
	check_rewrites(17);
}

/* There and back again: the frame is bit-for-bit what it was. */
static void
round_trip_restores_frame(void **state)
{
	uint8_t f[LBF_MAX], orig[LBF_MAX];
	struct lbf_spec s = { .proto = 6, .sip = 0xc0a80005, .dip = 0x0a000064, .sport = 40000,
			      .dport = 80, .tcp_flags = 0x02, .payload = 0, .seed = 9 };
	uint32_t len = lbf_make(f, &s);

	memcpy(orig, f, len);
	lb_nat_set_dst(f + LBF_ETH, f + LBF_ETH + 20, 0x0a01010b, 8080);
	assert_true(lbf_checksums_ok(f, len));
	lb_nat_set_dst(f + LBF_ETH, f + LBF_ETH + 20, 0x0a000064, 80);
	assert_memory_equal(f, orig, len);
}

static void
udp_without_checksum_stays_without(void **state)
{
	uint8_t f[LBF_MAX];
	struct lbf_spec s = { .proto = 17, .sip = 1, .dip = 2, .sport = 3, .dport = 53,
			      .payload = 12, .seed = 4, .udp_no_csum = 1 };
	uint32_t len = lbf_make(f, &s);

	assert_int_equal(lbf_l4_csum(f), 0);
	lb_nat_set_dst(f + LBF_ETH, f + LBF_ETH + 20, 0x0a000001, 5353);
	assert_int_equal(lbf_l4_csum(f), 0);
	assert_true(lbf_checksums_ok(f, len));
	assert_int_equal(lbf_dst_port(f), 5353);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tcp_rewrites),
		cmocka_unit_test(udp_rewrites),
		cmocka_unit_test(round_trip_restores_frame),
		cmocka_unit_test(udp_without_checksum_stays_without),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
