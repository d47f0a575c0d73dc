/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Meter buckets over simulated time: rates passed against the configured
 * rate, decisions against a plain floating-point token bucket, band
 * selection, bursts, DSCP remarking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "of_meter.h"

#define HZ 1000000000ull /* 1 cycle = 1 ns: easy arithmetic */

static struct ofm_meter
meter1(uint16_t flags, uint16_t type, uint32_t rate, uint32_t burst)
{
	struct ofm_meter m;
	struct ofp_meter_band b = { type, rate, burst, 1 };

	ofm_meter_init(&m, 1, flags, &b, 1, HZ);
	return m;
}

/* Offer `bytes`-byte packets at offered_bps for `secs`; bytes passed. */
static uint64_t
offer(struct ofm_meter *m, uint32_t bytes, uint64_t offered_bps, unsigned secs, uint64_t *dropped)
{
	uint64_t gap = HZ * bytes * 8 / offered_bps, passed = 0;

	*dropped = 0;
	for (uint64_t t = 1000; t < secs * HZ; t += gap) {
		if (ofm_meter_apply(m, bytes, t) == OFM_NO_BAND)
			passed += bytes;
		else
			(*dropped)++;
	}
	return passed;
}

/* The brief's case: 2 Mb/s through a 1 Mb/s DROP meter passes ~1 Mb/s. */
static void
kbps_drop_passes_its_rate(void **state)
{
	struct ofm_meter m = meter1(OFPMF_KBPS, OFPMBT_DROP, 1000, 0);
	uint64_t dropped;
	uint64_t passed = offer(&m, 1500, 2000000, 10, &dropped);
	/* 10 s at 125000 B/s, plus the default 100 ms burst (12500 B). */
	double expect = 1250000 + 12500;

	assert_true(passed > expect * 0.99 && passed < expect * 1.01);
	assert_true(dropped > 800 && dropped < 850); /* ~1666 offered, ~841 pass */
	/* Under the rate, nothing is dropped. */
	m = meter1(OFPMF_KBPS, OFPMBT_DROP, 1000, 0);
	passed = offer(&m, 1500, 900000, 10, &dropped);
	assert_int_equal(dropped, 0);
}

static void
pktps_with_burst(void **state)
{
	struct ofm_meter m = meter1(OFPMF_PKTPS | OFPMF_BURST, OFPMBT_DROP, 100, 10);
	uint64_t dropped;
	uint64_t passed = offer(&m, 64, 64 * 8 * 1000, 5, &dropped); /* 1000 pps */

	/* 100 pps for 5 s plus a 10-packet burst. */
	assert_true(passed / 64 >= 505 && passed / 64 <= 512);
	/* Back-to-back at one instant: exactly the burst passes. */
	m = meter1(OFPMF_PKTPS | OFPMF_BURST, OFPMBT_DROP, 100, 10);
	unsigned n = 0;
	for (int i = 0; i < 50; i++)
		n += ofm_meter_apply(&m, 64, 7 * HZ) == OFM_NO_BAND;
	assert_int_equal(n, 10);
	/* After a second idle, the bucket is full again, not fuller. */
	n = 0;
	for (int i = 0; i < 500; i++)
		n += ofm_meter_apply(&m, 64, 60 * HZ) == OFM_NO_BAND;
	assert_int_equal(n, 10);
}

/* Against a floating-point token bucket of the same depth and rate, over
 * random sizes and arrival gaps: the same packets pass. */
static void
matches_reference_token_bucket(void **state)
{
	struct ofm_meter m = meter1(OFPMF_KBPS | OFPMF_BURST, OFPMBT_DROP, 8000, 64);
	double rate = 8000 * 125.0;        /* B/s */
	double depth = 64 * 125.0;         /* B */
	double tokens = depth;
	uint64_t t = 0, prev = 0;
	unsigned differ = 0, passed = 0;

	srand(7);
	for (int i = 0; i < 200000; i++) {
		uint32_t bytes = 60 + (uint32_t)(rand() % 1455);
		t += (uint64_t)(rand() % 2000000); /* up to 2 ms */
		tokens += (double)(t - prev) / HZ * rate;
		if (tokens > depth)
			tokens = depth;
		prev = t;
		bool ref = tokens >= bytes;
		if (ref)
			tokens -= bytes;
		bool got = ofm_meter_apply(&m, bytes, t) == OFM_NO_BAND;
		differ += ref != got;
		passed += got;
	}
	/* Rounding of cycles may flip a decision at the exact edge, rarely. */
	assert_true(differ < 20);
	assert_true(passed > 1000);
}

/* Two bands: the highest exceeded rate applies. */
static void
highest_exceeded_band_applies(void **state)
{
	struct ofp_meter_band b[2] = { { OFPMBT_DROP, 3000, 0, 0 },
				       { OFPMBT_DSCP_REMARK, 1000, 0, 2 } };
	struct ofm_meter m;

	ofm_meter_init(&m, 9, OFPMF_KBPS, b, 2, HZ);
	/* Sorted by rate; the counters still know the configured order. */
	assert_int_equal(m.bands[0].rate, 1000);
	assert_int_equal(m.bands[0].orig_index, 1);
	assert_int_equal(m.bands[1].orig_index, 0);

	unsigned res[3] = { 0 }; /* pass, remark, drop */
	uint64_t gap = HZ * 1000 * 8 / 4000000; /* 1000 B at 4 Mb/s */
	for (uint64_t t = 0; t < 10 * HZ; t += gap) {
		int band = ofm_meter_apply(&m, 1000, t);
		res[band == OFM_NO_BAND ? 0 : band == 0 ? 1 : 2]++;
	}
	/* 5000 offered: ~1250 within 1 Mb/s, ~1250 dropped above 3 Mb/s. */
	assert_true(res[0] > 1200 && res[0] < 1300);
	assert_true(res[2] > 1200 && res[2] < 1300);
	assert_true(res[1] > 2400 && res[1] < 2600);
}

static void
dscp_remark(void **state)
{
	assert_int_equal(ofm_dscp_raise(18, 1), 20); /* AF21 -> AF22 */
	assert_int_equal(ofm_dscp_raise(10, 2), 14); /* AF11 -> AF13 */
	assert_int_equal(ofm_dscp_raise(38, 1), 38); /* AF43 stays */
	assert_int_equal(ofm_dscp_raise(34, 9), 38); /* AF41 -> AF43 */
	assert_int_equal(ofm_dscp_raise(0, 1), 0);   /* best effort */
	assert_int_equal(ofm_dscp_raise(46, 1), 46); /* EF */
	assert_int_equal(ofm_dscp_raise(16, 1), 16); /* CS2 */
	/* Brute force: the class never changes, precedence never falls. */
	for (unsigned d = 0; d < 64; d++)
		for (unsigned p = 0; p < 4; p++) {
			uint8_t r = ofm_dscp_raise((uint8_t)d, (uint8_t)p);
			assert_int_equal(r >> 3, d >> 3);
			assert_true(r >= d);
			assert_true(r < 64);
		}
}

static void
same_config_keeps_state(void **state)
{
	struct ofm_meter a = meter1(OFPMF_KBPS, OFPMBT_DROP, 1000, 0);
	struct ofm_meter b = meter1(OFPMF_KBPS, OFPMBT_DROP, 1000, 0);
	struct ofm_meter c = meter1(OFPMF_KBPS, OFPMBT_DROP, 2000, 0);

	a.tat[0] = 12345; /* state does not count */
	assert_true(ofm_meter_same(&a, &b));
	assert_false(ofm_meter_same(&a, &c));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kbps_drop_passes_its_rate),
		cmocka_unit_test(pktps_with_burst),
		cmocka_unit_test(matches_reference_token_bucket),
		cmocka_unit_test(highest_exceeded_band_applies),
		cmocka_unit_test(dscp_remark),
		cmocka_unit_test(same_config_keeps_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
