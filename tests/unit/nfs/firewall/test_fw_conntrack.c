/* SPDX-License-Identifier: BSD-3-Clause */
/* Connection tracking: replies pass, FIN/RST close, idle timeout, full table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fw_conntrack.h"
#include "fw_test_eal.h"

#define S 1000000000ull

static const struct fw_ct_timeouts to = { .tcp_ns = 300 * S, .udp_ns = 30 * S, .close_ns = 2 * S };

static struct pkt_5tuple
tuple(uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport, uint8_t proto)
{
	struct pkt_5tuple t = { .src_ip = sip, .dst_ip = dip, .src_port = sport,
				.dst_port = dport, .proto = proto };
	return t;
}

static struct pkt_5tuple
reverse(struct pkt_5tuple t)
{
	return tuple(t.dst_ip, t.dst_port, t.src_ip, t.src_port, t.proto);
}

static void
reply_passes_and_nothing_else(void **state)
{
	struct fw_conntrack *ct = fw_ct_create(1024, 0);
	struct pkt_5tuple req = tuple(0x0a000001, 40000, 0xc0a80101, 80, PKT_PROTO_TCP);
	struct pkt_5tuple rep = reverse(req);
	struct pkt_5tuple other = tuple(0xc0a80101, 80, 0x0a000001, 40001, PKT_PROTO_TCP);
	struct pkt_5tuple udp = req;
	struct fw_ct_stats s;

	assert_non_null(ct);
	udp.proto = PKT_PROTO_UDP;
	assert_false(fw_ct_lookup(ct, &rep, PKT_TCP_SYN | PKT_TCP_ACK, 0, &to));
	assert_int_equal(fw_ct_track(ct, &req, PKT_TCP_SYN, 0, 0, &to), 0);
	assert_true(fw_ct_lookup(ct, &rep, PKT_TCP_SYN | PKT_TCP_ACK, 1, &to));
	assert_true(fw_ct_lookup(ct, &req, PKT_TCP_ACK, 2, &to));
	assert_false(fw_ct_lookup(ct, &other, PKT_TCP_ACK, 3, &to));
	assert_false(fw_ct_lookup(ct, &udp, 0, 3, &to));
	fw_ct_get_stats(ct, &s);
	assert_int_equal(s.created, 1);
	assert_int_equal(s.in_use, 1);
	assert_int_equal(s.hits, 2);
	fw_ct_free(ct);
}

static void
idle_timeout_and_refresh(void **state)
{
	struct fw_conntrack *ct = fw_ct_create(1024, 0);
	struct pkt_5tuple u = tuple(0x0a000001, 5000, 0x08080808, 53, PKT_PROTO_UDP);
	struct pkt_5tuple t = tuple(0x0a000001, 5001, 0x08080808, 443, PKT_PROTO_TCP);
	struct fw_ct_stats s;

	assert_int_equal(fw_ct_track(ct, &u, 0, 0, 0, &to), 0);
	assert_int_equal(fw_ct_track(ct, &t, PKT_TCP_SYN, 0, 0, &to), 0);
	/* A packet before the timeout refreshes it. */
	assert_true(fw_ct_lookup(ct, &u, 0, 29 * S, &to));
	assert_true(fw_ct_lookup(ct, &u, 0, 58 * S, &to));
	/* UDP idles out after 30 s, TCP keeps its 300 s. */
	assert_false(fw_ct_lookup(ct, &u, 0, 88 * S, &to));
	assert_true(fw_ct_lookup(ct, &t, PKT_TCP_ACK, 88 * S, &to));
	fw_ct_get_stats(ct, &s);
	assert_int_equal(s.expired, 1);
	assert_int_equal(s.in_use, 1);
	/* The periodic sweep removes what nobody looks up. */
	assert_int_equal(fw_ct_expire(ct, 387 * S, 100000), 0);
	assert_int_equal(fw_ct_expire(ct, 389 * S, 100000), 1);
	fw_ct_get_stats(ct, &s);
	assert_int_equal(s.expired, 2);
	assert_int_equal(s.in_use, 0);
	fw_ct_free(ct);
}

static void
fin_both_ways_closes_after_linger(void **state)
{
	struct fw_conntrack *ct = fw_ct_create(1024, 0);
	struct pkt_5tuple req = tuple(0x0a000001, 40000, 0xc0a80101, 80, PKT_PROTO_TCP);
	struct pkt_5tuple rep = reverse(req);
	struct fw_ct_stats s;

	assert_int_equal(fw_ct_track(ct, &req, PKT_TCP_SYN, 0, 0, &to), 0);
	assert_true(fw_ct_lookup(ct, &req, PKT_TCP_FIN | PKT_TCP_ACK, 10 * S, &to));
	/* One FIN is a half-close: the connection stays open well past the linger. */
	assert_true(fw_ct_lookup(ct, &rep, PKT_TCP_ACK, 20 * S, &to));
	assert_true(fw_ct_lookup(ct, &rep, PKT_TCP_FIN | PKT_TCP_ACK, 30 * S, &to));
	/* Both FINs seen: the last ACK still passes within the linger... */
	assert_true(fw_ct_lookup(ct, &req, PKT_TCP_ACK, 31 * S, &to));
	/* ...and after it the entry is gone. */
	assert_false(fw_ct_lookup(ct, &rep, PKT_TCP_ACK, 32 * S, &to));
	fw_ct_get_stats(ct, &s);
	assert_int_equal(s.closed, 1);
	assert_int_equal(s.in_use, 0);
	fw_ct_free(ct);
}

static void
rst_closes_and_syn_starts_over(void **state)
{
	struct fw_conntrack *ct = fw_ct_create(1024, 0);
	struct pkt_5tuple req = tuple(0x0a000001, 40000, 0xc0a80101, 80, PKT_PROTO_TCP);
	struct pkt_5tuple rep = reverse(req);

	assert_int_equal(fw_ct_track(ct, &req, PKT_TCP_SYN, 0, 0, &to), 0);
	assert_true(fw_ct_lookup(ct, &rep, PKT_TCP_RST | PKT_TCP_ACK, 1 * S, &to));
	/* Packets in the linger pass; a refresh does not extend it. */
	assert_true(fw_ct_lookup(ct, &req, PKT_TCP_ACK, 2 * S, &to));
	assert_false(fw_ct_lookup(ct, &req, PKT_TCP_ACK, 3 * S, &to));

	/* Port reuse: a fresh SYN on a closing entry goes back to the rules. */
	assert_int_equal(fw_ct_track(ct, &req, PKT_TCP_SYN, 0, 10 * S, &to), 0);
	assert_true(fw_ct_lookup(ct, &rep, PKT_TCP_RST, 11 * S, &to));
	assert_false(fw_ct_lookup(ct, &req, PKT_TCP_SYN, 11 * S + 1, &to));

	/* A lone RST does not open anything. */
	assert_int_equal(fw_ct_track(ct, &req, PKT_TCP_RST, 0, 20 * S, &to), 0);
	assert_false(fw_ct_lookup(ct, &rep, PKT_TCP_ACK, 20 * S + 1, &to));
	fw_ct_free(ct);
}

static void
full_table_counts_and_reclaims_expired(void **state)
{
	struct fw_conntrack *ct = fw_ct_create(64, 0);
	struct fw_ct_stats s;
	uint32_t i, tracked = 0;
	int rc = 0;

	for (i = 0; i < 200 && rc == 0; i++) {
		struct pkt_5tuple t = tuple(0x0a000000 + i, 1000, 0x08080808, 53, PKT_PROTO_UDP);

		rc = fw_ct_track(ct, &t, 0, 0, 0, &to);
		tracked += rc == 0;
	}
	assert_int_equal(rc, -1);
	/* rte_hash may refuse a little before the nominal size (bucket collisions). */
	assert_true(tracked >= 48 && tracked <= 64);
	fw_ct_get_stats(ct, &s);
	assert_int_equal(s.table_full, 1);
	assert_int_equal(s.in_use, tracked);
	/* Tracked connections still work while full. */
	{
		struct pkt_5tuple first = tuple(0x08080808, 53, 0x0a000000, 1000, PKT_PROTO_UDP);

		assert_true(fw_ct_lookup(ct, &first, 0, 1, &to));
	}
	/* Once entries have timed out, a new connection takes one's place. */
	{
		struct pkt_5tuple t = tuple(0x0b000001, 1000, 0x08080808, 53, PKT_PROTO_UDP);

		assert_int_equal(fw_ct_track(ct, &t, 0, 0, 31 * S, &to), 0);
		assert_true(fw_ct_lookup(ct, &t, 0, 31 * S + 1, &to));
	}
	fw_ct_get_stats(ct, &s);
	assert_true(s.reclaimed >= 1);
	assert_int_equal(s.table_full, 1);
	fw_ct_free(ct);
}

/* The bulk lookup gives what one-by-one lookups give, state changes included. */
static void
burst_lookup_equals_sequential(void **state)
{
	struct fw_conntrack *seq = fw_ct_create(256, 0), *bulk = fw_ct_create(256, 0);
	static const uint8_t flag_mix[] = { PKT_TCP_SYN, PKT_TCP_ACK, PKT_TCP_ACK, PKT_TCP_ACK,
					    PKT_TCP_FIN | PKT_TCP_ACK, PKT_TCP_RST, 0 };
	uint64_t x = 12345, now = 0;
	int round;

	assert_non_null(seq);
	assert_non_null(bulk);
	for (round = 0; round < 2000; round++) {
		struct pkt_5tuple t[FW_CT_BURST_MAX];
		uint8_t flags[FW_CT_BURST_MAX];
		bool hit[FW_CT_BURST_MAX];
		uint32_t i, n;
		struct fw_ct_stats a, b;

#define NEXT() (x = x * 6364136223846793005ull + 1442695040888963407ull, (uint32_t)(x >> 33))
		n = 1 + NEXT() % FW_CT_BURST_MAX;
		now += (NEXT() % 8) * S / 2;
		for (i = 0; i < n; i++) {
			/* 8 hosts, 4 ports, 2 protocols: plenty of repeats and replies. */
			uint32_t a_ip = 0x0a000000 + NEXT() % 8, b_ip = 0x0a000000 + NEXT() % 8;
			uint16_t a_p = (uint16_t)(1000 + NEXT() % 4), b_p = (uint16_t)(80 + NEXT() % 4);
			uint8_t proto = (NEXT() & 1) ? PKT_PROTO_TCP : PKT_PROTO_UDP;

			t[i] = tuple(a_ip, a_p, b_ip, b_p, proto);
			flags[i] = proto == PKT_PROTO_TCP ? flag_mix[NEXT() % sizeof(flag_mix)] : 0;
		}
		fw_ct_lookup_burst(bulk, t, flags, n, now, &to, hit);
		for (i = 0; i < n; i++)
			if (fw_ct_lookup(seq, &t[i], flags[i], now, &to) != hit[i])
				fail_msg("round %d packet %u: sequential and burst lookups differ",
					 round, i);
		/* Then some of the misses open connections, in both tables alike. */
		for (i = 0; i < n; i++) {
			if (hit[i] || NEXT() % 3 != 0)
				continue;
			assert_int_equal(fw_ct_track(seq, &t[i], flags[i], 0, now, &to),
					 fw_ct_track(bulk, &t[i], flags[i], 0, now, &to));
		}
		fw_ct_get_stats(seq, &a);
		fw_ct_get_stats(bulk, &b);
		assert_memory_equal(&a, &b, sizeof(a));
#undef NEXT
	}
	fw_ct_free(seq);
	fw_ct_free(bulk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reply_passes_and_nothing_else),
		cmocka_unit_test(idle_timeout_and_refresh),
		cmocka_unit_test(fin_both_ways_closes_after_linger),
		cmocka_unit_test(rst_closes_and_syn_starts_over),
		cmocka_unit_test(full_table_counts_and_reclaims_expired),
		cmocka_unit_test(burst_lookup_equals_sequential),
	};

	if (fw_test_eal_init("fwtest_ct") < 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_eal_cleanup("fwtest_ct");
	return rc;
}
