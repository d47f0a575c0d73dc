/* SPDX-License-Identifier: BSD-3-Clause */
/* nf_rate: rates between counter samples, and their printed form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nf_rate.h"

#define SEC 1000000000ULL

static void
one_second(void **state)
{
	struct nf_rate_sample a = { 1000, 500000, 5 * SEC }, b = { 2000, 625000, 6 * SEC };
	struct nf_rate r = nf_rate_between(&a, &b);

	assert_true(r.pps == 1000.0);
	assert_true(r.bps == 1000000.0); /* 125000 bytes = 1 Mbit */
}

static void
short_and_long_intervals(void **state)
{
	struct nf_rate_sample a = { 0, 0, 0 }, b = { 500, 64 * 500, SEC / 2 };
	struct nf_rate r = nf_rate_between(&a, &b);

	assert_true(r.pps == 1000.0);
	assert_true(r.bps == 64 * 8 * 1000.0);
	b.time_ns = 10 * SEC;
	r = nf_rate_between(&a, &b);
	assert_true(r.pps == 50.0);
}

static void
bogus_samples_give_zero(void **state)
{
	struct nf_rate_sample a = { 100, 1000, 5 * SEC }, b = { 200, 2000, 5 * SEC };
	struct nf_rate r = nf_rate_between(&a, &b);

	/* no time passed */
	assert_true(r.pps == 0.0 && r.bps == 0.0);
	/* the clock went back */
	b.time_ns = 4 * SEC;
	r = nf_rate_between(&a, &b);
	assert_true(r.pps == 0.0 && r.bps == 0.0);
	/* a counter was reset: that rate is 0, the other one still counts */
	b.time_ns = 6 * SEC;
	b.pkts = 50;
	r = nf_rate_between(&a, &b);
	assert_true(r.pps == 0.0);
	assert_true(r.bps == 8000.0);
}

/* Against the plain formula over many random samples. */
static void
random_samples_match_formula(void **state)
{
	srand(3);
	for (int i = 0; i < 10000; i++) {
		struct nf_rate_sample a = { (uint64_t)rand() * 1000, (uint64_t)rand() * 64,
					    (uint64_t)rand() * 1000 };
		struct nf_rate_sample b = { a.pkts + (uint64_t)rand(), a.bytes + (uint64_t)rand() * 8,
					    a.time_ns + 1 + (uint64_t)rand() * 100 };
		struct nf_rate r = nf_rate_between(&a, &b);
		double secs = (double)(b.time_ns - a.time_ns) / 1e9;
		double pps = (double)(b.pkts - a.pkts) / secs;
		double bps = (double)(b.bytes - a.bytes) * 8 / secs;

		assert_true(r.pps >= pps * (1 - 1e-12) && r.pps <= pps * (1 + 1e-12));
		assert_true(r.bps >= bps * (1 - 1e-12) && r.bps <= bps * (1 + 1e-12));
	}
}

static void
formatting(void **state)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{ 0, "0 " },           { 950, "950 " },          { 999.4, "999 " },
		{ 999.6, "1.00 k" },   { 1500, "1.50 k" },        { 999994, "999.99 k" },
		{ 999996, "1.00 M" },  { 12345678, "12.35 M" },   { 1e9, "1.00 G" },
		{ 2.5e12, "2.50 T" },  { 5e15, "5000.00 T" },     { -3, "0 " },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(nf_rate_format(cases[i].v, buf, sizeof(buf)), cases[i].text);
	/* a short buffer is cut, never overrun */
	char tiny[4] = { 'x', 'x', 'x', 'x' };
	nf_rate_format(12345678, tiny, 3);
	assert_int_equal(tiny[2], '\0');
	assert_int_equal(tiny[3], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_second),
		cmocka_unit_test(short_and_long_intervals),
		cmocka_unit_test(bogus_samples_give_zero),
		cmocka_unit_test(random_samples_match_formula),
		cmocka_unit_test(formatting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
