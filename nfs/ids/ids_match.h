/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_match: every content (and every pcre Hyperscan can prefilter) of every
 * rule in one Hyperscan block-mode database. A scan marks, per rule, which of
 * its patterns occur in the buffer; a rule whose patterns all occur is a
 * candidate and is confirmed exactly: protocol, addresses, ports, flow, then
 * the positions of its contents and pcres (ids_confirm.c). Rules with
 * nothing to prefilter (header-only rules, pcres Hyperscan refuses) are
 * confirmed on every packet.
 *
 * The scratch is per thread and sized at build time: ids_match() does not
 * allocate.
 */
#ifndef IDS_MATCH_H
#define IDS_MATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ids_rules.h"

/* What a rule is tested against: one packet, seen through its flow. */
struct ids_pkt {
	uint8_t proto;          /* IP protocol number */
	uint8_t flow;           /* IDS_FLOW_TO_SERVER or _TO_CLIENT, | _ESTABLISHED */
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	const uint8_t *data;    /* inspection buffer (stream window + this payload) */
	uint32_t len;
	uint32_t new_start;     /* data[0..new_start) was inspected with earlier packets */
	uint64_t stream_off;    /* stream offset of data[0] (0 outside TCP streams) */
};

struct ids_matcher;
struct ids_scratch;

/* Build the database for a rule set (which must outlive the matcher). */
struct ids_matcher *ids_matcher_build(const struct ids_ruleset *rs, FILE *err);
void ids_matcher_free(struct ids_matcher *m);

/* Number of rules confirmed on every packet, and of prefiltered patterns. */
uint32_t ids_matcher_always_count(const struct ids_matcher *m);
uint32_t ids_matcher_pattern_count(const struct ids_matcher *m);

/* Per-thread scan state for one matcher. */
struct ids_scratch *ids_scratch_new(const struct ids_matcher *m);
void ids_scratch_free(struct ids_scratch *s);

/* Confirmations abandoned because they exceeded their step budget. */
uint64_t ids_scratch_budget_exceeded(const struct ids_scratch *s);

/*
 * The rules that match `p`, as indices into the rule set in rule order,
 * into out[0..max). Returns how many (at most max).
 */
uint32_t ids_match(const struct ids_matcher *m, struct ids_scratch *s,
		   const struct ids_pkt *p, uint32_t *out, uint32_t max);

/* ---- the exact checks, also used by tests ---- */

bool ids_rule_header_match(const struct ids_rule *r, const struct ids_pkt *p);

/*
 * Contents and pcres at their positions, with at least one matched byte at
 * or beyond p->new_start. `md` is a pcre2_match_data *; *budget counts down
 * the steps allowed and reaching 0 gives up (false).
 */
bool ids_rule_payload_match(const struct ids_rule *r, const struct ids_pkt *p, void *md,
			    uint32_t *budget);

#define IDS_CONFIRM_BUDGET 20000

#endif /* IDS_MATCH_H */
