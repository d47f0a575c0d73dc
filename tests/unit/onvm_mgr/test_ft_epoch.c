/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault tolerance's pure parts: the checkpoint bookkeeping over simulated
 * time, and the output-commit rule, checked against a plain model of an
 * NF's output stream (every packet released in order, none before the
 * checkpoint covering it was acknowledged, all of them in the end).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ft_epoch.h"

#define MS 1000000ULL

static void
one_epoch(struct ft_epoch_book *b, uint64_t t, uint32_t mark, bool ok)
{
	assert_true(ft_book_due(b, t));
	ft_book_begin(b, t);
	assert_int_equal(b->phase, FT_EXPORTING);
	assert_false(ft_book_due(b, t + 100 * MS)); /* one at a time */
	ft_book_exported(b, mark, 100, 2, 3, t + MS / 10);
	assert_int_equal(b->phase, FT_IMPORTING);
	assert_false(ft_book_due(b, t + 100 * MS));
	assert_int_equal(ft_book_imported(b, ok, t + MS / 5), ok);
	assert_int_equal(b->phase, FT_IDLE);
}

static void
epochs_start_on_time(void **state)
{
	struct ft_epoch_book b;

	(void)state;
	ft_book_init(&b, 5 * MS, 0);
	assert_true(ft_book_due(&b, 0));
	assert_true(ft_book_begin(&b, 0)); /* the standby's first: full */
	ft_book_exported(&b, 10, 1000, 7, 1024, 100000);
	assert_int_equal(b.commit, 0); /* nothing committed before the ack */
	assert_true(ft_book_imported(&b, true, 300000));
	assert_true(b.synced);
	assert_int_equal(b.commit, 10);
	assert_int_equal(b.epochs, 1);
	assert_int_equal(b.full_checkpoints, 1);
	assert_int_equal(b.last_export_us, 100);
	assert_int_equal(b.last_import_us, 200);
	assert_int_equal(b.last_total_us, 300);
	/* The next one 5 ms after the first began, not after it ended; and
	 * not full. */
	assert_false(ft_book_due(&b, 5 * MS - 1));
	assert_true(ft_book_due(&b, 5 * MS));
	assert_false(ft_book_begin(&b, 5 * MS));
	ft_book_exported(&b, 25, 24, 0, 0, 5 * MS);
	ft_book_imported(&b, true, 5 * MS + 1000);
	assert_int_equal(b.commit, 25);
	assert_int_equal(b.epochs, 2);
	assert_int_equal(b.bytes_total, 1024);
	/* One that overran its epoch: the next starts at once, then the
	 * cadence resumes from there. */
	ft_book_begin(&b, 23 * MS);
	ft_book_exported(&b, 30, 24, 0, 0, 23 * MS);
	ft_book_imported(&b, true, 24 * MS);
	assert_true(ft_book_due(&b, 24 * MS));
	ft_book_begin(&b, 24 * MS);
	ft_book_exported(&b, 31, 24, 0, 0, 24 * MS);
	ft_book_imported(&b, true, 24 * MS + 1);
	assert_false(ft_book_due(&b, 28 * MS - 1)); /* 23 + 5 */
	assert_true(ft_book_due(&b, 28 * MS));
	assert_int_equal(b.max_total_us, 1000);
}

static void
refused_imports_resync_then_give_up(void **state)
{
	struct ft_epoch_book b;

	(void)state;
	ft_book_init(&b, 5 * MS, 0);
	one_epoch(&b, 0, 5, true);
	assert_true(b.synced);
	/* Refused: the standby may have dropped those buckets. Not in sync,
	 * the commit stays, the next checkpoint is full. */
	one_epoch(&b, 5 * MS, 9, false);
	assert_false(b.synced);
	assert_int_equal(b.commit, 5);
	assert_int_equal(b.refused, 1);
	assert_false(ft_book_give_up(&b));
	assert_true(ft_book_begin(&b, 10 * MS));
	ft_book_exported(&b, 12, 24, 0, 1024, 10 * MS);
	ft_book_imported(&b, true, 10 * MS + 1);
	assert_true(b.synced);
	assert_int_equal(b.commit, 12);
	for (int i = 0; i < FT_MAX_REFUSED; i++) {
		assert_false(ft_book_give_up(&b));
		one_epoch(&b, (uint64_t)(15 + 5 * i) * MS, 20 + i, false);
	}
	assert_true(ft_book_give_up(&b));
	assert_int_equal(b.commit, 12);
}

static void
lost_standby_and_failed_export(void **state)
{
	struct ft_epoch_book b;

	(void)state;
	ft_book_init(&b, 5 * MS, 0);
	one_epoch(&b, 0, 5, true);
	ft_book_begin(&b, 5 * MS);
	ft_book_exported(&b, 8, 24, 0, 1, 5 * MS);
	/* The standby left while importing: abandoned, uncommitted. */
	ft_book_standby_lost(&b);
	assert_int_equal(b.phase, FT_IDLE);
	assert_false(b.synced);
	assert_int_equal(b.commit, 5);
	assert_true(ft_book_begin(&b, 10 * MS));
	ft_book_export_failed(&b, 10 * MS);
	assert_int_equal(b.phase, FT_IDLE);
	assert_true(ft_book_begin(&b, 15 * MS)); /* still owes a full one */
}

static void
releasable_rule(void **state)
{
	(void)state;
	/* Unguarded: everything held goes. */
	assert_int_equal(ft_releasable(false, 0, 100, 50), 50);
	/* Guarded: only what is before the commit. */
	assert_int_equal(ft_releasable(true, 120, 100, 50), 20);
	assert_int_equal(ft_releasable(true, 200, 100, 50), 50);
	assert_int_equal(ft_releasable(true, 100, 100, 50), 0);
	/* A commit behind what was released (set while unguarded). */
	assert_int_equal(ft_releasable(true, 90, 100, 50), 0);
	/* Positions wrap at 2^32. */
	assert_int_equal(ft_releasable(true, 10, UINT32_MAX - 9, 100), 20);
	assert_int_equal(ft_releasable(true, UINT32_MAX - 20, UINT32_MAX - 30, 100), 10);
}

/*
 * The model: an NF emits packets numbered in order (stream positions from
 * near 2^32, to wrap); at random moments a checkpoint records how far it
 * has emitted, and acknowledges it later (or is refused); the lcore pulls
 * what was emitted into a bounded queue and releases what the rule allows,
 * in bursts. Every release is checked against the commit in force.
 */
static void
release_order_against_a_model(void **state)
{
	enum { HOLD = 256, ROUNDS = 200000 };
	uint32_t base = UINT32_MAX - 5000;
	uint32_t emitted = base, pulled = base, released = base, commit = base;
	uint32_t pending_mark = 0, queue[HOLD];
	bool pending = false, guarded = false;
	uint64_t out = 0;

	(void)state;
	srand(17);
	for (int r = 0; r < ROUNDS; r++) {
		int what = rand() % 10;

		if (what < 4) {
			emitted += (uint32_t)(rand() % 8); /* the NF's TX ring */
		} else if (what < 6) {
			uint32_t room = HOLD - (pulled - released);
			uint32_t n = emitted - pulled < room ? emitted - pulled : room;

			for (uint32_t i = 0; i < n; i++)
				queue[(pulled + i) % HOLD] = pulled + i;
			pulled += n;
		} else if (what < 8) {
			uint32_t k = ft_releasable(guarded, commit, released, pulled - released);

			if (k > 32)
				k = 32;
			for (uint32_t i = 0; i < k; i++) {
				uint32_t p = queue[(released + i) % HOLD];

				assert_int_equal(p, released + i); /* in order, none skipped */
				if (guarded)
					assert_true((int32_t)(commit - p) > 0); /* committed */
			}
			released += k;
			out += k;
		} else if (what == 8 && !pending) {
			pending_mark = emitted; /* a checkpoint: everything emitted so far */
			pending = true;
			if (!guarded) {
				commit = emitted; /* protection starts here */
				guarded = true;
			}
		} else if (what == 9 && pending) {
			if (rand() % 8) /* acknowledged; else refused */
				commit = pending_mark;
			pending = false;
		}
		assert_true(pulled - released <= HOLD);
	}
	/* A last checkpoint covers everything: all of it leaves. */
	commit = emitted;
	while (pulled != emitted || released != pulled) {
		uint32_t room = HOLD - (pulled - released);
		uint32_t n = emitted - pulled < room ? emitted - pulled : room;

		pulled += n;
		uint32_t k = ft_releasable(guarded, commit, released, pulled - released);
		released += k;
		out += k;
	}
	assert_int_equal(out, emitted - base);
	assert_true(emitted < base); /* the positions wrapped */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(epochs_start_on_time),
		cmocka_unit_test(refused_imports_resync_then_give_up),
		cmocka_unit_test(lost_standby_and_failed_export),
		cmocka_unit_test(releasable_rule),
		cmocka_unit_test(release_order_against_a_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
