/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_rtp: RFC 3550 jitter against a direct transcription of the RFC's
 * A.8 code, loss against a count of distinct sequence numbers, detection. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qoe_rtp.h"

static void
rtp_header(uint8_t *p, uint8_t version, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	memset(p, 0, 12);
	p[0] = (uint8_t)(version << 6);
	p[1] = pt;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24);
	p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
}

static void
feed(struct qoe_rtp *r, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc, uint64_t t_ns)
{
	uint8_t p[172];

	rtp_header(p, 2, pt, seq, ts, ssrc);
	qoe_rtp_packet(r, p, sizeof(p), t_ns);
}

/* RFC 3550 A.8, transcribed: arrival and r_ts in timestamp units. */
struct rfc_source { int transit; double jitter; };

static void
rfc_jitter(struct rfc_source *s, int arrival, int r_ts, int first)
{
	int transit = arrival - r_ts;
	int d = transit - s->transit;

	s->transit = transit;
	if (first)
		return;
	if (d < 0)
		d = -d;
	s->jitter += (1. / 16.) * ((double)d - s->jitter);
}

static void
test_jitter_matches_rfc_transcription(void **state)
{
	srand(1889);
	for (int round = 0; round < 50; round++) {
		struct qoe_rtp r;
		struct rfc_source ref = { 0, 0 };
		const uint32_t clock = 8000;
		int n = 20 + rand() % 300;
		uint32_t ts0 = (uint32_t)rand();

		qoe_rtp_init(&r);
		for (int i = 0; i < n; i++) {
			/* 20 ms packets (160 units) with 0..30 ms of random delay,
			 * arrival a whole number of RTP units (125 us) */
			int arrival_units = 160 * i + rand() % 240;
			uint32_t ts = ts0 + 160u * (uint32_t)i;
			uint64_t t_ns = 5000000000ull + (uint64_t)arrival_units * 1000000000ull / clock;

			feed(&r, 0, (uint16_t)(7 + i), ts, 0xabc, t_ns);
			rfc_jitter(&ref, arrival_units, (int)(ts - ts0), i == 0);
		}
		assert_true(qoe_rtp_is_stream(&r));
		assert_true(fabs(r.jitter - ref.jitter) < 1e-9);
		assert_true(fabs(qoe_rtp_jitter_ms(&r) - ref.jitter / 8.0) < 1e-9);
	}
}

static void
test_jitter_constant_delay_is_zero(void **state)
{
	struct qoe_rtp r;

	qoe_rtp_init(&r);
	for (int i = 0; i < 100; i++)
		feed(&r, 8, (uint16_t)i, 160u * (uint32_t)i, 1, 7000000ull + 20000000ull * (uint64_t)i);
	assert_true(qoe_rtp_jitter_ms(&r) < 1e-9);
	assert_int_equal(qoe_rtp_lost(&r), 0);
}

static void
test_jitter_uses_payload_clock(void **state)
{
	struct qoe_rtp r;

	/* 90 kHz video: frames every 40 ms = 3600 units; every other frame
	 * 10 ms late -> |D| = 10 ms after the first pair -> J -> 10 ms */
	qoe_rtp_init(&r);
	for (int i = 0; i < 400; i++)
		feed(&r, 26, (uint16_t)i, 3600u * (uint32_t)i,
		     2, 40000000ull * (uint64_t)i + (i % 2 ? 10000000ull : 0));
	assert_int_equal(r.clock_hz, 90000);
	assert_true(fabs(qoe_rtp_jitter_ms(&r) - 10.0) < 1e-6);
	assert_int_equal(qoe_rtp_clock_rate(0), 8000);
	assert_int_equal(qoe_rtp_clock_rate(8), 8000);
	assert_int_equal(qoe_rtp_clock_rate(9), 8000);
	assert_int_equal(qoe_rtp_clock_rate(10), 44100);
	assert_int_equal(qoe_rtp_clock_rate(96), QOE_RTP_DEFAULT_CLOCK_HZ);
}

/* Loss: expected (highest - first + 1, across wraps) minus received. */
static void
test_loss_with_wrap(void **state)
{
	struct qoe_rtp r;
	int received = 0;

	qoe_rtp_init(&r);
	for (uint32_t i = 0; i < 300; i++) {
		if (i % 7 == 3)
			continue;                   /* 43 lost */
		feed(&r, 0, (uint16_t)(65400 + i), 160 * i, 3, 20000000ull * i);
		received++;
	}
	assert_int_equal(r.cycles, 65536);
	assert_int_equal(qoe_rtp_lost(&r), 300 - received);
	assert_int_equal(qoe_rtp_lost(&r), 43);
}

static void
test_loss_reorder_and_duplicates(void **state)
{
	struct qoe_rtp r;
	const uint16_t seqs[] = { 10, 11, 13, 12, 14, 14, 17 };

	qoe_rtp_init(&r);
	for (unsigned int i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		feed(&r, 0, seqs[i], 160u * seqs[i], 4, 20000000ull * i);
	/* expected 10..17 = 8, received 7 (one duplicate): lost 1 */
	assert_int_equal(qoe_rtp_lost(&r), 1);
}

static void
test_large_jump_resynchronises(void **state)
{
	struct qoe_rtp r;

	qoe_rtp_init(&r);
	feed(&r, 0, 100, 0, 5, 0);
	feed(&r, 0, 101, 160, 5, 20000000);
	feed(&r, 0, 30000, 320, 5, 40000000);     /* a jump: not believed yet */
	assert_int_equal(qoe_rtp_lost(&r), 0);
	feed(&r, 0, 30001, 480, 5, 60000000);     /* confirmed: start over */
	feed(&r, 0, 30002, 640, 5, 80000000);
	assert_int_equal(r.base_seq, 30001);
	assert_int_equal(qoe_rtp_lost(&r), 0);
}

static void
test_detection(void **state)
{
	struct qoe_rtp r;
	uint8_t p[20];

	qoe_rtp_init(&r);
	feed(&r, 0, 1, 0, 9, 0);
	assert_false(qoe_rtp_is_stream(&r));      /* one packet proves nothing */
	feed(&r, 0, 2, 160, 9, 20000000);
	assert_true(qoe_rtp_is_stream(&r));
	feed(&r, 0, 3, 320, 10, 40000000);        /* a second SSRC */
	assert_false(qoe_rtp_is_stream(&r));
	assert_int_equal(r.status, QOE_RTP_NO);
	feed(&r, 0, 4, 480, 9, 60000000);         /* and it stays so */
	assert_false(qoe_rtp_is_stream(&r));

	qoe_rtp_init(&r);
	rtp_header(p, 1, 0, 1, 0, 9);             /* version 1 */
	qoe_rtp_packet(&r, p, sizeof(p), 0);
	assert_int_equal(r.status, QOE_RTP_NO);

	qoe_rtp_init(&r);
	rtp_header(p, 2, 0, 1, 0, 9);
	qoe_rtp_packet(&r, p, 11, 0);             /* shorter than the header */
	assert_int_equal(r.status, QOE_RTP_NO);

	qoe_rtp_init(&r);
	rtp_header(p, 2, 200 & 0x7f, 1, 0, 9);    /* RTCP sender report */
	p[1] = 200;
	qoe_rtp_packet(&r, p, sizeof(p), 0);
	assert_int_equal(r.status, QOE_RTP_NO);

	qoe_rtp_init(&r);
	qoe_rtp_packet(&r, NULL, 0, 0);           /* empty payload */
	assert_int_equal(r.status, QOE_RTP_NO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jitter_matches_rfc_transcription),
		cmocka_unit_test(test_jitter_constant_delay_is_zero),
		cmocka_unit_test(test_jitter_uses_payload_clock),
		cmocka_unit_test(test_loss_with_wrap),
		cmocka_unit_test(test_loss_reorder_and_duplicates),
		cmocka_unit_test(test_large_jump_resynchronises),
		cmocka_unit_test(test_detection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
