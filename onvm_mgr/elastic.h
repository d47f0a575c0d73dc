/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * elastic: moving a service's flows, with their state, from one instance
 * to another while traffic flows (docs/elastic.md).
 *
 * A move is a state machine the control loop steps (elastic_step() every
 * tick: with one lcore the control loop is also the data path, so nothing
 * here waits). In order:
 *   1. the moving buckets are marked held: the data lcores put their
 *      packets in their own hold queue, in arrival order;
 *   2. once every data lcore has passed a quiescent point, no packet of
 *      those buckets can reach the old instance any more: it is asked to
 *      export their state once it has read its RX ring past that point;
 *   3. everything it emitted before exporting is dispatched first (its TX
 *      ring read past the mark it reported);
 *   4. the new instance imports the state; the old one drops it;
 *   5. each data lcore hands its hold queue to the new instance before any
 *      newer packet of those buckets, and says so;
 *   6. the buckets name the new instance.
 * Loss-free and order-preserving: no packet of a moving bucket is dropped,
 * and each flow's packets reach the NFs in arrival order (one flow's
 * packets all pass through one data lcore's queue). A failure (an instance
 * dies, a blob is refused, a step times out) releases the held packets to
 * whichever instance is still running and says why.
 */
#ifndef ONVM_ELASTIC_H
#define ONVM_ELASTIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mgr;
struct mgr_data_lcore;

enum mgr_move_phase {
	MOVE_IDLE = 0,
	MOVE_HOLDING,   /* held buckets' packets go to the hold queues */
	MOVE_RELEASING, /* each lcore empties its queue into move_to, then goes direct */
};

struct elastic_result {
	bool done;            /* false while the move runs */
	int ok;               /* 0, or -1 with error */
	uint32_t buckets;
	uint32_t flows;
	uint64_t held_packets;
	uint64_t pause_us;    /* the longest a held packet waited */
	uint64_t total_us;    /* the whole move */
	char error[160];
};

/* Start moving `share` (0 < share <= 1) of NF from_nf's buckets to to_nf,
 * both instances of service svc. -1 with err when the move makes no sense
 * (another runs; not instances of one service; the same NF; ...). */
int elastic_move_start(struct mgr *m, uint16_t svc, uint16_t from_nf, uint16_t to_nf,
		       double share, char *err, size_t errlen);
/* The same with a number of buckets: the first `count` buckets from_nf
 * owns (scaling spreads buckets evenly with these). */
int elastic_move_buckets(struct mgr *m, uint16_t svc, uint16_t from_nf, uint16_t to_nf,
			 uint32_t count, char *err, size_t errlen);
/* The control loop's tick. */
void elastic_step(struct mgr *m);
/* A move runs: the control loop ticks faster meanwhile. */
bool elastic_busy(void);
/* The last move's outcome (done is false while it runs). */
void elastic_last_result(struct elastic_result *r);
/* An NF left: a move it takes part in fails (the held packets go to the
 * other instance). */
void elastic_nf_gone(struct mgr *m, uint16_t nf_id);

/* Data lcores (dataplane.c): where a packet of a held bucket goes now from
 * this lcore, MGR_DST_HOLD or the move's target; and the release step. */
uint16_t elastic_held_dst(struct mgr *m, struct mgr_data_lcore *d);
void elastic_release(struct mgr *m, struct mgr_data_lcore *d);

#endif /* ONVM_ELASTIC_H */
