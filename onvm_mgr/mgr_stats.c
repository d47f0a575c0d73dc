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

struct mgr_totals {
	uint64_t hop_drop, no_instance, nf_drop, chain_end_drop, bad_dest;
};

static struct mgr_totals totals;
static uint64_t prev_port_rx[ONVM_MAX_PORTS], prev_port_tx[ONVM_MAX_PORTS];
static uint64_t prev_nf_rx[ONVM_MAX_NFS + 1], prev_nf_tx[ONVM_MAX_NFS + 1];

static struct mgr_data_lcore *
lcores(struct mgr *m, unsigned int *n)
{
	*n = m->num_data ? m->num_data : 1;
	return m->num_data ? m->data : &m->inline_data;
}

void
mgr_stats_collect(struct mgr *m)
{
	unsigned int nl;
	struct mgr_data_lcore *ls = lcores(m, &nl);

	for (uint16_t i = 0; i < m->num_ports; i++) {
		uint16_t p = m->port_ids[i];
		struct onvm_port_counters c = { 0 };

		for (unsigned int l = 0; l < nl; l++) {
			const struct mgr_lcore_counters *lc = &ls[l].counters;
			c.rx += lc->port_rx[p];
			c.tx += lc->port_tx[p];
			c.tx_drop += lc->port_tx_drop[p];
			c.rx_no_chain += lc->port_no_chain[p];
			c.entry_drop += lc->port_entry_drop[p];
		}
		m->shm->ports[p].stats = c;
	}
	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		struct onvm_nf_mgr_counters *mc = &m->shm->nfs[id].mgr_stats;
		uint64_t enq = 0, drop = 0, deq = 0;

		for (unsigned int l = 0; l < nl; l++) {
			enq += ls[l].counters.nf_enqueued[id];
			drop += ls[l].counters.nf_enq_drop[id];
			deq += ls[l].counters.nf_dequeued[id];
		}
		mc->enqueued = enq;
		mc->enq_drop = drop;
		mc->dequeued = deq;
	}
	/* Summed aside, then stored: telemetry collects from its own thread
	 * too, and a reader must never see a half-summed zero. */
	struct mgr_totals t = { 0 };
	for (unsigned int l = 0; l < nl; l++) {
		t.hop_drop += ls[l].counters.hop_drop;
		t.no_instance += ls[l].counters.no_instance;
		t.nf_drop += ls[l].counters.nf_drop;
		t.chain_end_drop += ls[l].counters.chain_end_drop;
		t.bad_dest += ls[l].counters.bad_dest;
	}
	totals = t;
}

uint64_t
mgr_total_rx(struct mgr *m)
{
	uint64_t rx = 0;

	for (uint16_t i = 0; i < m->num_ports; i++)
		rx += m->shm->ports[m->port_ids[i]].stats.rx;
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
	fprintf(out, "PORTS %-16s %14s %14s %10s %10s %10s %10s %10s\n", "", "rx_pkts", "tx_pkts",
		"rx_pps", "tx_pps", "tx_drop", "entry_drop", "no_chain");
	for (uint16_t i = 0; i < m->num_ports; i++) {
		uint16_t p = m->port_ids[i];
		const struct onvm_port_info *pi = &m->shm->ports[p];

		fprintf(out, "  %-3u %-16.16s %14lu %14lu %10.0f %10.0f %10lu %10lu %10lu\n", p,
			pi->name, pi->stats.rx, pi->stats.tx,
			(pi->stats.rx - prev_port_rx[p]) / interval_s,
			(pi->stats.tx - prev_port_tx[p]) / interval_s, pi->stats.tx_drop,
			pi->stats.entry_drop, pi->stats.rx_no_chain);
		prev_port_rx[p] = pi->stats.rx;
		prev_port_tx[p] = pi->stats.tx;
	}
	fprintf(out, "NFS   %-16s %4s %4s %12s %12s %10s %10s %10s %9s\n", "", "svc", "inst",
		"rx_pkts", "tx_pkts", "rx_pps", "drop_act", "entry_drop", "state");
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
	fprintf(out, "DROPS nf=%lu chain_end=%lu no_instance=%lu hop=%lu bad_dest=%lu  mbufs_in_use=%u\n",
		totals.nf_drop, totals.chain_end_drop, totals.no_instance, totals.hop_drop,
		totals.bad_dest, rte_mempool_in_use_count(m->pool));
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
		rte_tel_data_add_dict_u64(p, "rx", pi->stats.rx);
		rte_tel_data_add_dict_u64(p, "tx", pi->stats.tx);
		rte_tel_data_add_dict_u64(p, "tx_drop", pi->stats.tx_drop);
		rte_tel_data_add_dict_u64(p, "entry_drop", pi->stats.entry_drop);
		rte_tel_data_add_dict_u64(p, "no_chain", pi->stats.rx_no_chain);
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
	const struct mgr_data_lcore *ls = lcores(&g_mgr, &n);

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
	mgr_stats_collect(&g_mgr); /* fresh sums, not the last stats tick's */
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "in_use", rte_mempool_in_use_count(g_mgr.pool));
	/* Some PMDs keep mbufs of their own (net_pcap's infinite_rx copy of
	 * the capture): the baseline is the count once ports started. */
	rte_tel_data_add_dict_u64(d, "baseline", g_mgr.baseline_in_use);
	rte_tel_data_add_dict_u64(d, "available", rte_mempool_avail_count(g_mgr.pool));
	rte_tel_data_add_dict_u64(d, "size", g_mgr.pool->size);
	rte_tel_data_add_dict_u64(d, "drops_no_instance", totals.no_instance);
	rte_tel_data_add_dict_u64(d, "drops_nf", totals.nf_drop);
	rte_tel_data_add_dict_u64(d, "drops_chain_end", totals.chain_end_drop);
	rte_tel_data_add_dict_u64(d, "drops_hop", totals.hop_drop);
	return 0;
}

void
mgr_telemetry_register(struct mgr *m)
{
	rte_telemetry_register_cmd("/onvm/nfs", tm_nfs, "Running NFs and their counters");
	rte_telemetry_register_cmd("/onvm/ports", tm_ports, "Platform port counters");
	rte_telemetry_register_cmd("/onvm/services", tm_services, "Services and instance counts");
	rte_telemetry_register_cmd("/onvm/lcores", tm_lcores, "Data lcores: role and loops run");
	rte_telemetry_register_cmd("/onvm/mempool", tm_mempool,
				   "Packet pool usage and platform drop counters");
}
