/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_state: the connection table's entries as a blob, to move connections
 * to another instance of the load balancer (onvm_nflib_state.h). Owner
 * thread only, between packets. The layout and the rules are in README.md,
 * "Moving flows between instances".
 *
 * A connection is exported (and dropped) when either of its buckets, the
 * inbound one or the reply one, is in the set: both of its keys go with it.
 * Idle times travel relative (ns idle at export), so the two instances'
 * clocks need not agree.
 *
 * Import is all or nothing: 0 and *flows, or -1 with the table unchanged.
 * Each connection's service (VIP, protocol, port) must be one of this
 * instance's, and its backend (address and port) in that service's pool:
 * backends are named by address, never by pool position, so pools listed
 * in another order still map, and a blob from a load balancer with other
 * services or backends is refused.
 */
#ifndef LB_STATE_H
#define LB_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "lb_fwd.h"

struct onvm_bucket_set;

long lb_state_export(struct lb_fwd *f, const struct onvm_bucket_set *b, uint64_t now,
		     uint8_t *blob, size_t cap, uint32_t *flows);
int lb_state_import(struct lb_fwd *f, const uint8_t *blob, size_t len, uint64_t now,
		    uint32_t *flows);
/* Returns how many connections were forgotten. */
uint32_t lb_state_drop(struct lb_fwd *f, const struct onvm_bucket_set *b);

#endif /* LB_STATE_H */
