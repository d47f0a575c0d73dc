/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_agent: the manager's embedded OpenFlow 1.3 agent (docs/sdn.md).
 *
 * One pthread of its own (never a data lcore) owns the of_switch and
 * every controller connection: a poll() loop over the --of-listen socket,
 * the accepted connections and the --of-controller connection (reconnect
 * with backoff 100 ms doubling to 4 s), one of_session per connection.
 * After each batch of FLOW_MOD/GROUP_MOD, and before every BARRIER_REPLY,
 * table 0 of the switch (controller flows and the JSON chains' flows) is
 * compiled into the one classifier the RX path uses and published; the
 * data lcores pass a quiescent point before the reply goes out.
 */
#ifndef ONVM_OF_AGENT_H
#define ONVM_OF_AGENT_H

#include <stdbool.h>

#include "mgr.h"

struct chain_set;

/* --of-listen or --of-controller given. */
bool of_agent_enabled(const struct mgr *m);
/* The switch and the data path rings; before mgr_chains_init(). */
int of_agent_init(struct mgr *m);
/* Start the thread (after the chains are loaded); -1 if a socket fails. */
int of_agent_start(struct mgr *m);
/* Join the thread and close every socket (the data lcores may still run:
 * their rings stay until of_agent_free(), after they stopped). */
void of_agent_stop(struct mgr *m);
void of_agent_free(struct mgr *m);

/*
 * The chains of `set` (chain i is chain id i + 1; generation `gen` of the
 * chain table already written) replace the JSON chains' entries in the
 * switch (cookie = chain id, output to the first hop's service port);
 * then table 0 is compiled and published with that generation. Call with
 * of_agent_lock() held.
 */
int of_agent_chains_loaded(struct mgr *m, const struct chain_set *set, uint32_t gen, char *err,
			   size_t errlen);
void of_agent_lock(void);
void of_agent_unlock(void);

#endif /* ONVM_OF_AGENT_H */
