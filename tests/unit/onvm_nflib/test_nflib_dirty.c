/* SPDX-License-Identifier: BSD-3-Clause */
/* The NF library's dirty buckets (nflib_dirty.h), against a bool array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nflib_dirty.h"

static void
marked_buckets_are_exported_once(void **state)
{
	struct onvm_bucket_set dirty = { { 0 } }, asked = { { 0 } }, out;
	const uint16_t burst[] = { 0, 63, 64, 1023, 63, 5 };

	(void)state;
	nflib_dirty_mark(&dirty, burst, 6);
	assert_int_equal(onvm_bucket_set_count(&dirty), 5);
	onvm_bucket_set_add(&asked, 700);
	nflib_dirty_export_set(&dirty, &asked, &out);
	assert_int_equal(onvm_bucket_set_count(&out), 6);
	assert_true(onvm_bucket_set_has(&out, 700));
	assert_true(onvm_bucket_set_has(&out, 1023));
	assert_false(onvm_bucket_set_has(&out, 1));
	/* Until the export succeeded the dirty set stays (a retry covers
	 * the same buckets); then the next checkpoint starts empty. */
	assert_int_equal(onvm_bucket_set_count(&dirty), 5);
	nflib_dirty_clear(&dirty);
	assert_int_equal(onvm_bucket_set_count(&dirty), 0);
	nflib_dirty_export_set(&dirty, &(struct onvm_bucket_set){ { 0 } }, &out);
	assert_int_equal(onvm_bucket_set_count(&out), 0);
}

static void
random_epochs_against_a_reference(void **state)
{
	(void)state;
	srand(3);
	for (int epoch = 0; epoch < 500; epoch++) {
		struct onvm_bucket_set dirty = { { 0 } }, asked = { { 0 } }, out;
		bool ref[ONVM_STATE_BUCKETS] = { false };
		int bursts = rand() % 20;

		for (int k = 0; k < bursts; k++) {
			uint16_t b[128];
			uint16_t n = (uint16_t)(rand() % 128);

			for (uint16_t i = 0; i < n; i++) {
				/* Only the low bits name a bucket. */
				b[i] = (uint16_t)rand();
				ref[b[i] % ONVM_STATE_BUCKETS] = true;
			}
			nflib_dirty_mark(&dirty, b, n);
		}
		if (rand() % 4 == 0) { /* a standby's first: all of them */
			memset(asked.bits, 0xff, sizeof(asked.bits));
			for (int i = 0; i < ONVM_STATE_BUCKETS; i++)
				ref[i] = true;
		}
		nflib_dirty_export_set(&dirty, &asked, &out);
		unsigned int want = 0;
		for (uint16_t i = 0; i < ONVM_STATE_BUCKETS; i++) {
			assert_int_equal(onvm_bucket_set_has(&out, i), ref[i]);
			want += ref[i];
		}
		assert_int_equal(onvm_bucket_set_count(&out), want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(marked_buckets_are_exported_once),
		cmocka_unit_test(random_epochs_against_a_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
