/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the agent's files: of_agent.c (thread, sockets),
 * of_agent_conn.c (one connection's buffers), of_agent_ops.c (what the
 * sessions ask: ports, checks, PACKET_OUT, barrier; status) and
 * of_agent_publish.c (compile, publish, harvest, chains). */
#ifndef ONVM_OF_AGENT_PRIV_H
#define ONVM_OF_AGENT_PRIV_H

#include <pthread.h>
#include <sched.h>

#include "of_agent.h"
#include "of_session.h"
#include "ofdp_compile.h"

#define OFA_MAX_CONNS 16
#define OFA_MAX_CHAIN_FLOWS 4096
/* Replies queued for a controller that does not read: past this, its
 * connection is closed rather than let the agent's memory grow. */
#define OFA_OUT_MAX (8u << 20)
/* A controller adding flows one by one would have the whole table
 * compiled after every socket read: between two publishes at least this
 * long passes, unless a barrier, a PACKET_OUT or a chain reload needs the
 * table now. */
#define OFA_PUBLISH_GAP_MS 20
/* How long one connection's messages are handled before the others get
 * their turn: a controller flooding FLOW_MODs (each one a walk of its
 * table) would otherwise keep the agent, and the switch's lock, for
 * seconds per socket read, and every other controller waiting. */
#define OFA_INPUT_BUDGET_MS 5

struct ofa_conn {
	int fd;
	bool active;          /* the --of-controller connection */
	bool connecting;      /* non-blocking connect() in progress */
	size_t have;          /* bytes in `in` */
	size_t sent;          /* bytes of `out` already on the socket */
	struct of_session s;
	struct ofp_buf out;
	uint8_t in[1 << 17];
};

struct of_agent {
	struct ofa_config cfg;
	struct ofa_host host;
	struct ofdp_io io;
	struct of_switch sw;
	struct of_datapath_ops ops;
	/* The switch and the table published from it: the agent thread vs
	 * chain reloads and telemetry. Never held across socket I/O. Taken
	 * through ofa_lock_*(): see there. */
	pthread_mutex_t lock;
	uint32_t host_waiting;    /* callers from outside the agent thread */
	pthread_t thread;
	bool running;
	volatile bool stop;
	uint64_t dpid;

	int listen_fd;
	struct ofa_conn *conns[OFA_MAX_CONNS];
	/* --of-controller */
	uint64_t ctrl_next_try_ms;
	uint32_t ctrl_backoff_ms;

	/* The host's chain entries, sorted by flow id. */
	struct ofdp_chain_flow chains[OFA_MAX_CHAIN_FLOWS];
	uint32_t n_chains;
	uint32_t chain_gen;

	struct ofdp_table *published;   /* what the data lcores run, or NULL */
	uint64_t compiled_generation;   /* sw.generation published last */
	uint64_t published_ms;
	uint64_t *harvested;            /* ofdp_harvest's `seen` for `published` */
	uint64_t services_up;           /* bit S-1: service S had running NFs */
	uint64_t next_expire_ms;
};

extern struct of_agent g_ofa;

/*
 * The switch lock. Under a controller's load the agent thread takes it
 * once per batch of messages in a tight loop, and glibc's mutexes are not
 * fair: a chain reload (with one lcore, the data path's own thread) could
 * wait for seconds. So a caller from outside says it is waiting, and the
 * agent thread lets it go first: it waits at most one batch.
 */
static inline void
ofa_lock_agent(struct of_agent *a)
{
	while (__atomic_load_n(&a->host_waiting, __ATOMIC_ACQUIRE))
		sched_yield();
	pthread_mutex_lock(&a->lock);
}

static inline void
ofa_lock_host(struct of_agent *a)
{
	__atomic_add_fetch(&a->host_waiting, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_lock(&a->lock);
	__atomic_sub_fetch(&a->host_waiting, 1, __ATOMIC_ACQ_REL);
}

static inline void
ofa_unlock(struct of_agent *a)
{
	pthread_mutex_unlock(&a->lock);
}

uint64_t ofa_now_ms(void);

/* of_agent_publish.c (with the lock held): compile and publish if the
 * switch changed (or `force`); harvest the published table's counters. */
void ofa_publish(struct of_agent *a, bool force);
/* The switch changed and OFA_PUBLISH_GAP_MS passed since the last publish
 * (read without the lock: the agent thread alone writes both). */
bool ofa_publish_due(const struct of_agent *a);
void ofa_harvest(struct of_agent *a);

/* of_agent_ops.c */
void ofa_ops_init(struct of_agent *a);

#endif /* ONVM_OF_AGENT_PRIV_H */
