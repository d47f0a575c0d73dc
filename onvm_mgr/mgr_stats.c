/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters: the data lcores count in their own structs; the control thread
 * sums them into the shared memzone (where NFs, telemetry and any other
 * reader see them without touching the fast path) and prints the table.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_telemetry.h>

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

static uint64_t drop_totals[MGR_DROP_N];

/*
 * The data lcores count per NF slot, and their sums run on across every NF
 * a slot has held; an NF's own counters start at zero. So each slot keeps
 * the sums as they were when its NF was admitted, and shows the
 * difference. Written by control at admission, before the NF runs.
 */
struct nf_counter_base {
	uint64_t enqueued, enq_drop, dequeued;
};
static struct nf_counter_base nf_base[ONVM_MAX_NFS + 1];

/* Packets freed when the NF holding them, or queued for it, left: summed
 * over every NF, as each one's own `reclaimed` goes with its slot. */
static uint64_t reclaimed_total;
static uint64_t prev_port_rx[ONVM_MAX_PORTS], prev_port_tx[ONVM_MAX_PORTS];
static uint64_t prev_nf_rx[ONVM_MAX_NFS + 1], prev_nf_tx[ONVM_MAX_NFS + 1];

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

static void
nf_lcore_sums(struct mgr *m, uint16_t id, struct nf_counter_base *sum)
{
	unsigned int nl;
	const struct mgr_data_lcore *ls = mgr_data_lcores(m, &nl);

	*sum = (struct nf_counter_base){ 0 };
	for (unsigned int l = 0; l < nl; l++) {
		sum->enqueued += ls[l].counters.nf_enqueued[id];
		sum->enq_drop += ls[l].counters.nf_enq_drop[id];
		sum->dequeued += ls[l].counters.nf_dequeued[id];
	}
}

void
mgr_stats_nf_admitted(struct mgr *m, uint16_t id)
{
	struct nf_counter_base now;

	nf_lcore_sums(m, id, &now);
	__atomic_store_n(&nf_base[id].enqueued, now.enqueued, __ATOMIC_RELAXED);
	__atomic_store_n(&nf_base[id].enq_drop, now.enq_drop, __ATOMIC_RELAXED);
	__atomic_store_n(&nf_base[id].dequeued, now.dequeued, __ATOMIC_RELAXED);
}

void
mgr_stats_count_reclaimed(uint64_t n)
{
	__atomic_fetch_add(&reclaimed_total, n, __ATOMIC_RELAXED);
}

void
mgr_stats_collect(struct mgr *m)
{
	unsigned int nl;
	struct mgr_data_lcore *ls = mgr_data_lcores(m, &nl);

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
		struct nf_counter_base sum;

		nf_lcore_sums(m, id, &sum);
		mc->enqueued = sum.enqueued - __atomic_load_n(&nf_base[id].enqueued, __ATOMIC_RELAXED);
		mc->enq_drop = sum.enq_drop - __atomic_load_n(&nf_base[id].enq_drop, __ATOMIC_RELAXED);
		mc->dequeued = sum.dequeued - __atomic_load_n(&nf_base[id].dequeued, __ATOMIC_RELAXED);
	}
	/* Summed aside, then stored: telemetry collects from its own thread
	 * too, and a reader must never see a half-summed zero. */
	for (unsigned int k = 0; k < MGR_DROP_N; k++) {
		uint64_t sum = 0;

		for (unsigned int l = 0; l < nl; l++)
			sum += ls[l].counters.drops[k];
		if (k == MGR_DROP_RECLAIMED) /* control's count, not the lcores' */
			sum = __atomic_load_n(&reclaimed_total, __ATOMIC_RELAXED);
		__atomic_store_n(&drop_totals[k], sum, __ATOMIC_RELAXED);
	}
}

uint64_t
mgr_total_rx(struct mgr *m)
{
	uint64_t rx = 0;

	for (uint16_t i = 0; i < m->num_ports; i++)
		rx += m->shm->ports[m->port_ids[i]].stats.c[ONVM_PORT_RX];
	return rx;
}

static const char *
state_name(uint32_t st)
{
	static const char *const names[] = { "free", "starting", "running", "stopping", "rejected" };
	return st < 5 ? names[st] : "?";
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
			s->mgr_stats.enq_drop, state_name(s->state));
		for (uint32_t c = 0; m->cfg.verbose && c < s->num_counters && c < ONVM_NF_MAX_COUNTERS; c++)
			fprintf(out, "        %-22s %lu\n", s->counters[c].name, s->counters[c].value);
		prev_nf_rx[id] = s->nf_stats.rx;
		prev_nf_tx[id] = s->nf_stats.tx;
	}
	fprintf(out, "DROPS");
	for (unsigned int k = 0; k < MGR_DROP_N; k++)
		fprintf(out, " %s=%lu", mgr_drop_names[k], drop_totals[k]);
	for (unsigned int k = 0; k < mgr_of_drop_count(m); k++)
		fprintf(out, " %s=%lu", mgr_of_drop_name(k), mgr_of_drop_total(m, k));
	fprintf(out, "  mbufs_in_use=%u\n", rte_mempool_in_use_count(m->pool));
	fflush(out);
}

/* ---- DPDK telemetry: /onvm/... next to DPDK's own commands ---- */

static int
tm_nfs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	mgr_stats_collect(&g_mgr); /* fresh sums, not the last stats tick's */
	struct onvm_shared *shm = g_mgr.shm;

	rte_tel_data_start_dict(d);
	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		const struct onvm_nf_slot *s = &shm->nfs[id];
		struct rte_tel_data *nf;
		char key[16];

		if (s->state != ONVM_NF_RUNNING)
			continue;
		nf = rte_tel_data_alloc();
		if (nf == NULL)
			return -1;
		rte_tel_data_start_dict(nf);
		rte_tel_data_add_dict_string(nf, "name", s->name);
		rte_tel_data_add_dict_int(nf, "pid", s->pid);
		rte_tel_data_add_dict_int(nf, "service", s->service_id);
		rte_tel_data_add_dict_int(nf, "instance", s->instance);
		rte_tel_data_add_dict_u64(nf, "rx", s->nf_stats.rx);
		rte_tel_data_add_dict_u64(nf, "tx", s->nf_stats.tx);
		rte_tel_data_add_dict_u64(nf, "act_drop", s->nf_stats.act_drop);
		rte_tel_data_add_dict_u64(nf, "entry_drop", s->mgr_stats.enq_drop);
		rte_tel_data_add_dict_u64(nf, "reclaimed", s->mgr_stats.reclaimed);
		/* What the manager put on its RX ring and took from its TX
		 * ring, and what the rings hold now: with rx and tx, where
		 * every packet given to the NF is. */
		rte_tel_data_add_dict_u64(nf, "enqueued", s->mgr_stats.enqueued);
		rte_tel_data_add_dict_u64(nf, "dequeued", s->mgr_stats.dequeued);
		rte_tel_data_add_dict_u64(nf, "rx_ring", rte_ring_count(s->rx_ring));
		rte_tel_data_add_dict_u64(nf, "tx_ring", rte_ring_count(s->tx_ring));
		rte_tel_data_add_dict_u64(nf, "wakeups", s->nf_stats.wakeups);
		rte_tel_data_add_dict_u64(nf, "tx_wait", s->nf_stats.tx_wait);
		rte_tel_data_add_dict_int(nf, "cpu", (int)s->cpu);
		for (uint32_t c = 0; c < s->num_counters && c < ONVM_NF_MAX_COUNTERS; c++)
			rte_tel_data_add_dict_u64(nf, s->counters[c].name, s->counters[c].value);
		snprintf(key, sizeof(key), "%u", id);
		rte_tel_data_add_dict_container(d, key, nf, 0);
	}
	return 0;
}

static int
tm_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	mgr_stats_collect(&g_mgr); /* fresh sums, not the last stats tick's */
	struct mgr *m = &g_mgr;

	rte_tel_data_start_dict(d);
	for (uint16_t i = 0; i < m->num_ports; i++) {
		const struct onvm_port_info *pi = &m->shm->ports[m->port_ids[i]];
		struct rte_tel_data *p = rte_tel_data_alloc();
		char key[16];

		if (p == NULL)
			return -1;
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_string(p, "name", pi->name);
		for (unsigned int k = 0; k < ONVM_PORT_N_COUNTERS; k++)
			rte_tel_data_add_dict_u64(p, onvm_port_counter_names[k], pi->stats.c[k]);
		snprintf(key, sizeof(key), "%u", pi->port_id);
		rte_tel_data_add_dict_container(d, key, p, 0);
	}
	return 0;
}

/*
 * The data lcores and how many loops each has run: with the ports' and
 * NFs' packet counters, packets per loop (a loop that moves few packets
 * pays the cross-core ring synchronisation for few).
 */
static const char *
role_name(unsigned int role)
{
	if (role == (ROLE_RX | ROLE_TX))
		return "rx+tx";
	return role == ROLE_RX ? "rx" : "tx";
}

static int
tm_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int n;
	const struct mgr_data_lcore *ls = mgr_data_lcores(&g_mgr, &n);

	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < n; i++) {
		const struct mgr_data_lcore *dl = &ls[i];
		struct rte_tel_data *l = rte_tel_data_alloc();
		char key[16];

		if (l == NULL)
			return -1;
		rte_tel_data_start_dict(l);
		rte_tel_data_add_dict_string(l, "role", role_name(dl->role));
		rte_tel_data_add_dict_u64(l, "loops", __atomic_load_n(&dl->epoch, __ATOMIC_RELAXED));
		snprintf(key, sizeof(key), "%u", dl->lcore_id);
		rte_tel_data_add_dict_container(d, key, l, 0);
	}
	return 0;
}

static int
tm_services(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct onvm_shared *shm = g_mgr.shm;

	rte_tel_data_start_dict(d);
	for (uint16_t id = 1; id <= g_mgr.cfg.num_services; id++) {
		const struct onvm_service *s = &shm->services[id];
		struct rte_tel_data *sv;
		char key[16];

		if (!(s->flags & ONVM_SVC_F_USED))
			continue;
		sv = rte_tel_data_alloc();
		if (sv == NULL)
			return -1;
		rte_tel_data_start_dict(sv);
		rte_tel_data_add_dict_string(sv, "name", s->name);
		rte_tel_data_add_dict_int(sv, "instances", s->num_instances);
		snprintf(key, sizeof(key), "%u", id);
		rte_tel_data_add_dict_container(d, key, sv, 0);
	}
	return 0;
}

static int
tm_mempool(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t on_rings = 0;

	mgr_stats_collect(&g_mgr); /* fresh sums, not the last stats tick's */
	/* Read next to in_use, so that in_use - baseline - on_rings (bursts
	 * in motion, or held by NFs or the manager) is not skewed by rings
	 * that filled or emptied between two telemetry commands: a leak
	 * shows as that difference growing. */
	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		const struct onvm_nf_slot *s = &g_mgr.shm->nfs[id];

		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == ONVM_NF_RUNNING)
			on_rings += rte_ring_count(s->rx_ring) + rte_ring_count(s->tx_ring);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "in_use", rte_mempool_in_use_count(g_mgr.pool));
	rte_tel_data_add_dict_u64(d, "on_rings", on_rings);
	/* Some PMDs keep mbufs of their own (net_pcap's infinite_rx copy of
	 * the capture): the baseline is the count once ports started. */
	rte_tel_data_add_dict_u64(d, "baseline", g_mgr.baseline_in_use);
	rte_tel_data_add_dict_u64(d, "available", rte_mempool_avail_count(g_mgr.pool));
	rte_tel_data_add_dict_u64(d, "size", g_mgr.pool->size);
	return 0;
}

/* Every drop reason of the data path under its declared name: the
 * manager's (foreach_mgr_drop) and, with the agent, the OpenFlow
 * pipeline's. Ports' drops are in /onvm/ports. */
static int
tm_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct mgr *m = &g_mgr;

	mgr_stats_collect(m);
	rte_tel_data_start_dict(d);
	for (unsigned int k = 0; k < MGR_DROP_N; k++)
		rte_tel_data_add_dict_u64(d, mgr_drop_names[k], drop_totals[k]);
	for (unsigned int k = 0; k < mgr_of_drop_count(m); k++)
		rte_tel_data_add_dict_u64(d, mgr_of_drop_name(k), mgr_of_drop_total(m, k));
	return 0;
}

void
mgr_telemetry_register(struct mgr *m)
{
	rte_telemetry_register_cmd("/onvm/nfs", tm_nfs, "Running NFs and their counters");
	rte_telemetry_register_cmd("/onvm/ports", tm_ports, "Platform port counters");
	rte_telemetry_register_cmd("/onvm/services", tm_services, "Services and instance counts");
	rte_telemetry_register_cmd("/onvm/lcores", tm_lcores, "Data lcores: role and loops run");
	rte_telemetry_register_cmd("/onvm/mempool", tm_mempool, "Packet pool usage");
	rte_telemetry_register_cmd("/onvm/drops", tm_drops, "Data path drops by reason");
}
