/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From the switch to the data lcores: compile (ofdp_compile.h), hand the
 * table to the host to publish, harvest the data lcores' counters back
 * into the switch; and the host's JSON chains as table-0 entries.
 * Called with the switch lock held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "of_agent_priv.h"

void
ofa_harvest(struct of_agent *a)
{
	ofdp_harvest(&a->sw, a->published, a->harvested, ofa_now_ms());
}

/* Publish t (compiled from the switch as it is now). */
static void
publish(struct of_agent *a, struct ofdp_table *t)
{
	struct ofdp_table *old = a->host.publish(a->host.ctx, t, a->chain_gen);

	/* No data lcore counts in the old table any more: take its last
	 * counts before it goes. */
	if (old) {
		ofdp_harvest(&a->sw, old, a->harvested, ofa_now_ms());
		ofdp_table_free(old);
	}
	free(a->harvested);
	a->harvested = calloc(ofdp_harvest_words(t), sizeof(uint64_t));
	a->published = t;
	a->compiled_generation = a->sw.generation;
	a->published_ms = ofa_now_ms();
}

static struct ofdp_table *
compile(struct of_agent *a)
{
	return ofdp_compile(&a->sw, &a->cfg.env, a->chains, a->n_chains, a->published,
			    a->cfg.tsc_hz);
}

void
ofa_publish(struct of_agent *a, bool force)
{
	struct ofdp_table *t;

	if (!force && a->sw.generation == a->compiled_generation && a->published)
		return;
	t = compile(a);
	if (t == NULL) {
		fprintf(stderr, "onvm_mgr: openflow: out of memory compiling the flow table\n");
		return;
	}
	publish(a, t);
}

bool
ofa_publish_due(const struct of_agent *a)
{
	return a->sw.generation != a->compiled_generation &&
	       ofa_now_ms() - a->published_ms >= OFA_PUBLISH_GAP_MS;
}

static int
by_flow_id(const void *x, const void *y)
{
	const struct ofdp_chain_flow *a = x, *b = y;

	return a->flow_id < b->flow_id ? -1 : a->flow_id > b->flow_id;
}

/* Install one chain entry; its flow id, or 0 when it does not fit. */
static uint64_t
add_chain_flow(struct of_agent *a, const struct ofa_chain_entry *e)
{
	struct ofp_action out = { .type = OFPAT_OUTPUT };
	struct ofp_flow_mod fm = { .cookie = e->chain_id, .table_id = 0, .command = OFPFC_ADD,
				   .priority = e->priority, .buffer_id = OFP_NO_BUFFER,
				   .out_port = OFPP_ANY, .out_group = OFPG_ANY };
	uint64_t id = a->sw.next_flow_id;

	fm.match.key = e->key;
	fm.match.mask = e->mask;
	out.u.output.port = FLOW_OFPORT_SERVICE_BASE + e->first_service;
	fm.insts.present = OFP_INST_BIT(OFPIT_APPLY_ACTIONS);
	fm.insts.apply.v = &out;
	fm.insts.apply.n = 1;
	return ofs_flow_mod(&a->sw, &fm, ofa_now_ms()) == OFP_OK ? id : 0;
}

int
of_agent_set_chains(const struct ofa_chain_entry *e, uint32_t n, uint32_t chain_gen, char *err,
		    size_t errlen)
{
	struct of_agent *a = &g_ofa;
	struct ofdp_chain_flow *added = calloc(n + 1, sizeof(*added));
	uint32_t n_added = 0;
	struct ofdp_table *t;

	if (added == NULL || n > OFA_MAX_CHAIN_FLOWS) {
		snprintf(err, errlen, "%u chain entries do not fit the OpenFlow table (at most %u)",
			 n, OFA_MAX_CHAIN_FLOWS);
		free(added);
		return -1;
	}
	ofa_lock_host(a);
	/* The new entries go in beside the old; the old leave only once the
	 * new all fit, so a failure leaves the chains in force. */
	for (; n_added < n; n_added++) {
		uint64_t id = add_chain_flow(a, &e[n_added]);

		if (id == 0)
			break;
		added[n_added] = (struct ofdp_chain_flow){ id, e[n_added].chain_id };
	}
	if (n_added < n) {
		for (uint32_t i = 0; i < n_added; i++)
			ofs_flow_remove_id(&a->sw, 0, added[i].flow_id);
		ofa_unlock(a);
		snprintf(err, errlen, "chain %u does not fit the OpenFlow table",
			 e[n_added].chain_id);
		free(added);
		return -1;
	}
	for (uint32_t i = 0; i < a->n_chains; i++)
		ofs_flow_remove_id(&a->sw, 0, a->chains[i].flow_id);
	qsort(added, n, sizeof(*added), by_flow_id);
	memcpy(a->chains, added, n * sizeof(*added));
	a->n_chains = n;
	a->chain_gen = chain_gen;
	free(added);
	t = compile(a);
	if (t == NULL) {
		ofa_unlock(a);
		snprintf(err, errlen, "out of memory compiling the OpenFlow table");
		return -1;
	}
	publish(a, t);
	ofa_unlock(a);
	return 0;
}
