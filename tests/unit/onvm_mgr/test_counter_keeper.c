/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The counter keeper: a series never goes down, whatever its sources do,
 * checked against the cases it exists for and against a brute-force
 * reference over random histories.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "counter_keeper.h"

/* One round with one observation. */
static uint64_t
round1(struct ckeep *k, const char *labels, uint64_t src, uint64_t raw)
{
	uint64_t v;

	ckeep_begin(k);
	v = ckeep_observe(k, "f", labels, src, raw);
	ckeep_end(k);
	return v;
}

static void
steady_source_shows_its_value(void **state)
{
	struct ckeep *k = ckeep_create(16);

	assert_int_equal(round1(k, "a", 7, 0), 0);
	assert_int_equal(round1(k, "a", 7, 10), 10);
	assert_int_equal(round1(k, "a", 7, 25), 25);
	assert_int_equal(ckeep_count(k), 1);
	ckeep_free(k);
}

static void
nf_restart_continues_from_the_total(void **state)
{
	struct ckeep *k = ckeep_create(16);

	assert_int_equal(round1(k, "fw/0", 100, 50), 50);
	/* Another NF (started at 200) runs the instance: its own count
	 * starts from zero, the series goes on from 50. */
	assert_int_equal(round1(k, "fw/0", 200, 3), 53);
	assert_int_equal(round1(k, "fw/0", 200, 10), 60);
	ckeep_free(k);
}

static void
reset_of_the_same_source_is_a_new_start(void **state)
{
	struct ckeep *k = ckeep_create(16);

	assert_int_equal(round1(k, "p0", 0, 1000), 1000);
	assert_int_equal(round1(k, "p0", 0, 5), 1005); /* stats reset */
	assert_int_equal(round1(k, "p0", 0, 6), 1006);
	ckeep_free(k);
}

static void
remember_web(const char *labels, uint64_t value, void *arg)
{
	assert_string_equal(labels, "web");
	*(uint64_t *)arg = value;
}

static void
missing_series_keep_their_total(void **state)
{
	struct ckeep *k = ckeep_create(16);
	uint64_t seen = 0;

	assert_int_equal(round1(k, "web", 0, 40), 40);
	/* A reload removes chain "web": it is missing for a round ... */
	ckeep_begin(k);
	ckeep_observe(k, "f", "other", 0, 1);
	ckeep_foreach_missing(k, "f", remember_web, &seen);
	ckeep_end(k);
	assert_int_equal(seen, 40);
	/* ... and a later one brings it back, from zero, even with the same
	 * source: it goes on from its total. */
	assert_int_equal(round1(k, "web", 0, 60), 100);
	ckeep_free(k);
}

static void
count_nines(const char *labels, uint64_t value, void *arg)
{
	(*(int *)arg)++;
	assert_int_equal(value, 9);
}

static void
families_are_apart(void **state)
{
	struct ckeep *k = ckeep_create(16);
	int n = 0;

	ckeep_begin(k);
	assert_int_equal(ckeep_observe(k, "rx", "p", 0, 5), 5);
	assert_int_equal(ckeep_observe(k, "tx", "p", 0, 9), 9);
	ckeep_end(k);
	ckeep_begin(k);
	ckeep_observe(k, "rx", "p", 0, 6);
	ckeep_foreach_missing(k, "rx", count_nines, &n);
	assert_int_equal(n, 0);
	ckeep_foreach_missing(k, "tx", count_nines, &n);
	assert_int_equal(n, 1);
	ckeep_end(k);
	ckeep_free(k);
}

static void
past_the_limit_raw_values_pass(void **state)
{
	struct ckeep *k = ckeep_create(2);

	ckeep_begin(k);
	ckeep_observe(k, "f", "a", 0, 1);
	ckeep_observe(k, "f", "b", 0, 1);
	assert_int_equal(ckeep_observe(k, "f", "c", 0, 42), 42);
	ckeep_end(k);
	assert_int_equal(ckeep_count(k), 2);
	assert_int_equal(ckeep_unkept(k), 1);
	ckeep_free(k);
}

/*
 * Random histories of 8 series over 2000 rounds: sources change, reset,
 * vanish and come back. The reference keeps, per series, the plain sum of
 * every source's last observed value; the keeper must equal it, and never
 * go down.
 */
static void
random_histories_match_the_reference(void **state)
{
	enum { SERIES = 8, ROUNDS = 2000 };
	struct ckeep *k = ckeep_create(64);
	uint64_t raw[SERIES] = { 0 }, src[SERIES] = { 0 }, shown[SERIES] = { 0 };
	uint64_t done[SERIES] = { 0 }; /* reference: finished sources' last values */
	bool present[SERIES] = { false }, was_present[SERIES] = { false };
	uint64_t next_src = 1;

	srand(12345);
	for (int r = 0; r < ROUNDS; r++) {
		ckeep_begin(k);
		for (int s = 0; s < SERIES; s++) {
			int ev = rand() % 20;
			char name[8];

			if (ev == 0) { /* the source goes away */
				present[s] = false;
			} else if (ev == 1 || !was_present[s]) { /* a new source */
				if (was_present[s])
					done[s] += raw[s];
				src[s] = next_src++;
				raw[s] = (uint64_t)(rand() % 5);
				present[s] = true;
			} else if (ev == 2) { /* the source restarts its count */
				done[s] += raw[s];
				raw[s] = 0;
				present[s] = true;
			} else {
				raw[s] += (uint64_t)(rand() % 100);
				present[s] = true;
			}
			if (!present[s])
				continue;
			snprintf(name, sizeof(name), "s%d", s);
			uint64_t v = ckeep_observe(k, "f", name, src[s], raw[s]);

			assert_true(v >= shown[s]);
			shown[s] = v;
			assert_int_equal(v, done[s] + raw[s]);
		}
		ckeep_end(k);
		for (int s = 0; s < SERIES; s++) {
			if (was_present[s] && !present[s]) {
				done[s] += raw[s];
				raw[s] = 0;
			}
			was_present[s] = present[s];
		}
	}
	ckeep_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(steady_source_shows_its_value),
		cmocka_unit_test(nf_restart_continues_from_the_total),
		cmocka_unit_test(reset_of_the_same_source_is_a_new_start),
		cmocka_unit_test(missing_series_keep_their_total),
		cmocka_unit_test(families_are_apart),
		cmocka_unit_test(past_the_limit_raw_values_pass),
		cmocka_unit_test(random_histories_match_the_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
