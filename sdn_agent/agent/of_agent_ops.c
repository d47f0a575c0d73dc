/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the OpenFlow sessions ask of the data path (of_datapath_ops), on
 * the agent thread: ports and their counters (from the host), whether a
 * FLOW_MOD/GROUP_MOD can be executed, PACKET_OUT and barriers; and the
 * agent's status for the host's stats. All slow path: allocation is fine.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "of_agent_priv.h"

static unsigned
port_list(void *ctx, struct ofp_port_info *out, unsigned max)
{
	struct of_agent *a = ctx;

	return a->host.port_list(a->host.ctx, out, max);
}

static bool
port_stats(void *ctx, uint32_t port_no, struct ofp_port_stats_entry *e)
{
	struct of_agent *a = ctx;

	return a->host.port_stats(a->host.ctx, port_no, e);
}

static ofp_err_t
flow_check(void *ctx, const struct ofp_flow_mod *fm)
{
	struct of_agent *a = ctx;

	return ofdp_check_flow(&a->cfg.env, fm);
}

static ofp_err_t
group_check(void *ctx, const struct ofp_group_mod *gm)
{
	struct of_agent *a = ctx;

	return ofdp_check_group(&a->cfg.env, gm);
}

/* A PACKET_OUT's frame in an mbuf of the host's pool, or NULL. */
static struct rte_mbuf *
pout_frame(struct of_agent *a, const struct ofp_packet_out *po)
{
	struct rte_mbuf *pkt;
	char *data;

	/* Not an EAL lcore: no per-lcore cache, so take from the pool itself. */
	if (rte_mempool_generic_get(a->cfg.env.pool, (void **)&pkt, 1, NULL) < 0)
		return NULL;
	rte_pktmbuf_reset(pkt);
	data = po->data_len && po->data_len <= rte_pktmbuf_tailroom(pkt)
		       ? rte_pktmbuf_append(pkt, (uint16_t)po->data_len) : NULL;
	if (data == NULL) {
		rte_pktmbuf_free(pkt);
		return NULL;
	}
	memcpy(data, po->data, po->data_len);
	return pkt;
}

static ofp_err_t
packet_out(void *ctx, const struct ofp_packet_out *po)
{
	struct of_agent *a = ctx;
	struct ofdp_pout_msg *slot;
	struct ofdp_opvec o = { 0 };
	struct ofdp_prog p = { 0 };
	struct rte_mbuf *pkt;
	void *obj;
	ofp_err_t err;

	if (po->buffer_id != OFP_NO_BUFFER)
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
	if (po->data_len == 0)
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	err = ofdp_compile_actions(&a->cfg.env, &po->actions, true, &o, &p);
	if (!err && p.n_ops > OFDP_POUT_OPS)
		err = OFP_ERR(OFPET_BAD_ACTION, OFPBAC_TOO_MANY);
	if (err) {
		free(o.v);
		return err;
	}
	if (rte_ring_sc_dequeue(a->io.pout_free, &obj) < 0) {
		free(o.v);
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_EPERM); /* the data path is behind */
	}
	slot = obj;
	pkt = pout_frame(a, po);
	if (pkt == NULL) {
		rte_ring_sp_enqueue(a->io.pout_free, slot);
		free(o.v);
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_EPERM);
	}
	slot->pkt = pkt;
	slot->in_port = po->in_port;
	slot->n_ops = p.n_ops;
	if (p.n_ops)
		memcpy(slot->ops, o.v, p.n_ops * sizeof(*o.v));
	free(o.v);
	ofa_publish(a, false); /* it may use flows just added (OFPP_TABLE) */
	if (rte_ring_sp_enqueue(a->io.pout_ring, slot) < 0) {
		rte_pktmbuf_free(pkt);
		rte_ring_sp_enqueue(a->io.pout_free, slot);
	}
	return OFP_OK;
}

static void
sync_datapath(void *ctx)
{
	/* Every earlier FLOW_MOD/GROUP_MOD is in the published table once
	 * this returns: the host's publish waits for the data lcores. */
	ofa_publish(ctx, false);
}

void
ofa_ops_init(struct of_agent *a)
{
	a->ops = (struct of_datapath_ops){
		.port_list = port_list,
		.port_stats = port_stats,
		.packet_out = packet_out,
		.sync = sync_datapath,
		.flow_check = flow_check,
		.group_check = group_check,
		.ctx = a,
	};
}

void
of_agent_status(struct ofa_status *st)
{
	struct of_agent *a = &g_ofa;

	memset(st, 0, sizeof(*st));
	st->datapath_id = a->dpid;
	/* Connections are the agent thread's; a racy count is fine here. */
	for (int i = 0; i < OFA_MAX_CONNS; i++)
		st->connections += a->conns[i] && !a->conns[i]->connecting;
	ofa_lock_host(a);
	for (unsigned int tid = 0; tid < a->sw.n_tables; tid++)
		st->flows += a->sw.tables[tid].n;
	st->groups = a->sw.n_groups;
	st->meters = a->sw.n_meters;
	ofa_unlock(a);
}
