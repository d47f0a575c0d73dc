/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_flow: a bounded flow table (set-associative, least recently used entry
 * of a set evicted) that knows, per flow, who the client is, whether a TCP
 * handshake completed, and per direction a window of the last `window`
 * in-order stream bytes.
 *
 * What "across segments" means here: a TCP segment is inspected together
 * with up to `window` bytes of the in-order stream before it, so a pattern
 * (or a rule's several contents) split over consecutive in-order segments is
 * found, in as many segments as fit in the window. Rules' offset/depth count
 * from the first payload byte of that direction.
 *  - Retransmitted bytes (before the next expected sequence number) are not
 *    appended again; a segment made only of old bytes is inspected on its
 *    own (so a retransmission with changed bytes is still seen).
 *  - A segment beyond the next expected sequence number (a hole: loss or
 *    reordering) is inspected on its own and the stream resynchronises
 *    after it; a pattern split across a hole is not found. Out-of-order
 *    segments are not buffered, which keeps memory bounded.
 *  - A segment the IDS drops is not appended: the receiver never got it, so
 *    its retransmission is inspected, and dropped, again.
 * The table is pure C and allocates only in ids_flow_table_new().
 */
#ifndef IDS_FLOW_H
#define IDS_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt_parse.h"

struct ids_stream_dir {
	bool seq_known;
	uint32_t base_seq;   /* sequence number of stream offset 0 */
	uint32_t next_seq;   /* next expected */
	uint32_t tail_len;
	uint8_t *tail;       /* the last tail_len in-order bytes */
};

struct ids_flow {
	bool used;
	uint8_t proto;
	uint32_t ip_a, ip_b;     /* canonical key: (ip_a, port_a) <= (ip_b, port_b) */
	uint16_t port_a, port_b;
	uint32_t client_ip;
	uint16_t client_port;
	bool syn_seen, synack_seen, established, seen_reply;
	uint32_t syn_seq;
	uint64_t id;
	uint64_t last_ns;
	uint16_t bucket;         /* flow-hash bucket of the packet that created it */
	struct ids_stream_dir dir[2]; /* [0] client->server, [1] server->client */
};

struct ids_flow_stats {
	uint64_t created;
	uint64_t evicted;
	uint64_t expired;
	uint64_t stream_gaps;     /* segments after a hole */
	uint64_t stream_old;      /* segments of only already-seen bytes */
};

struct ids_flow_table;

/* `max_flows` rounded up to a multiple of the set size; window in bytes. */
struct ids_flow_table *ids_flow_table_new(uint32_t max_flows, uint32_t window,
					  uint64_t idle_timeout_ns);
void ids_flow_table_free(struct ids_flow_table *t);
const struct ids_flow_stats *ids_flow_table_stats(const struct ids_flow_table *t);
uint32_t ids_flow_table_window(const struct ids_flow_table *t);

/*
 * The flow of a parsed IPv4 packet, created (evicting when full) when new;
 * a new flow remembers `bucket`, the packet's flow-hash bucket
 * (onvm_nflib_state.h). *to_server tells the packet's direction. Updates
 * handshake state.
 */
struct ids_flow *ids_flow_lookup(struct ids_flow_table *t, const struct pkt_info *pi,
				 uint64_t now_ns, uint16_t bucket, bool *to_server);

/*
 * The bytes to inspect for a TCP segment's payload: *buf (scratch of at
 * least window + 65535 bytes) gets stream window + new bytes. Fills
 * *len, *new_start, *stream_off. Returns true when the segment continues
 * the stream (then ids_stream_commit() appends it if it is let through).
 */
bool ids_stream_prepare(struct ids_flow_table *t, struct ids_flow *f, bool to_server,
			const struct pkt_info *pi, const uint8_t *payload, uint8_t *buf,
			uint32_t *len, uint32_t *new_start, uint64_t *stream_off);

/* Append what ids_stream_prepare() put in buf (len bytes) to the window. */
void ids_stream_commit(struct ids_flow_table *t, struct ids_flow *f, bool to_server,
		       const struct pkt_info *pi, const uint8_t *buf, uint32_t len,
		       uint32_t new_start);

/*
 * Moving flows to another instance (ids_flow_state.c; the blob layout is in
 * README.md, "Moving flows between instances"). ids_flow_export writes the
 * flows of the buckets in `b`, stream windows included, into blob[0..cap):
 * the bytes written, or -1 when cap is too small. ids_flow_import takes a
 * blob whole or not at all (0 and *flows, or -1 and the table unchanged):
 * each flow goes to a free way of its set, or one whose flow has been idle
 * past the timeout at now_ns, or replaces the same flow; a set without
 * room refuses the blob. ids_flow_drop forgets the flows of `b`.
 */
struct onvm_bucket_set;
long ids_flow_export(const struct ids_flow_table *t, const struct onvm_bucket_set *b,
		     uint8_t *blob, size_t cap, uint32_t *flows);
int ids_flow_import(struct ids_flow_table *t, const uint8_t *blob, size_t len, uint64_t now_ns,
		    uint32_t *flows);
uint32_t ids_flow_drop(struct ids_flow_table *t, const struct onvm_bucket_set *b);

#endif /* IDS_FLOW_H */
