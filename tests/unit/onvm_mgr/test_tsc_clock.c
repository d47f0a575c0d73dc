/* SPDX-License-Identifier: BSD-3-Clause */
/* Arrival times from the TSC: exact to a nanosecond over a day of uptime
 * at several clock rates, never stepping back (the 64-bit product of
 * cycles and 1e9 wrapped after about 8 s at 2.3 GHz). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tsc_clock.h"

/* The exact answer, in long double: independent of the fixed point. */
static uint64_t
exact_ns(uint64_t base_ns, uint64_t cycles, uint64_t hz)
{
	return base_ns + (uint64_t)((long double)cycles * 1e9L / (long double)hz);
}

static void
test_exact_over_a_day(void **state)
{
	static const uint64_t rates[] = { 1000000000ULL, 2300000000ULL, 2899999999ULL,
					  3700000000ULL };

	(void)state;
	for (unsigned int r = 0; r < 4; r++) {
		uint64_t hz = rates[r];
		struct tsc_clock c;
		uint64_t prev = 0;

		tsc_clock_init(&c, 123456789, 1700000000000000000ULL, hz);
		for (uint64_t s = 0; s <= 86400; s += 997) {
			uint64_t cycles = s * hz + s * 7919;
			uint64_t got = tsc_clock_ns(&c, c.tsc_base + cycles);
			uint64_t want = exact_ns(c.ns_base, cycles, hz);
			int64_t err = (int64_t)(got - want);

			assert_true(err >= -2 && err <= 2);
			assert_true(got >= prev);
			prev = got;
		}
	}
}

static void
test_twenty_ms_apart(void **state)
{
	struct tsc_clock c;
	uint64_t hz = 2300000000ULL, at = 10ULL * 3600 * hz; /* ten hours up */

	(void)state;
	tsc_clock_init(&c, 0, 0, hz);
	uint64_t a = tsc_clock_ns(&c, at), b = tsc_clock_ns(&c, at + hz / 50);
	assert_true(b - a >= 19999999 && b - a <= 20000001);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_over_a_day),
		cmocka_unit_test(test_twenty_ms_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
