/* SPDX-License-Identifier: BSD-3-Clause */
/* When a held burst is given up: only after a whole timeout without any of
 * its packets moving. A stash between two hops used to be dropped 10 ms
 * after it was made however it drained, so a slow but live next hop lost
 * packets mid-chain (hop_stuck) under overload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hold.h"

#define TIMEOUT 1000

static void
test_still_burst_is_stuck_after_the_timeout(void **state)
{
	uint64_t since = 500;

	(void)state;
	assert_false(hold_stuck(&since, 500, TIMEOUT, false));
	assert_false(hold_stuck(&since, 500 + TIMEOUT, TIMEOUT, false));
	assert_true(hold_stuck(&since, 501 + TIMEOUT, TIMEOUT, false));
}

/* A burst that moves a little every 0.9 timeouts drains over ten timeouts
 * and is never given up. */
static void
test_slow_drain_is_alive(void **state)
{
	uint64_t since = 0, now = 0;

	(void)state;
	for (int step = 0; step < 11; step++) {
		now += TIMEOUT * 9 / 10;
		assert_false(hold_stuck(&since, now, TIMEOUT, false));
		assert_false(hold_stuck(&since, now, TIMEOUT, true));
		assert_int_equal(since, now);
	}
	assert_true(hold_stuck(&since, now + TIMEOUT + 1, TIMEOUT, false));
}

/* Progress at the very moment it would expire still saves it. */
static void
test_progress_wins_at_the_limit(void **state)
{
	uint64_t since = 0;

	(void)state;
	assert_false(hold_stuck(&since, 5 * TIMEOUT, TIMEOUT, true));
	assert_int_equal(since, 5 * TIMEOUT);
	assert_true(hold_stuck(&since, 6 * TIMEOUT + 1, TIMEOUT, false));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_still_burst_is_stuck_after_the_timeout),
		cmocka_unit_test(test_slow_drain_is_alive),
		cmocka_unit_test(test_progress_wins_at_the_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
