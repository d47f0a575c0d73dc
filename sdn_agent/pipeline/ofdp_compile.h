/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofdp_compile: the switch (sdn_agent/switch) turned into what the data
 * lcores run (struct ofdp_table, ofdp.h), and the data lcores' counters
 * brought back into the switch's flows, groups, tables and meters. Pure
 * logic on the agent thread: no I/O, time and clock rate passed in, so
 * the unit tests compile random switches and compare the result with the
 * switch's own lookup.
 */
#ifndef ONVM_OFDP_COMPILE_H
#define ONVM_OFDP_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "of_switch.h"
#include "ofdp.h"

/* A table-0 flow the host installed for one of its JSON chains: its
 * classifier result is the chain id instead of a compiled flow. */
struct ofdp_chain_flow {
	uint64_t flow_id;
	uint16_t chain_id;
};

/* A growing array of compiled ops. */
struct ofdp_opvec {
	struct ofdp_op *v;
	uint32_t n, cap;
};

/* Compile an action list onto o, counting into p (ops and outputs).
 * packet_out allows OFPP_TABLE. An action the data path cannot execute
 * gives the OpenFlow error to send. */
ofp_err_t ofdp_compile_actions(const struct ofdp_env *env, const struct ofp_action_list *l,
			       bool packet_out, struct ofdp_opvec *o, struct ofdp_prog *p);

/* Can the data path execute this FLOW_MOD's instructions, this
 * GROUP_MOD's buckets? (The same compilation, thrown away.) */
ofp_err_t ofdp_check_flow(const struct ofdp_env *env, const struct ofp_flow_mod *fm);
ofp_err_t ofdp_check_group(const struct ofdp_env *env, const struct ofp_group_mod *gm);

/*
 * The whole switch: every table's classifier, flows, groups, meters and
 * counter rows. chains (sorted by flow_id) are the host's chain entries.
 * prev is the table in force, whose meters pass their bucket state on
 * (NULL: none). NULL when out of memory.
 */
struct ofdp_table *ofdp_compile(const struct of_switch *sw, const struct ofdp_env *env,
				const struct ofdp_chain_flow *chains, uint32_t n_chains,
				const struct ofdp_table *prev, uint64_t tsc_hz);

/* Every table's flows in flow id order (the order of ofdp_table.flows),
 * *n_out of them, in an array the caller frees; NULL when out of memory. */
const struct ofs_flow **ofdp_flows_by_id(const struct of_switch *sw, uint32_t *n_out);

/*
 * Harvest: add what the data lcores counted in t since the last harvest
 * to the switch's flows, groups, tables and meters. `seen` (of
 * ofdp_harvest_words(t) words, zeroed when t is published) remembers what
 * was already added.
 */
size_t ofdp_harvest_words(const struct ofdp_table *t);
void ofdp_harvest(struct of_switch *sw, const struct ofdp_table *t, uint64_t *seen,
		  uint64_t now_ms);

/* ofdp_meters.c: the switch's meters into t (sorted by id, bucket state
 * carried from prev), the index of meter `id` in t (-1: none), and the
 * meter part of the harvest (its words start at `seen`). */
int ofdp_compile_meters(const struct of_switch *sw, const struct ofdp_table *prev,
			uint64_t tsc_hz, struct ofdp_table *t);
int ofdp_meter_index(const struct ofdp_table *t, uint32_t id);
size_t ofdp_meter_harvest_words(const struct ofdp_table *t);
void ofdp_harvest_meters(struct of_switch *sw, const struct ofdp_table *t, uint64_t *seen);

#endif /* ONVM_OFDP_COMPILE_H */
