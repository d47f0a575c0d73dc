/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ft_epoch: the bookkeeping of one protected service's checkpoints, and
 * the output-commit rule. Pure C, time passed in, no DPDK: tested over
 * simulated time in tests/unit/onvm_mgr/test_ft_epoch.c.
 *
 * A checkpoint (one per epoch) goes IDLE -> EXPORTING (the active writes
 * the state of the buckets it touched, and notes `mark`, the position in
 * its output stream it had reached) -> IMPORTING (the standby replaces
 * those buckets with the blob) -> IDLE, and only then does `commit`, the
 * output position the manager may release up to, become `mark`: no packet
 * leaves the hop before the state it depended on is in the standby.
 *
 * Output positions are the active's TX ring positions (uint32, wrapping):
 * compared by their distance, never by value.
 */
#ifndef ONVM_FT_EPOCH_H
#define ONVM_FT_EPOCH_H

#include <stdbool.h>
#include <stdint.h>

enum ft_phase {
	FT_IDLE = 0,
	FT_EXPORTING, /* the active was asked for its checkpoint */
	FT_IMPORTING, /* the standby was given it */
};

/* After this many refused imports in a row the standby is given up. */
#define FT_MAX_REFUSED 3

struct ft_epoch_book {
	enum ft_phase phase;
	uint64_t epoch_ns;
	uint64_t next_ns;       /* when the next checkpoint may start */
	uint64_t begin_ns, exported_ns;
	uint32_t mark;          /* the output position the checkpoint in flight covers */
	uint32_t commit;        /* output released up to here */
	bool full_next;         /* the next checkpoint exports every bucket */
	bool full_now;          /* the one in flight does */
	bool synced;            /* the standby holds every committed checkpoint */
	uint32_t refused_in_row;
	/* what onvmctl ft shows */
	uint64_t epochs;        /* checkpoints committed */
	uint64_t full_checkpoints;
	uint64_t refused;       /* imports the standby refused */
	uint64_t bytes_total;
	uint64_t last_bytes;
	uint32_t last_flows, last_buckets;
	uint64_t last_export_us, last_import_us, last_total_us, max_total_us;
};

/* A new active (no standby yet): every epoch_ns from now. */
void ft_book_init(struct ft_epoch_book *b, uint64_t epoch_ns, uint64_t now_ns);

/* Whether a checkpoint should start now. */
bool ft_book_due(const struct ft_epoch_book *b, uint64_t now_ns);

/* A checkpoint starts; returns whether it must export every bucket (the
 * standby's first, or the first after one it refused). */
bool ft_book_begin(struct ft_epoch_book *b, uint64_t now_ns);

/* The active exported: its output up to `mark`, and the blob's size. */
void ft_book_exported(struct ft_epoch_book *b, uint32_t mark, uint64_t bytes, uint32_t flows,
		      uint32_t buckets, uint64_t now_ns);

/* The active could not export (refused, out of memory): the checkpoint is
 * abandoned; the next exports every bucket. */
void ft_book_export_failed(struct ft_epoch_book *b, uint64_t now_ns);

/*
 * The standby answered. ok: commit = mark, and true. Refused: the standby
 * may have lost those buckets (it dropped them first), so it is not a
 * failover target until a full checkpoint succeeds; false.
 */
bool ft_book_imported(struct ft_epoch_book *b, bool ok, uint64_t now_ns);

/* Whether the standby refused too often to be kept. */
bool ft_book_give_up(const struct ft_epoch_book *b);

/* The standby is gone (or a new one is starting): not synced, and the
 * next checkpoint is full; one in flight is abandoned. */
void ft_book_standby_lost(struct ft_epoch_book *b);

/*
 * The output-commit rule, for the lcore that moves the active's output:
 * of `held` packets whose first is at stream position `released`, how
 * many may leave now. Unguarded (no standby in sync yet): all of them;
 * guarded: those before `commit`, in their order.
 */
static inline uint32_t
ft_releasable(bool guarded, uint32_t commit, uint32_t released, uint32_t held)
{
	int32_t before;

	if (!guarded)
		return held;
	before = (int32_t)(commit - released);
	if (before <= 0)
		return 0;
	return (uint32_t)before < held ? (uint32_t)before : held;
}

#endif /* ONVM_FT_EPOCH_H */
