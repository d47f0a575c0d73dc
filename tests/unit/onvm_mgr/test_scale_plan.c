/* SPDX-License-Identifier: BSD-3-Clause */
/* Even bucket shares with the fewest moves: scale_plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scale_plan.h"

/* Apply the plan; check every share is even (within one), leaving ones
 * are empty, nothing moved twice (moved == the sum of surpluses). */
static int
apply_and_check(uint32_t *owned, const bool *leaving, int n)
{
	struct scale_move mv[64];
	uint32_t before[64], lo = UINT32_MAX, hi = 0;
	uint64_t total = 0, moved = 0, need = 0;
	int k = 0, m = scale_plan(owned, leaving, n, mv, 64);

	assert_true(m >= 0);
	memcpy(before, owned, n * sizeof(owned[0]));
	for (int i = 0; i < m; i++) {
		assert_true(mv[i].from < n && mv[i].to < n && mv[i].from != mv[i].to);
		assert_true(mv[i].count > 0 && mv[i].count <= owned[mv[i].from]);
		assert_false(leaving[mv[i].to]);
		owned[mv[i].from] -= mv[i].count;
		owned[mv[i].to] += mv[i].count;
		moved += mv[i].count;
	}
	for (int i = 0; i < n; i++) {
		total += owned[i];
		if (leaving[i]) {
			assert_int_equal(owned[i], 0);
			continue;
		}
		k++;
		lo = owned[i] < lo ? owned[i] : lo;
		hi = owned[i] > hi ? owned[i] : hi;
	}
	assert_true(hi - lo <= 1);
	/* Minimal: what moved is what had to leave the instances above
	 * their share. */
	for (int i = 0; i < n; i++)
		if (before[i] > owned[i])
			need += before[i] - owned[i];
	assert_int_equal(moved, need);
	(void)k;
	(void)total;
	return m;
}

static void
scale_out_from_one(void **state)
{
	uint32_t owned[4] = { 1024, 0, 0, 0 };
	bool leaving[4] = { false };

	(void)state;
	assert_int_equal(apply_and_check(owned, leaving, 2), 1);
	assert_int_equal(owned[0], 512);
	assert_int_equal(owned[1], 512);
	owned[0] = 1024;
	owned[1] = 0;
	assert_int_equal(apply_and_check(owned, leaving, 3), 2);
	assert_int_equal(owned[0], 342); /* 1024 = 342 + 341 + 341: the extra stays */
	assert_int_equal(owned[1] + owned[2], 682);
}

static void
scale_out_keeps_what_is_even(void **state)
{
	uint32_t owned[3] = { 512, 512, 0 };
	bool leaving[3] = { false };

	(void)state;
	apply_and_check(owned, leaving, 3);
	/* Each of the two gives up only its excess over 341/342. */
	assert_true(owned[0] >= 341 && owned[1] >= 341 && owned[2] >= 341);
}

static void
scale_in_empties_the_leaving(void **state)
{
	uint32_t owned[3] = { 342, 341, 341 };
	bool leaving[3] = { false, false, true };

	(void)state;
	assert_int_equal(apply_and_check(owned, leaving, 3), 2);
	assert_int_equal(owned[2], 0);
	assert_int_equal(owned[0] + owned[1], 1024);
}

static void
held_buckets_are_not_counted(void **state)
{
	/* A move in progress holds some: the plan spreads what is owned. */
	uint32_t owned[2] = { 1000, 0 };
	bool leaving[2] = { false };

	(void)state;
	apply_and_check(owned, leaving, 2);
	assert_int_equal(owned[0], 500);
}

static void
random_shapes(void **state)
{
	(void)state;
	srand(7);
	for (int round = 0; round < 2000; round++) {
		int n = 1 + rand() % 16;
		uint32_t owned[16] = { 0 }, left = 1024;
		bool leaving[16] = { false };
		int staying = 0;

		for (int i = 0; i < n; i++) {
			owned[i] = i == n - 1 ? left : (uint32_t)rand() % (left + 1);
			left -= owned[i];
			leaving[i] = rand() % 4 == 0;
			staying += !leaving[i];
		}
		if (staying == 0) {
			struct scale_move mv[64];
			assert_int_equal(scale_plan(owned, leaving, n, mv, 64), -1);
			continue;
		}
		apply_and_check(owned, leaving, n);
	}
}

static void
too_many_moves_for_the_room(void **state)
{
	uint32_t owned[4] = { 1024, 0, 0, 0 };
	bool leaving[4] = { false };
	struct scale_move mv[2];

	(void)state;
	assert_int_equal(scale_plan(owned, leaving, 4, mv, 2), -1);
	assert_int_equal(scale_plan(owned, leaving, 0, mv, 2), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scale_out_from_one),
		cmocka_unit_test(scale_out_keeps_what_is_even),
		cmocka_unit_test(scale_in_empties_the_leaving),
		cmocka_unit_test(held_buckets_are_not_counted),
		cmocka_unit_test(random_shapes),
		cmocka_unit_test(too_many_moves_for_the_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
