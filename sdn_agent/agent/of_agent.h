/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_agent: the embedded OpenFlow 1.3 agent (docs/sdn.md).
 *
 * One thread of its own (never a data lcore) owns the switch
 * (sdn_agent/switch) and every controller connection: a poll() loop over
 * the --of-listen socket, the accepted connections and the
 * --of-controller connection (reconnect with backoff 100 ms doubling to
 * 4 s), one of_session per connection. After each batch of FLOW_MOD /
 * GROUP_MOD / METER_MOD, and before every BARRIER_REPLY, the switch is
 * compiled (sdn_agent/pipeline) and handed to the host to publish.
 *
 * The agent knows its host only through struct ofa_host: it never sees
 * the manager's structures, and the manager sees only this header.
 *
 * Sockets never block the agent, and no lock is held across socket I/O:
 * a controller that stops reading has its replies queued up to a bound,
 * then loses its connection (and the log says so), while forwarding and
 * chain reloads go on.
 */
#ifndef ONVM_OF_AGENT_H
#define ONVM_OF_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow_key.h"
#include "ofdp.h"
#include "ofp.h"

/* What the agent asks of its host; called on the agent thread. */
struct ofa_host {
	/* The ports a controller sees: DPDK ports, then running services. */
	unsigned (*port_list)(void *ctx, struct ofp_port_info *out, unsigned max);
	bool (*port_stats)(void *ctx, uint32_t port_no, struct ofp_port_stats_entry *out);
	/* Bit s-1 set: service s has a running instance (PORT_STATUS). */
	uint64_t (*services_up)(void *ctx);
	void (*service_port)(void *ctx, uint16_t svc, struct ofp_port_info *out);
	/*
	 * Make `next` (with chain table generation chain_gen) the table the
	 * data lcores run, and return the table it replaced once no data
	 * lcore can still be using it (NULL the first time).
	 */
	struct ofdp_table *(*publish)(void *ctx, struct ofdp_table *next, uint32_t chain_gen);
	void *ctx;
};

struct ofa_config {
	const char *listen;      /* "[IP:]PORT" or NULL */
	const char *controller;  /* "IP:PORT" or NULL */
	const char *dpid;        /* hex or decimal, or NULL: default_dpid */
	uint64_t default_dpid;
	uint64_t tsc_hz;         /* the clock meters run on */
	struct ofdp_env env;     /* io is filled in by of_agent_init */
};

/*
 * A table-0 entry standing for one of the host's JSON chains: packets it
 * matches start chain `chain_id` (whose first hop is first_service, the
 * output dump-flows shows).
 */
struct ofa_chain_entry {
	struct flow_key key;
	struct flow_key mask;
	uint16_t priority;
	uint16_t chain_id;
	uint16_t first_service;
};

/* Check the configuration, create the switch and the data path's rings;
 * -1 with a message on stderr. */
int of_agent_init(const struct ofa_config *cfg, const struct ofa_host *host);
/* The rings the data lcores share with the agent (ofdp_env.io). */
struct ofdp_io *of_agent_io(void);
/* Start the thread (after the chains are set); -1 if a socket fails. */
int of_agent_start(void);
/* Join the thread and close every socket (the data lcores may still run:
 * the rings stay until of_agent_free(), after they stopped). */
void of_agent_stop(void);
void of_agent_free(void);

/*
 * Replace the chain entries of table 0 with these (chain table generation
 * chain_gen already written by the host), compile and publish. -1 with
 * err when they do not fit; the chains in force stay.
 */
int of_agent_set_chains(const struct ofa_chain_entry *e, uint32_t n, uint32_t chain_gen,
			char *err, size_t errlen);

/* For the host's stats and telemetry. */
struct ofa_status {
	uint64_t datapath_id;
	uint32_t connections;
	uint32_t flows;
	uint32_t groups;
	uint32_t meters;
};
void of_agent_status(struct ofa_status *st);

#endif /* ONVM_OF_AGENT_H */
