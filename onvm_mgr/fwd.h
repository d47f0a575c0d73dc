/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwd: the forwarding state, the one thing a data lcore reads to decide
 * where a packet entering the platform goes. It is read once per burst
 * and published whole by one function, fwd_publish(), so a burst sees
 * either the whole old state or the whole new one.
 *
 *   chain_gen  which of the two chain tables in shared memory the chain
 *              ids refer to (packets carry it and finish on their chain)
 *   table0     the classifier every entering packet meets: its result is
 *              a chain id, or (with OpenFlow) FWD_OF_FLOW | a flow of the
 *              OpenFlow program; NULL: no chains, everything takes chain 0
 *   of         the OpenFlow program (mgr_openflow.c's, opaque here), or
 *              NULL without the agent
 *
 * RCU style: fwd_publish() stores the new pointer, waits until every
 * data lcore has passed a quiescent point, and returns the old state to
 * its caller, who frees what it owns.
 */
#ifndef ONVM_FWD_H
#define ONVM_FWD_H

#include <stdint.h>

struct classifier;
struct mgr;

#define FWD_OF_FLOW 0x8000u /* table0 result bit: an OpenFlow flow, not a chain */

struct fwd_state {
	uint32_t chain_gen;
	const struct classifier *table0;
	const void *of;
};

const struct fwd_state *fwd_current(void);
/* Publish next; returns the state it replaced (NULL the first time) once
 * no data lcore can still use it. Callers are serialised here. */
struct fwd_state *fwd_publish(struct mgr *m, struct fwd_state *next);
/* At exit, once the data lcores stopped: the state, for its owner to free. */
struct fwd_state *fwd_take_last(void);

#endif /* ONVM_FWD_H */
