/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to onvm_nflib: the NF context and what the library files share. */
#ifndef ONVM_NFLIB_INTERNAL_H
#define ONVM_NFLIB_INTERNAL_H

#include <signal.h>
#include <stdbool.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "onvm_nflib.h"
#include "onvm_nflib_state.h"

struct onvm_nf_ctx {
	const char *name;
	struct onvm_shared *shm;
	struct onvm_nf_slot *slot;
	struct rte_mempool *pool;
	struct rte_ring *msg_ring;
	struct rte_ring *rx_ring;
	struct rte_ring *tx_ring;

	int app_argc;
	char **app_argv;

	/* nflib options */
	char service_arg[ONVM_NAME_LEN]; /* -r: "" = the NF's name */
	int instance_hint;               /* -n, -1 = any */
	bool cpu_given;                  /* EAL lcores were given explicitly */
	uint16_t ft_epoch_ms;            /* --ft: fault tolerance asked for, its epoch */

	int lock_fd;
	char lock_path[ONVM_PATH_LEN];

	volatile sig_atomic_t stop;
	void *user;

	onvm_tick_fn tick;
	uint64_t tick_interval_ns;
	uint64_t next_tick_ns;

	/* The burst being handled: each packet's in port, from its RX ring
	 * element (onvm_nflib_burst_in_ports), and the one a per-packet
	 * handler is called for. */
	uint16_t in_ports[ONVM_BURST];
	uint16_t buckets[ONVM_BURST];
	uint16_t cur;

	/* Elastic state (onvm_nflib_state.h): the NF's callbacks, or none. */
	struct onvm_state_ops state_ops;
	bool have_state_ops;
	int counter_state_refused;
	/* Buckets handled since the last checkpoint (nflib_dirty.h). */
	struct onvm_bucket_set dirty;

	int ts_dynfield;                 /* mbuf timestamp dynfield offset, or -1 */
	uint64_t ts_dynflag;
};

/* nflib_args.c */
int nflib_split_args(struct onvm_nf_ctx *nf, int argc, char **argv, int *eal_argc,
		     char ***eal_argv);

/* nflib_register.c */
int nflib_attach(struct onvm_nf_ctx *nf);
int nflib_register(struct onvm_nf_ctx *nf);
void nflib_unregister(struct onvm_nf_ctx *nf);

/* nflib_run.c */
void nflib_return_burst(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts,
			const struct onvm_verdict *v, uint16_t n);
void nflib_count_actions(struct onvm_nf_ctx *nf, const struct onvm_verdict *v, uint16_t n);

/* The NF's counter of packets it gave `action`, as the manager takes it
 * (a garbage action counts as a drop). */
static inline uint64_t *
nflib_action_counter(struct onvm_nf_counters *c, uint8_t action)
{
	uint64_t *by_action[] = {
		[ONVM_ACTION_DROP] = &c->act_drop,
		[ONVM_ACTION_NEXT] = &c->act_next,
		[ONVM_ACTION_TONF] = &c->act_tonf,
		[ONVM_ACTION_OUT] = &c->act_out,
	};

	return by_action[onvm_action_taken(action)];
}

void nflib_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* nflib_state.c: carry out the manager's pending state request, if any
 * (between bursts). */
void nflib_state_poll(struct onvm_nf_ctx *nf);
/* The same, for a checkpoint only: called while the NF waits for room on
 * its TX ring, which the manager makes only once a checkpoint is in the
 * standby (a move's export must wait for the burst to be returned). */
void nflib_state_poll_checkpoint(struct onvm_nf_ctx *nf);

#endif /* ONVM_NFLIB_INTERNAL_H */
