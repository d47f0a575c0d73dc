/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * onvm_common.h: the shared-memory contract between the manager (DPDK
 * primary) and the NFs (DPDK secondaries). Names of shared objects, the
 * per-packet metadata, the NF / service / chain tables. No logic here.
 *
 * Everything in struct onvm_shared lives in one memzone that the manager
 * creates and the NFs look up; hugepage memory is mapped at the same
 * virtual address in every process, so the ring pointers stored in it are
 * valid everywhere.
 *
 * Bump ONVM_ABI_VERSION whenever a struct below changes layout: an NF built
 * against another layout refuses to attach instead of corrupting memory.
 */
#ifndef ONVM_COMMON_H
#define ONVM_COMMON_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#define ONVM_ABI_VERSION 7
#define ONVM_SHARED_MAGIC 0x4f4e564dU /* "ONVM" */

/* Names of shared DPDK objects. */
#define ONVM_MZ_SHARED      "onvm_shared"
#define ONVM_PKTMBUF_POOL   "onvm_pktmbuf_pool"
#define ONVM_MSG_RING       "onvm_mgr_msg"
#define ONVM_NF_RX_RING_FMT "onvm_nf%u_rx"
#define ONVM_NF_TX_RING_FMT "onvm_nf%u_tx"

/* Sizes. NF ids and service ids start at 1: 0 means "none" / "manager". */
#define ONVM_MAX_NFS        64
#define ONVM_MAX_SERVICES   64
#define ONVM_MAX_INSTANCES  16
#define ONVM_INSTANCE_ANY   0xffff /* an NF without -n: the lowest number free */
#define ONVM_MAX_PORTS      16
#define ONVM_MAX_CHAINS     1024
#define ONVM_MAX_HOPS       8
#define ONVM_NAME_LEN       32
#define ONVM_PATH_LEN       128
#define ONVM_MSG_RING_SIZE  256
/* Packets per ring or port operation. Each ring burst moves the ring's
 * head/tail cache lines between the cores once, so the burst sets how
 * many packets pay for that: 64 rather than 32 gave a 1-NF chain +25%,
 * 128 rather than 64 another +10-20% (docs/benchmarking.md). */
#define ONVM_BURST          128

/* ------------------------------------------------------------------ */
/* Per-packet metadata. */

enum onvm_action {
	ONVM_ACTION_DROP = 0,  /* manager frees it, counted against the NF */
	ONVM_ACTION_NEXT,      /* next hop of the packet's chain */
	ONVM_ACTION_TONF,      /* to service `destination` */
	ONVM_ACTION_OUT,       /* out of port `destination` */
};

/*
 * What an NF decided about a packet. It travels with the packet pointer on
 * the NF's TX ring (onvm_tx_pack), never in the mbuf: an NF that does not
 * read the packet then never touches its cache lines, and they stay in the
 * manager's cache for the whole trip. Writing the verdict into the mbuf
 * cost a cross-core cache-line transfer per packet each way.
 */
struct onvm_verdict {
	uint8_t action;      /* enum onvm_action */
	uint8_t reserved;
	uint16_t destination;/* service id (TONF) or port (OUT) */
};

/* The action the manager takes a verdict as: a bad action (a buggy NF) is
 * a drop. NFs count their verdicts the same way. */
static inline uint8_t
onvm_action_taken(uint8_t action)
{
	return action <= ONVM_ACTION_OUT ? action : ONVM_ACTION_DROP;
}

/*
 * One element of an NF's TX ring (NF -> manager): 8 bytes, the packet
 * pointer in the low 48 bits, the destination in bits 48-61 and the action
 * in bits 62-63. User-space addresses of x86-64 and arm64 fit in 48 bits
 * (the manager checks its mempool at start). Half the size of a pointer +
 * verdict pair: the ring's slots are the cache lines that cross from the
 * NF's core to the manager's for every packet.
 */
typedef uint64_t onvm_tx_elem;

#define ONVM_TX_PTR_BITS  48
#define ONVM_TX_PTR_MASK  ((UINT64_C(1) << ONVM_TX_PTR_BITS) - 1)
#define ONVM_TX_DEST_MAX  0x3fffu /* a larger destination becomes this: invalid */

static inline onvm_tx_elem
onvm_tx_pack(struct rte_mbuf *pkt, struct onvm_verdict v)
{
	/* A bad destination stays bad, so the manager drops and counts it
	 * as such. */
	uint64_t action = onvm_action_taken(v.action);
	uint64_t dest = v.destination <= ONVM_TX_DEST_MAX ? v.destination : ONVM_TX_DEST_MAX;

	return (uint64_t)(uintptr_t)pkt | dest << ONVM_TX_PTR_BITS | action << 62;
}

static inline struct rte_mbuf *
onvm_tx_pkt(onvm_tx_elem e)
{
	return (struct rte_mbuf *)(uintptr_t)(e & ONVM_TX_PTR_MASK);
}

static inline struct onvm_verdict
onvm_tx_verdict(onvm_tx_elem e)
{
	return (struct onvm_verdict){ .action = (uint8_t)(e >> 62),
				      .destination = (uint16_t)((e >> ONVM_TX_PTR_BITS) &
								ONVM_TX_DEST_MAX) };
}

/*
 * An NF's RX ring carries the same 8-byte elements the other way: the
 * packet pointer, then 6 bits for the port it came in on (63: none) and
 * 10 for its flow-hash bucket (docs/elastic.md). An NF that only needs to know where a packet entered
 * (a bridge) then never reads the mbuf; reading its metadata there cost
 * two cross-core cache-line transfers per packet.
 */
typedef uint64_t onvm_rx_elem;

#define ONVM_BUCKETS 1024           /* flow-hash buckets of a service */
#define ONVM_RX_PORT_NONE 63u       /* in port field of a packet from no port */

static inline onvm_rx_elem
onvm_rx_pack(struct rte_mbuf *pkt, uint16_t in_port, uint32_t flow_hash)
{
	uint64_t port = in_port < ONVM_RX_PORT_NONE ? in_port : ONVM_RX_PORT_NONE;
	uint64_t bucket = flow_hash & (ONVM_BUCKETS - 1);

	return (uint64_t)(uintptr_t)pkt | port << ONVM_TX_PTR_BITS | bucket << 54;
}

static inline struct rte_mbuf *
onvm_rx_pkt(onvm_rx_elem e)
{
	return (struct rte_mbuf *)(uintptr_t)(e & ONVM_TX_PTR_MASK);
}

static inline uint16_t
onvm_rx_in_port(onvm_rx_elem e)
{
	uint16_t port = (uint16_t)((e >> ONVM_TX_PTR_BITS) & 0x3f);

	return port == ONVM_RX_PORT_NONE ? 0xffff : port;
}

/* The packet's flow-hash bucket (valid for services whose NFs keep state,
 * and whenever the service has several instances). */
static inline uint16_t
onvm_rx_bucket(onvm_rx_elem e)
{
	return (uint16_t)(e >> 54);
}

#define ONVM_META_F_HASH 0x01 /* flow_hash is valid */

/* The manager's per-packet state: where the packet is in its chain. NFs
 * read it only through onvm_pkt_in_port() and onvm_nflib_pkt_time_ns(). */
struct onvm_pkt_meta {
	uint8_t chain_hop;   /* index of the hop the packet is at */
	uint8_t chain_gen;   /* which chain table generation (0/1) */
	uint16_t chain_id;   /* chain in the generation above */
	uint8_t flags;
	uint8_t reserved;
	uint16_t owner;      /* NF id holding the packet, 0 = the manager */
	uint16_t in_port;    /* port the packet entered on, or 0xffff */
	uint16_t reserved2;
	uint32_t flow_hash;  /* symmetric 5-tuple hash when ONVM_META_F_HASH */
	uint64_t rx_ns;      /* arrival, ns since 1970: the kernel's time on af_packet
	                      * ports, the manager's clock at RX on others */
};

/*
 * The metadata lives in the mbuf's dynamic-field area, in the mbuf's second
 * cache line, which RX, TX and free touch anyway: no extra cache line per
 * packet. The manager registers the field; NFs look it up (onvm_meta.c).
 */
#define ONVM_META_DYNFIELD "onvm_pkt_meta"

extern int onvm_meta_offset;

int onvm_meta_register(void);  /* manager, before creating the pool */
int onvm_meta_lookup(void);    /* NFs, after attaching */

static inline struct onvm_pkt_meta *
onvm_pkt_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, onvm_meta_offset, struct onvm_pkt_meta *);
}

/* ------------------------------------------------------------------ */
/* NFs */

enum onvm_nf_state {
	ONVM_NF_FREE = 0,    /* slot unused */
	ONVM_NF_CLAIMED,     /* an NF took the slot and is filling its request */
	ONVM_NF_RUNNING,     /* manager accepted it; traffic flows to it */
	ONVM_NF_STOPPING,    /* NF asked to leave, or manager asked it to */
	ONVM_NF_REJECTED,    /* manager refused the request (see reject_reason) */
};

/* Counters the NF writes (its own cache line: no false sharing). */
struct onvm_nf_counters {
	uint64_t rx;
	uint64_t tx;         /* returned to the manager with any action */
	uint64_t act_drop;
	uint64_t act_next;
	uint64_t act_tonf;
	uint64_t act_out;
	uint64_t tx_wait;    /* times its TX ring was full (backpressure) */
	uint64_t wakeups;
} __rte_cache_aligned;

/* Counters the manager writes about an NF. */
struct onvm_nf_mgr_counters {
	uint64_t enqueued;   /* packets put on its RX ring */
	uint64_t enq_drop;   /* RX ring full at the entry of a chain */
	uint64_t dequeued;   /* packets taken from its TX ring */
	uint64_t reclaimed;  /* packets freed when it died */
} __rte_cache_aligned;

/* Named counters an NF publishes (e.g. "denied", "alerts"). */
#define ONVM_NF_MAX_COUNTERS 16
struct onvm_nf_named_counter {
	char name[24];
	uint64_t value;
};

/*
 * A request from the manager to an NF about the state of its flows, in
 * the NF's slot. The manager fills it and bumps seq; the NF, between two
 * bursts, carries it out and sets done_seq = seq (release). One at a time.
 */
enum onvm_state_op {
	ONVM_STATE_EXPORT = 1, /* write the buckets' flows into blob (after rx_target) */
	ONVM_STATE_IMPORT,     /* take the blob's flows */
	ONVM_STATE_DROP,       /* forget the buckets' flows */
};

#define ONVM_STATE_NO_CALLBACKS (-2) /* result: the NF keeps no movable state */
#define ONVM_STATE_TOO_SMALL    (-3) /* result: export did not fit blob_cap */

struct onvm_state_req {
	volatile uint32_t seq;
	volatile uint32_t done_seq;
	uint32_t op;               /* enum onvm_state_op */
	int32_t result;            /* 0 or -1 (refused), or one of the above */
	uint32_t flows;            /* flows exported or imported */
	uint32_t rx_target;        /* EXPORT: RX ring position the NF reads past first */
	uint32_t tx_mark;          /* EXPORT: its TX ring position when it exported */
	uint64_t blob_len;
	uint64_t blob_cap;
	void *blob;                /* hugepage memory: same address in both */
	uint64_t buckets[ONVM_BUCKETS / 64];
};

struct onvm_nf_slot {
	volatile uint32_t state;       /* enum onvm_nf_state */
	volatile uint32_t ready;       /* its packet loop runs (set by the NF) */
	uint16_t id;
	uint16_t service_id;
	uint16_t instance;             /* asked for by the NF (-n) or ONVM_INSTANCE_ANY;
					* the one given once RUNNING */
	uint16_t requested_service;    /* 0 = by name */
	int32_t pid;                   /* set by the manager: the process holding
					* lock_path, as its PID namespace sees it
					* (0: not visible); never the NF's getpid() */
	uint32_t cpu;
	uint64_t claimed_tsc;
	char name[ONVM_NAME_LEN];      /* program name, e.g. "firewall" */
	char service_name[ONVM_NAME_LEN];
	char lock_path[ONVM_PATH_LEN]; /* flock()ed by the NF for its whole life */
	char reject_reason[96];
	struct rte_ring *rx_ring;      /* manager -> NF */
	struct rte_ring *tx_ring;      /* NF -> manager, onvm_tx_elem */

	/*
	 * Shared-core sleep: the NF sets `sleeping`, re-checks its ring and
	 * futex-waits on wake_seq; the manager bumps wake_seq and wakes it
	 * after enqueueing. Kept on its own line: both sides touch it.
	 */
	volatile uint32_t sleeping __rte_cache_aligned;
	volatile uint32_t wake_seq;
	/* Set by the manager to stop this NF alone (onvmctl scale down): it
	 * leaves as on Ctrl-C. */
	volatile uint32_t stop_asked;

	/* Elastic state (docs/elastic.md): set by the NF when it registered
	 * state callbacks, and the manager's requests about its flows. */
	volatile uint32_t stateful;
	struct onvm_state_req state_req;

	struct onvm_nf_counters nf_stats;
	struct onvm_nf_mgr_counters mgr_stats;
	uint32_t num_counters;
	struct onvm_nf_named_counter counters[ONVM_NF_MAX_COUNTERS];
} __rte_cache_aligned;

/* ------------------------------------------------------------------ */
/* Services: a name/id and the NF ids of its running instances. */

#define ONVM_SVC_F_USED 0x1 /* named, referenced by a chain, or ever run */
#define ONVM_SVC_F_STATEFUL 0x2 /* its NFs keep movable state: packets carry
				  * their bucket, and a new instance gets
				  * flows only by a move */

struct onvm_service {
	uint16_t id;
	uint16_t flags;
	uint16_t num_instances;        /* read by data lcores without locks */
	uint16_t instances[ONVM_MAX_INSTANCES];     /* NF ids */
	uint16_t instance_nums[ONVM_MAX_INSTANCES]; /* their instance numbers */
	char name[ONVM_NAME_LEN];      /* "" when only known by number */
	uint64_t no_instance_drops;    /* a hop with nobody running: counted */
	/*
	 * Which instance (NF id) takes each flow-hash bucket: the data lcores'
	 * whole choice for a service with several instances. ONVM_BUCKET_HELD:
	 * a move holds the bucket's packets at the manager.
	 */
	uint16_t bucket_nf[ONVM_BUCKETS];
} __rte_cache_aligned;

#define ONVM_BUCKET_HELD 0xffffu

/* ------------------------------------------------------------------ */
/* Chains. Two generations: the data lcores read `active_gen`; a reload
 * writes the other one and flips it. Packets in flight keep the generation
 * stamped in their metadata, so they finish on the chain they started on. */

#define ONVM_PORT_NONE   0xffff /* after the last hop: drop (counted) */
#define ONVM_PORT_PAIRED 0xfffe /* after the last hop: out of in_port ^ 1 */

struct onvm_chain {
	char name[ONVM_NAME_LEN];
	uint16_t num_hops;
	uint16_t hops[ONVM_MAX_HOPS];  /* service ids */
	uint16_t out_port;             /* after the last hop; ONVM_PORT_NONE = drop */
	int32_t priority;
};

struct onvm_chain_table {
	uint32_t num_chains;
	struct onvm_chain chains[ONVM_MAX_CHAINS];
};

/* ------------------------------------------------------------------ */
/* Ports */

/*
 * A port's counters, named once: the name is what the stats table,
 * telemetry and metrics show.
 */
#define foreach_onvm_port_counter                                                          \
	_(RX, "rx", "packets received")                                                     \
	_(TX, "tx", "packets sent")                                                         \
	_(TX_DROP, "tx_drop", "packets the port did not take")                              \
	_(NO_CHAIN, "no_chain", "packets that matched no chain, with no default service")  \
	_(ENTRY_DROP, "entry_drop", "packets dropped at the chain entry: its first NF stayed full")

enum onvm_port_counter {
#define _(sym, name, help) ONVM_PORT_##sym,
	foreach_onvm_port_counter
#undef _
	ONVM_PORT_N_COUNTERS
};

extern const char *const onvm_port_counter_names[ONVM_PORT_N_COUNTERS];
extern const char *const onvm_port_counter_help[ONVM_PORT_N_COUNTERS];

struct onvm_port_counters {
	uint64_t c[ONVM_PORT_N_COUNTERS]; /* by enum onvm_port_counter */
} __rte_cache_aligned;

struct onvm_port_info {
	uint16_t port_id;      /* DPDK port id (= index in onvm_shared.ports) */
	uint16_t enabled;      /* in the manager's portmask */
	struct rte_ether_addr mac;
	char name[ONVM_NAME_LEN];
	struct onvm_port_counters stats;
};

/* ------------------------------------------------------------------ */

enum onvm_mgr_state {
	ONVM_MGR_STARTING = 0,
	ONVM_MGR_RUNNING,
	ONVM_MGR_STOPPING,
};

struct onvm_shared {
	uint32_t magic;
	uint32_t abi_version;
	volatile uint32_t mgr_state;   /* enum onvm_mgr_state */
	uint32_t shared_core;          /* -c: idle NFs sleep */
	uint64_t data_cpu_mask;        /* CPUs the manager's data lcores spin on */
	uint64_t control_cpu_mask;     /* CPU of the manager's control lcore */
	int32_t mgr_pid;
	uint16_t default_service;      /* 0 = none */
	uint16_t num_ports;            /* highest enabled DPDK port id + 1 */
	uint32_t port_mask;            /* enabled DPDK port ids */
	struct onvm_port_info ports[ONVM_MAX_PORTS]; /* index = DPDK port id */
	/* The packet pool's mempool driver, by name: an NF whose DPDK maps the
	 * pool's driver index to another driver must not touch the pool. */
	char pool_ops[32];

	struct onvm_nf_slot nfs[ONVM_MAX_NFS + 1];         /* index = NF id */
	struct onvm_service services[ONVM_MAX_SERVICES + 1]; /* index = service id */

	volatile uint32_t active_gen;
	struct onvm_chain_table chain_gens[2];
};

/* Message to the manager on ONVM_MSG_RING: an NF id that changed state. */
#define ONVM_MSG_NF_CLAIMED  1
#define ONVM_MSG_NF_STOPPING 2

static inline void *
onvm_msg_encode(uint32_t type, uint16_t nf_id)
{
	return (void *)(uintptr_t)(((uint64_t)type << 16) | nf_id);
}

static inline void
onvm_msg_decode(void *msg, uint32_t *type, uint16_t *nf_id)
{
	uint64_t v = (uint64_t)(uintptr_t)msg;

	*type = (uint32_t)(v >> 16);
	*nf_id = (uint16_t)(v & 0xffff);
}

#endif /* ONVM_COMMON_H */
