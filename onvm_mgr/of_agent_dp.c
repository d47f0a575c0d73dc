/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the OpenFlow sessions ask of the data path, on the agent thread:
 * port descriptions and counters, whether a FLOW_MOD/GROUP_MOD can be
 * executed, compiling table 0 (controller flows and the JSON chains'
 * flows) into the classifier + action programs the data lcores run, and
 * PACKET_OUT. All slow-path: allocation is fine here, never on the lcores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_telemetry.h>

#include "chain_config.h"
#include "classifier.h"
#include "of_agent.h"
#include "dispatch.h"
#include "of_agent_priv.h"

uint64_t
ofa_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint16_t
ofa_max_service(const struct mgr *m)
{
	uint16_t n = m->cfg.num_services;

	return n == 0 || n > ONVM_MAX_SERVICES ? ONVM_MAX_SERVICES : n;
}

/* ---- ports ---- */

bool
ofa_dpdk_port_enabled(const struct mgr *m, uint32_t of_port)
{
	return of_port >= 1 && of_port <= ONVM_MAX_PORTS &&
	       dispatch_port_enabled(m->port_mask, (uint16_t)(of_port - 1));
}

/* Any service id the manager is sized for may be an output, even before
 * its first NF runs (packets then count as no_instance drops), so a
 * controller can install flows ahead of the NFs. */
bool
ofa_port_exists(void *ctx, uint32_t port)
{
	struct of_agent *a = ctx;

	if (ofa_dpdk_port_enabled(a->m, port))
		return true;
	return port > FLOW_OFPORT_SERVICE_BASE &&
	       port <= FLOW_OFPORT_SERVICE_BASE + (uint32_t)ofa_max_service(a->m);
}

bool
ofa_service_port(struct of_agent *a, uint16_t svc, struct ofp_port_info *p)
{
	const struct onvm_service *s = &a->m->shm->services[svc];

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
	return true;
}

unsigned
ofa_port_list(void *ctx, struct ofp_port_info *out, unsigned max)
{
	struct of_agent *a = ctx;
	struct mgr *m = a->m;
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
	for (uint16_t s = 1; s <= ofa_max_service(m) && n < max; s++)
		if (__atomic_load_n(&m->shm->services[s].num_instances, __ATOMIC_ACQUIRE))
			ofa_service_port(a, s, &out[n++]);
	return n;
}

static bool
ofa_port_stats(void *ctx, uint32_t port_no, struct ofp_port_stats_entry *e)
{
	struct of_agent *a = ctx;
	struct mgr *m = a->m;

	if (ofa_dpdk_port_enabled(m, port_no)) {
		uint16_t id = (uint16_t)(port_no - 1);
		struct rte_eth_stats st = { 0 };
		const struct onvm_port_counters *c = &m->shm->ports[id].stats;

		if (rte_eth_stats_get(id, &st) == 0) {
			e->rx_packets = st.ipackets;
			e->tx_packets = st.opackets;
			e->rx_bytes = st.ibytes;
			e->tx_bytes = st.obytes;
			e->rx_errors = st.ierrors;
			e->tx_errors = st.oerrors;
		}
		e->rx_dropped = st.imissed + c->rx_no_chain + c->entry_drop;
		e->tx_dropped = c->tx_drop;
		return true;
	}
	if (port_no > FLOW_OFPORT_SERVICE_BASE &&
	    port_no <= FLOW_OFPORT_SERVICE_BASE + (uint32_t)ofa_max_service(m)) {
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

int
of_agent_chains_loaded(struct mgr *m, const struct chain_set *set, uint32_t gen, char *err,
		       size_t errlen)
{
	struct of_agent *a = &g_ofa;
	struct classifier *tmp = classifier_create();
	struct mgr_chain_state *st;
	uint64_t first_id;

	(void)m;
	if (tmp == NULL)
		goto oom;
	/* The previous chains' entries go; the new ones come in. */
	for (uint32_t i = 0; i < a->n_mirrors; i++)
		ofs_flow_remove_id(&a->sw, 0, a->mirrors[i].flow_id);
	a->n_mirrors = 0;
	for (uint32_t c = 0; c < set->num_chains; c++) {
		const struct chain_def *d = &set->chains[c];
		/* The classifier expands port ranges into key/mask blocks: one
		 * entry each, so the table compiles to what the chain matches. */
		classifier_free(tmp);
		tmp = classifier_create();
		if (tmp == NULL || classifier_add_match(tmp, &d->match, d->priority, c + 1) < 0)
			goto oom;
		for (uint32_t h = 0; h < classifier_handle_limit(tmp); h++) {
			struct ofp_action out = { .type = OFPAT_OUTPUT };
			struct ofp_flow_mod fm = { .cookie = c + 1, .table_id = 0,
						   .command = OFPFC_ADD,
						   .priority = (uint16_t)(d->priority > 0xffff ? 0xffff
											: d->priority),
						   .buffer_id = OFP_NO_BUFFER, .out_port = OFPP_ANY,
						   .out_group = OFPG_ANY };
			uint32_t prio, res;

			if (classifier_get(tmp, h, &fm.match.key, &fm.match.mask, &prio, &res) < 0)
				continue;
			out.u.output.port = FLOW_OFPORT_SERVICE_BASE + d->hops[0];
			out.u.output.max_len = 0;
			fm.insts.present = OFP_INST_BIT(OFPIT_APPLY_ACTIONS);
			fm.insts.apply.v = &out;
			fm.insts.apply.n = 1;
			first_id = a->sw.next_flow_id;
			if (ofs_flow_mod(&a->sw, &fm, ofa_now_ms()) != OFP_OK ||
			    a->n_mirrors >= OFA_MAX_MIRRORS) {
				snprintf(err, errlen, "chain '%s' does not fit the OpenFlow table",
					 d->name);
				classifier_free(tmp);
				return -1;
			}
			a->mirrors[a->n_mirrors++] = (struct ofa_mirror){ first_id,
									  (uint16_t)(c + 1) };
		}
	}
	classifier_free(tmp);
	st = calloc(1, sizeof(*st));
	if (st == NULL || compile_table(a, &st->cls, &st->of) < 0) {
		free(st);
		goto oom;
	}
	st->gen = gen;
	publish_state(a, st);
	return 0;
oom:
	classifier_free(tmp);
	snprintf(err, errlen, "out of memory installing the chains in the OpenFlow table");
	return -1;
}

/* ---- PACKET_OUT and barrier ---- */

static ofp_err_t
ofa_packet_out(void *ctx, const struct ofp_packet_out *po)
{
	struct of_agent *a = ctx;
	struct ofdp_pout_msg *slot;
	struct opvec o = { 0 };
	struct ofdp_prog p = { 0 };
	struct rte_mbuf *pkt;
	void *obj;
	ofp_err_t err;

	if (po->buffer_id != OFP_NO_BUFFER)
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
	err = compile_list(a, &po->actions, true, &o, &p);
	if (!err && p.n_ops > OFDP_POUT_OPS)
		err = OFP_ERR(OFPET_BAD_ACTION, OFPBAC_TOO_MANY);
	if (err) {
		free(o.v);
		return err;
	}
	if (rte_ring_sc_dequeue(g_ofdp.pout_free, &obj) < 0) {
		free(o.v);
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_EPERM); /* the data path is behind */
	}
	slot = obj;
	/* Not an EAL lcore: no per-lcore cache, so take from the pool itself. */
	if (rte_mempool_generic_get(a->m->pool, (void **)&pkt, 1, NULL) < 0) {
		rte_ring_sp_enqueue(g_ofdp.pout_free, slot);
		free(o.v);
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_EPERM);
	}
	rte_pktmbuf_reset(pkt);
	char *data = po->data_len <= rte_pktmbuf_tailroom(pkt)
			     ? rte_pktmbuf_append(pkt, (uint16_t)po->data_len) : NULL;
	if (data == NULL || po->data_len == 0) {
		rte_pktmbuf_free(pkt);
		rte_ring_sp_enqueue(g_ofdp.pout_free, slot);
		free(o.v);
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	}
	memcpy(data, po->data, po->data_len);
	slot->pkt = pkt;
	slot->in_port = po->in_port;
	slot->n_ops = p.n_ops;
	if (p.n_ops)
		memcpy(slot->ops, o.v, p.n_ops * sizeof(*o.v));
	free(o.v);
	ofa_publish(a, false); /* it may use flows just added (OFPP_TABLE) */
	if (rte_ring_sp_enqueue(g_ofdp.pout_ring, slot) < 0) {
		rte_pktmbuf_free(pkt);
		rte_ring_sp_enqueue(g_ofdp.pout_free, slot);
	}
	return OFP_OK;
}

static void
ofa_sync(void *ctx)
{
	/* Every earlier FLOW_MOD/GROUP_MOD is in the published state once
	 * this returns: ofa_publish waits for the data lcores. */
	ofa_publish(ctx, false);
}

void
ofa_ops_init(struct of_agent *a)
{
	a->ops = (struct of_datapath_ops){
		.port_list = ofa_port_list,
		.port_stats = ofa_port_stats,
		.packet_out = ofa_packet_out,
		.sync = ofa_sync,
		.flow_check = ofa_flow_check,
		.group_check = ofa_group_check,
		.ctx = a,
	};
}

/* ---- telemetry: /onvm/openflow ---- */

static int
tm_openflow(const char *cmd, const char *params, struct rte_tel_data *t)
{
	struct of_agent *a = &g_ofa;
	struct ofdp_lcore_counters sum = { 0 };
	unsigned int conns = 0;

	(void)cmd;
	(void)params;
	for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
		const struct ofdp_lcore_counters *c = &g_ofdp.ctr[s];
		sum.flow_drop += c->flow_drop;
		sum.copy_fail += c->copy_fail;
		sum.pin_drop += c->pin_drop;
		sum.reenter_miss += c->reenter_miss;
		sum.bad_output += c->bad_output;
		sum.svc_full += c->svc_full;
		sum.loop_drop += c->loop_drop;
		sum.table_miss += c->table_miss;
		sum.ff_dead += c->ff_dead;
		sum.meter_drop += c->meter_drop;
	}
	uint32_t flows = 0;
	of_agent_lock();
	for (int i = 0; i < OFA_MAX_CONNS; i++)
		conns += a->conns[i] && !a->conns[i]->connecting;
	rte_tel_data_start_dict(t);
	rte_tel_data_add_dict_u64(t, "datapath_id", a->dpid);
	rte_tel_data_add_dict_u64(t, "connections", conns);
	for (unsigned int tid = 0; tid < a->sw.n_tables; tid++)
		flows += a->sw.tables[tid].n;
	rte_tel_data_add_dict_u64(t, "flows", flows);
	rte_tel_data_add_dict_u64(t, "groups", a->sw.n_groups);
	of_agent_unlock();
	rte_tel_data_add_dict_u64(t, "flow_drop", sum.flow_drop);
	rte_tel_data_add_dict_u64(t, "copy_fail", sum.copy_fail);
	rte_tel_data_add_dict_u64(t, "packet_in_drop", sum.pin_drop);
	rte_tel_data_add_dict_u64(t, "reenter_miss", sum.reenter_miss);
	rte_tel_data_add_dict_u64(t, "loop_drop", sum.loop_drop);
	rte_tel_data_add_dict_u64(t, "bad_output", sum.bad_output);
	rte_tel_data_add_dict_u64(t, "service_full", sum.svc_full);
	rte_tel_data_add_dict_u64(t, "table_miss", sum.table_miss);
	rte_tel_data_add_dict_u64(t, "failover_dead", sum.ff_dead);
	rte_tel_data_add_dict_u64(t, "meter_drop", sum.meter_drop);
	return 0;
}

void
ofa_telemetry_register(void)
{
	rte_telemetry_register_cmd("/onvm/openflow", tm_openflow,
				   "OpenFlow agent: connections, flows, data path drop counters");
}
