/* SPDX-License-Identifier: BSD-3-Clause */
/* Maglev: balance and minimal disruption, measured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lb_maglev.h"

#define M 65537u

static char names[200][24];
static const char *ptrs[200];

static void
name_backends(unsigned int n, unsigned int skip)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (i == skip)
			continue;
		snprintf(names[k], sizeof(names[k]), "10.0.%u.%u:8080", i / 250, i % 250 + 1);
		ptrs[k] = names[k];
		k++;
	}
}

static void
primes(void **state)
{
	assert_true(lb_is_prime(2));
	assert_true(lb_is_prime(65537));
	assert_true(lb_is_prime(251));
	assert_false(lb_is_prime(1));
	assert_false(lb_is_prime(65536));
	assert_false(lb_is_prime(65535));
	assert_false(lb_is_prime(251 * 257));
}

static void
bad_arguments(void **state)
{
	struct lb_maglev m;

	name_backends(4, UINT32_MAX);
	assert_int_equal(lb_maglev_build(&m, 65536, ptrs, 4), -1); /* not prime */
	assert_int_equal(lb_maglev_build(&m, 3, ptrs, 4), -1);     /* not above N */
	assert_int_equal(lb_maglev_build(&m, M, ptrs, 0), -1);
	assert_null(m.slot);
}

/* Every backend owns floor(M/N) or ceil(M/N) slots: the turns are fair. */
static void
slots_are_balanced(void **state)
{
	unsigned int sizes[] = { 1, 2, 3, 7, 16, 100, 200 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned int n = sizes[s], count[200] = { 0 };
		struct lb_maglev m;

		name_backends(n, UINT32_MAX);
		assert_int_equal(lb_maglev_build(&m, M, ptrs, (uint16_t)n), 0);
		for (uint32_t i = 0; i < M; i++) {
			assert_true(m.slot[i] < n);
			count[m.slot[i]]++;
		}
		for (unsigned int b = 0; b < n; b++)
			if (count[b] < M / n || count[b] > M / n + 1)
				fail_msg("N=%u backend %u has %u slots, want %u or %u", n, b, count[b],
					 M / n, M / n + 1);
		lb_maglev_free(&m);
	}
}

/* Flows (random hashes) spread within 3% of their fair share. */
static void
flows_are_balanced(void **state)
{
	enum { N = 16, FLOWS = 1 << 20 };
	unsigned int count[N] = { 0 };
	struct lb_maglev m;
	uint64_t x = 88172645463325252ull;

	name_backends(N, UINT32_MAX);
	assert_int_equal(lb_maglev_build(&m, M, ptrs, N), 0);
	for (int i = 0; i < FLOWS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		count[lb_maglev_pick(&m, (uint32_t)(x >> 16))]++;
	}
	for (int b = 0; b < N; b++) {
		double share = (double)count[b] / (FLOWS / N);

		if (share < 0.97 || share > 1.03)
			fail_msg("backend %d got %.3f of its fair share", b, share);
	}
	lb_maglev_free(&m);
}

static void
same_names_same_table(void **state)
{
	struct lb_maglev a, b;

	name_backends(16, UINT32_MAX);
	assert_int_equal(lb_maglev_build(&a, M, ptrs, 16), 0);
	assert_int_equal(lb_maglev_build(&b, M, ptrs, 16), 0);
	assert_memory_equal(a.slot, b.slot, M * sizeof(*a.slot));
	lb_maglev_free(&a);
	lb_maglev_free(&b);
}

/*
 * Remove one backend of N: its 1/N of the slots must move; of the others
 * only a small fraction may. Measured at M = 65537: N=5 moves 20.08% (1/N =
 * 20%), N=16 6.61% (6.25%), N=50 2.47% (2%). The bound: 1/N + 1% of the
 * table.
 */
static void
removing_one_backend_moves_about_one_nth(void **state)
{
	unsigned int sizes[] = { 5, 16, 50 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned int n = sizes[s], removed = n / 2, moved = 0, moved_other = 0;
		struct lb_maglev before, after;
		static char saved[200][24];

		name_backends(n, UINT32_MAX);
		memcpy(saved, names, sizeof(saved));
		assert_int_equal(lb_maglev_build(&before, M, ptrs, (uint16_t)n), 0);
		name_backends(n, removed);
		assert_int_equal(lb_maglev_build(&after, M, ptrs, (uint16_t)(n - 1)), 0);

		for (uint32_t i = 0; i < M; i++) {
			const char *was = saved[before.slot[i]], *now = names[after.slot[i]];

			if (strcmp(was, now) != 0) {
				moved++;
				moved_other += before.slot[i] != removed;
			}
		}
		double frac = (double)moved / M, other = (double)moved_other / M;

		print_message("N=%u remove 1: %.2f%% of flows moved (1/N = %.2f%%, others %.2f%%)\n",
			      n, 100 * frac, 100.0 / n, 100 * other);
		assert_true(moved >= M / n);         /* the removed one's slots all moved */
		assert_true(frac <= 1.0 / n + 0.01);
		lb_maglev_free(&before);
		lb_maglev_free(&after);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(primes),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(slots_are_balanced),
		cmocka_unit_test(flows_are_balanced),
		cmocka_unit_test(same_names_same_table),
		cmocka_unit_test(removing_one_backend_moves_about_one_nth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
