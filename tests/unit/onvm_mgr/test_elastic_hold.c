/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where a data lcore sends a packet of a bucket a move holds
 * (elastic_hold_packet): into its hold queue until it has released that
 * queue to the move's target, whatever phase it reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "elastic.h"

static void
held_until_the_lcore_has_released(void **state)
{
	(void)state;
	assert_true(elastic_hold_packet(MOVE_HOLDING, false));
	assert_true(elastic_hold_packet(MOVE_RELEASING, false));
	assert_false(elastic_hold_packet(MOVE_RELEASING, true));
}

/* The control loop marks buckets held before it publishes MOVE_HOLDING: a
 * packet met in between is held too. It once went to the target before
 * the state of its flow (replies denied by a stateful firewall while
 * scaling out under traffic). */
static void
held_before_the_phase_is_published(void **state)
{
	(void)state;
	assert_true(elastic_hold_packet(MOVE_IDLE, false));
	/* The last move's lcore flag does not count for the next one. */
	assert_true(elastic_hold_packet(MOVE_IDLE, true));
	assert_true(elastic_hold_packet(MOVE_HOLDING, true));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(held_until_the_lcore_has_released),
		cmocka_unit_test(held_before_the_phase_is_published),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
