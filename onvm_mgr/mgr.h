/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The manager's process-local state and the interfaces between its parts:
 *
 *   main.c        setup and teardown only (at exit, common/onvm_runtime.c
 *                 removes the prefix's hugepage files and runtime dir)
 *   mgr_init.c    EAL-side objects: shared memzone, packet pool, rings
 *   mgr_ports.c   ethdev configuration
 *   nf_registry.c NF admission, liveness (flock), retirement and reclaim
 *   services.c    the service table (pure logic)
 *   dataplane.c   the RX/TX loops on the data lcores
 *   mgr_stats.c   counters aggregation and the stdout table
 *   of_agent*.c   the OpenFlow agent thread (--of-listen/--of-controller)
 *   of_datapath.c OpenFlow actions executed on the data lcores
 */
#ifndef ONVM_MGR_H
#define ONVM_MGR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "mgr_args.h"
#include "onvm_common.h"

#define MGR_MAX_DATA_LCORES 8

/* Per data lcore counters: written by one lcore only, summed by control. */
struct mgr_lcore_counters {
	uint64_t port_rx[ONVM_MAX_PORTS];
	uint64_t port_tx[ONVM_MAX_PORTS];
	uint64_t port_tx_drop[ONVM_MAX_PORTS];
	uint64_t port_no_chain[ONVM_MAX_PORTS];
	uint64_t port_entry_drop[ONVM_MAX_PORTS];
	uint64_t nf_enqueued[ONVM_MAX_NFS + 1];
	uint64_t nf_enq_drop[ONVM_MAX_NFS + 1];
	uint64_t nf_dequeued[ONVM_MAX_NFS + 1];
	uint64_t hop_drop;        /* a mid-chain packet that could not be delivered */
	uint64_t no_instance;     /* a hop whose service had no running NF */
	uint64_t nf_drop;         /* NFs asked to drop */
	uint64_t chain_end_drop;  /* NEXT after the last hop, no out port */
	uint64_t bad_dest;        /* TONF/OUT to a service/port that does not exist */
} __rte_cache_aligned;

#define MGR_TXBUF 64

/* Packets taken from an NF that its next hop could not take yet. While an
 * NF has a stash, the TX lcore stops reading its ring: the NF then fills
 * its ring and waits, and the drop happens at the chain entry instead. */
struct mgr_stash {
	uint16_t n;
	uint64_t since_tsc;
	struct rte_mbuf *pkts[ONVM_BURST];
	uint16_t dst[ONVM_BURST];
};

enum data_role {
	ROLE_RX = 1,  /* poll ports, classify, enqueue to first hops */
	ROLE_TX = 2,  /* poll NF TX rings, dispatch by action */
};

struct mgr_data_lcore {
	unsigned int lcore_id;
	unsigned int role;        /* enum data_role bits */
	uint16_t tx_queue;        /* this lcore's TX queue on every port */
	uint16_t tx_index;        /* among the TX lcores: which NFs are ours */
	volatile uint64_t epoch;  /* bumped every loop: quiescence for control */
	volatile uint32_t in_iteration; /* inline data path only: inside an iteration */
	struct cls_cache *cls_cache; /* this lcore's exact-match cache */
	struct mgr_lcore_counters counters;
	uint16_t txbuf_n[ONVM_MAX_PORTS];
	struct rte_mbuf *txbuf[ONVM_MAX_PORTS][MGR_TXBUF];
	struct mgr_stash stash[ONVM_MAX_NFS + 1];
	struct mgr_stash port_hold[ONVM_MAX_PORTS];
};

struct mgr {
	struct mgr_config cfg;
	struct onvm_shared *shm;
	struct rte_mempool *pool;
	struct rte_ring *msg_ring;

	uint16_t num_ports;                 /* enabled ports */
	uint16_t port_ids[ONVM_MAX_PORTS];  /* their DPDK ids, ascending */
	uint32_t port_mask;

	unsigned int num_data;    /* data lcores (0 = everything on main) */
	unsigned int num_tx;      /* lcores with ROLE_TX */
	struct mgr_data_lcore data[MGR_MAX_DATA_LCORES];
	struct mgr_data_lcore inline_data; /* used when num_data == 0 */

	int nf_lock_fd[ONVM_MAX_NFS + 1]; /* our fd on each NF's lock file */

	/* NFs the TX side polls: control appends/removes, data lcores read
	 * (and re-check each NF's state, so a stale entry is harmless). */
	uint16_t active_ids[ONVM_MAX_NFS];
	volatile uint16_t num_active;

	uint64_t tsc_hz;
	uint64_t ns_base;          /* wall clock at tsc_base */
	uint64_t tsc_base;
	uint64_t stash_timeout_tsc;
	uint64_t baseline_in_use;

	volatile bool stop;
	volatile bool rx_enabled;  /* false until -w NFs run */
	uint64_t start_tsc;
};

extern struct mgr g_mgr;

/* mgr_init.c */
int mgr_create_shared(struct mgr *m);
void mgr_free_shared(struct mgr *m);

/* mgr_ports.c */
int mgr_ports_init(struct mgr *m, uint16_t tx_queues);
void mgr_ports_stop(struct mgr *m);

/* nf_registry.c */
void nf_registry_init(struct mgr *m);
void nf_registry_poll(struct mgr *m);      /* messages + liveness, from control */
void nf_registry_stop_all(struct mgr *m, unsigned int timeout_ms);
unsigned int nf_registry_count_ready(struct mgr *m); /* NFs in their packet loop */
int nf_registry_resolve_service(struct mgr *m, const char *name_or_id, uint16_t *id,
				char *why, size_t whylen);
void mgr_quiesce(struct mgr *m);            /* wait until every data lcore looped */

/* dataplane.c */
int dataplane_lcore_main(void *arg);
void dataplane_iteration(struct mgr *m, struct mgr_data_lcore *d);
void dataplane_flush(struct mgr *m, struct mgr_data_lcore *d);
void dataplane_release(struct mgr *m, struct mgr_data_lcore *d);
/* For the OpenFlow actions (of_datapath.c). */
void dataplane_port_send(struct mgr_data_lcore *d, uint16_t port, struct rte_mbuf *pkt);
bool dataplane_service_send(struct mgr *m, struct mgr_data_lcore *d, uint16_t svc,
			    struct rte_mbuf *pkt);

/* classify.c: the chains in force (classifier + table generation, read
 * once per RX burst), and the chain each packet of a burst entering on
 * `port` takes, or MGR_NO_CHAIN when it matches none and there is no
 * default service. */
#define MGR_NO_CHAIN 0xffff
struct classifier;
struct ofdp_table;
/* What one classifier result means: a chain id, or (with the OpenFlow
 * agent) MGR_OF_FLOW | an index into `of` (of_datapath.h). Immutable once
 * published; replaced whole. */
struct mgr_chain_state {
	struct classifier *cls; /* NULL: no chains, everything takes chain 0 */
	uint32_t gen;           /* chain table generation in shared memory */
	struct ofdp_table *of;  /* OpenFlow flows' compiled actions, or NULL */
};
int mgr_chains_init(struct mgr *m);
int mgr_chains_reload(struct mgr *m);
const struct mgr_chain_state *mgr_chains_current(void);
uint32_t mgr_chains_gen(const struct mgr_chain_state *st);
/* Publish a new state (same or flipped chain generation), wait until no
 * data lcore uses the old one, and return it to the caller to free. */
struct mgr_chain_state *mgr_chains_swap(struct mgr *m, struct mgr_chain_state *next);
/* The -C chain files, loaded and resolved (for the OpenFlow agent). */
struct chain_set;
void mgr_classify_burst(struct mgr *m, struct mgr_data_lcore *d, const struct mgr_chain_state *st,
			struct rte_mbuf **pkts, uint16_t n, uint16_t port, uint16_t *chain_ids);

/* mgr_stats.c */
void mgr_stats_collect(struct mgr *m);
void mgr_stats_print(struct mgr *m, double interval_s);
uint64_t mgr_total_rx(struct mgr *m);
void mgr_telemetry_register(struct mgr *m);

#endif /* ONVM_MGR_H */
