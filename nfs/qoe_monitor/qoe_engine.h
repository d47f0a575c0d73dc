/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_engine: the QoE monitor without its packet source. Pure C (no DPDK),
 * shared by the NF (packets from the manager) and qoe_pcap (packets from a
 * capture file), so both measure exactly alike.
 *
 * Time is the packets' own: arrival timestamps, never the time of
 * processing. The engine's clock is the latest arrival seen; the caller
 * advances it while no packet comes (qoe_engine_tick) so idle flows still
 * time out and interval records still come.
 *
 * The per-packet path (qoe_engine_packet) never allocates and never
 * writes: records are written from qoe_engine_tick and qoe_engine_shutdown,
 * except when more flows are evicted between two ticks than the retired
 * queue holds, when the record is written at once rather than lost.
 */
#ifndef QOE_ENGINE_H
#define QOE_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "qoe_flow.h"
#include "qoe_report.h"

#define QOE_DEFAULT_MAX_FLOWS      65536
#define QOE_DEFAULT_IDLE_TIMEOUT_S 60
#define QOE_DEFAULT_CLOSED_TIMEOUT_S 2
/* Flows evicted or replaced between two ticks whose records wait for the
 * tick (beyond that they are written at once, on the packet path). */
#define QOE_RETIRED_MAX 4096

struct qoe_config {
	uint32_t max_flows;
	uint64_t idle_timeout_ns;   /* a flow quiet this long ends ("timeout") */
	uint64_t closed_timeout_ns; /* a closed flow ends once quiet this long,
				     * so late retransmissions stay with it */
	uint64_t interval_ns;       /* interval records; 0 = only final ones */
	uint64_t first_flow_id;     /* ids count up from here (instances of the
				     * NF use disjoint ranges); 0 means 1 */
};

/* What became of one packet. Everything but QOE_PKT_FLOW is not tracked. */
enum qoe_pkt_result {
	QOE_PKT_FLOW = 0,     /* accounted to a flow */
	QOE_PKT_NOT_IPV4,     /* ARP, IPv6, other ethertypes */
	QOE_PKT_FRAGMENT,     /* IPv4 fragment: no trustworthy L4 header */
	QOE_PKT_BAD_L3,       /* IPv4 version/IHL/total length invalid */
	QOE_PKT_BAD_L4,       /* TCP data offset < 5 or beyond the packet */
	QOE_PKT_TRUNCATED,    /* a header cut short */
	QOE_PKT_RESULTS,
};

struct qoe_stats {
	uint64_t packets;
	uint64_t by_result[QOE_PKT_RESULTS];
	uint64_t flows;          /* flows created */
	uint64_t evicted;        /* flows pushed out by a full table */
	uint64_t records;        /* JSON lines written */
	uint64_t write_errors;
};

struct qoe_engine;

void qoe_config_defaults(struct qoe_config *cfg);

/* NULL when memory is short. Records go to `out`. */
struct qoe_engine *qoe_engine_create(const struct qoe_config *cfg, FILE *out);
void qoe_engine_destroy(struct qoe_engine *e);

/*
 * One frame: `data` holds the first `caplen` bytes of a `wire_len`-byte
 * frame (Ethernet header included) that arrived at t_ns in flow-hash bucket
 * `bucket` (onvm_nflib_state.h; a flow it opens remembers it).
 */
enum qoe_pkt_result qoe_engine_packet(struct qoe_engine *e, const uint8_t *data,
				      uint32_t caplen, uint32_t wire_len, uint64_t t_ns,
				      uint16_t bucket);

/*
 * Moving flows between instances (qoe_state.h; README.md): a moved flow's
 * record goes on at the importing instance (same flow_id, counts carried
 * on) and the exporting one writes none for it when it drops it.
 */
struct onvm_bucket_set;
long qoe_engine_export_state(struct qoe_engine *e, const struct onvm_bucket_set *buckets,
			     uint8_t *blob, size_t cap, uint32_t *flows);
int qoe_engine_import_state(struct qoe_engine *e, const uint8_t *blob, size_t len,
			    uint32_t *flows);
void qoe_engine_drop_state(struct qoe_engine *e, const struct onvm_bucket_set *buckets);

/* Advance the clock to now_ns (if later): idle timeouts, interval records. */
void qoe_engine_tick(struct qoe_engine *e, uint64_t now_ns);

/* Final record for every flow still open, then an empty table. */
void qoe_engine_shutdown(struct qoe_engine *e);

/* The latest arrival time seen (0 before the first packet). */
uint64_t qoe_engine_clock(const struct qoe_engine *e);

const struct qoe_stats *qoe_engine_stats(const struct qoe_engine *e);
uint32_t qoe_engine_active_flows(const struct qoe_engine *e);

const char *qoe_pkt_result_name(enum qoe_pkt_result r);

#endif /* QOE_ENGINE_H */
