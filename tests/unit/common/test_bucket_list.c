/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bucket_list against a brute-force reference (the bucket of every slot in
 * a plain array): random links, relinks and unlinks, and after each step
 * every bucket's list holds exactly the slots the reference puts in it,
 * each once, with consistent back links. bucket_set_next against a scan of
 * every bit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bucket_list.h"

#define SLOTS 300
#define BUCKETS 40

static uint32_t rng = 12345;

static uint32_t
rnd(uint32_t n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

static void
check_against(const struct bucket_list *l, const uint16_t *ref)
{
	uint8_t seen[SLOTS];

	memset(seen, 0, sizeof(seen));
	for (uint16_t b = 0; b < BUCKETS; b++) {
		uint32_t prev = BUCKET_LIST_END;

		for (uint32_t s = bucket_list_first(l, b); s != BUCKET_LIST_END;
		     s = bucket_list_next(l, s)) {
			assert_true(s < SLOTS);
			assert_int_equal(ref[s], b);
			assert_int_equal(seen[s], 0);
			assert_int_equal(l->prev[s], prev);
			seen[s] = 1;
			prev = s;
		}
	}
	for (uint32_t s = 0; s < SLOTS; s++) {
		assert_int_equal(seen[s], ref[s] != BUCKET_LIST_UNLINKED);
		assert_int_equal(bucket_list_linked(l, s), ref[s] != BUCKET_LIST_UNLINKED);
	}
}

static void
random_operations(void **state)
{
	struct bucket_list *l = bucket_list_create(SLOTS, BUCKETS);
	uint16_t ref[SLOTS];

	(void)state;
	assert_non_null(l);
	for (uint32_t s = 0; s < SLOTS; s++)
		ref[s] = BUCKET_LIST_UNLINKED;
	check_against(l, ref);
	for (int step = 0; step < 20000; step++) {
		uint32_t s = rnd(SLOTS);

		if (rnd(3) == 0) {
			bucket_list_unlink(l, s);
			ref[s] = BUCKET_LIST_UNLINKED;
		} else {
			uint16_t b = (uint16_t)rnd(BUCKETS);

			bucket_list_link(l, s, b);
			ref[s] = b;
		}
		if (step % 97 == 0)
			check_against(l, ref);
	}
	check_against(l, ref);
	bucket_list_free(l);
}

/* Unlinking while walking (reading next first) empties a bucket, and
 * touches no other. */
static void
drop_while_walking(void **state)
{
	struct bucket_list *l = bucket_list_create(SLOTS, BUCKETS);
	uint16_t ref[SLOTS];

	(void)state;
	for (uint32_t s = 0; s < SLOTS; s++) {
		ref[s] = (uint16_t)(s % 3);
		bucket_list_link(l, s, ref[s]);
	}
	for (uint32_t s = bucket_list_first(l, 1), nx; s != BUCKET_LIST_END; s = nx) {
		nx = bucket_list_next(l, s);
		bucket_list_unlink(l, s);
		ref[s] = BUCKET_LIST_UNLINKED;
	}
	assert_int_equal(bucket_list_first(l, 1), BUCKET_LIST_END);
	check_against(l, ref);
	/* Unlinking an unlinked slot, and relinking to the same bucket, change nothing. */
	bucket_list_unlink(l, 1);
	bucket_list_link(l, 0, 0);
	check_against(l, ref);
	bucket_list_free(l);
}

static void
set_iteration(void **state)
{
	uint64_t words[16];

	(void)state;
	for (int round = 0; round < 200; round++) {
		unsigned int word = 0;
		uint64_t bits;
		int expect = 0, got;

		for (unsigned int w = 0; w < 16; w++)
			words[w] = rnd(4) == 0 ? ((uint64_t)rnd(1u << 30) << 34 | rnd(1u << 30))
					       : 0;
		if (round == 0)
			memset(words, 0, sizeof(words));
		if (round == 1)
			memset(words, 0xff, sizeof(words));
		bits = words[0];
		while ((got = bucket_set_next(words, 16, &word, &bits)) >= 0) {
			while (expect < 1024 && !((words[expect / 64] >> (expect % 64)) & 1))
				expect++;
			assert_int_equal(got, expect);
			expect++;
		}
		while (expect < 1024 && !((words[expect / 64] >> (expect % 64)) & 1))
			expect++;
		assert_int_equal(expect, 1024);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_operations),
		cmocka_unit_test(drop_while_walking),
		cmocka_unit_test(set_iteration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
