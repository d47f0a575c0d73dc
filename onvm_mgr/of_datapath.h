/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_datapath: OpenFlow flows as the data lcores execute them.
 *
 * The agent thread compiles table 0 of the of_switch into an immutable
 * struct ofdp_table (flat action programs, groups, per-lcore counters)
 * that is published together with the classifier in one
 * struct mgr_chain_state. A classifier result is either a chain id or
 * MGR_OF_FLOW | flow index; the RX path hands the latter to
 * ofdp_rx_execute(). Nothing here allocates except rte_pktmbuf_copy for
 * extra outputs (all/ALL/FLOOD copies), and copies that fail are counted.
 *
 * Packets an OpenFlow flow sends to service S carry chain_id MGR_OF_CHAIN.
 * When that NF returns NEXT, the packet re-enters table 0 with
 * in_port = 1000 + S (ofdp_reenter): that is how a controller builds a
 * chain out of flows. A re-entering packet that matches no flow, or
 * matches a JSON chain's flow, is handled as the table says (a miss drops
 * it, counted as reenter_miss; more than OFDP_MAX_PASSES passes, a loop
 * of flows, drops it as loop_drop).
 */
#ifndef ONVM_OF_DATAPATH_H
#define ONVM_OF_DATAPATH_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "mgr.h"
#include "of_meter.h"
#include "of_ops.h"

#define MGR_OF_FLOW      0x8000u /* classifier result bit: an OpenFlow flow index */
#define MGR_OF_CHAIN     0xfffeu /* meta->chain_id of a packet an OF flow steered */
#define OFDP_MAX_FLOWS   0x7ff0u
#define OFDP_NOT_CHAIN   0xffffu
#define OFDP_COUNTER_SLOTS (MGR_MAX_DATA_LCORES + 1)
#define OFDP_PIN_MAX     1600    /* bytes of a frame kept for PACKET_IN */
#define OFDP_MAX_PASSES  16      /* table passes of one packet (NF -> table -> NF ...) */

#define OFDP_N_TABLES    8       /* OpenFlow tables 0..7 */
#define OFDP_NO_TABLE    0xff
#define OFDP_NO_METER    0xffff  /* ofdp_flow.meter of a flow without a meter instruction */

struct ofdp_flow {
	uint64_t flow_id;   /* the of_switch flow it came from */
	uint64_t cookie;
	uint16_t chain_id;  /* a JSON chain's flow: that chain; else OFDP_NOT_CHAIN */
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
	/* Tables 1..N-1 (table 0 is the chain state's classifier, shared with
	 * the JSON chains); NULL when a table is empty. Results: MGR_OF_FLOW | index. */
	struct classifier *cls[OFDP_N_TABLES];
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

/* Counters of the OpenFlow path, per data lcore. */
struct ofdp_lcore_counters {
	uint64_t flow_drop;      /* a flow with no output */
	uint64_t copy_fail;      /* rte_pktmbuf_copy failed for an extra output */
	uint64_t pin_drop;       /* PACKET_IN ring or pool full */
	uint64_t reenter_miss;   /* back from an NF, no flow matched */
	uint64_t bad_output;     /* port/service gone since the flow was added */
	uint64_t svc_full;       /* a copy to a service whose ring was full */
	uint64_t loop_drop;      /* more than OFDP_MAX_PASSES table passes */
	uint64_t table_miss;     /* no flow matched in a table a goto-table led to */
	uint64_t ff_dead;        /* a fast-failover group with no live bucket */
	uint64_t meter_drop;     /* a meter's DROP band applied */
};

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

/* Rings and pools between the data lcores and the agent (of_datapath.c). */
struct ofdp_io {
	struct rte_ring *pin_ring;       /* data lcores -> agent (MP/SC) */
	struct rte_mempool *pin_pool;
	struct rte_ring *pout_ring;      /* agent -> RX lcore (SP/SC) */
	struct rte_ring *pout_free;      /* RX lcore -> agent: free slots */
	struct ofdp_pout_msg *pout_slots;
	struct ofdp_lcore_counters ctr[OFDP_COUNTER_SLOTS];
	/* DPDK port link states for fast-failover groups, refreshed by the
	 * agent thread (ofdp_refresh_links), read by data lcores. */
	uint8_t port_up[ONVM_MAX_PORTS];
};

extern struct ofdp_io g_ofdp;

int ofdp_io_init(struct mgr *m);
void ofdp_io_free(void);
void ofdp_table_free(struct ofdp_table *t);
unsigned int ofdp_slot(struct mgr *m, const struct mgr_data_lcore *d);

/*
 * RX side: run flow `idx` of st->of on a packet that entered on DPDK port
 * `port`. The metadata is written here. Returns the service the packet
 * itself goes to (the caller enqueues it with backpressure), or 0 when the
 * packet was consumed (sent, copied, dropped).
 */
uint16_t ofdp_rx_execute(struct mgr *m, struct mgr_data_lcore *d,
			 const struct mgr_chain_state *st, struct rte_mbuf *pkt, uint16_t idx,
			 uint16_t port, uint64_t rx_ns);

/*
 * TX side: an NF of service `svc` returned NEXT for a packet an OpenFlow
 * flow steered. Re-classify with in_port = 1000 + svc and execute; returns
 * the service to enqueue to (meta set), or 0 when consumed.
 */
uint16_t ofdp_reenter(struct mgr *m, struct mgr_data_lcore *d, struct rte_mbuf *pkt,
		      uint16_t svc);

/* RX path: count table 0 lookups of a burst (n packets, `hits` matched).
 * Without OpenFlow (st->of NULL) it costs one compare. */
static inline void
ofdp_count_table0(struct mgr *m, const struct mgr_data_lcore *d,
		  const struct mgr_chain_state *st, uint16_t n, uint16_t hits)
{
	if (st->of != NULL) {
		unsigned int slot = ofdp_slot(m, d);

		st->of->tbl_ctr[slot][0].lookups += n;
		st->of->tbl_ctr[slot][0].matches += hits;
	}
}

/* Agent thread: read every DPDK port's link state for fast-failover
 * liveness; true when one changed. */
bool ofdp_refresh_links(struct mgr *m);

/* RX lcore: execute pending PACKET_OUTs (cheap when there are none). */
void ofdp_poll_packet_out(struct mgr *m, struct mgr_data_lcore *d);

/* of_datapath_edit.c: apply one non-output op; false if the packet
 * lacks the header it needs (then it is unchanged). */
bool ofdp_apply_edit(const struct ofdp_op *op, struct rte_mbuf *pkt);

/* of_datapath_meter.c: run meter `idx` of t on a packet (counted in
 * slot); false when a DROP band applied (the caller frees the packet). */
bool ofdp_meter_run(const struct ofdp_table *t, unsigned int slot, uint16_t idx,
		    struct rte_mbuf *pkt);

/* The empty chain OF-steered packets use for TONF/OUT/DROP dispatch. */
extern const struct onvm_chain ofdp_no_chain;

/* of_datapath_setfield.c: generic set-field (OFDP_SET_FIELD), MPLS
 * push/pop and the TTL actions, dec_nw_ttl on IPv4 and IPv6; false if
 * the packet lacks the header it needs (then it is unchanged). */
bool ofdp_apply_setfield(const struct ofdp_op *op, struct rte_mbuf *pkt);

#endif /* ONVM_OF_DATAPATH_H */
