/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_flow: the bidirectional flow table of the QoE monitor. Pure C, no
 * DPDK. All memory is taken at creation; lookups and inserts never
 * allocate.
 *
 * A flow is named by its IPv4 5-tuple in either direction. The client (the
 * flow's "src") is the side that opened it: the SYN sender for TCP (the
 * receiver of a SYN-ACK when the SYN was missed), the first sender
 * otherwise. When the table is full, inserting evicts the least recently
 * active flow (a forced idle timeout), which the caller gets a copy of so
 * it can still report it.
 */
#ifndef QOE_FLOW_H
#define QOE_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt_parse.h"
#include "qoe_rtp.h"
#include "qoe_tcp.h"

enum qoe_flow_state {
	QOE_STATE_NEW = 0,       /* one side seen, or TCP handshake not complete */
	QOE_STATE_ESTABLISHED,
	QOE_STATE_CLOSED,        /* FIN both ways, or RST */
};

struct qoe_flow {
	struct pkt_5tuple client;   /* src = client, dst = server */
	uint64_t flow_id;
	uint64_t start_ns;          /* first packet's arrival */
	uint64_t last_ns;           /* latest arrival seen */
	uint64_t pkts[2];           /* indexed by enum qoe_dir */
	uint64_t bytes[2];          /* whole frames, Ethernet header included */
	uint8_t state;              /* enum qoe_flow_state */
	bool updated;               /* packets since the last report */
	bool opened_by_syn;
	union {
		struct qoe_tcp tcp;          /* proto TCP */
		struct qoe_rtp rtp[2];       /* proto UDP, per direction */
	};
	uint16_t bucket;            /* flow-hash bucket of the packet that opened it
				     * (onvm_nflib_state.h): the flow moves with it */
	/* table links (indexes; QOE_FLOW_NIL = none) */
	uint32_t hash_next;
	uint32_t lru_prev, lru_next;   /* prev = less recently active */
	uint32_t chain;                /* hash chain */
	bool in_use;
};

#define QOE_FLOW_NIL UINT32_MAX

struct qoe_flow_table;

/* A table of `capacity` flows (>= 1); NULL when memory is short. */
struct qoe_flow_table *qoe_flow_table_create(uint32_t capacity);
void qoe_flow_table_destroy(struct qoe_flow_table *t);

/* The flow of packet tuple `pkt`, with *dir its direction; NULL if none. */
struct qoe_flow *qoe_flow_lookup(struct qoe_flow_table *t, const struct pkt_5tuple *pkt,
				 enum qoe_dir *dir);

/*
 * A new flow whose client is client->src, zeroed but for its tuple,
 * flow_id and times. When the table is full the least recently active
 * flow is removed first and copied to *evicted (and *did_evict set).
 * The tuple must not be in the table already.
 */
struct qoe_flow *qoe_flow_insert(struct qoe_flow_table *t, const struct pkt_5tuple *client,
				 uint64_t now_ns, struct qoe_flow *evicted, bool *did_evict);

/* Mark a flow as the most recently active. */
void qoe_flow_touch(struct qoe_flow_table *t, struct qoe_flow *f);

void qoe_flow_remove(struct qoe_flow_table *t, struct qoe_flow *f);

/* Put f just before `next` in the activity order (NULL: as the most recent):
 * where a flow that arrived from elsewhere belongs by its last activity. */
void qoe_flow_lru_move_before(struct qoe_flow_table *t, struct qoe_flow *f,
			      struct qoe_flow *next);

/* Iterate from the least to the most recently active flow. It is safe to
 * remove the current flow after taking its successor. */
struct qoe_flow *qoe_flow_oldest(struct qoe_flow_table *t);
struct qoe_flow *qoe_flow_newer(struct qoe_flow_table *t, const struct qoe_flow *f);

/* Flow ids count up from `next` (default 1). */
void qoe_flow_table_set_next_id(struct qoe_flow_table *t, uint64_t next);

uint32_t qoe_flow_count(const struct qoe_flow_table *t);
uint32_t qoe_flow_capacity(const struct qoe_flow_table *t);
uint64_t qoe_flow_evictions(const struct qoe_flow_table *t);

#endif /* QOE_FLOW_H */
