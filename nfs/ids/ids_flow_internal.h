/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_flow_internal: the flow table's layout, shared by ids_flow.c (the
 * packet path) and ids_flow_state.c (moving flows between instances).
 * Nothing else includes it.
 */
#ifndef IDS_FLOW_INTERNAL_H
#define IDS_FLOW_INTERNAL_H

#include "ids_flow.h"

#define FLOW_WAYS 8

struct ids_flow_table {
	uint32_t n_sets;          /* power of two */
	uint32_t window;
	uint64_t idle_timeout_ns;
	uint64_t next_id;
	struct ids_flow *flows;   /* n_sets * FLOW_WAYS */
	uint8_t *tails;           /* 2 * window bytes per flow */
	struct ids_flow_stats stats;
};

/* The set a flow's canonical key, (a, pa) <= (b, pb), lives in: hash & (n_sets - 1). */
uint32_t ids_flow_key_hash(uint32_t a, uint32_t b, uint16_t pa, uint16_t pb, uint8_t proto);

/* Forget everything about a flow but its tail buffers. */
void ids_flow_reset(struct ids_flow *f);

#endif /* IDS_FLOW_INTERNAL_H */
