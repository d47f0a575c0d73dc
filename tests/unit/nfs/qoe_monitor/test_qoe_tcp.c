/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_tcp: handshake and running RTT, Karn's rule, retransmission,
 * out-of-order and zero window on crafted segment sequences, and the
 * retransmission / out-of-order split against a byte-map reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pkt_parse.h"
#include "qoe_tcp.h"

#define MS 1000000ull
#define C QOE_DIR_TOSERVER
#define S QOE_DIR_TOCLIENT
#define A PKT_TCP_ACK

static void
seg(struct qoe_tcp *t, enum qoe_dir d, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len,
    uint64_t t_ns)
{
	struct qoe_tcp_seg s = { .seq = seq, .ack = ack, .window = 1000, .flags = flags,
				 .payload_len = len };
	qoe_tcp_segment(t, d, &s, t_ns);
}

/* SYN at 0, SYN-ACK at 10 ms, ACK at 10.5 ms. */
static void
handshake(struct qoe_tcp *t, uint32_t cisn, uint32_t sisn)
{
	seg(t, C, PKT_TCP_SYN, cisn, 0, 0, 0);
	seg(t, S, PKT_TCP_SYN | A, sisn, cisn + 1, 0, 10 * MS);
	seg(t, C, A, cisn + 1, sisn + 1, 0, 10 * MS + MS / 2);
}

static void
test_handshake_rtt(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	handshake(&t, 100, 900);
	assert_true(qoe_tcp_handshake_done(&t));
	assert_true(t.handshake_known);
	assert_int_equal(t.handshake_ns, 10 * MS + MS / 2);
	/* SYN acked by SYN-ACK (10 ms), SYN-ACK acked by ACK (0.5 ms) */
	assert_int_equal(t.rtt_samples, 2);
	assert_int_equal(t.rtt_min_ns, MS / 2);
	assert_int_equal(t.rtt_max_ns, 10 * MS);
}

static void
test_resent_syn_keeps_first_time(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	seg(&t, C, PKT_TCP_SYN, 100, 0, 0, 0);
	seg(&t, C, PKT_TCP_SYN, 100, 0, 0, 1000 * MS);
	seg(&t, S, PKT_TCP_SYN | A, 900, 101, 0, 1010 * MS);
	seg(&t, C, A, 101, 901, 0, 1011 * MS);
	assert_int_equal(t.handshake_ns, 1011 * MS);
	assert_int_equal(t.dir[C].retransmissions, 1);
	/* Karn: the SYN was sent twice, its ACK (the SYN-ACK) gives no sample */
	assert_int_equal(t.rtt_samples, 1);
	assert_int_equal(t.rtt_min_ns, 1 * MS);
}

static void
test_ack_wrong_number_does_not_complete(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	seg(&t, C, PKT_TCP_SYN, 100, 0, 0, 0);
	seg(&t, S, PKT_TCP_SYN | A, 900, 101, 0, 10 * MS);
	seg(&t, C, A, 101, 5555, 0, 11 * MS);
	assert_false(qoe_tcp_handshake_done(&t));
	seg(&t, C, A, 101, 901, 0, 12 * MS);
	assert_int_equal(t.handshake_ns, 12 * MS);
}

static void
test_running_rtt(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	handshake(&t, 0, 0);
	uint32_t base = t.rtt_samples;
	/* server sends three segments; client acks #1 exactly after 3 ms,
	 * then #2 and #3 together (only #3's end is named: one sample) */
	seg(&t, S, A, 1, 1, 100, 20 * MS);
	seg(&t, S, A, 101, 1, 100, 21 * MS);
	seg(&t, S, A, 201, 1, 100, 22 * MS);
	seg(&t, C, A, 1, 101, 0, 23 * MS);
	seg(&t, C, A, 1, 301, 0, 30 * MS);
	assert_int_equal(t.rtt_samples, base + 2);
	assert_int_equal(t.rtt_max_ns, 10 * MS); /* handshake's 10 ms still max */
	/* 3 ms and 8 ms added */
	assert_int_equal(t.rtt_sum_ns, 10 * MS + MS / 2 + 3 * MS + 8 * MS);
	/* a duplicate ACK samples nothing */
	seg(&t, C, A, 1, 301, 0, 31 * MS);
	assert_int_equal(t.rtt_samples, base + 2);
}

static void
test_karn_no_sample_from_retransmission(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	handshake(&t, 0, 0);
	uint32_t base = t.rtt_samples;
	seg(&t, S, A, 1, 1, 100, 20 * MS);
	seg(&t, S, A, 1, 1, 100, 220 * MS);       /* resent after an RTO */
	assert_int_equal(t.dir[S].retransmissions, 1);
	assert_int_equal(t.dir[C].retransmissions, 0);
	seg(&t, C, A, 1, 101, 0, 225 * MS);       /* ambiguous ACK */
	assert_int_equal(t.rtt_samples, base);
	/* the next, unambiguous segment is timed again */
	seg(&t, S, A, 101, 1, 100, 230 * MS);
	seg(&t, C, A, 1, 201, 0, 234 * MS);
	assert_int_equal(t.rtt_samples, base + 1);
}

/* More segments in flight than slots: the first ones are timed, and once
 * their ACKs free slots, later ones again. */
static void
test_many_in_flight_are_sampled(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	handshake(&t, 0, 0);
	uint32_t base = t.rtt_samples;
	for (uint32_t i = 0; i < 20; i++)
		seg(&t, S, A, 1 + 100 * i, 1, 100, (20 + i) * MS);
	for (uint32_t i = 0; i < 20; i++)
		seg(&t, C, A, 1, 101 + 100 * i, 0, (60 + i) * MS);
	assert_int_equal(t.rtt_samples, base + QOE_TCP_MAX_SEGS);
	assert_int_equal(t.rtt_max_ns, 40 * MS);   /* each ACK 40 ms after its segment */
	assert_int_equal(t.dir[S].n_sent, 0);
	seg(&t, S, A, 2001, 1, 100, 100 * MS);
	seg(&t, C, A, 1, 2101, 0, 103 * MS);
	assert_int_equal(t.rtt_samples, base + QOE_TCP_MAX_SEGS + 1);
	assert_int_equal(t.rtt_min_ns, MS / 2);    /* the handshake's 0.5 ms */
}

static void
test_retransmission_after_ack_counts(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	handshake(&t, 0, 0);
	seg(&t, C, A, 1, 1, 50, 20 * MS);
	seg(&t, S, A, 1, 51, 0, 30 * MS);
	seg(&t, C, A, 1, 1, 50, 40 * MS);         /* spurious: already acked */
	seg(&t, C, A, 11, 1, 20, 41 * MS);        /* a slice of seen bytes */
	assert_int_equal(t.dir[C].retransmissions, 2);
	assert_int_equal(t.dir[C].out_of_order, 0);
}

static void
test_out_of_order_fill(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	handshake(&t, 0, 0);
	seg(&t, S, A, 1, 1, 100, 20 * MS);
	seg(&t, S, A, 201, 1, 100, 21 * MS);     /* 101..200 missing here */
	seg(&t, S, A, 101, 1, 100, 22 * MS);     /* the gap filled: never seen */
	assert_int_equal(t.dir[S].out_of_order, 1);
	assert_int_equal(t.dir[S].retransmissions, 0);
	seg(&t, S, A, 101, 1, 100, 23 * MS);     /* now it is a retransmission */
	assert_int_equal(t.dir[S].retransmissions, 1);
}

static void
test_partial_fill_and_split(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	seg(&t, S, A, 0, 0, 10, 0);
	seg(&t, S, A, 100, 0, 10, 1);             /* gap 10..100 */
	seg(&t, S, A, 40, 0, 10, 2);              /* middle: splits the gap */
	seg(&t, S, A, 10, 0, 30, 3);              /* low part */
	seg(&t, S, A, 50, 0, 50, 4);              /* high part */
	assert_int_equal(t.dir[S].out_of_order, 3);
	assert_int_equal(t.dir[S].n_holes, 0);
	seg(&t, S, A, 0, 0, 110, 5);              /* all seen */
	assert_int_equal(t.dir[S].retransmissions, 1);
}

static void
test_zero_window_and_keepalive(void **state)
{
	struct qoe_tcp t;
	struct qoe_tcp_seg s = { .seq = 1, .ack = 1, .window = 0, .flags = A };

	qoe_tcp_init(&t);
	handshake(&t, 0, 0);
	qoe_tcp_segment(&t, C, &s, 20 * MS);
	qoe_tcp_segment(&t, C, &s, 21 * MS);
	s.flags = A | PKT_TCP_FIN;                 /* FIN with window 0: not counted */
	qoe_tcp_segment(&t, S, &s, 22 * MS);
	assert_int_equal(t.dir[C].zero_window, 2);
	assert_int_equal(t.dir[S].zero_window, 0);

	qoe_tcp_init(&t);
	handshake(&t, 0, 0);
	seg(&t, C, A, 1, 1, 10, 20 * MS);
	seg(&t, C, A, 10, 1, 1, 30 * MS);         /* keep-alive: last byte again */
	seg(&t, C, A, 10, 1, 0, 31 * MS);
	assert_int_equal(t.dir[C].retransmissions, 0);
}

static void
test_sequence_wrap(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	handshake(&t, 0xfffffff0u, 0xffffff00u);
	seg(&t, C, A, 0xfffffff1u, 0xffffff01u, 100, 20 * MS); /* crosses 2^32 */
	seg(&t, S, A, 0xffffff01u, 0x55, 0, 25 * MS);
	seg(&t, C, A, 0x55, 0xffffff01u, 100, 26 * MS);
	seg(&t, C, A, 0xfffffff1u, 0xffffff01u, 100, 27 * MS);
	assert_int_equal(t.dir[C].retransmissions, 1);
	assert_int_equal(t.dir[C].out_of_order, 0);
	assert_int_equal(t.rtt_samples, 3);
	assert_int_equal(t.rtt_max_ns, 10 * MS);
}

static void
test_fin_rst_close(void **state)
{
	struct qoe_tcp t;

	qoe_tcp_init(&t);
	handshake(&t, 0, 0);
	seg(&t, C, A | PKT_TCP_FIN, 1, 1, 0, 20 * MS);
	assert_false(qoe_tcp_closed(&t));
	seg(&t, S, A | PKT_TCP_FIN, 1, 2, 0, 30 * MS);
	assert_true(qoe_tcp_closed(&t));
	assert_false(qoe_tcp_reset(&t));
	/* the FIN is sequence space: its ACK is timed */
	assert_int_equal(t.rtt_samples, 3);

	qoe_tcp_init(&t);
	seg(&t, S, PKT_TCP_RST, 0, 0, 0, 0);
	assert_true(qoe_tcp_closed(&t));
	assert_true(qoe_tcp_reset(&t));
}

/*
 * Brute force: a 1200-byte stream of 12 segments delivered in random order
 * with duplicates. A byte map says what the observation point has seen; a
 * segment with all its bytes seen is a retransmission, one with unseen
 * bytes below the highest seen byte is out of order. Cases whose gaps
 * would exceed the module's bounded memory are skipped (and counted).
 */
static void
test_against_byte_map(void **state)
{
	enum { SEGS = 12, LEN = 100, ROUNDS = 3000 };
	unsigned int skipped = 0;

	srand(3550);
	for (int round = 0; round < ROUNDS; round++) {
		struct qoe_tcp t;
		bool seen[SEGS * LEN] = { false };
		uint32_t max_end = 0, want_re = 0, want_ooo = 0;
		int order[2 * SEGS], n = 0;
		bool too_many_holes = false;

		order[n++] = 0;               /* the stream starts where it starts */
		for (int i = 1; i < SEGS; i++)
			order[n++] = i;
		for (int i = 1; i < n; i++) { /* shuffle all but the first */
			int j = 1 + rand() % i;
			int x = order[i];
			order[i] = order[j];
			order[j] = x;
		}
		int dups = rand() % 6;
		for (int i = 0; i < dups; i++)
			order[n++] = rand() % SEGS;

		qoe_tcp_init(&t);
		for (int k = 0; k < n; k++) {
			uint32_t lo = (uint32_t)order[k] * LEN, hi = lo + LEN;
			bool any_unseen_below = false, all_seen = true;

			for (uint32_t b = lo; b < hi; b++) {
				if (!seen[b]) {
					all_seen = false;
					if (b < max_end)
						any_unseen_below = true;
				}
			}
			if (k > 0 && lo < max_end) {
				if (any_unseen_below)
					want_ooo++;
				else if (all_seen)
					want_re++;
			}
			for (uint32_t b = lo; b < hi; b++)
				seen[b] = true;
			if (hi > max_end)
				max_end = hi;
			/* gaps now open below max_end */
			unsigned int holes = 0;
			for (uint32_t b = 0; b < max_end; b++)
				if (!seen[b] && (b == 0 || seen[b - 1]))
					holes++;
			if (holes > QOE_TCP_MAX_HOLES)
				too_many_holes = true;
			seg(&t, S, A, 1000 + lo, 0, LEN, (uint64_t)k);
		}
		if (too_many_holes) {
			skipped++;
			continue;
		}
		assert_int_equal(t.dir[S].retransmissions, want_re);
		assert_int_equal(t.dir[S].out_of_order, want_ooo);
	}
	assert_true(skipped < ROUNDS / 2); /* the test did test something */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_rtt),
		cmocka_unit_test(test_resent_syn_keeps_first_time),
		cmocka_unit_test(test_ack_wrong_number_does_not_complete),
		cmocka_unit_test(test_running_rtt),
		cmocka_unit_test(test_karn_no_sample_from_retransmission),
		cmocka_unit_test(test_many_in_flight_are_sampled),
		cmocka_unit_test(test_retransmission_after_ack_counts),
		cmocka_unit_test(test_out_of_order_fill),
		cmocka_unit_test(test_partial_fill_and_split),
		cmocka_unit_test(test_zero_window_and_keepalive),
		cmocka_unit_test(test_sequence_wrap),
		cmocka_unit_test(test_fin_rst_close),
		cmocka_unit_test(test_against_byte_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
