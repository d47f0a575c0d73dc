/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * onvm_spsc: empty, full, wrap-around of the slot array and of the 32-bit
 * indices, and bursts of every size against a plain FIFO reference, with
 * the producer's and consumer's cached views of each other stale in every
 * way a burst can leave them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "onvm_spsc.h"

static struct onvm_spsc *
ring_new(uint32_t size)
{
	struct onvm_spsc *r = aligned_alloc(ONVM_SPSC_LINE, onvm_spsc_memsize(size));

	assert_non_null(r);
	assert_int_equal(onvm_spsc_init(r, size), 0);
	return r;
}

/* Both sides' indices (published, private and cached) at `at`, as if the
 * ring had carried `at` elements already. */
static void
ring_start_at(struct onvm_spsc *r, uint32_t at)
{
	r->prod.head = r->prod.tail_seen = at;
	r->cons.tail = r->cons.head_seen = at;
	r->head = r->tail = at;
}

static void
test_init_sizes(void **state)
{
	struct onvm_spsc *r = aligned_alloc(ONVM_SPSC_LINE, onvm_spsc_memsize(64));

	(void)state;
	assert_int_equal(onvm_spsc_init(r, 0), -1);
	assert_int_equal(onvm_spsc_init(r, 1), -1);
	assert_int_equal(onvm_spsc_init(r, 48), -1);
	assert_int_equal(onvm_spsc_init(r, 64), 0);
	assert_int_equal(r->mask, 63);
	/* The two sides' lines and the published indices do not share lines. */
	assert_true(offsetof(struct onvm_spsc, cons) - offsetof(struct onvm_spsc, prod) >=
		    ONVM_SPSC_LINE);
	assert_true(offsetof(struct onvm_spsc, head) - offsetof(struct onvm_spsc, cons) >=
		    ONVM_SPSC_LINE);
	assert_true(offsetof(struct onvm_spsc, tail) - offsetof(struct onvm_spsc, head) >=
		    ONVM_SPSC_LINE);
	assert_int_equal(offsetof(struct onvm_spsc, slots) % ONVM_SPSC_LINE, 0);
	free(r);
}

static void
test_empty(void **state)
{
	struct onvm_spsc *r = ring_new(8);
	uint64_t out[8], one = 42;

	(void)state;
	assert_int_equal(onvm_spsc_dequeue_burst(r, out, 8), 0);
	assert_int_equal(onvm_spsc_dequeue_burst(r, out, 1), 0);
	assert_int_equal(onvm_spsc_count(r), 0);
	assert_int_equal(onvm_spsc_enqueue_burst(r, &one, 1), 1);
	assert_int_equal(onvm_spsc_dequeue_burst(r, out, 8), 1);
	assert_int_equal(out[0], 42);
	/* Empty again: the consumer's cached head says so without a wrong answer. */
	assert_int_equal(onvm_spsc_dequeue_burst(r, out, 8), 0);
	assert_int_equal(onvm_spsc_enqueue_burst(r, &one, 0), 0);
	assert_int_equal(onvm_spsc_dequeue_burst(r, out, 0), 0);
	free(r);
}

static void
test_full(void **state)
{
	struct onvm_spsc *r = ring_new(16);
	uint64_t in[20], out[20];

	(void)state;
	for (int i = 0; i < 20; i++)
		in[i] = 100 + i;
	/* Every slot is usable: 16 of 20 go in, then none. */
	assert_int_equal(onvm_spsc_enqueue_burst(r, in, 20), 16);
	assert_int_equal(onvm_spsc_count(r), 16);
	assert_int_equal(onvm_spsc_enqueue_burst(r, in, 1), 0);
	/* The consumer frees 5: the producer's stale view is refreshed. */
	assert_int_equal(onvm_spsc_dequeue_burst(r, out, 5), 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(out[i], 100 + i);
	assert_int_equal(onvm_spsc_enqueue_burst(r, in + 16, 4), 4);
	assert_int_equal(onvm_spsc_enqueue_burst(r, in, 3), 1);
	assert_int_equal(onvm_spsc_enqueue_burst(r, in, 1), 0);
	assert_int_equal(onvm_spsc_dequeue_burst(r, out, 20), 16);
	for (int i = 0; i < 11; i++)
		assert_int_equal(out[i], 105 + i);
	for (int i = 0; i < 4; i++)
		assert_int_equal(out[11 + i], 116 + i);
	assert_int_equal(out[15], 100);
	free(r);
}

/* A burst that crosses the end of the slot array, and indices that cross
 * 2^32 in the middle of a burst. */
static void
test_wrap(void **state)
{
	static const uint32_t starts[] = { 0, 5, 13, UINT32_MAX - 3, UINT32_MAX - 15, UINT32_MAX };
	uint64_t in[16], out[16];

	(void)state;
	for (int i = 0; i < 16; i++)
		in[i] = 0x1000 + i;
	for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		struct onvm_spsc *r = ring_new(16);

		ring_start_at(r, starts[s]);
		for (int round = 0; round < 5; round++) {
			assert_int_equal(onvm_spsc_enqueue_burst(r, in, 16), 16);
			assert_int_equal(onvm_spsc_count(r), 16);
			assert_int_equal(onvm_spsc_enqueue_burst(r, in, 1), 0);
			assert_int_equal(onvm_spsc_dequeue_burst(r, out, 7), 7);
			assert_int_equal(onvm_spsc_dequeue_burst(r, out + 7, 16), 9);
			assert_memory_equal(in, out, sizeof(in));
			assert_int_equal(onvm_spsc_dequeue_burst(r, out, 16), 0);
			/* Shift the phase by 3 so that the next round wraps elsewhere. */
			assert_int_equal(onvm_spsc_enqueue_burst(r, in, 3), 3);
			assert_int_equal(onvm_spsc_dequeue_burst(r, out, 3), 3);
		}
		free(r);
	}
}

/* Bursts of every size on both sides, interleaved at random, against a
 * plain FIFO: same elements, same order, the same count accepted. */
static void
test_batches_vs_reference(void **state)
{
	enum { SIZE = 64, OPS = 200000 };
	struct onvm_spsc *r = ring_new(SIZE);
	uint64_t ref[SIZE], buf[SIZE + 8];
	uint32_t ref_head = 0, ref_tail = 0;
	uint64_t next = 1, expect = 1;
	unsigned int seed = 7;

	(void)state;
	ring_start_at(r, UINT32_MAX - 1000); /* crosses 2^32 early on */
	for (int op = 0; op < OPS; op++) {
		unsigned int n = (unsigned int)rand_r(&seed) % (SIZE + 8) + 1;

		if (rand_r(&seed) & 1) {
			uint32_t room = SIZE - (ref_head - ref_tail);
			unsigned int want = n < room ? n : room;

			for (unsigned int i = 0; i < n; i++)
				buf[i] = next + i;
			assert_int_equal(onvm_spsc_enqueue_burst(r, buf, n), want);
			for (unsigned int i = 0; i < want; i++)
				ref[(ref_head + i) % SIZE] = next + i;
			ref_head += want;
			next += want;
		} else {
			uint32_t have = ref_head - ref_tail;
			unsigned int want = n < have ? n : have;

			assert_int_equal(onvm_spsc_dequeue_burst(r, buf, n), want);
			for (unsigned int i = 0; i < want; i++) {
				assert_int_equal(buf[i], ref[(ref_tail + i) % SIZE]);
				assert_int_equal(buf[i], expect + i);
			}
			ref_tail += want;
			expect += want;
		}
		assert_int_equal(onvm_spsc_count(r), ref_head - ref_tail);
	}
	assert_true(expect > OPS / 4); /* plenty went through */
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sizes),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_batches_vs_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
