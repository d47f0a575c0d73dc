/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The glue between the manager and sdn_agent/ (mgr_openflow.h): the one
 * file that sees both. It gives the agent what it may know of the
 * manager (struct ofa_host, struct ofdp_env), publishes the agent's
 * compiled tables as the forwarding state, and runs the pipeline for the
 * data lcores, whose own enqueue path then sends what it returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "chain_config.h"
#include "classifier.h"
#include "fwd.h"
#include "mgr.h"
#include "mgr_openflow.h"
#include "of_agent.h"
#include "ofdp.h"

_Static_assert(FWD_OF_FLOW == OFDP_FLOW, "table-0 results mean the same on both sides");
_Static_assert(MGR_MAX_DATA_LCORES + 1 <= OFDP_COUNTER_SLOTS, "a counter row per data lcore");
_Static_assert(ONVM_BURST <= OFDP_BURST_MAX, "a whole burst runs at once");

static struct ofdp_env env;
static struct ofdp_lcore lcores[MGR_MAX_DATA_LCORES + 1];

bool
mgr_of_enabled(const struct mgr *m)
{
	return m->cfg.of_listen != NULL || m->cfg.of_controller != NULL;
}

static inline struct ofdp_lcore *
lcore_of(const struct mgr *m, const struct mgr_data_lcore *d)
{
	return &lcores[mgr_data_slot(m, d)];
}

static uint16_t
max_service(const struct mgr *m)
{
	uint16_t n = m->cfg.num_services;

	return n == 0 || n > ONVM_MAX_SERVICES ? ONVM_MAX_SERVICES : n;
}

/* ---- what the agent asks of the manager (agent thread) ---- */

static void
service_port(void *ctx, uint16_t svc, struct ofp_port_info *p)
{
	const struct mgr *m = ctx;
	const struct onvm_service *s = &m->shm->services[svc];

	memset(p, 0, sizeof(*p));
	p->port_no = FLOW_OFPORT_SERVICE_BASE + svc;
	if (s->name[0])
		snprintf(p->name, sizeof(p->name), "%s", s->name);
	else
		snprintf(p->name, sizeof(p->name), "service%u", svc);
	/* A locally administered MAC naming the service, so tools show one. */
	p->hw_addr[0] = 0x02;
	p->hw_addr[4] = (uint8_t)(svc >> 8);
	p->hw_addr[5] = (uint8_t)svc;
	p->state = __atomic_load_n(&s->num_instances, __ATOMIC_ACQUIRE) ? OFPPS_LIVE
									 : OFPPS_LINK_DOWN;
}

static unsigned
port_list(void *ctx, struct ofp_port_info *out, unsigned max)
{
	struct mgr *m = ctx;
	unsigned n = 0;

	for (uint16_t i = 0; i < m->num_ports && n < max; i++) {
		uint16_t id = m->port_ids[i];
		struct ofp_port_info *p = &out[n++];
		struct rte_eth_link link;

		memset(p, 0, sizeof(*p));
		p->port_no = FLOW_OFPORT_FROM_DPDK(id);
		memcpy(p->hw_addr, &m->shm->ports[id].mac, 6);
		snprintf(p->name, sizeof(p->name), "%s", m->shm->ports[id].name);
		p->state = OFPPS_LIVE;
		p->curr = p->advertised = p->supported = OFPPF_10GB_FD;
		p->curr_speed = p->max_speed = 10000000; /* kbps */
		if (rte_eth_link_get_nowait(id, &link) == 0 && link.link_speed &&
		    link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN)
			p->curr_speed = p->max_speed = link.link_speed * 1000;
	}
	for (uint16_t s = 1; s <= max_service(m) && n < max; s++)
		if (__atomic_load_n(&m->shm->services[s].num_instances, __ATOMIC_ACQUIRE))
			service_port(m, s, &out[n++]);
	return n;
}

static bool
port_stats(void *ctx, uint32_t port_no, struct ofp_port_stats_entry *e)
{
	struct mgr *m = ctx;

	if (ofdp_env_dpdk_port(&env, port_no)) {
		uint16_t id = (uint16_t)(port_no - 1);
		struct rte_eth_stats st = { 0 };
		const uint64_t *c = m->shm->ports[id].stats.c;

		if (rte_eth_stats_get(id, &st) == 0) {
			e->rx_packets = st.ipackets;
			e->tx_packets = st.opackets;
			e->rx_bytes = st.ibytes;
			e->tx_bytes = st.obytes;
			e->rx_errors = st.ierrors;
			e->tx_errors = st.oerrors;
		}
		e->rx_dropped = st.imissed + c[ONVM_PORT_NO_CHAIN] + c[ONVM_PORT_ENTRY_DROP];
		e->tx_dropped = c[ONVM_PORT_TX_DROP];
		return true;
	}
	if (ofdp_env_service_port(&env, port_no)) {
		const struct onvm_service *s = &m->shm->services[port_no - FLOW_OFPORT_SERVICE_BASE];

		/* The switch sends to the service what its NFs receive, and
		 * receives what they return. */
		for (uint16_t i = 0; i < s->num_instances && i < ONVM_MAX_INSTANCES; i++) {
			const struct onvm_nf_slot *nf = &m->shm->nfs[s->instances[i]];
			e->tx_packets += nf->nf_stats.rx;
			e->rx_packets += nf->nf_stats.tx;
			e->rx_dropped += nf->nf_stats.act_drop;
		}
		return true;
	}
	return false;
}

static uint64_t
services_up(void *ctx)
{
	const struct mgr *m = ctx;
	uint64_t up = 0;

	for (uint16_t s = 1; s <= ONVM_MAX_SERVICES && s <= 64; s++)
		if (__atomic_load_n(&m->shm->services[s].num_instances, __ATOMIC_ACQUIRE))
			up |= 1ULL << (s - 1);
	return up;
}

/* The agent's table becomes the forwarding state (its table 0 holds the
 * chains too); the table it replaces goes back to the agent. */
static struct ofdp_table *
publish(void *ctx, struct ofdp_table *next, uint32_t chain_gen)
{
	struct fwd_state *st = calloc(1, sizeof(*st)), *old;
	struct ofdp_table *replaced = NULL;

	if (st == NULL) {
		/* Keep forwarding with the table in force; the agent keeps
		 * ownership of both by getting `next` back. */
		fprintf(stderr, "onvm_mgr: openflow: out of memory publishing the flow table\n");
		return next;
	}
	st->chain_gen = chain_gen;
	st->table0 = next->cls[0];
	st->of = next;
	old = fwd_publish(ctx, st);
	if (old) {
		replaced = (struct ofdp_table *)old->of;
		free(old);
	}
	return replaced;
}

/* ---- set-up ---- */

/* The first port's MAC in the low 48 bits, as OVS does. */
static uint64_t
default_dpid(const struct mgr *m)
{
	uint64_t dpid = 0;

	if (m->num_ports == 0)
		return 1;
	for (int i = 0; i < 6; i++)
		dpid = dpid << 8 | m->shm->ports[m->port_ids[0]].mac.addr_bytes[i];
	return dpid;
}

static int tm_openflow(const char *cmd, const char *params, struct rte_tel_data *t);

int
mgr_of_init(struct mgr *m)
{
	struct ofa_host host = { port_list, port_stats, services_up, service_port, publish, m };
	struct ofa_config cfg = {
		.listen = m->cfg.of_listen,
		.controller = m->cfg.of_controller,
		.dpid = m->cfg.of_dpid,
		.default_dpid = default_dpid(m),
		.tsc_hz = rte_get_tsc_hz(),
	};

	if (!mgr_of_enabled(m))
		return 0;
	env = (struct ofdp_env){ .port_mask = m->port_mask, .num_ports = m->num_ports,
				 .port_ids = m->port_ids, .max_service = max_service(m),
				 .services = m->shm->services, .pool = m->pool };
	cfg.env = env;
	if (of_agent_init(&cfg, &host) < 0)
		return -1;
	env.io = of_agent_io();
	/* Only the data lcores that exist get caches (megabytes each). */
	unsigned int nd;
	struct mgr_data_lcore *ds = mgr_data_lcores(m, &nd);
	for (unsigned int i = 0; i < nd; i++) {
		unsigned int slot = mgr_data_slot(m, &ds[i]);

		if (ofdp_lcore_init(&lcores[slot], slot) < 0) {
			fprintf(stderr, "onvm_mgr: openflow: out of memory\n");
			return -1;
		}
	}
	rte_telemetry_register_cmd("/onvm/openflow", tm_openflow,
				   "OpenFlow agent: connections, flows, data path drop counters");
	return 0;
}

int
mgr_of_start(struct mgr *m)
{
	return mgr_of_enabled(m) ? of_agent_start() : 0;
}

void
mgr_of_stop(struct mgr *m)
{
	if (mgr_of_enabled(m))
		of_agent_stop();
}

void
mgr_of_free(struct mgr *m)
{
	if (!mgr_of_enabled(m))
		return;
	for (unsigned int i = 0; i < RTE_DIM(lcores); i++)
		ofdp_lcore_free(&lcores[i]);
	of_agent_free();
}

/*
 * Each chain's match becomes table-0 entries: the classifier expands port
 * ranges into key/mask blocks, one entry each, so the table holds exactly
 * what the chain matches.
 */
int
mgr_of_set_chains(struct mgr *m, const struct chain_set *set, uint32_t gen, char *err,
		  size_t errlen)
{
	struct ofa_chain_entry *e = NULL;
	uint32_t n = 0, cap = 0;
	int rc = -1;

	(void)m;
	for (uint32_t c = 0; c < set->num_chains; c++) {
		const struct chain_def *d = &set->chains[c];
		struct classifier *tmp = classifier_create();

		if (tmp == NULL || classifier_add_match(tmp, &d->match, d->priority, c + 1) < 0) {
			classifier_free(tmp);
			snprintf(err, errlen, "out of memory expanding chain '%s'", d->name);
			goto out;
		}
		for (uint32_t h = 0; h < classifier_handle_limit(tmp); h++) {
			struct ofa_chain_entry x = { .priority = (uint16_t)d->priority,
						     .chain_id = (uint16_t)(c + 1),
						     .first_service = d->hops[0] };
			uint32_t prio, res;

			if (classifier_get(tmp, h, &x.key, &x.mask, &prio, &res) < 0)
				continue;
			if (n == cap) {
				struct ofa_chain_entry *g;

				cap = cap ? 2 * cap : 64;
				g = realloc(e, cap * sizeof(*e));
				if (g == NULL) {
					classifier_free(tmp);
					snprintf(err, errlen, "out of memory expanding chain '%s'",
						 d->name);
					goto out;
				}
				e = g;
			}
			e[n++] = x;
		}
		classifier_free(tmp);
	}
	rc = of_agent_set_chains(e, n, gen, err, errlen);
out:
	free(e);
	return rc;
}

/* ---- data lcores ---- */

void
mgr_of_count_table0(struct mgr *m, const struct mgr_data_lcore *d, const struct fwd_state *st,
		    uint16_t n, uint16_t hits)
{
	if (st->of != NULL)
		ofdp_count_table0(st->of, lcore_of(m, d), n, hits);
}

void
mgr_of_run(struct mgr *m, struct mgr_data_lcore *d, const struct fwd_state *st,
	   struct rte_mbuf **pkts, const uint32_t *results, struct flow_key *keys, uint16_t n,
	   struct pkt_dests *out)
{
	uint32_t idx[ONVM_BURST];

	for (uint16_t i = 0; i < n; i++)
		idx[i] = results[i] & ~OFDP_FLOW;
	ofdp_run_burst(st->of, &env, lcore_of(m, d), pkts, idx, keys, true, n, out);
}

void
mgr_of_reenter(struct mgr *m, struct mgr_data_lcore *d, const struct fwd_state *st,
	       struct rte_mbuf **pkts, uint16_t n, uint16_t svc, struct pkt_dests *out)
{
	struct ofdp_lcore *lc = lcore_of(m, d);
	struct rte_mbuf *run[ONVM_BURST];
	struct flow_key keys[ONVM_BURST];
	uint32_t results[ONVM_BURST];
	uint16_t kept = 0, n_run = 0;

	/* chain_hop counts table passes of an OpenFlow-steered packet: flows
	 * that send a service's output back to it would loop forever. */
	for (uint16_t i = 0; i < n; i++) {
		struct onvm_pkt_meta *meta = onvm_pkt_meta(pkts[i]);

		if (++meta->chain_hop > OFDP_MAX_PASSES) {
			lc->drops[OFDP_DROP_LOOP_DROP]++;
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		meta->flags &= (uint8_t)~ONVM_META_F_HASH; /* headers may have changed */
		pkts[kept++] = pkts[i];
	}
	if (kept == 0)
		return;
	const struct ofdp_table *t = st->of;
	uint32_t shortcut = t && svc <= t->max_service ? t->reenter[svc] : OFDP_LOOKUP;

	if (shortcut != OFDP_LOOKUP) {
		/* Whatever the NF did to the headers, table 0 would answer the
		 * same for all of them: no parse, no lookup. */
		mgr_of_count_table0(m, d, st, kept, kept);
		for (uint16_t i = 0; i < kept; i++) {
			keys[i].in_port = FLOW_OFPORT_SERVICE_BASE + svc;
			keys[i].metadata = 0;
			keys[i].tunnel_id = 0;
			results[i] = shortcut & ~OFDP_FLOW;
		}
		if (shortcut & OFDP_FLOW) {
			ofdp_run_burst(t, &env, lc, pkts, results, keys, false, kept, out);
		} else {
			for (uint16_t i = 0; i < kept; i++)
				out->v[out->n++] = (struct pkt_dest){ pkts[i], PKT_TO_CHAIN,
								      (uint16_t)shortcut };
		}
		return;
	}
	if (st->table0 == NULL) {
		lc->drops[OFDP_DROP_REENTER_MISS] += kept;
		rte_pktmbuf_free_bulk(pkts, kept);
		return;
	}
	/* Packets back from a service are keyed by their in_port = 1000 +
	 * the service: in the arrival cache they would evict the entries of
	 * the packets still to come, so they have a cache of their own. */
	uint64_t hits = mgr_classify_burst(lc->cache[0], st, pkts, kept,
					   FLOW_OFPORT_SERVICE_BASE + svc, keys, results);
	mgr_of_count_table0(m, d, st, kept, (uint16_t)hits);
	for (uint16_t i = 0; i < kept; i++) {
		if (results[i] == MGR_NO_MATCH) {
			lc->drops[OFDP_DROP_REENTER_MISS]++;
			rte_pktmbuf_free(pkts[i]);
		} else if (!(results[i] & OFDP_FLOW)) {
			/* A JSON chain's entry: the packet starts that chain
			 * (out has room: at most one entry per packet so far). */
			out->v[out->n++] = (struct pkt_dest){ pkts[i], PKT_TO_CHAIN,
							      (uint16_t)results[i] };
		} else {
			run[n_run] = pkts[i];
			results[n_run] = results[i] & ~OFDP_FLOW;
			keys[n_run++] = keys[i];
		}
	}
	if (n_run)
		ofdp_run_burst(t, &env, lc, run, results, keys, true, n_run, out);
}

bool
mgr_of_poll_packet_out(struct mgr *m, struct mgr_data_lcore *d, const struct fwd_state *st,
		       struct pkt_dests *out)
{
	if (!mgr_of_enabled(m))
		return false;
	ofdp_poll_packet_out(st->of, &env, lcore_of(m, d), out);
	return out->n > 0;
}

/* ---- stats ---- */

unsigned int
mgr_of_drop_count(const struct mgr *m)
{
	return mgr_of_enabled(m) ? OFDP_DROP_N : 0;
}

const char *
mgr_of_drop_name(unsigned int i)
{
	return i < OFDP_DROP_N ? ofdp_drop_names[i] : "?";
}

uint64_t
mgr_of_drop_total(const struct mgr *m, unsigned int i)
{
	uint64_t sum = 0;

	(void)m;
	for (unsigned int s = 0; s < RTE_DIM(lcores) && i < OFDP_DROP_N; s++)
		sum += __atomic_load_n(&lcores[s].drops[i], __ATOMIC_RELAXED);
	return sum;
}

static int
tm_openflow(const char *cmd, const char *params, struct rte_tel_data *t)
{
	struct ofa_status st;

	(void)cmd;
	(void)params;
	if (!mgr_telemetry_enter())
		return -ENODEV;
	of_agent_status(&st);
	rte_tel_data_start_dict(t);
	rte_tel_data_add_dict_u64(t, "datapath_id", st.datapath_id);
	rte_tel_data_add_dict_u64(t, "connections", st.connections);
	rte_tel_data_add_dict_u64(t, "flows", st.flows);
	rte_tel_data_add_dict_u64(t, "groups", st.groups);
	rte_tel_data_add_dict_u64(t, "meters", st.meters);
	for (unsigned int i = 0; i < OFDP_DROP_N; i++)
		rte_tel_data_add_dict_u64(t, ofdp_drop_names[i], mgr_of_drop_total(&g_mgr, i));
	mgr_telemetry_exit();
	return 0;
}
