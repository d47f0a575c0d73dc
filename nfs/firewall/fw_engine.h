/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_engine: the firewall's decision for a burst of parsed packets, and the
 * rule set it decides with, replaceable at run time.
 *
 * A rule set (config + compiled ACL + per-rule hit counters) is immutable
 * once built. Reload builds a new one off to the side, publishes it with
 * one atomic pointer store, waits (RCU quiescent-state, rte_rcu_qsbr) until
 * the packet thread has finished every burst that could still see the old
 * one, then frees it. A file that fails to load or compile changes nothing.
 *
 * The connection table outlives reloads: established connections keep
 * passing (as with Linux conntrack) even if the new rules would deny them.
 * It is sized by the first stateful rule set loaded; later max_conns
 * values are ignored with a warning.
 *
 * Decision order for one frame:
 *   1. not IPv4 (by ethertype)  -> "non_ip" policy
 *   2. stateful and part of a tracked connection -> allowed (established)
 *   3. first matching rule, else the default policy; in stateful mode an
 *      allowed packet starts tracking its connection.
 * A frame with the IPv4 ethertype but a broken header, or too short for
 * Ethernet, is counted as malformed and only rules without IPv4 fields can
 * match it; a TCP/UDP packet without its L4 header (fragment, truncated) is
 * counted as no_l4 and only rules without ports can match it.
 */
#ifndef FW_ENGINE_H
#define FW_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fw_acl.h"
#include "fw_config.h"
#include "fw_conntrack.h"

#define FW_BURST_MAX 64

enum fw_verdict {
	FW_V_ALLOW_RULE,
	FW_V_DENY_RULE,
	FW_V_DEFAULT_ALLOW,
	FW_V_DEFAULT_DENY,
	FW_V_ESTABLISHED,
	FW_V_NON_IP_ALLOW,
	FW_V_NON_IP_DENY,
	FW_V_COUNT,
};

extern const char *const fw_verdict_names[FW_V_COUNT];

static inline bool
fw_verdict_allows(uint8_t v)
{
	return v == FW_V_ALLOW_RULE || v == FW_V_DEFAULT_ALLOW || v == FW_V_ESTABLISHED ||
	       v == FW_V_NON_IP_ALLOW;
}

struct fw_ruleset {
	struct fw_config cfg;
	struct fw_acl *acl;
	struct fw_ct_timeouts timeouts;
	uint64_t *rule_hits;       /* [cfg.n_rules], written by the packet thread */
	uint64_t *rule_hits_shown; /* what the last periodic print showed */
	uint32_t generation;       /* 1 for the first set, +1 per reload */
};

struct fw_engine_counters {
	uint64_t verdicts[FW_V_COUNT];
	uint64_t malformed;        /* IPv4 ethertype with a broken header, or a runt */
	uint64_t no_l4;            /* TCP/UDP/SCTP without L4 header: fragment or truncated */
};

struct fw_engine;

/*
 * Load `path`, compile it, and make an engine running it. The calling
 * thread becomes the packet thread (the only one to call
 * fw_engine_classify_burst and fw_engine_quiescent). NULL with
 * "file:line: reason" (or the compile failure) in err.
 */
struct fw_engine *fw_engine_create(const char *path, int socket_id, char *err, size_t errlen);

/* Same from JSON text (`name` stands for the file in errors). */
struct fw_engine *fw_engine_create_string(const char *name, const char *text, int socket_id,
					  char *err, size_t errlen);

/* Prints the last rule counters to `out` when not NULL, then frees all. */
void fw_engine_free(struct fw_engine *e, FILE *out);

/*
 * Decide for pi[0..n) (n <= FW_BURST_MAX) that arrived on in_port[i] in
 * flow-hash bucket bucket[i] (NULL: all in bucket 0; a connection the burst
 * opens remembers its bucket so it can move to another instance);
 * verdicts[i] gets an enum fw_verdict. Counts everything. Packet thread only.
 */
void fw_engine_classify_burst(struct fw_engine *e, const struct pkt_info *pi,
			      const uint16_t *in_port, const uint16_t *bucket, uint16_t n,
			      uint64_t now_ns, uint8_t *verdicts);

/* The packet thread holds no rule set reference now (after each burst, and when idle). */
void fw_engine_quiescent(struct fw_engine *e);

/* The packet thread stops for good: reloads must not wait for it. */
void fw_engine_reader_offline(struct fw_engine *e);

/*
 * Replace the rule set from a file (text when `text` is not NULL, for
 * tests). Any thread, one reload at a time; from the packet thread itself
 * pass from_packet_thread so the wait does not wait for itself. The old set's counters go to `out`.
 * Returns 0, or -1 with the reason in err and the old set still in force.
 */
int fw_engine_reload(struct fw_engine *e, const char *path, const char *text,
		     bool from_packet_thread, FILE *out, char *err, size_t errlen);

/* Periodic housekeeping from the packet thread: expire connections. */
void fw_engine_tick(struct fw_engine *e, uint64_t now_ns);

/*
 * Moving connections between instances of the service (onvm_nflib_state.h;
 * blob layout in README.md). Packet thread only, between bursts. A
 * stateless rule set exports an empty blob and takes only an empty one.
 * Import caps expiry times with the active rule set's timeouts.
 */
struct onvm_bucket_set;
long fw_engine_export_state(struct fw_engine *e, const struct onvm_bucket_set *buckets,
			    uint8_t *blob, size_t cap, uint32_t *flows);
int fw_engine_import_state(struct fw_engine *e, const uint8_t *blob, size_t len,
			   uint64_t now_ns, uint32_t *flows);
void fw_engine_drop_state(struct fw_engine *e, const struct onvm_bucket_set *buckets);

/* Read-only views (packet thread, or after it stopped). */
const struct fw_engine_counters *fw_engine_counters(const struct fw_engine *e);
const struct fw_ruleset *fw_engine_ruleset(const struct fw_engine *e);
/* Fills s and returns true when connection tracking is on. */
bool fw_engine_ct_stats(const struct fw_engine *e, struct fw_ct_stats *s);

/*
 * Print the rules whose hit count changed since the last call (at most
 * max_lines of them; all rules with hits when `all`).
 */
void fw_engine_print_rule_hits(struct fw_engine *e, FILE *out, bool all, uint32_t max_lines);

#endif /* FW_ENGINE_H */
