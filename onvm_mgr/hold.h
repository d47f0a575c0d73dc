/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hold: when the data path gives up on packets it holds back. A burst
 * that did not fit its next NF's RX ring waits: at a chain's entry (the
 * port is not read meanwhile) or between two hops (the upstream NF's TX
 * ring is not read meanwhile). It is dropped, and counted, only once it
 * has not moved at all for a while: a chain that drains slowly is alive,
 * however long the whole burst takes; one that does not move (NFs in a
 * loop waiting on each other, an NF that stopped reading) is stuck.
 * Pure and inline, unit-tested.
 */
#ifndef ONVM_HOLD_H
#define ONVM_HOLD_H

#include <stdbool.h>
#include <stdint.h>

/* Whether a held burst that last moved at *since is stuck at `now`. Any
 * progress (one of its packets moved on) makes `now` its last move. */
static inline bool
hold_stuck(uint64_t *since, uint64_t now, uint64_t timeout, bool progress)
{
	if (progress) {
		*since = now;
		return false;
	}
	return now - *since > timeout;
}

#endif /* ONVM_HOLD_H */
