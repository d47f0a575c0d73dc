/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * onvm_nflib.h: everything an NF author needs.
 *
 * An NF is a DPDK secondary process. Its command line is
 *
 *     nf [EAL options] -- [nflib options] -- [NF options]
 *
 * nflib options: -r SERVICE (id or name; default: the NF's name),
 *                -n INSTANCE (a hint; the manager numbers instances).
 *
 * A minimal NF:
 *
 *     static int
 *     handle(struct rte_mbuf *pkt, struct onvm_verdict *v, struct onvm_nf_ctx *nf)
 *     {
 *             return onvm_nf_next(v);
 *     }
 *
 *     int
 *     main(int argc, char **argv)
 *     {
 *             struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "simple_forward");
 *             onvm_nflib_run(nf, handle);
 *             return onvm_nflib_close(nf);
 *     }
 *
 * Packets are never freed by the NF: every packet handed to a handler goes
 * back to the manager with an action (drop included), so an NF that dies
 * cannot corrupt the shared mempool.
 */
#ifndef ONVM_NFLIB_H
#define ONVM_NFLIB_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "onvm_common.h"

struct onvm_nf_ctx;

/*
 * Per-packet handler: set the verdict (use the helpers below) and return 0.
 * The verdict starts as "next"; it lives in the NF's own memory, beside the
 * packet rather than in it, so a handler that never reads the packet never
 * touches its cache lines.
 */
typedef int (*onvm_pkt_handler_fn)(struct rte_mbuf *pkt, struct onvm_verdict *v,
				   struct onvm_nf_ctx *nf);

/* Per-burst handler: set v[i] for every packet pkts[i], i in [0, n). */
typedef void (*onvm_burst_handler_fn)(struct rte_mbuf **pkts, struct onvm_verdict *v, uint16_t n,
				      struct onvm_nf_ctx *nf);

/* Called from the NF's loop every `interval_ms` (also while idle). */
typedef void (*onvm_tick_fn)(struct onvm_nf_ctx *nf, uint64_t now_ns);

/*
 * Initialise EAL as a secondary, attach to the manager and register.
 * `nf_name` names the program (and the default service). On any failure it
 * prints one clear line to stderr and exits non-zero.
 */
struct onvm_nf_ctx *onvm_nflib_init(int argc, char **argv, const char *nf_name);

/* The NF's own options: what follows the second "--" (argv[0] = NF name). */
int onvm_nflib_app_argc(const struct onvm_nf_ctx *nf);
char **onvm_nflib_app_argv(const struct onvm_nf_ctx *nf);

/* Identity as the manager assigned it. */
uint16_t onvm_nflib_nf_id(const struct onvm_nf_ctx *nf);
uint16_t onvm_nflib_service_id(const struct onvm_nf_ctx *nf);
uint16_t onvm_nflib_instance(const struct onvm_nf_ctx *nf);
const char *onvm_nflib_name(const struct onvm_nf_ctx *nf);

/* Look up a service id by name (0 when the manager does not know it). */
uint16_t onvm_nflib_service_lookup(const struct onvm_nf_ctx *nf, const char *name);

/* How many NFs run service `service_id` right now. */
uint16_t onvm_nflib_service_instances(const struct onvm_nf_ctx *nf, uint16_t service_id);

/* A port's MAC address, for NFs that rewrite Ethernet headers. */
int onvm_nflib_port_mac(const struct onvm_nf_ctx *nf, uint16_t port, struct rte_ether_addr *mac);
uint16_t onvm_nflib_num_ports(const struct onvm_nf_ctx *nf);

/* An opaque pointer for the NF's own state. */
void onvm_nflib_set_user(struct onvm_nf_ctx *nf, void *user);
void *onvm_nflib_user(const struct onvm_nf_ctx *nf);

void onvm_nflib_set_tick(struct onvm_nf_ctx *nf, onvm_tick_fn fn, uint32_t interval_ms);

/*
 * Named counters the manager shows next to the NF's own rx/tx (in its
 * stats table and telemetry). Returns an index for onvm_nflib_counter_add,
 * or -1 when all ONVM_NF_MAX_COUNTERS are taken.
 */
int onvm_nflib_counter_register(struct onvm_nf_ctx *nf, const char *name);
void onvm_nflib_counter_add(struct onvm_nf_ctx *nf, int idx, uint64_t n);
/* For gauges (a rate, a table size) rather than running totals. */
void onvm_nflib_counter_set(struct onvm_nf_ctx *nf, int idx, uint64_t value);

/* Run the packet loop until stopped (signal, manager exit, or _stop()). */
int onvm_nflib_run(struct onvm_nf_ctx *nf, onvm_pkt_handler_fn handler);
int onvm_nflib_run_burst(struct onvm_nf_ctx *nf, onvm_burst_handler_fn handler);

/* Ask the loop to return (async-signal-safe). */
void onvm_nflib_stop(struct onvm_nf_ctx *nf);
bool onvm_nflib_stopping(const struct onvm_nf_ctx *nf);

/* Unregister, release EAL. Returns 0, to be used as main's exit code. */
int onvm_nflib_close(struct onvm_nf_ctx *nf);

/*
 * Packets an NF makes itself (load generators, replies). They enter the
 * platform through onvm_nflib_send() with one verdict for all of them; the
 * manager routes them as if the NF had returned them.
 */
struct rte_mbuf *onvm_nflib_alloc_pkt(struct onvm_nf_ctx *nf);
int onvm_nflib_alloc_bulk(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts, unsigned int n);
/* Returns how many were accepted; the rest still belong to the caller. */
unsigned int onvm_nflib_send(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts, unsigned int n,
			     struct onvm_verdict v);
/* Give back packets the NF allocated but will not send. */
void onvm_nflib_free_unsent(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts, unsigned int n);

/* When the packet arrived (ns since the epoch): a replayed capture's
 * timestamp on net_pcap ports, else the manager's rx_ns (the kernel's
 * receive time on net_af_packet ports, the manager's clock at RX on others). */
uint64_t onvm_nflib_pkt_time_ns(const struct onvm_nf_ctx *nf, struct rte_mbuf *pkt);

/* The port the packet entered the platform on, or ONVM_PORT_NONE for a
 * packet an NF made. Reads the packet's metadata (one cache line that the
 * manager's core then has to fetch back); in a handler, prefer the two
 * below, which read it from the ring. */
static inline uint16_t
onvm_pkt_in_port(struct rte_mbuf *pkt)
{
	return onvm_pkt_meta(pkt)->in_port;
}

/* In a per-packet handler: the in port of the packet being handled. In a
 * burst handler: the in port of each packet of the burst. Both come with
 * the packet on the RX ring; the packet itself is not touched. */
uint16_t onvm_nflib_in_port(const struct onvm_nf_ctx *nf);
const uint16_t *onvm_nflib_burst_in_ports(const struct onvm_nf_ctx *nf);

/* When the packet arrived (ns since the epoch), as the manager knows it:
 * the kernel's receive time on net_af_packet ports, else its clock at RX. */
static inline uint64_t
onvm_pkt_rx_ns(struct rte_mbuf *pkt)
{
	return onvm_pkt_meta(pkt)->rx_ns;
}

/* Wall clock in ns. */
uint64_t onvm_nflib_now_ns(void);

/* ---- actions: return these from a per-packet handler ---- */

static inline int
onvm_nf_drop(struct onvm_verdict *v)
{
	v->action = ONVM_ACTION_DROP;
	return 0;
}

static inline int
onvm_nf_next(struct onvm_verdict *v)
{
	v->action = ONVM_ACTION_NEXT;
	return 0;
}

static inline int
onvm_nf_to_service(struct onvm_verdict *v, uint16_t service_id)
{
	v->action = ONVM_ACTION_TONF;
	v->destination = service_id;
	return 0;
}

static inline int
onvm_nf_out_port(struct onvm_verdict *v, uint16_t port)
{
	v->action = ONVM_ACTION_OUT;
	v->destination = port;
	return 0;
}

/* The same as values, for onvm_nflib_send(). */
static inline struct onvm_verdict
onvm_verdict_to_service(uint16_t service_id)
{
	return (struct onvm_verdict){ .action = ONVM_ACTION_TONF, .destination = service_id };
}

static inline struct onvm_verdict
onvm_verdict_out_port(uint16_t port)
{
	return (struct onvm_verdict){ .action = ONVM_ACTION_OUT, .destination = port };
}

/* ---- argument helpers shared by all NFs ---- */

/* Parse a whole decimal/hex number into *out within [min, max]; 0 on success. */
int onvm_arg_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

#endif /* ONVM_NFLIB_H */
