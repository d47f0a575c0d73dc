/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_engine: one Ethernet frame in, a verdict out, alerts written on the
 * way. Pure C over a byte buffer (no DPDK), so the NF, the unit tests and
 * the benchmark drive the same code.
 *
 * Per frame: parse (common/pkt_parse), find the flow, build the inspection
 * buffer (the TCP stream window, see ids_flow.h), match, write one alert per
 * matching rule, and drop when a `drop` rule matched. Frames that are not
 * IPv4, are malformed or truncated, or are IP fragments pass uninspected
 * and are counted.
 */
#ifndef IDS_ENGINE_H
#define IDS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ids_rules.h"

#define IDS_DEFAULT_FLOWS       16384
#define IDS_DEFAULT_WINDOW      1024
#define IDS_DEFAULT_IDLE_SEC    300
#define IDS_WINDOW_NONE         UINT32_MAX /* inspect every segment alone */

struct ids_engine_cfg {
	uint32_t max_flows;    /* 0: IDS_DEFAULT_FLOWS */
	uint32_t window;       /* stream window bytes; 0: IDS_DEFAULT_WINDOW */
	                       /* IDS_WINDOW_NONE: no window, segments alone */
	uint64_t idle_ns;      /* 0: IDS_DEFAULT_IDLE_SEC */
	FILE *alerts;          /* NULL: no alert output (benchmark) */
};

struct ids_counters {
	uint64_t packets;
	uint64_t inspected;
	uint64_t alerts;
	uint64_t drops;
	uint64_t malformed;    /* bad IHL, truncated headers, bad TCP data offset */
	uint64_t fragments;
	uint64_t not_ipv4;
	uint64_t alert_write_errors;
};

enum ids_verdict { IDS_PASS = 0, IDS_DROP = 1 };

struct ids_engine;

/* Takes ownership of rs. NULL on failure (reason written to err). */
struct ids_engine *ids_engine_new(struct ids_ruleset *rs, const struct ids_engine_cfg *cfg,
				  FILE *err);
void ids_engine_free(struct ids_engine *e);

/* One frame that arrived at ts_ns in flow-hash bucket `bucket`
 * (onvm_nflib_state.h; a flow it creates remembers it). */
enum ids_verdict ids_engine_inspect(struct ids_engine *e, const uint8_t *frame, uint32_t len,
				    uint64_t ts_ns, uint16_t bucket);

/*
 * Moving flows, TCP stream windows included, between instances (see
 * ids_flow.h and README.md). Between packets, on the packet thread. Import
 * judges which of its own flows are idle by the latest arrival time the
 * engine has seen.
 */
struct onvm_bucket_set;
long ids_engine_export_state(struct ids_engine *e, const struct onvm_bucket_set *buckets,
			     uint8_t *blob, size_t cap, uint32_t *flows);
int ids_engine_import_state(struct ids_engine *e, const uint8_t *blob, size_t len,
			    uint32_t *flows);
void ids_engine_drop_state(struct ids_engine *e, const struct onvm_bucket_set *buckets);

const struct ids_counters *ids_engine_counters(const struct ids_engine *e);
const struct ids_ruleset *ids_engine_rules(const struct ids_engine *e);

/* Alerts per rule, indexed like ids_engine_rules(e)->rules. */
const uint64_t *ids_engine_rule_hits(const struct ids_engine *e);

/* One line per rule that alerted: "sid N rev R: HITS alerts (msg)". */
void ids_engine_print_rule_hits(const struct ids_engine *e, FILE *out);

/* Stream and flow statistics, for the NF's stats (name/value pairs). */
uint32_t ids_engine_extra_stats(const struct ids_engine *e, const char **names,
				uint64_t *values, uint32_t max);

#endif /* IDS_ENGINE_H */
