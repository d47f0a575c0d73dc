/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofdp: the OpenFlow pipeline as a data lcore runs it.
 *
 * The agent compiles the switch (every table, the groups and the meters)
 * into an immutable struct ofdp_table: table 0 as a classifier whose
 * results are either a JSON chain id or OFDP_FLOW | flow index, tables
 * 1..N-1 likewise, and flat action programs (ofdp_ops.h). The host (the
 * manager) publishes that table in its forwarding state and classifies
 * each RX burst on table 0 itself, because table 0 also holds the chains.
 *
 * The pipeline never calls its host. It takes a burst, the table and an
 * environment (ports, services, the packet pool, the PACKET_IN ring) and
 * says where each packet goes: a list of (packet, port | service | chain),
 * common/pkt_dest.h, that the host then sends through its own enqueue
 * path, so backpressure lives in one place. What the pipeline consumes itself (drops, PACKET_IN,
 * meters) it frees and counts under the names of foreach_ofdp_drop.
 *
 * Bursts: a burst's packets run flow by flow; the ones a goto-table sends
 * on meet the next table together, as one classifier_lookup_burst through
 * this lcore's exact-match cache for that table. A packet's flow key is
 * the one its host built from the single parse on arrival; only an action
 * that rewrote the headers makes the next lookup parse it again.
 *
 * Nothing here allocates except rte_pktmbuf_copy for outputs that are
 * not a packet's last (all groups, FLOOD, an output before more actions);
 * a copy that fails is counted.
 */
#ifndef ONVM_OFDP_H
#define ONVM_OFDP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "flow_key.h"
#include "ofdp_ops.h"
#include "of_meter.h"
#include "onvm_common.h"
#include "pkt_dest.h"

struct classifier;
struct cls_cache;

#define OFDP_FLOW          0x8000u /* classifier result bit: an OpenFlow flow index */
#define OFDP_LOOKUP        UINT32_MAX /* ofdp_table.reenter: no shortcut */
#define OFDP_MAX_FLOWS     0x7ff0u
#define OFDP_COUNTER_SLOTS 9       /* rows of counters: one per data lcore */
#define OFDP_PIN_MAX       1600    /* bytes of a frame kept for PACKET_IN */
#define OFDP_MAX_PASSES    16      /* table passes of one packet (NF -> table -> NF ...) */
#define OFDP_BURST_MAX     ONVM_BURST /* packets one ofdp_run_burst takes */

#define OFDP_N_TABLES      8       /* OpenFlow tables 0..7 */
#define OFDP_NO_TABLE      0xff
#define OFDP_NO_METER      0xffff  /* ofdp_flow.meter of a flow without a meter instruction */

/*
 * Every drop and loss of the pipeline, named once: the name is the one
 * stats, telemetry and metrics show.
 */
#define foreach_ofdp_drop                                                              \
	_(FLOW_DROP, "flow_drop", "a flow whose actions output nothing")              \
	_(COPY_FAIL, "copy_fail", "no mbuf for the copy an extra output needs")        \
	_(PACKET_IN_DROP, "packet_in_drop", "PACKET_IN ring or pool full")             \
	_(REENTER_MISS, "reenter_miss", "back from an NF, no table-0 flow matched")   \
	_(BAD_OUTPUT, "bad_output", "an output port or group gone since the flow was added") \
	_(DEST_FULL, "dest_full", "more destinations than one burst may produce")     \
	_(LOOP_DROP, "loop_drop", "more than 16 table passes (a loop of flows)")       \
	_(TABLE_MISS, "table_miss", "no flow matched in a table goto-table led to")    \
	_(FAILOVER_DEAD, "failover_dead", "a fast-failover group with no live bucket") \
	_(METER_DROP, "meter_drop", "a meter's drop band applied")

enum ofdp_drop {
#define _(sym, name, help) OFDP_DROP_##sym,
	foreach_ofdp_drop
#undef _
	OFDP_DROP_N
};

extern const char *const ofdp_drop_names[OFDP_DROP_N];
extern const char *const ofdp_drop_help[OFDP_DROP_N];

struct ofdp_flow {
	uint64_t flow_id;   /* the of_switch flow it came from */
	uint64_t cookie;
	uint16_t priority;
	uint8_t table_miss; /* priority 0, matches everything: PACKET_IN reason NO_MATCH */
	uint8_t table_id;
	uint8_t goto_table; /* OFDP_NO_TABLE: the pipeline ends here */
	uint8_t clear_actions;
	uint16_t meter;     /* index into ofdp_table.meters, run first; or OFDP_NO_METER */
	uint64_t metadata;  /* write-metadata: metadata = metadata & ~mask | value & mask */
	uint64_t metadata_mask;
	struct ofdp_prog prog;  /* apply-actions */
	struct ofdp_prog write; /* write-actions: merged into the action set */
};

struct ofdp_group {
	uint32_t group_id;
	uint8_t type;        /* OFPGT_* */
	uint16_t n_buckets;
	uint32_t first_bucket;
	uint32_t total_weight;
};

struct ofdp_bucket {
	uint16_t weight;
	uint32_t watch_port;  /* fast failover: OpenFlow port, OFPP_ANY = none */
	uint32_t watch_group; /* fast failover: group id, OFPG_ANY = none */
	struct ofdp_prog prog;
};

struct ofdp_counter {
	uint64_t packets;
	uint64_t bytes;
};

/* A meter's counters, per data lcore: packets that reached it, and per
 * band (in METER_MOD order) the packets the band applied to. */
struct ofdp_meter_counter {
	uint64_t packets;
	uint64_t bytes;
	struct ofdp_counter band[OFP_MAX_METER_BANDS];
};

/* OpenFlow table statistics (TABLE multipart), per data lcore and table. */
struct ofdp_table_counter {
	uint64_t lookups;
	uint64_t matches;
};

struct ofdp_table {
	uint32_t n_flows;
	struct ofdp_flow *flows;       /* every table's flows, in of_switch flow id order */
	/* Every table's classifier (NULL when a table is empty). Results:
	 * OFDP_FLOW | index into flows, or in table 0 a JSON chain's id. */
	struct classifier *cls[OFDP_N_TABLES];
	/*
	 * reenter[s], for s in 1..max_service: table 0's result for every
	 * packet coming back from service s, when its headers cannot change
	 * it (the best flow for in_port = 1000 + s matches on nothing else:
	 * the usual `in_port=1001,actions=output:1002` of a chain built from
	 * flows). OFDP_LOOKUP: the packet must be looked up.
	 */
	uint32_t *reenter;
	uint16_t max_service;
	struct ofdp_op *ops;
	uint32_t n_ops;
	struct ofdp_group *groups;     /* sorted by group_id */
	uint32_t n_groups;
	struct ofdp_bucket *buckets;
	/* Sorted by meter_id. Their buckets are the one mutable part of the
	 * table: shared by the lcores through atomics (of_meter.h). */
	struct ofm_meter *meters;
	uint32_t n_meters;
	/* [slot][flow]: one row per data lcore, written by it alone */
	struct ofdp_counter *flow_ctr[OFDP_COUNTER_SLOTS];
	struct ofdp_counter *group_ctr[OFDP_COUNTER_SLOTS];
	struct ofdp_meter_counter *meter_ctr[OFDP_COUNTER_SLOTS];
	struct ofdp_table_counter (*tbl_ctr)[OFDP_N_TABLES]; /* [slot][table] */
};

void ofdp_table_free(struct ofdp_table *t);

/* A frame for the controller, filled by a data lcore, sent by the agent. */
struct ofdp_pin_msg {
	uint32_t in_port;     /* OpenFlow port */
	uint16_t len;         /* bytes in data */
	uint16_t total_len;
	uint16_t max_len;     /* from the action; OFPCML_NO_BUFFER for table-miss */
	uint8_t reason;       /* OFPR_* */
	uint8_t table_id;
	uint64_t cookie;
	uint8_t data[OFDP_PIN_MAX];
};

/* PACKET_OUT handed to the data path: the frame and its compiled actions. */
#define OFDP_POUT_OPS 32
struct ofdp_pout_msg {
	struct rte_mbuf *pkt;
	uint32_t in_port;     /* OpenFlow port, or OFPP_CONTROLLER */
	uint16_t n_ops;
	struct ofdp_op ops[OFDP_POUT_OPS];
};

/* The rings and pools between the data lcores and the agent thread. */
struct ofdp_io {
	struct rte_ring *pin_ring;       /* data lcores -> agent (MP/SC) */
	struct rte_mempool *pin_pool;
	struct rte_ring *pout_ring;      /* agent -> RX lcore (SP/SC) */
	struct rte_ring *pout_free;      /* RX lcore -> agent: free slots */
	struct ofdp_pout_msg *pout_slots;
	/* DPDK port link states for fast-failover groups, refreshed by the
	 * agent thread, read by data lcores. */
	uint8_t port_up[ONVM_MAX_PORTS];
};

int ofdp_io_init(struct ofdp_io *io, int socket_id);
void ofdp_io_free(struct ofdp_io *io);

/*
 * What the pipeline may know of its host, fixed at start-up and read-only
 * afterwards. Services are read through the shared-memory contract
 * (onvm_common.h): a fast-failover bucket watching a service port is live
 * while the service has an instance.
 */
struct ofdp_env {
	uint32_t port_mask;                  /* bit p: DPDK port p is the host's */
	uint16_t num_ports;
	const uint16_t *port_ids;            /* the host's ports, ascending (FLOOD) */
	uint16_t max_service;                /* service ids 1..max_service exist */
	const struct onvm_service *services; /* indexed by service id */
	struct rte_mempool *pool;            /* copies come from here */
	struct ofdp_io *io;
};

/* Is OpenFlow port `of_port` one of the host's DPDK ports? A service? */
bool ofdp_env_dpdk_port(const struct ofdp_env *env, uint32_t of_port);
bool ofdp_env_service_port(const struct ofdp_env *env, uint32_t of_port);

/* One data lcore's pipeline state: its counter row, its exact-match
 * caches (one per table; the host uses cache[0] for packets that come
 * back to table 0 from a service) and scratch for the burst. Used by one
 * thread. */
struct ofdp_lcore {
	unsigned int slot;
	uint64_t drops[OFDP_DROP_N];
	struct cls_cache *cache[OFDP_N_TABLES];
	struct ofdp_actset actset[OFDP_BURST_MAX];
};

int ofdp_lcore_init(struct ofdp_lcore *lc, unsigned int slot);
void ofdp_lcore_free(struct ofdp_lcore *lc);

/*
 * Run n (<= OFDP_BURST_MAX) packets from their table-0 flows:
 * flow_idx[i] is the flow table 0 matched for pkts[i] (its classifier
 * result without OFDP_FLOW), keys[i] the key it was looked up with (the
 * pipeline may change the array). `parsed` false: the keys hold only
 * in_port, metadata and tunnel_id (table 0 was not looked up, see
 * ofdp_table.reenter), and a packet is parsed when a lookup or a select
 * group needs its headers. Appends the packets' destinations to out, in
 * burst order for each packet; every packet is either in out (itself or
 * as copies) or consumed and counted.
 */
void ofdp_run_burst(const struct ofdp_table *t, const struct ofdp_env *env,
		    struct ofdp_lcore *lc, struct rte_mbuf **pkts, const uint32_t *flow_idx,
		    struct flow_key *keys, bool parsed, uint16_t n, struct pkt_dests *out);

/* RX lcore: execute pending PACKET_OUTs (cheap when there are none); t
 * is the table in force (OFPP_TABLE runs it), or NULL. */
void ofdp_poll_packet_out(const struct ofdp_table *t, const struct ofdp_env *env,
			  struct ofdp_lcore *lc, struct pkt_dests *out);

/* Count table-0 lookups the host made for a burst: n packets, hits matched. */
static inline void
ofdp_count_table0(const struct ofdp_table *t, const struct ofdp_lcore *lc, uint16_t n,
		  uint16_t hits)
{
	t->tbl_ctr[lc->slot][0].lookups += n;
	t->tbl_ctr[lc->slot][0].matches += hits;
}

/* Agent thread: read every DPDK port's link state for fast-failover
 * liveness; true when one changed. */
bool ofdp_refresh_links(const struct ofdp_env *env);

/* ofdp_edit.c: apply one non-output op; false if the packet lacks the
 * header it needs (then it is unchanged). */
bool ofdp_apply_edit(const struct ofdp_op *op, struct rte_mbuf *pkt);

/* ofdp_meter_run.c: run meter `idx` of t on a packet (counted in slot);
 * false when a DROP band applied (the caller frees the packet). */
bool ofdp_meter_run(const struct ofdp_table *t, unsigned int slot, uint16_t idx,
		    struct rte_mbuf *pkt);

/* ofdp_setfield.c: generic set-field (OFDP_SET_FIELD), MPLS push/pop
 * and the TTL actions, dec_nw_ttl on IPv4 and IPv6; false if the packet
 * lacks the header it needs (then it is unchanged). */
bool ofdp_apply_setfield(const struct ofdp_op *op, struct rte_mbuf *pkt);

#endif /* ONVM_OFDP_H */
