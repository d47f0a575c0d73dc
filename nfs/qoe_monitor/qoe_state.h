/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_state: the flow table's records as a blob, to move flows to another
 * instance of the QoE monitor (onvm_nflib_state.h). Pure C. The layout and
 * the rules are in README.md, "Moving flows between instances".
 *
 * qoe_state_export writes the flows of the buckets in `b`, least recently
 * active first, into blob[0..cap): the bytes written, or -1 when cap is
 * too small. qoe_state_import takes a blob whole or not at all: 0 and
 * *flows, or -1 with the table unchanged; each flow keeps its flow_id,
 * counts and analysis state, and takes its place in the activity order by
 * its last arrival, so idle timeouts find it. qoe_state_drop forgets the
 * flows of `b` (no record: theirs goes on elsewhere).
 */
#ifndef QOE_STATE_H
#define QOE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "qoe_flow.h"

struct onvm_bucket_set;

long qoe_state_export(struct qoe_flow_table *t, const struct onvm_bucket_set *b, uint8_t *blob,
		      size_t cap, uint32_t *flows);
int qoe_state_import(struct qoe_flow_table *t, const uint8_t *blob, size_t len,
		     uint32_t *flows);
uint32_t qoe_state_drop(struct qoe_flow_table *t, const struct onvm_bucket_set *b);

#endif /* QOE_STATE_H */
