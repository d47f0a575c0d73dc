/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * scale_plan: which buckets to move, and where, so that the instances a
 * service keeps end with even shares of its buckets and the ones it loses
 * with none, moving as few buckets as that allows. Pure: the scale job
 * (scale.c) runs the moves one after another.
 */
#ifndef ONVM_SCALE_PLAN_H
#define ONVM_SCALE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

struct scale_move {
	uint16_t from, to; /* indices into the caller's arrays */
	uint32_t count;    /* buckets */
};

/*
 * owned[i]: buckets instance i has; leaving[i]: it is to end with none.
 * Writes at most max moves; returns how many, or -1 when none would stay
 * or the moves do not fit. Shares differ by at most one bucket; the extra
 * buckets of an uneven split stay with the instances that have most now.
 */
int scale_plan(const uint32_t *owned, const bool *leaving, int n, struct scale_move *out, int max);

#endif /* ONVM_SCALE_PLAN_H */
