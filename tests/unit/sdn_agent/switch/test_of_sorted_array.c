/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sorted-by-id arrays behind the switch's groups and meters, against a
 * linear scan: ids inserted in random order, with repeats, into records
 * whose id is not their first member.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "of_sorted_array.h"

struct rec {
	uint64_t before;
	uint32_t id;
};

/* The reference: the first index whose id is not below `id`. */
static uint32_t
linear_index(const struct rec *v, uint32_t n, uint32_t id, bool *found)
{
	uint32_t i = 0;

	while (i < n && v[i].id < id)
		i++;
	*found = i < n && v[i].id == id;
	return i;
}

static void
random_inserts_match_linear_scan(void **state)
{
	struct rec *v = NULL;
	uint32_t n = 0, cap = 0;

	srand(7);
	for (int step = 0; step < 2000; step++) {
		uint32_t id = (uint32_t)rand() % 1500;
		bool found, want_found;
		uint32_t at = ofs_sorted_index(v, n, sizeof(*v), offsetof(struct rec, id), id,
					       &found);

		assert_int_equal(at, linear_index(v, n, id, &want_found));
		assert_int_equal(found, want_found);
		if (found)
			continue;
		struct rec *nv = ofs_array_reserve(v, n, &cap, sizeof(*v));
		assert_non_null(nv);
		v = nv;
		assert_true(cap > n);
		memmove(&v[at + 1], &v[at], (n - at) * sizeof(*v));
		v[at] = (struct rec){ .before = ~(uint64_t)id, .id = id };
		n++;
	}
	assert_true(n > 16); /* grew more than once */
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(v[i].before, ~(uint64_t)v[i].id); /* records moved whole */
		if (i > 0)
			assert_true(v[i - 1].id < v[i].id);
	}
	free(v);
}

static void
empty_array(void **state)
{
	bool found = true;
	uint32_t cap = 0;

	assert_int_equal(ofs_sorted_index(NULL, 0, sizeof(struct rec), offsetof(struct rec, id),
					  5, &found),
			 0);
	assert_false(found);
	struct rec *v = ofs_array_reserve(NULL, 0, &cap, sizeof(*v));
	assert_non_null(v);
	assert_int_equal(cap, 16);
	/* Room left: the same array back, capacity unchanged. */
	assert_ptr_equal(ofs_array_reserve(v, 3, &cap, sizeof(*v)), v);
	assert_int_equal(cap, 16);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_inserts_match_linear_scan),
		cmocka_unit_test(empty_array),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
