/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters: the data lcores count in their own structs; mgr_stats_collect()
 * sums them into the shared memzone (where NFs, telemetry and any other
 * reader see them without touching the fast path) and, for the chains,
 * into totals here; mgr_stats_print() prints the table.
 *
 * Collectors are the control loop, the telemetry thread and the control
 * socket's thread. They take turns (stats_lock), so a reader never sees a
 * counter go back because a slower collector stored an older sum. The
 * main lcore never waits for the lock: with one lcore it is the data path,
 * and whoever holds the lock is summing the same counters anyway.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "mgr.h"
#include "mgr_openflow.h"

const char *const mgr_drop_names[MGR_DROP_N] = {
#define _(sym, name, help) [MGR_DROP_##sym] = name,
	foreach_mgr_drop
#undef _
};

const char *const mgr_drop_help[MGR_DROP_N] = {
#define _(sym, name, help) [MGR_DROP_##sym] = help,
	foreach_mgr_drop
#undef _
};

const char *const mgr_chain_counter_names[MGR_CHAIN_N_COUNTERS] = {
#define _(sym, name, help) [MGR_CHAIN_##sym] = name,
	foreach_mgr_chain_counter
#undef _
};

const char *
mgr_chain_drop_name(unsigned int k)
{
	if (k < MGR_DROP_N)
		return mgr_drop_names[k];
	return k == MGR_CHAIN_DROP_ENTRY ? onvm_port_counter_names[ONVM_PORT_ENTRY_DROP] : "?";
}

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t drop_totals[MGR_DROP_N];

/* Packets freed when the NF holding them, or queued for it, left: summed
 * over every NF, as each one's own `reclaimed` goes with its slot. */
static uint64_t reclaimed_total;
static uint64_t prev_port_rx[ONVM_MAX_PORTS], prev_port_tx[ONVM_MAX_PORTS];
static uint64_t prev_nf_rx[ONVM_MAX_NFS + 1], prev_nf_tx[ONVM_MAX_NFS + 1];
static uint64_t prev_chain_pkts[ONVM_MAX_CHAINS];

/*
 * The data lcores count per NF id, for every NF that ever had the id.
 * What an NF is shown is the sums less what its predecessors in the slot
 * counted: nf_base, the sums when the last one retired (written by the
 * control thread then, when nothing counts for the id, long before the
 * next NF can be admitted to it).
 */
enum { NF_ENQ, NF_ENQ_DROP, NF_DEQ, NF_N_MGR_COUNTERS };
static uint64_t nf_base[ONVM_MAX_NFS + 1][NF_N_MGR_COUNTERS];

/*
 * A chain's counters as shown: the lcores' sums for its slot (generation,
 * id), less what the slot had counted for the chain it held before the
 * reload that wrote it (base), plus what the chain of the same name had
 * counted in the generation before (carry): a reload that keeps a chain
 * keeps its counters. The totals are of the generation in force.
 */
static struct mgr_chain_counters chain_base[2][ONVM_MAX_CHAINS];
static struct mgr_chain_counters chain_carry[2][ONVM_MAX_CHAINS];
static struct mgr_chain_counters chain_totals[ONVM_MAX_CHAINS];
static uint32_t chain_totals_gen, chain_totals_n;

struct mgr_data_lcore *
mgr_data_lcores(struct mgr *m, unsigned int *n)
{
	*n = m->num_data ? m->num_data : 1;
	return m->num_data ? m->data : &m->inline_data;
}

unsigned int
mgr_data_slot(const struct mgr *m, const struct mgr_data_lcore *d)
{
	return d == &m->inline_data ? MGR_MAX_DATA_LCORES : (unsigned int)(d - m->data);
}

void
mgr_stats_count_reclaimed(uint64_t n)
{
	__atomic_fetch_add(&reclaimed_total, n, __ATOMIC_RELAXED);
}

static void
stats_lock_take(void)
{
	pthread_mutex_lock(&stats_lock);
}

/* The main lcore's way in: false when another collector is at it. */
static bool
stats_lock_try(void)
{
	return pthread_mutex_trylock(&stats_lock) == 0;
}

static bool
on_main_lcore(void)
{
	return rte_lcore_id() == rte_get_main_lcore();
}

/* The lcores' sums for chain slot (gen, id). Each counter is written by
 * one lcore and read here whole (aligned 64-bit loads). */
static void
chain_sum(struct mgr *m, uint32_t gen, uint32_t id, struct mgr_chain_counters *out)
{
	unsigned int nl;
	const struct mgr_data_lcore *ls = mgr_data_lcores(m, &nl);

	memset(out, 0, sizeof(*out));
	for (unsigned int l = 0; l < nl; l++) {
		const struct mgr_chain_counters *c = &ls[l].counters.chains[gen][id];

		for (unsigned int k = 0; k < MGR_CHAIN_N_COUNTERS; k++)
			out->c[k] += __atomic_load_n(&c->c[k], __ATOMIC_RELAXED);
		for (unsigned int k = 0; k < MGR_CHAIN_N_DROPS; k++)
			out->drops[k] += __atomic_load_n(&c->drops[k], __ATOMIC_RELAXED);
	}
}

/* What chain (gen, id) shows: see chain_base. */
static void
chain_shown(struct mgr *m, uint32_t gen, uint32_t id, struct mgr_chain_counters *out)
{
	const struct mgr_chain_counters *b = &chain_base[gen][id], *c = &chain_carry[gen][id];

	chain_sum(m, gen, id, out);
	for (unsigned int k = 0; k < MGR_CHAIN_N_COUNTERS; k++)
		out->c[k] += c->c[k] - b->c[k];
	for (unsigned int k = 0; k < MGR_CHAIN_N_DROPS; k++)
		out->drops[k] += c->drops[k] - b->drops[k];
}

static void
nf_sums(const struct mgr_data_lcore *ls, unsigned int nl, uint16_t id,
	uint64_t sum[NF_N_MGR_COUNTERS])
{
	memset(sum, 0, NF_N_MGR_COUNTERS * sizeof(sum[0]));
	for (unsigned int l = 0; l < nl; l++) {
		sum[NF_ENQ] += ls[l].counters.nf_enqueued[id];
		sum[NF_ENQ_DROP] += ls[l].counters.nf_enq_drop[id];
		sum[NF_DEQ] += ls[l].counters.nf_dequeued[id];
	}
}

void
mgr_stats_nf_retired(struct mgr *m, uint16_t id)
{
	unsigned int nl;
	const struct mgr_data_lcore *ls = mgr_data_lcores(m, &nl);
	uint64_t sum[NF_N_MGR_COUNTERS];

	nf_sums(ls, nl, id, sum);
	for (unsigned int k = 0; k < NF_N_MGR_COUNTERS; k++)
		__atomic_store_n(&nf_base[id][k], sum[k], __ATOMIC_RELAXED);
}

static void
collect_locked(struct mgr *m)
{
	unsigned int nl;
	struct mgr_data_lcore *ls = mgr_data_lcores(m, &nl);
	uint32_t gen = __atomic_load_n(&m->shm->active_gen, __ATOMIC_ACQUIRE) & 1;

	for (uint16_t i = 0; i < m->num_ports; i++) {
		uint16_t p = m->port_ids[i];
		struct onvm_port_counters c = { { 0 } };

		for (unsigned int l = 0; l < nl; l++)
			for (unsigned int k = 0; k < ONVM_PORT_N_COUNTERS; k++)
				c.c[k] += ls[l].counters.port[p][k];
		m->shm->ports[p].stats = c;
	}
	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		struct onvm_nf_mgr_counters *mc = &m->shm->nfs[id].mgr_stats;
		uint64_t sum[NF_N_MGR_COUNTERS];

		nf_sums(ls, nl, id, sum);
		mc->enqueued = sum[NF_ENQ] - __atomic_load_n(&nf_base[id][NF_ENQ], __ATOMIC_RELAXED);
		mc->enq_drop = sum[NF_ENQ_DROP] -
			       __atomic_load_n(&nf_base[id][NF_ENQ_DROP], __ATOMIC_RELAXED);
		mc->dequeued = sum[NF_DEQ] - __atomic_load_n(&nf_base[id][NF_DEQ], __ATOMIC_RELAXED);
	}
	/* Summed aside, then stored: the stats table reads them unlocked. */
	for (unsigned int k = 0; k < MGR_DROP_N; k++) {
		uint64_t sum = 0;

		for (unsigned int l = 0; l < nl; l++)
			sum += ls[l].counters.drops[k];
		if (k == MGR_DROP_RECLAIMED) /* control's count, not the lcores' */
			sum = __atomic_load_n(&reclaimed_total, __ATOMIC_RELAXED);
		__atomic_store_n(&drop_totals[k], sum, __ATOMIC_RELAXED);
	}
	chain_totals_n = RTE_MIN(m->shm->chain_gens[gen].num_chains, (uint32_t)ONVM_MAX_CHAINS);
	chain_totals_gen = gen;
	for (uint32_t i = 0; i < chain_totals_n; i++)
		chain_shown(m, gen, i, &chain_totals[i]);
}

void
mgr_stats_collect(struct mgr *m)
{
	if (on_main_lcore()) {
		if (!stats_lock_try())
			return;
	} else {
		stats_lock_take();
	}
	collect_locked(m);
	pthread_mutex_unlock(&stats_lock);
}

uint32_t
mgr_stats_chains(struct mgr *m, uint32_t *gen, struct mgr_chain_counters *out, uint32_t max)
{
	bool locked = on_main_lcore() ? stats_lock_try() : (stats_lock_take(), true);
	uint32_t n;

	/* Unlocked (the main lcore, another collector at work): the totals
	 * of the last collect, each counter whole. */
	if (locked)
		collect_locked(m);
	n = chain_totals_n;
	*gen = chain_totals_gen;
	memcpy(out, chain_totals, RTE_MIN(n, max) * sizeof(out[0]));
	if (locked)
		pthread_mutex_unlock(&stats_lock);
	return n;
}

void
mgr_stats_chains_begin(struct mgr *m, uint32_t gen)
{
	uint32_t n = RTE_MIN(m->shm->chain_gens[gen].num_chains, (uint32_t)ONVM_MAX_CHAINS);

	stats_lock_take();
	/* No packet carries `gen` now: its slots count nothing until the
	 * generation is published, so their sums are the new chains' zero. */
	for (uint32_t i = 0; i < n; i++) {
		chain_sum(m, gen, i, &chain_base[gen][i]);
		memset(&chain_carry[gen][i], 0, sizeof(chain_carry[gen][i]));
	}
}

void
mgr_stats_chains_end(struct mgr *m, uint32_t gen, bool published)
{
	const struct onvm_chain_table *old = &m->shm->chain_gens[gen ^ 1];
	const struct onvm_chain_table *cur = &m->shm->chain_gens[gen];
	uint32_t n_old = RTE_MIN(old->num_chains, (uint32_t)ONVM_MAX_CHAINS);
	uint32_t n = RTE_MIN(cur->num_chains, (uint32_t)ONVM_MAX_CHAINS);

	/* Published: no packet enters the old generation any more (what
	 * is still in flight on it may yet be dropped, uncounted here).
	 * Chain 0 is the default chain in both; a chain that kept its place
	 * is found first. */
	for (uint32_t i = 0; published && i < n; i++) {
		uint32_t j = i;

		if (i > 0 && (i >= n_old || strcmp(cur->chains[i].name, old->chains[i].name) != 0))
			for (j = 1; j < n_old; j++)
				if (strcmp(cur->chains[i].name, old->chains[j].name) == 0)
					break;
		if (j < n_old)
			chain_shown(m, gen ^ 1, j, &chain_carry[gen][i]);
	}
	pthread_mutex_unlock(&stats_lock);
}

uint64_t
mgr_stats_drop_total(unsigned int k)
{
	return k < MGR_DROP_N ? __atomic_load_n(&drop_totals[k], __ATOMIC_RELAXED) : 0;
}

uint64_t
mgr_total_rx(struct mgr *m)
{
	uint64_t rx = 0;

	for (uint16_t i = 0; i < m->num_ports; i++)
		rx += m->shm->ports[m->port_ids[i]].stats.c[ONVM_PORT_RX];
	return rx;
}

const char *
mgr_nf_state_name(uint32_t st)
{
	static const char *const names[] = { "free", "starting", "running", "stopping", "rejected" };
	return st < RTE_DIM(names) ? names[st] : "?";
}

/* A hop as people name it: its service's name, or its id. */
const char *
mgr_service_label(const struct mgr *m, uint16_t svc, char *buf, size_t len)
{
	if (svc >= 1 && svc <= ONVM_MAX_SERVICES && m->shm->services[svc].name[0])
		return m->shm->services[svc].name;
	snprintf(buf, len, "%u", svc);
	return buf;
}

static void
print_chains(struct mgr *m, FILE *out, double interval_s)
{
	static struct mgr_chain_counters tot[ONVM_MAX_CHAINS]; /* the control thread's */
	uint32_t gen, n = mgr_stats_chains(m, &gen, tot, ONVM_MAX_CHAINS);
	const struct onvm_chain_table *t = &m->shm->chain_gens[gen];

	fprintf(out, "CHAINS %-15s %12s %14s %10s %10s  %s\n", "", "pkts", "bytes", "pps", "drops",
		"hops");
	for (uint32_t i = 0; i < n; i++) {
		const struct onvm_chain *c = &t->chains[i];
		uint64_t drops = 0, pkts = tot[i].c[MGR_CHAIN_PKTS];
		char hops[128] = "", id[8];

		for (unsigned int k = 0; k < MGR_CHAIN_N_DROPS; k++)
			drops += tot[i].drops[k];
		for (uint16_t h = 0; h < c->num_hops && h < ONVM_MAX_HOPS; h++) {
			size_t len = strlen(hops);

			snprintf(hops + len, sizeof(hops) - len, "%s%s", h ? " -> " : "",
				 mgr_service_label(m, c->hops[h], id, sizeof(id)));
		}
		/* After a reload the previous count belonged to another chain. */
		if (pkts < prev_chain_pkts[i])
			prev_chain_pkts[i] = pkts;
		fprintf(out, "  %-4u %-16.16s %12lu %14lu %10.0f %10lu  %s\n", i, c->name, pkts,
			tot[i].c[MGR_CHAIN_BYTES], (pkts - prev_chain_pkts[i]) / interval_s, drops,
			hops);
		prev_chain_pkts[i] = pkts;
	}
}

void
mgr_stats_print(struct mgr *m, double interval_s)
{
	FILE *out = m->cfg.stats_out == STATS_STDERR ? stderr : stdout;

	if (m->cfg.stats_out == STATS_NONE || m->cfg.stats_out == STATS_WEB)
		return;
	if (out == stdout && isatty(fileno(stdout)))
		fputs("\033[2J\033[H", out); /* refresh in place on a terminal */
	fprintf(out, "PORTS %-16s %14s %14s %10s %10s", "", "rx", "tx", "rx_pps", "tx_pps");
	for (unsigned int k = ONVM_PORT_TX_DROP; k < ONVM_PORT_N_COUNTERS; k++)
		fprintf(out, " %10s", onvm_port_counter_names[k]);
	fputc('\n', out);
	for (uint16_t i = 0; i < m->num_ports; i++) {
		uint16_t p = m->port_ids[i];
		const struct onvm_port_info *pi = &m->shm->ports[p];
		const uint64_t *c = pi->stats.c;

		fprintf(out, "  %-3u %-16.16s %14lu %14lu %10.0f %10.0f", p, pi->name,
			c[ONVM_PORT_RX], c[ONVM_PORT_TX],
			(c[ONVM_PORT_RX] - prev_port_rx[p]) / interval_s,
			(c[ONVM_PORT_TX] - prev_port_tx[p]) / interval_s);
		for (unsigned int k = ONVM_PORT_TX_DROP; k < ONVM_PORT_N_COUNTERS; k++)
			fprintf(out, " %10lu", c[k]);
		fputc('\n', out);
		prev_port_rx[p] = c[ONVM_PORT_RX];
		prev_port_tx[p] = c[ONVM_PORT_TX];
	}
	fprintf(out, "NFS   %-16s %4s %4s %12s %12s %10s %10s %10s %9s\n", "", "svc", "inst",
		"rx", "tx", "rx_pps", "act_drop", "entry_drop", "state");
	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		const struct onvm_nf_slot *s = &m->shm->nfs[id];

		if (s->state != ONVM_NF_RUNNING && s->state != ONVM_NF_STOPPING)
			continue;
		fprintf(out, "  %-3u %-16.16s %4u %4u %12lu %12lu %10.0f %10lu %10lu %9s\n", id,
			s->name, s->service_id, s->instance, s->nf_stats.rx, s->nf_stats.tx,
			(s->nf_stats.rx - prev_nf_rx[id]) / interval_s, s->nf_stats.act_drop,
			s->mgr_stats.enq_drop, mgr_nf_state_name(s->state));
		for (uint32_t c = 0; m->cfg.verbose && c < s->num_counters && c < ONVM_NF_MAX_COUNTERS; c++)
			fprintf(out, "        %-22s %lu\n", s->counters[c].name, s->counters[c].value);
		prev_nf_rx[id] = s->nf_stats.rx;
		prev_nf_tx[id] = s->nf_stats.tx;
	}
	print_chains(m, out, interval_s);
	fprintf(out, "DROPS");
	for (unsigned int k = 0; k < MGR_DROP_N; k++)
		fprintf(out, " %s=%lu", mgr_drop_names[k], drop_totals[k]);
	for (unsigned int k = 0; k < mgr_of_drop_count(m); k++)
		fprintf(out, " %s=%lu", mgr_of_drop_name(k), mgr_of_drop_total(m, k));
	fprintf(out, "  mbufs_in_use=%u\n", rte_mempool_in_use_count(m->pool));
	fflush(out);
}

