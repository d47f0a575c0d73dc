/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which chain a packet entering the platform takes.
 *
 * Chain 0 is the default chain: the default service (-d), then out of the
 * port paired with the one the packet came in on. Chains from -C files are
 * chains 1..N. Their matches are compiled into a classifier; a packet that
 * matches none takes chain 0.
 *
 * The chain table in shared memory has two generations; the classifier
 * and the generation it maps into are published together, as one pointer
 * to a struct mgr_chain_state, so an RX burst sees either the whole old
 * set or the whole new one. Packets keep the generation stamped in their
 * metadata and finish on the chain they started on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "chain_config.h"
#include "classifier.h"
#include "flow_key.h"
#include "mgr.h"
#include "of_agent.h"
#include "of_datapath.h"

/* A generation may be rewritten only after packets stamped with it are
 * long gone: a packet crosses a chain in micro- to milliseconds. */
#define GENERATION_REUSE_MS 200

/* struct mgr_chain_state is in mgr.h. States are heap-allocated and
 * replaced whole; with the OpenFlow agent, of_agent builds them from its
 * flow table (which holds the chains too) and publishes them here. */
static struct mgr_chain_state *volatile current;
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

/* Write generation `gen` of the chain table and build its classifier. */
static int
build_generation(struct mgr *m, const struct chain_set *set, uint32_t gen,
		 struct mgr_chain_state *st, char *err, size_t errlen)
{
	struct onvm_chain_table *t = &m->shm->chain_gens[gen];

	bool of = of_agent_enabled(m);

	fill_default_chain(m, &t->chains[0]);
	st->gen = gen;
	st->cls = NULL;
	st->of = NULL;
	if (set->num_chains == 0) {
		t->num_chains = 1;
		return 0;
	}
	/* With OpenFlow, the chains are compiled from the switch's table. */
	st->cls = of ? NULL : classifier_create();
	if (!of && st->cls == NULL) {
		snprintf(err, errlen, "out of memory building the classifier");
		return -1;
	}
	for (uint32_t i = 0; i < set->num_chains; i++) {
		const struct chain_def *d = &set->chains[i];
		struct onvm_chain *c = &t->chains[i + 1];

		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", d->name);
		c->num_hops = d->num_hops;
		memcpy(c->hops, d->hops, sizeof(c->hops));
		c->out_port = d->out_port == CHAIN_PORT_NONE ? ONVM_PORT_NONE : d->out_port;
		c->priority = (int32_t)d->priority;
		if (!of && classifier_add_match(st->cls, &d->match, d->priority, i + 1) < 0) {
			classifier_free(st->cls);
			st->cls = NULL;
			snprintf(err, errlen, "out of memory compiling chain '%s'", d->name);
			return -1;
		}
	}
	t->num_chains = set->num_chains + 1;
	return 0;
}

static void
print_chains(struct mgr *m, const struct chain_set *set)
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
	struct mgr_chain_state *st = calloc(1, sizeof(*st));
	uint16_t svc;

	if (st == NULL)
		return -1;

	if (nf_registry_resolve_service(m, dflt, &svc, err, sizeof(err)) < 0) {
		fprintf(stderr, "onvm_mgr: -d: %s\n", err);
		return -1;
	}
	m->shm->default_service = svc;
	if (load_chain_files(m, &set, err, sizeof(err)) < 0) {
		fprintf(stderr, "onvm_mgr: %s\n", err);
		return -1;
	}
	if (build_generation(m, &set, 0, st, err, sizeof(err)) < 0) {
		chain_set_free(&set);
		free(st);
		fprintf(stderr, "onvm_mgr: %s\n", err);
		return -1;
	}
	m->shm->chain_gens[1] = m->shm->chain_gens[0];
	m->shm->active_gen = 0;
	if (of_agent_enabled(m)) {
		free(st);
		of_agent_lock();
		int rc = of_agent_chains_loaded(m, &set, 0, err, sizeof(err));
		of_agent_unlock();
		if (rc < 0) {
			chain_set_free(&set);
			fprintf(stderr, "onvm_mgr: %s\n", err);
			return -1;
		}
	} else {
		current = st;
	}
	print_chains(m, &set);
	chain_set_free(&set);
	last_flip_tsc = rte_get_tsc_cycles();
	return 0;
}

int
mgr_chains_reload(struct mgr *m)
{
	char err[CFG_ERR_LEN];
	struct chain_set set;
	bool of = of_agent_enabled(m);
	uint32_t gen = mgr_chains_current()->gen ^ 1;
	struct mgr_chain_state *next = calloc(1, sizeof(*next));
	int rc = 0;

	if (next == NULL)
		return -1;
	if (load_chain_files(m, &set, err, sizeof(err)) < 0) {
		fprintf(stderr, "onvm_mgr: reload refused, the chains in force are unchanged: %s\n",
			err);
		free(next);
		return -1;
	}
	/* The generation we rewrite may still be stamped on packets of the
	 * reload before last: give them time to leave. */
	while (rte_get_tsc_cycles() - last_flip_tsc < rte_get_tsc_hz() * GENERATION_REUSE_MS / 1000)
		rte_delay_ms(10);
	if (of)
		of_agent_lock(); /* the agent publishes too: one at a time */
	if (build_generation(m, &set, gen, next, err, sizeof(err)) < 0) {
		rc = -1;
	} else if (of) {
		/* The switch's chain entries are replaced and the whole table
		 * compiled and published with generation `gen`. */
		rc = of_agent_chains_loaded(m, &set, gen, err, sizeof(err));
		if (rc == 0)
			__atomic_store_n(&m->shm->active_gen, gen, __ATOMIC_RELEASE);
		free(next);
		next = NULL;
	} else {
		__atomic_store_n(&m->shm->active_gen, gen, __ATOMIC_RELEASE);
		struct mgr_chain_state *old = mgr_chains_swap(m, next);
		classifier_free(old->cls);
		free(old);
	}
	if (of)
		of_agent_unlock();
	if (rc < 0) {
		free(next);
		chain_set_free(&set);
		fprintf(stderr, "onvm_mgr: reload failed, the chains in force are unchanged: %s\n",
			err);
		return -1;
	}
	print_chains(m, &set);
	chain_set_free(&set);
	last_flip_tsc = rte_get_tsc_cycles();
	printf("onvm_mgr: chains reloaded (generation %u)\n", gen);
	fflush(stdout);
	return 0;
}

struct mgr_chain_state *
mgr_chains_swap(struct mgr *m, struct mgr_chain_state *next)
{
	struct mgr_chain_state *old = current;

	__atomic_store_n(&current, next, __ATOMIC_SEQ_CST);
	mgr_quiesce(m); /* no data lcore still uses the old state */
	if (m->num_data == 0 && rte_lcore_id() != rte_get_main_lcore()) {
		/* One lcore: the main thread runs the data path between its
		 * control ticks (where it may itself wait for this thread's
		 * lock, so a wait must not depend on its next iteration). It
		 * holds the old state only inside an iteration: wait for that
		 * one to end. The seq-cst store above and load below pair with
		 * main.c's, so either it saw `next` or we see it inside. */
		uint64_t seen = __atomic_load_n(&m->inline_data.epoch, __ATOMIC_ACQUIRE);

		while (__atomic_load_n(&m->inline_data.in_iteration, __ATOMIC_SEQ_CST) &&
		       __atomic_load_n(&m->inline_data.epoch, __ATOMIC_ACQUIRE) == seen)
			rte_delay_us_sleep(10);
	}
	return old;
}

const struct mgr_chain_state *
mgr_chains_current(void)
{
	return __atomic_load_n(&current, __ATOMIC_ACQUIRE);
}

uint32_t
mgr_chains_gen(const struct mgr_chain_state *st)
{
	return st->gen;
}

void
mgr_classify_burst(struct mgr *m, struct mgr_data_lcore *d, const struct mgr_chain_state *st,
		   struct rte_mbuf **pkts, uint16_t n, uint16_t port, uint16_t *chain_ids)
{
	uint16_t miss = m->shm->default_service ? 0 : MGR_NO_CHAIN;
	struct flow_key keys[ONVM_BURST];
	uint32_t results[ONVM_BURST];
	struct pkt_info pi;
	uint64_t hit;

	if (n == 0 || n > ONVM_BURST)
		return;
	if (st->cls == NULL) {
		/* No chains: every packet takes the default chain, unparsed. */
		for (uint16_t i = 0; i < n; i++)
			chain_ids[i] = miss;
		ofdp_count_table0(m, d, st, n, 0);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *data = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(pkts[i]);

		pkt_parse(data, len, &pi);
		flow_key_from_frame(&keys[i], &pi, data, len, FLOW_OFPORT_FROM_DPDK(port));
	}
	/* The classifier answers CLS_BURST_MAX keys at a time. */
	for (uint16_t base = 0; base < n; base += CLS_BURST_MAX) {
		uint16_t chunk = (uint16_t)RTE_MIN(n - base, CLS_BURST_MAX);

		hit = classifier_lookup_burst(st->cls, d->cls_cache, keys + base, chunk,
					      results + base);
		ofdp_count_table0(m, d, st, chunk, (uint16_t)__builtin_popcountll(hit));
		for (uint16_t i = 0; i < chunk; i++)
			chain_ids[base + i] = (hit >> i) & 1 ? (uint16_t)results[base + i] : miss;
	}
}
