/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * classifier: the one forwarding table. JSON chains and OpenFlow flow
 * entries are both (key, mask, priority) -> result rules over a flow_key;
 * a lookup returns the result of the highest-priority rule that matches.
 * Pure C, no DPDK: tests compare it with a brute-force linear scan.
 *
 * How a lookup runs (tuple-space search, as in Open vSwitch):
 *   - rules sharing a mask live in one "subtable", a hash table of masked
 *     keys, so a subtable answers "which rule has this masked key" with one
 *     hash probe whatever its size;
 *   - subtables are visited in decreasing order of the highest priority
 *     they hold, and the walk stops at the first subtable whose best rule
 *     cannot beat the match already found;
 *   - prefix tries on ipv4_src and ipv4_dst (Open vSwitch's prefix
 *     tracking) skip the subtables that cannot match: one whose mask is a
 *     /L on an address is probed only when some rule's prefix of length L
 *     covers the packet's address. On a policy mixing /8-/32 prefixes on
 *     both addresses (724 masks) a walk probes about 9 subtables, not the
 *     hundreds that precede the match in priority order;
 *   - in front, a per-thread exact-match cache (struct cls_cache) maps a
 *     packet's key (its bits under the union of all rule masks, which is
 *     all a lookup can depend on) to the result. Each flow has four
 *     candidate slots (two pairs of neighbouring lines). Every rule change gives
 *     the classifier a new generation number, and a cache entry only
 *     counts when it carries the current generation: one store
 *     invalidates the whole cache. Misses are cached too.
 *
 *
 * Priority ties: when rules of equal priority match, the one added first
 * wins (a chain earlier in the file, or an earlier file on the command
 * line, before a later one). classifier_clone() keeps that order.
 *
 * THREADING CONTRACT (RCU style). A classifier is not safe for a writer and
 * a reader at once. The control thread builds or edits a classifier that no
 * data thread can see (classifier_create + add, or classifier_clone of the
 * live one + changes), then publishes it with one atomic pointer store
 * (release). A data thread loads the pointer (acquire) once per burst and
 * uses it read-only for that burst. The old classifier is freed only after
 * every data thread has passed a quiescent point (finished the burst that
 * might have used it). This makes a chain reload atomic: a burst sees the
 * whole old set or the whole new one. Each data thread owns its own
 * cls_cache; a cache may be used with any classifier (the generation check
 * covers swaps), but by one thread only.
 *
 * Lookups never allocate and never lock; adds and removes allocate.
 */
#ifndef ONVM_CLASSIFIER_H
#define ONVM_CLASSIFIER_H

#include <stdbool.h>
#include <stdint.h>

#include "flow_key.h"
#include "match.h"

#define CLS_NO_RULE UINT32_MAX

struct classifier;
struct cls_cache;

struct classifier *classifier_create(void);
void classifier_free(struct classifier *cls);

/* A deep copy with the same rules, handles and tie-break order. */
struct classifier *classifier_clone(const struct classifier *cls);

/*
 * Add a rule matching packets with (pkt & mask) == (key & mask). Returns
 * the rule's handle (stable until it is removed), or CLS_NO_RULE when out of
 * memory. An identical rule is not replaced: both stay, the older wins.
 */
uint32_t classifier_add(struct classifier *cls, const struct flow_key *key,
			const struct flow_key *mask, uint32_t priority, uint32_t result);

/* Remove one rule by handle. Returns 0, or -1 if there is no such rule. */
int classifier_remove(struct classifier *cls, uint32_t rule);

/* Remove every rule carrying `result` (e.g. all rules of a chain). */
uint32_t classifier_remove_result(struct classifier *cls, uint32_t result);

/*
 * The rule with exactly this mask, masked key and priority (the oldest if
 * several), or CLS_NO_RULE: what OpenFlow's strict modify/delete and
 * CHECK_OVERLAP's identical-rule case need.
 */
uint32_t classifier_find_exact(const struct classifier *cls, const struct flow_key *key,
			       const struct flow_key *mask, uint32_t priority);

/*
 * Read a rule back (any out-pointer may be NULL). Returns 0, or -1 when the
 * handle holds no rule. Walk every rule with handles 0..
 * classifier_handle_limit(cls)-1, skipping the -1s.
 */
int classifier_get(const struct classifier *cls, uint32_t rule, struct flow_key *key,
		   struct flow_key *mask, uint32_t *priority, uint32_t *result);
uint32_t classifier_handle_limit(const struct classifier *cls);

uint32_t classifier_num_rules(const struct classifier *cls);
uint32_t classifier_num_subtables(const struct classifier *cls);

/*
 * Compile a chain-vocabulary match (docs/chains.md) into rules, all with the given
 * priority and result. Returns how many rules were added (0 when the match
 * can never be met, e.g. eth_type 0x86dd with an IPv4 field), or -1 when out
 * of memory (the rules added so far are removed again).
 *
 * Mapping: in_port (a DPDK port) becomes OpenFlow port in_port+1; vlan_vid
 * v becomes FLOW_VID_PRESENT|v; any IPv4 or L4 field adds eth_type 0x0800;
 * a CIDR becomes a prefix mask on the address; tcp_/udp_ ports set
 * ip_proto and match tp_src/tp_dst.
 *
 * Port ranges: a range [lo, hi] becomes the fewest prefix-aligned blocks
 * that cover it exactly, each one value/mask pair (the blocks of a binary
 * trie): 80 is one exact rule, 0-65535 one wildcard, 1024-65535 six
 * blocks, and the worst case 1-65534 thirty. A match with ranges on both
 * source and destination becomes the cross product (at most 30 x 30).
 */
int classifier_add_match(struct classifier *cls, const struct onvm_match *m,
			 uint32_t priority, uint32_t result);

/*
 * The port-range expansion on its own: writes up to 32 (value, mask) pairs
 * and returns how many.
 */
unsigned int cls_port_range_blocks(uint16_t lo, uint16_t hi, uint16_t value[32],
				   uint16_t mask[32]);

/* Highest-priority match: true and *result set, or false when none. */
bool classifier_lookup(const struct classifier *cls, const struct flow_key *key,
		       uint32_t *result);

/* A per-thread exact-match cache of 2^order entries (order 4..20). */
struct cls_cache *cls_cache_create(unsigned int order);
void cls_cache_free(struct cls_cache *cache);

/* Forget every entry (never needed for correctness: generations see to it). */
void cls_cache_flush(struct cls_cache *cache);

/*
 * What a cache has done since it was created: lookups it answered, those
 * it did not (each one a subtable walk, `walked` subtables in all) and
 * how many of those evicted a current entry (a capacity or conflict miss
 * rather than a cold or stale one). For telemetry: the owning thread
 * counts with plain stores, readers may see a count a little behind.
 */
struct cls_cache_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t walked;
	uint64_t evictions;
};
void cls_cache_get_stats(const struct cls_cache *cache, struct cls_cache_stats *out);

/* classifier_lookup through the cache (misses, too, are cached). */
bool classifier_lookup_cached(const struct classifier *cls, struct cls_cache *cache,
			      const struct flow_key *key, uint32_t *result);

/*
 * The same for a burst of up to CLS_BURST_MAX keys (more are ignored):
 * bit i of the returned mask is set when keys[i] matched, and results[i]
 * then holds its result. Faster than one at a time: the burst's cache
 * lines are fetched together.
 */
#define CLS_BURST_MAX 64
uint64_t classifier_lookup_burst(const struct classifier *cls, struct cls_cache *cache,
				 const struct flow_key *keys, unsigned int n, uint32_t *results);

#endif /* ONVM_CLASSIFIER_H */
