/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_conntrack: the stateful firewall's connection table. Once a packet is
 * allowed, its connection is tracked and every later packet of it, in both
 * directions, passes without consulting the rules.
 *
 * The table is an rte_hash keyed on the normalized 5-tuple (lower address
 * first), so a reply finds the entry its request made; the position rte_hash
 * returns indexes a preallocated array of entries, so nothing is allocated
 * per packet. Capacity is fixed at creation: when it is full a new connection
 * is still allowed by its rule but not tracked (counted as table_full) after
 * a bounded attempt to reclaim expired entries.
 *
 * Timeouts: an idle TCP connection lives tcp_ns, anything else udp_ns. RST,
 * or FIN seen in both directions, moves a TCP entry to closing: it lingers
 * close_ns (for the last ACK and retransmitted FINs) and then goes. A new
 * SYN on a closing entry starts over at the rules. Single-threaded: one NF
 * thread owns the table.
 */
#ifndef FW_CONNTRACK_H
#define FW_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt_parse.h"

struct fw_ct_timeouts {
	uint64_t tcp_ns;
	uint64_t udp_ns;
	uint64_t close_ns;
};

struct fw_ct_stats {
	uint64_t created;     /* connections tracked */
	uint64_t hits;        /* packets passed as part of a tracked connection */
	uint64_t table_full;  /* allowed connections not tracked: no room */
	uint64_t expired;     /* entries removed after their idle timeout */
	uint64_t closed;      /* entries removed after RST/FIN linger */
	uint64_t reclaimed;   /* expired entries freed on demand when the table was full */
	uint32_t in_use;      /* entries now */
	uint32_t capacity;
};

struct fw_conntrack;

/* Needs EAL (rte_hash, rte_malloc). NULL on failure. */
struct fw_conntrack *fw_ct_create(uint32_t max_conns, int socket_id);
void fw_ct_free(struct fw_conntrack *ct);

/*
 * Is this packet part of a live tracked connection? If so, refresh the
 * entry (timeout, TCP FIN/RST state) and return true. A stale entry met
 * here is removed and false returned.
 */
bool fw_ct_lookup(struct fw_conntrack *ct, const struct pkt_5tuple *t, uint8_t tcp_flags,
		  uint64_t now_ns, const struct fw_ct_timeouts *to);

#define FW_CT_BURST_MAX 64 /* rte_hash's bulk lookup limit */

/*
 * fw_ct_lookup for t[0..n) (n <= FW_CT_BURST_MAX) with one bulk hash
 * lookup; the same result as n calls in order. hit[i] says which are part of
 * a tracked connection.
 */
void fw_ct_lookup_burst(struct fw_conntrack *ct, const struct pkt_5tuple *t,
			const uint8_t *tcp_flags, uint32_t n, uint64_t now_ns,
			const struct fw_ct_timeouts *to, bool *hit);

/*
 * Start tracking the connection of a packet the rules allowed, which came
 * in flow-hash bucket `bucket` (onvm_nflib_state.h). Returns 0, or -1 when
 * the table is full (counted). A lone RST starts nothing.
 */
int fw_ct_track(struct fw_conntrack *ct, const struct pkt_5tuple *t, uint8_t tcp_flags,
		uint16_t bucket, uint64_t now_ns, const struct fw_ct_timeouts *to);

/*
 * Remove entries whose time is up, looking at no more than `budget` slots
 * from where the last call stopped (call it from a periodic tick).
 * Returns the number removed.
 */
uint32_t fw_ct_expire(struct fw_conntrack *ct, uint64_t now_ns, uint32_t budget);

/* A copy of the counters (owner thread, or for a rough look from elsewhere). */
void fw_ct_get_stats(const struct fw_conntrack *ct, struct fw_ct_stats *s);

/* Entries the table was created for; constant, safe from any thread. */
uint32_t fw_ct_capacity(const struct fw_conntrack *ct);

/*
 * Moving connections to another instance (fw_ct_state.c; the blob layout is
 * in README.md, "Moving flows between instances"). Owner thread only.
 *
 * fw_ct_export writes the connections of the buckets in `b` (NULL ct: none)
 * into blob[0..cap): the bytes written, or -1 when cap is too small.
 * fw_ct_import takes such a blob whole or not at all: 0 and *flows, or -1
 * with the table unchanged. Expiry times are absolute (the same host clock
 * as now_ns) and capped at now_ns plus this table's timeouts. An entry for
 * the same connection already here is replaced by the blob's.
 * fw_ct_drop forgets the connections of the buckets in `b`; returns how many.
 */
struct onvm_bucket_set;
long fw_ct_export(const struct fw_conntrack *ct, const struct onvm_bucket_set *b, uint8_t *blob,
		  size_t cap, uint32_t *flows);
int fw_ct_import(struct fw_conntrack *ct, const uint8_t *blob, size_t len, uint64_t now_ns,
		 const struct fw_ct_timeouts *to, uint32_t *flows);
uint32_t fw_ct_drop(struct fw_conntrack *ct, const struct onvm_bucket_set *b);

#endif /* FW_CONNTRACK_H */
