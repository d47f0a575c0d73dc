/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mgr_openflow: the OpenFlow agent and pipeline (sdn_agent/) as the rest
 * of the manager sees them. mgr_openflow.c is the one file that includes
 * both the manager's headers and sdn_agent's; everything else in the
 * manager knows OpenFlow only through these calls and the forwarding
 * state's opaque `of` (fwd.h). Without --of-listen / --of-controller the
 * data lcore calls return at once.
 */
#ifndef ONVM_MGR_OPENFLOW_H
#define ONVM_MGR_OPENFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt_dest.h"

struct chain_set;
struct flow_key;
struct fwd_state;
struct mgr;
struct mgr_data_lcore;
struct rte_mbuf;

bool mgr_of_enabled(const struct mgr *m);
/* The agent and its rings; before mgr_chains_init(). */
int mgr_of_init(struct mgr *m);
/* Start the agent's thread once the chains are in; -1 if a socket fails. */
int mgr_of_start(struct mgr *m);
/* Join the agent's thread and close its sockets. */
void mgr_of_stop(struct mgr *m);
/* Free the agent, its tables and rings: after the data lcores stopped. */
void mgr_of_free(struct mgr *m);

/* The chains of `set` (chain i + 1 for set->chains[i]; generation gen of
 * the chain table already written) become table-0 entries, and the table
 * the forwarding state. -1 with err when they do not fit. */
int mgr_of_set_chains(struct mgr *m, const struct chain_set *set, uint32_t gen, char *err,
		      size_t errlen);

/* ---- data lcores ---- */

/* A burst's table-0 lookups (n packets, hits matched) for TABLE stats. */
void mgr_of_count_table0(struct mgr *m, const struct mgr_data_lcore *d,
			 const struct fwd_state *st, uint16_t n, uint16_t hits);
/* Packets whose table-0 result (results[i]) is an OpenFlow flow, with
 * their keys: run the pipeline, append where they go to out. */
void mgr_of_run(struct mgr *m, struct mgr_data_lcore *d, const struct fwd_state *st,
		struct rte_mbuf **pkts, const uint32_t *results, struct flow_key *keys, uint16_t n,
		struct pkt_dests *out);
/* Packets an OpenFlow flow had sent to service svc, back from its NF with
 * NEXT: they meet table 0 again with in_port = 1000 + svc. */
void mgr_of_reenter(struct mgr *m, struct mgr_data_lcore *d, const struct fwd_state *st,
		    struct rte_mbuf **pkts, uint16_t n, uint16_t svc, struct pkt_dests *out);
/* PACKET_OUTs the agent queued (RX lcore); false when there were none. */
bool mgr_of_poll_packet_out(struct mgr *m, struct mgr_data_lcore *d,
			    const struct fwd_state *st, struct pkt_dests *out);

/* ---- stats ---- */

/* The pipeline's drop counters, summed over the data lcores: their
 * number (0 without the agent), names and totals. */
unsigned int mgr_of_drop_count(const struct mgr *m);
const char *mgr_of_drop_name(unsigned int i);
uint64_t mgr_of_drop_total(const struct mgr *m, unsigned int i);

#endif /* ONVM_MGR_OPENFLOW_H */
