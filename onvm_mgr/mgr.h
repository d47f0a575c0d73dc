/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The manager's process-local state and the interfaces between its parts:
 *
 *   main.c          setup and teardown only (at exit, common/onvm_runtime.c
 *                   removes the prefix's hugepage files and runtime dir)
 *   mgr_init.c      EAL-side objects: shared memzone, packet pool, rings
 *   mgr_ports.c     ethdev configuration: queues, RSS (port_rss.c decides)
 *   lcore_plan.c    what each lcore does (pure)
 *   placement.c     which CPU an NF gets, the pool's NUMA node (pure;
 *                   cpu_topo.c reads the machine for it)
 *   afp_rx_time.c   the kernel's receive times on net_af_packet ports
 *   nf_registry.c   NF admission, liveness (flock), retirement and reclaim
 *   services.c      the service table (pure logic)
 *   chains.c        the -C chain files, loaded into the forwarding state
 *   fwd.c           the forwarding state and its one publisher (fwd.h)
 *   classify.c      a burst against the forwarding state's table 0
 *   dataplane.c     the RX/TX loops on the data lcores
 *   mgr_stats.c     counters aggregation, the stdout table
 *   mgr_telemetry.c DPDK telemetry commands (/onvm/...)
 *   mgr_json.c      what onvmctl (and any other reader) is shown, as JSON
 *   ctl_*.c         the control socket onvmctl talks to (ctl.h)
 *   mgr_openflow.c  the one place that joins the manager and sdn_agent/
 *                   (mgr_openflow.h is all the rest of the manager sees)
 */
#ifndef ONVM_MGR_H
#define ONVM_MGR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "lat_hist.h"
#include "lcore_plan.h"
#include "mgr_args.h"
#include "onvm_common.h"
#include "pkt_dest.h"
#include "placement.h"
#include "tsc_clock.h"

struct afp_rxq_head;

#define MGR_MAX_DATA_LCORES 8
_Static_assert(MGR_MAX_RX_LCORES <= MGR_MAX_DATA_LCORES, "an RX lcore is a data lcore");
/* Each data lcore's exact-match cache for table 0: 2^16 entries (4 MiB),
 * so that tens of thousands of flows hit it rather than the table. */
#define MGR_CLS_CACHE_ORDER 16

/*
 * Every drop the manager's data path counts, named once: the name is
 * what the stats table and telemetry show. (Ports count theirs in
 * foreach_onvm_port_counter, the OpenFlow pipeline in foreach_ofdp_drop.)
 */
#define foreach_mgr_drop                                                                  \
	_(NF_DROP, "nf_drop", "an NF returned DROP")                                       \
	_(CHAIN_END, "chain_end", "NEXT after the last hop of a chain with no out port")   \
	_(NO_INSTANCE, "no_instance", "the service a packet went to had no running NF")    \
	_(HOP_STUCK, "hop_stuck", "a mid-chain burst did not move for 100 ms")             \
	_(BAD_DEST, "bad_dest", "an NF named a service or port that does not exist")       \
	_(RECLAIMED, "reclaimed", "freed when the NF holding them, or queued for it, left")

enum mgr_drop {
#define _(sym, name, help) MGR_DROP_##sym,
	foreach_mgr_drop
#undef _
	MGR_DROP_N
};

extern const char *const mgr_drop_names[MGR_DROP_N];
extern const char *const mgr_drop_help[MGR_DROP_N];

/*
 * Where a data lcore sends a packet: an NF id (1..ONVM_MAX_NFS), or
 * MGR_DST_HOLD, the lcore's hold queue for the buckets a move holds
 * (elastic.c). Arrays indexed by destination have MGR_DSTS entries.
 */
#define MGR_DST_HOLD (ONVM_MAX_NFS + 1)
#define MGR_DSTS     (ONVM_MAX_NFS + 2)

/*
 * Per chain: what entered it (counted where a packet starts the chain) and
 * its drops by reason, wherever the packet's chain is known: the reasons of
 * foreach_mgr_drop, then the entry's (a port counts those as entry_drop
 * too). Packets an OpenFlow flow steers belong to no chain.
 */
#define foreach_mgr_chain_counter                                                       \
	_(PKTS, "pkts", "packets that entered the chain")                                  \
	_(BYTES, "bytes", "bytes of the packets that entered the chain")

enum mgr_chain_counter {
#define _(sym, name, help) MGR_CHAIN_##sym,
	foreach_mgr_chain_counter
#undef _
	MGR_CHAIN_N_COUNTERS
};

enum { MGR_CHAIN_DROP_ENTRY = MGR_DROP_N, MGR_CHAIN_N_DROPS };

extern const char *const mgr_chain_counter_names[MGR_CHAIN_N_COUNTERS];
/* The name of chain drop reason k (mgr_drop_names, then "entry_drop"). */
const char *mgr_chain_drop_name(unsigned int k);

/* One cache line per chain: a burst of one chain dirties one line. */
struct mgr_chain_counters {
	uint64_t c[MGR_CHAIN_N_COUNTERS];
	uint64_t drops[MGR_CHAIN_N_DROPS];
} __rte_cache_aligned;

/* Per data lcore counters: written by one lcore only, summed by control. */
struct mgr_lcore_counters {
	uint64_t port[ONVM_MAX_PORTS][ONVM_PORT_N_COUNTERS];
	uint64_t nf_enqueued[MGR_DSTS];
	uint64_t nf_enq_drop[MGR_DSTS];
	uint64_t nf_dequeued[ONVM_MAX_NFS + 1];
	uint64_t held;            /* packets a move held (elastic.c) */
	uint64_t drops[MGR_DROP_N];
	/* by the generation of the chain table the packet carries, then its
	 * chain id: ids mean another chain after a reload */
	struct mgr_chain_counters chains[2][ONVM_MAX_CHAINS];
} __rte_cache_aligned;

#define MGR_TXBUF 64

/* Packets taken from an NF that its next hop could not take yet. While an
 * NF has a stash, the TX lcore stops reading its ring: the NF then fills
 * its ring and waits, and the drop happens at the chain entry instead.
 * Room for a burst's copies too (OpenFlow all groups). */
#define MGR_STASH_MAX PKT_DESTS_MAX
struct mgr_stash {
	uint16_t n;
	uint64_t since_tsc;
	struct rte_mbuf *pkts[MGR_STASH_MAX];
	uint16_t dst[MGR_STASH_MAX];
};

/* An RX queue a data lcore reads. */
struct mgr_rxq {
	uint16_t port;
	uint16_t queue;
};

struct mgr_data_lcore {
	unsigned int lcore_id;
	unsigned int role;        /* enum data_role bits (lcore_plan.h) */
	uint16_t rx_queue;        /* its RX queue on every port that has it, or LCORE_PLAN_NO_RX */
	uint16_t num_rxq;         /* the (port, queue) pairs it reads */
	struct mgr_rxq rxq[ONVM_MAX_PORTS];
	uint16_t tx_queue;        /* this lcore's TX queue on every port */
	uint16_t tx_index;        /* among the TX lcores: which NFs are ours */
	volatile uint64_t epoch;  /* bumped every loop: quiescence for control */
	volatile uint32_t in_iteration; /* inline data path only: inside an iteration */
	struct cls_cache *cls_cache; /* this lcore's exact-match cache */
	struct mgr_lcore_counters counters;
	uint16_t txbuf_n[ONVM_MAX_PORTS];
	struct rte_mbuf *txbuf[ONVM_MAX_PORTS][MGR_TXBUF];
	struct mgr_stash stash[MGR_DSTS]; /* [MGR_DST_HOLD]: a release's leftovers */
	/* A move in progress (elastic.c): this lcore's queue of the held
	 * buckets' packets, in arrival order, and whether it has handed all
	 * of them to the move's target. */
	struct rte_ring *hold;
	volatile uint32_t hold_drained;
	volatile uint32_t move_seen; /* the last move whose held buckets it rerouted */
	struct mgr_stash port_hold[ONVM_MAX_PORTS];
	/* Per NF whose TX ring this lcore reads: the ring's consumer position
	 * when its stash was last empty, i.e. every packet the NF emitted
	 * before it has been passed on. A move waits on it (elastic.c). */
	volatile uint32_t tx_done[ONVM_MAX_NFS + 1];
};

/*
 * Fault tolerance (ft.h): the output of a protected service's active NF
 * waits here, in the order it was emitted, until the checkpoint that
 * covers it is in the standby. The TX lcore that reads the NF's ring is
 * the only one to touch q, pulled and released; control writes on, guard
 * and commit (release), after setting pulled = released = the ring's
 * consumer position while the lcore does not read it.
 */
#define MGR_FT_HOLD_MAX 16384 /* packets held per protected NF */
#define MGR_FT_RELEASE_BURSTS 8 /* bursts a protected NF may release per TX visit */
/* When each burst pulled into q came off the NF's TX ring: the stream
 * position just past it, and the TSC. At most one per packet held. */
struct mgr_ft_stamp {
	uint32_t end;
	uint64_t tsc;
};
struct mgr_ft_out {
	struct rte_ring *q;          /* onvm_tx_elem */
	volatile uint32_t on;        /* the NF's output goes through q */
	volatile uint32_t guard;     /* 0: a standby is not in sync yet, nothing waits */
	volatile uint32_t commit;    /* output position released up to */
	volatile uint32_t pulled;    /* position of q's tail: the TX ring's consumer */
	volatile uint32_t released;  /* position of q's head */
	uint64_t full;               /* polls that found q full: the NF waited */
	uint64_t released_total;
	/* The hold time of each released packet (TSC cycles from leaving the
	 * NF's TX ring to leaving q): what output commit adds to latency. */
	struct mgr_ft_stamp *stamps; /* MGR_FT_HOLD_MAX of them */
	uint32_t stamp_head, stamp_tail;
	struct lat_hist *hold;
} __rte_cache_aligned;

struct mgr {
	struct mgr_config cfg;
	struct onvm_shared *shm;
	struct rte_mempool *pool;
	struct rte_ring *msg_ring;

	uint16_t num_ports;                 /* enabled ports */
	uint16_t port_ids[ONVM_MAX_PORTS];  /* their DPDK ids, ascending */
	uint32_t port_mask;
	uint16_t port_rxq[ONVM_MAX_PORTS];  /* RX queues of each port (port_rss.h) */
	/* Per port and RX queue: the net_af_packet queue whose frames carry
	 * the kernel's receive times (afp_rx_time.h), or NULL: stamped at RX. */
	const struct afp_rxq_head *port_afp[ONVM_MAX_PORTS][MGR_MAX_RX_LCORES];
	int home_node;            /* the ports' NUMA node: the pool's and the rings' */
	struct place_topo topo;   /* the machine, read before EAL started */
	struct place_plan place;  /* where NFs go (placement.h) */

	unsigned int num_data;    /* data lcores (0 = everything on main) */
	unsigned int num_rx;      /* lcores with ROLE_RX */
	unsigned int num_tx;      /* lcores with ROLE_TX */
	struct mgr_data_lcore data[MGR_MAX_DATA_LCORES];
	struct mgr_data_lcore inline_data; /* used when num_data == 0 */

	int nf_lock_fd[ONVM_MAX_NFS + 1]; /* our fd on each NF's lock file */
	bool nf_unplaced[ONVM_MAX_NFS + 1]; /* joined a running service, no buckets yet */

	/* NFs the TX side polls: control appends/removes, data lcores read
	 * (and re-check each NF's state, so a stale entry is harmless). */
	uint16_t active_ids[ONVM_MAX_NFS];
	volatile uint16_t num_active;

	uint64_t tsc_hz;
	struct tsc_clock clock;    /* arrival times (tsc_clock.h) */
	uint64_t stash_timeout_tsc;
	uint64_t entry_stall_tsc;  /* --entry-stall-ms in TSC cycles; 0: never */
	uint64_t baseline_in_use;

	volatile bool stop;
	volatile bool rx_enabled;  /* false until -w NFs run */
	bool reload_pending;       /* SIGHUP seen, chains not reloaded yet */
	volatile uint32_t move_phase; /* enum mgr_move_phase (elastic.h) */
	volatile uint32_t move_id;    /* bumped when a move starts holding */
	volatile uint16_t move_svc;   /* the service a move is of */
	volatile uint16_t move_from;  /* the NF it moves flows from */
	volatile uint16_t move_to;    /* the NF a move releases held packets to */
	uint64_t start_tsc;
	const char *file_prefix;      /* EAL's, for the NFs the manager starts */
	struct mgr_ft_out ft_out[ONVM_MAX_NFS + 1]; /* by NF id (ft.h) */
};

extern struct mgr g_mgr;

/* mgr_init.c */
int mgr_create_shared(struct mgr *m);
void mgr_free_shared(struct mgr *m);

/* mgr_ports.c: up to rx_lcores RX queues per port, spread by RSS
 * (port_rss.h), and tx_queues TX queues. */
int mgr_ports_init(struct mgr *m, unsigned int rx_lcores, uint16_t tx_queues);
/* The NUMA node most enabled ports sit on, or the main lcore's. */
int mgr_ports_home_node(const struct mgr_config *cfg);
void mgr_ports_stop(struct mgr *m);

/* nf_registry.c */
void nf_registry_init(struct mgr *m);
void nf_registry_poll(struct mgr *m);      /* messages + liveness, from control */
void nf_registry_stop_all(struct mgr *m, unsigned int timeout_ms);
/* An NF is gone (its lock is free) or leaves: out of its service, every
 * packet it could hold reclaimed, its slot freed. */
void nf_registry_retire(struct mgr *m, uint16_t id, const char *how);
unsigned int nf_registry_count_ready(struct mgr *m); /* NFs in their packet loop */
int nf_registry_resolve_service(struct mgr *m, const char *name_or_id, uint16_t *id,
				char *why, size_t whylen);
void mgr_quiesce(struct mgr *m);            /* wait until every data lcore looped */

/* dataplane.c */
int dataplane_lcore_main(void *arg);
void dataplane_iteration(struct mgr *m, struct mgr_data_lcore *d);
void dataplane_flush(struct mgr *m, struct mgr_data_lcore *d);
void dataplane_release(struct mgr *m, struct mgr_data_lcore *d);

/* meta->chain_id of a packet that matched no chain (with no default
 * service), and of one an OpenFlow flow steered (it follows flows, not a
 * chain: NEXT takes it back into the OpenFlow pipeline). */
#define MGR_NO_CHAIN 0xffffu
#define MGR_OF_CHAIN 0xfffeu

/* chains.c: the -C files into the forwarding state (fwd.h) */
int mgr_chains_init(struct mgr *m);
/* 0, -1 (refused, reported, and why in err: "FILE:LINE: reason" for an
 * invalid file; the chains in force stay), or MGR_RELOAD_LATER: the last
 * reload is too recent, nothing was done. */
#define MGR_RELOAD_LATER 1
int mgr_chains_reload(struct mgr *m, char *err, size_t errlen);
/* At exit, after the data lcores stopped. */
void mgr_chains_free(struct mgr *m);

/* classify.c: look a burst entering on OpenFlow port in_ofport up in the
 * forwarding state's table 0 (which must exist) through `cache`: each
 * packet's key and its table-0 result (MGR_NO_MATCH: none). Returns how
 * many matched. */
#define MGR_NO_MATCH UINT32_MAX
struct flow_key;
struct fwd_state;
struct cls_cache;
uint64_t mgr_classify_burst(struct cls_cache *cache, const struct fwd_state *st,
			    struct rte_mbuf **pkts, uint16_t n, uint32_t in_ofport,
			    struct flow_key *keys, uint32_t *results);

/* mgr_stats.c */
void mgr_stats_collect(struct mgr *m);
/* Packets freed on an NF's retirement (counted as the drop `reclaimed`). */
void mgr_stats_count_reclaimed(uint64_t n);
void mgr_stats_print(struct mgr *m, double interval_s);
uint64_t mgr_total_rx(struct mgr *m);
uint64_t mgr_stats_drop_total(unsigned int k); /* as of the last collect */
/* NF `id` retired (the data lcores count nothing more for it): the next
 * NF in its slot starts its manager counters (enqueued, entry_drop,
 * dequeued) from zero. From the control thread. */
void mgr_stats_nf_retired(struct mgr *m, uint16_t id);
/*
 * The chains in force with their counters, freshly summed: copies at most
 * `max` (index = chain id) and returns how many there are; *gen is the
 * chain table generation they belong to. A reload that keeps a chain's
 * name keeps its counters; a new chain starts from zero.
 */
uint32_t mgr_stats_chains(struct mgr *m, uint32_t *gen, struct mgr_chain_counters *out,
			  uint32_t max);
/* Around publishing chain table generation `gen` (written, not yet in
 * force): the counters of its slots restart, and carry over by name once
 * it is published. Collectors wait in between. */
void mgr_stats_chains_begin(struct mgr *m, uint32_t gen);
void mgr_stats_chains_end(struct mgr *m, uint32_t gen, bool published);
const char *mgr_nf_state_name(uint32_t state);
/* A service as people name it: its name, else its id written in buf. */
const char *mgr_service_label(const struct mgr *m, uint16_t svc, char *buf, size_t len);

/* mgr_telemetry.c: /onvm/... next to DPDK's own commands */
void mgr_telemetry_register(struct mgr *m);
/*
 * DPDK offers no way to unregister a telemetry command, and its thread
 * outlives the shared memory the commands read. Every command runs inside
 * mgr_telemetry_enter() (false: the manager is stopping, answer nothing)
 * and mgr_telemetry_exit(); mgr_telemetry_close() waits for the commands
 * in progress and turns later ones away. Shutdown closes before it frees.
 */
bool mgr_telemetry_enter(void);
void mgr_telemetry_exit(void);
void mgr_telemetry_close(void);
/* The data lcores as a list: m->data, or the inline one with one lcore. */
struct mgr_data_lcore *mgr_data_lcores(struct mgr *m, unsigned int *n);
/* main.c: the CPU an lcore runs on (the first of its cpuset). */
unsigned int mgr_lcore_cpu(unsigned int lcore);
/* A data lcore's index among them (0..MGR_MAX_DATA_LCORES). */
unsigned int mgr_data_slot(const struct mgr *m, const struct mgr_data_lcore *d);

#endif /* ONVM_MGR_H */
