/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules: the Snort/Suricata rule subset the ids NF understands, parsed
 * into plain structs. Pure C (libpcre2 for `pcre`), no DPDK, no Hyperscan:
 * the matcher (ids_match.h) compiles these into its fast-path structures.
 *
 *   action proto src_addr src_port dir dst_addr dst_port (options)
 *
 * action: alert | drop; proto: ip | tcp | udp | icmp; dir: -> | <>.
 * Addresses and ports: single, CIDR, ranges a:b, :b, a:, lists [..],
 * negation !, any, $VARIABLES. Variables come from `var`/`ipvar`/`portvar`
 * lines (in the rules file before use, or in a separate vars file given with
 * -V, which is read first).
 * Options: msg, content (+ nocase offset depth distance within fast_pattern),
 * pcre, flow, sid, rev, classtype, priority; reference and metadata are
 * accepted and ignored (they never change what matches).
 *
 * Any other keyword is an error: the rule is skipped and reported as
 * "FILE:LINE: reason" (or, in strict mode, the whole load fails).
 */
#ifndef IDS_RULES_H
#define IDS_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define IDS_MAX_ELEMS    32  /* contents + pcres in one rule */
#define IDS_MAX_VARS     256
#define IDS_LINE_MAX     8192

enum ids_action { IDS_ACTION_ALERT = 0, IDS_ACTION_DROP };

enum ids_proto { IDS_PROTO_IP = 0, IDS_PROTO_TCP, IDS_PROTO_UDP, IDS_PROTO_ICMP };

/* A set of addresses (IPv4, host order) or ports: sorted disjoint [lo, hi]. */
struct ids_range {
	uint32_t lo;
	uint32_t hi;
};

struct ids_set {
	uint32_t n;
	struct ids_range *r;
};

bool ids_set_contains(const struct ids_set *s, uint32_t v);

enum ids_elem_kind { IDS_ELEM_CONTENT = 0, IDS_ELEM_PCRE };

/*
 * One content or pcre, in rule order. Positions:
 * - absolute content: starts at >= offset, ends at <= offset + depth, in
 *   stream coordinates (TCP: bytes since the first payload byte of that
 *   direction; other protocols: the packet payload).
 * - relative content (distance/within): starts at >= prev_end + distance and
 *   ends at <= prev_end + distance + within, prev_end being where the
 *   previous element (content or pcre) matched.
 * - pcre: searched from 0, or from prev_end with /R.
 */
struct ids_elem {
	uint8_t kind;
	bool nocase;
	bool relative;
	bool has_offset, has_depth, has_distance, has_within;
	bool fast_pattern;
	int32_t offset, depth, distance, within;
	uint8_t *bytes;       /* content bytes */
	uint32_t len;
	char *re_src;         /* pcre: the expression between the slashes */
	uint32_t re_opts;     /* PCRE2_* options */
	void *re;             /* pcre2_code * */
};

#define IDS_FLOW_TO_SERVER   0x01
#define IDS_FLOW_TO_CLIENT   0x02
#define IDS_FLOW_ESTABLISHED 0x04
#define IDS_FLOW_STATELESS   0x08

struct ids_rule {
	uint32_t line;
	uint8_t action;
	uint8_t proto;
	bool bidir;
	uint8_t flow;
	struct ids_set src_addr, src_port, dst_addr, dst_port;
	uint32_t sid;
	uint32_t rev;
	int severity;         /* priority: classtype's, or `priority:` */
	char *msg;
	char *classtype;
	const char *category; /* classtype's description, "" without one */
	uint32_t n_elems;
	struct ids_elem *elems;   /* n_elems of them */
};

struct ids_var {
	char name[64];
	char *value;
	uint32_t line;
};

struct ids_ruleset {
	struct ids_rule *rules;
	uint32_t n_rules;
	uint32_t cap_rules;
	struct ids_var vars[IDS_MAX_VARS];
	uint32_t n_vars;
	uint32_t n_errors;    /* rules skipped, bad var lines */
	uint32_t *sid_index;  /* open addressing: rule index + 1, 0 = empty */
	uint32_t sid_slots;   /* power of two */
};

/* Loader options. */
struct ids_load_opts {
	const char *vars_path;  /* NULL: variables only from the rules file */
	bool strict;            /* any error fails the load */
	FILE *err;              /* where "FILE:LINE: reason" lines go (NULL: stderr) */
};

/*
 * Load a .rules file. Returns NULL when the file cannot be read or when a
 * strict load meets any error. Otherwise the set holds every rule that
 * parsed; rs->n_errors says how many lines were reported and skipped (a
 * rule reusing an earlier rule's sid is one of them).
 */
struct ids_ruleset *ids_rules_load(const char *path, const struct ids_load_opts *opts);

/* The same from a string (tests, fuzzing); `name` is used in messages. */
struct ids_ruleset *ids_rules_load_str(const char *name, const char *text,
				       const struct ids_load_opts *opts);

void ids_rules_free(struct ids_ruleset *rs);

/* ---- internals shared by the parser's files ---- */

/* One error, formatted into `buf` (the caller prefixes FILE:LINE). */
struct ids_perr {
	char msg[256];
};

int ids_perr_set(struct ids_perr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Define or look up a variable. */
int ids_var_define(struct ids_ruleset *rs, const char *name, const char *value,
		   uint32_t line, struct ids_perr *e);
const char *ids_var_lookup(const struct ids_ruleset *rs, const char *name);

/* Parse an address (is_port false) or port expression into a set. */
int ids_set_parse(const struct ids_ruleset *rs, const char *expr, bool is_port,
		  struct ids_set *out, struct ids_perr *e);
void ids_set_free(struct ids_set *s);

/* Parse the text between the parentheses into the rule's options. */
int ids_options_parse(struct ids_rule *r, const char *text, struct ids_perr *e);
void ids_rule_free_options(struct ids_rule *r);

/* A classtype's category and default priority; -1 when unknown. */
int ids_classtype_lookup(const char *name, const char **category, int *priority);

#endif /* IDS_RULES_H */
