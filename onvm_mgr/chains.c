/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The chains in force: loading the -C files, writing a generation of the
 * chain table in shared memory, and making it the forwarding state.
 *
 * Chain 0 is the default chain: the default service (-d), then out of the
 * port paired with the one the packet came in on. Chains from -C files are
 * chains 1..N. Their matches are compiled into the table-0 classifier; a
 * packet that matches none takes chain 0. With the OpenFlow agent the
 * chains are entries of its table 0 instead (dump-flows shows them), and
 * the agent compiles that table for the forwarding state.
 *
 * The chain table has two generations. A reload writes the one not in
 * force and publishes it with the classifier that maps into it, so an RX
 * burst sees either the whole old set or the whole new one; packets keep
 * the generation stamped in their metadata and finish on their chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "chain_config.h"
#include "classifier.h"
#include "fwd.h"
#include "mgr.h"
#include "mgr_openflow.h"

/* A generation may be rewritten only after packets stamped with it are
 * long gone: a packet crosses a chain in micro- to milliseconds. */
#define GENERATION_REUSE_MS 200

static uint64_t last_flip_tsc;

static int
resolve_service(void *ctx, const char *name_or_id, uint16_t *id, char *why, size_t whylen)
{
	return nf_registry_resolve_service(ctx, name_or_id, id, why, whylen);
}

static void
fill_default_chain(struct mgr *m, struct onvm_chain *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "default");
	c->num_hops = 1;
	c->hops[0] = m->shm->default_service;
	c->out_port = ONVM_PORT_PAIRED;
	c->priority = -1;
}

/* Load every -C file into a new set; nothing changes on error. */
static int
load_chain_files(struct mgr *m, struct chain_set *set, char *err, size_t errlen)
{
	chain_set_init(set);
	for (unsigned int i = 0; i < m->cfg.num_chain_files; i++) {
		if (chain_set_load(set, m->cfg.chain_files[i], resolve_service, m, err, errlen) < 0) {
			chain_set_free(set);
			return -1;
		}
	}
	return 0;
}

/* Write generation `gen` of the chain table in shared memory. */
static void
write_generation(struct mgr *m, const struct chain_set *set, uint32_t gen)
{
	struct onvm_chain_table *t = &m->shm->chain_gens[gen];

	fill_default_chain(m, &t->chains[0]);
	for (uint32_t i = 0; i < set->num_chains; i++) {
		const struct chain_def *d = &set->chains[i];
		struct onvm_chain *c = &t->chains[i + 1];

		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", d->name);
		c->num_hops = d->num_hops;
		memcpy(c->hops, d->hops, sizeof(c->hops));
		c->out_port = d->out_port == CHAIN_PORT_NONE ? ONVM_PORT_NONE : d->out_port;
		c->priority = (int32_t)d->priority;
	}
	t->num_chains = set->num_chains + 1;
}

/* The classifier of a chain set (chain i + 1 for set->chains[i]), or NULL
 * for an empty set; -1 when out of memory. */
static int
build_classifier(const struct chain_set *set, struct classifier **out, char *err, size_t errlen)
{
	struct classifier *cls;

	*out = NULL;
	if (set->num_chains == 0)
		return 0;
	cls = classifier_create();
	if (cls == NULL) {
		snprintf(err, errlen, "out of memory building the classifier");
		return -1;
	}
	for (uint32_t i = 0; i < set->num_chains; i++) {
		if (classifier_add_match(cls, &set->chains[i].match, set->chains[i].priority,
					 i + 1) < 0) {
			classifier_free(cls);
			snprintf(err, errlen, "out of memory compiling chain '%s'",
				 set->chains[i].name);
			return -1;
		}
	}
	*out = cls;
	return 0;
}

/* Generation `gen` (written) becomes the forwarding state: through the
 * OpenFlow agent when it runs (its table 0 holds the chains), else with a
 * classifier of our own. */
static int
publish_generation(struct mgr *m, const struct chain_set *set, uint32_t gen, char *err,
		   size_t errlen)
{
	struct fwd_state *next, *old;
	struct classifier *cls;

	if (mgr_of_enabled(m))
		return mgr_of_set_chains(m, set, gen, err, errlen);
	next = calloc(1, sizeof(*next));
	if (next == NULL) {
		snprintf(err, errlen, "out of memory building the forwarding state");
		return -1;
	}
	if (build_classifier(set, &cls, err, errlen) < 0) {
		free(next);
		return -1;
	}
	next->chain_gen = gen;
	next->table0 = cls;
	old = fwd_publish(m, next);
	if (old) {
		classifier_free((struct classifier *)old->table0);
		free(old);
	}
	return 0;
}

static void
print_chains(const struct chain_set *set)
{
	for (uint32_t i = 0; i < set->num_chains; i++) {
		const struct chain_def *d = &set->chains[i];
		char hops[256] = "";

		for (uint16_t h = 0; h < d->num_hops; h++) {
			size_t len = strlen(hops);
			snprintf(hops + len, sizeof(hops) - len, "%s%s(%u)", h ? " -> " : "",
				 d->hop_names[h], d->hops[h]);
		}
		printf("onvm_mgr: chain %u '%s' priority %u: %s%s\n", i + 1, d->name, d->priority,
		       hops, d->out_port == CHAIN_PORT_NONE ? "" : " -> out port");
	}
}

int
mgr_chains_init(struct mgr *m)
{
	const char *dflt = m->cfg.default_service[0] ? m->cfg.default_service : "1";
	char err[CFG_ERR_LEN];
	struct chain_set set;
	uint16_t svc;

	if (nf_registry_resolve_service(m, dflt, &svc, err, sizeof(err)) < 0) {
		fprintf(stderr, "onvm_mgr: -d: %s\n", err);
		return -1;
	}
	m->shm->default_service = svc;
	if (load_chain_files(m, &set, err, sizeof(err)) < 0) {
		fprintf(stderr, "onvm_mgr: %s\n", err);
		return -1;
	}
	write_generation(m, &set, 0);
	m->shm->chain_gens[1] = m->shm->chain_gens[0];
	m->shm->active_gen = 0;
	if (publish_generation(m, &set, 0, err, sizeof(err)) < 0) {
		chain_set_free(&set);
		fprintf(stderr, "onvm_mgr: %s\n", err);
		return -1;
	}
	print_chains(&set);
	chain_set_free(&set);
	last_flip_tsc = rte_get_tsc_cycles();
	return 0;
}

int
mgr_chains_reload(struct mgr *m, char *err, size_t errlen)
{
	struct chain_set set;
	uint32_t gen = fwd_current()->chain_gen ^ 1;
	int rc;

	/* The generation we rewrite may still be stamped on packets of the
	 * reload before last: give them time to leave. */
	if (rte_get_tsc_cycles() - last_flip_tsc < rte_get_tsc_hz() * GENERATION_REUSE_MS / 1000)
		return MGR_RELOAD_LATER;
	if (load_chain_files(m, &set, err, errlen) < 0) {
		fprintf(stderr, "onvm_mgr: reload refused, the chains in force are unchanged: %s\n",
			err);
		return -1;
	}
	write_generation(m, &set, gen);
	mgr_stats_chains_begin(m, gen);
	rc = publish_generation(m, &set, gen, err, errlen);
	if (rc == 0)
		__atomic_store_n(&m->shm->active_gen, gen, __ATOMIC_RELEASE);
	mgr_stats_chains_end(m, gen, rc == 0);
	if (rc < 0) {
		chain_set_free(&set);
		fprintf(stderr, "onvm_mgr: reload failed, the chains in force are unchanged: %s\n",
			err);
		return -1;
	}
	print_chains(&set);
	chain_set_free(&set);
	last_flip_tsc = rte_get_tsc_cycles();
	printf("onvm_mgr: chains reloaded (generation %u)\n", gen);
	fflush(stdout);
	return 0;
}

void
mgr_chains_free(struct mgr *m)
{
	struct fwd_state *st = fwd_take_last();

	/* With OpenFlow the classifier is the agent's table's: it frees it. */
	if (st && !mgr_of_enabled(m))
		classifier_free((struct classifier *)st->table0);
	free(st);
}
