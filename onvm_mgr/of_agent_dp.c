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

static uint16_t
max_service(const struct mgr *m)
{
	uint16_t n = m->cfg.num_services;

	return n == 0 || n > ONVM_MAX_SERVICES ? ONVM_MAX_SERVICES : n;
}

/* ---- ports ---- */

static bool
dpdk_port_enabled(const struct mgr *m, uint32_t of_port)
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

	if (dpdk_port_enabled(a->m, port))
		return true;
	return port > FLOW_OFPORT_SERVICE_BASE &&
	       port <= FLOW_OFPORT_SERVICE_BASE + (uint32_t)max_service(a->m);
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
	for (uint16_t s = 1; s <= max_service(m) && n < max; s++)
		if (__atomic_load_n(&m->shm->services[s].num_instances, __ATOMIC_ACQUIRE))
			ofa_service_port(a, s, &out[n++]);
	return n;
}

static bool
ofa_port_stats(void *ctx, uint32_t port_no, struct ofp_port_stats_entry *e)
{
	struct of_agent *a = ctx;
	struct mgr *m = a->m;

	if (dpdk_port_enabled(m, port_no)) {
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
	    port_no <= FLOW_OFPORT_SERVICE_BASE + (uint32_t)max_service(m)) {
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

/* ---- compiling actions ---- */

struct opvec {
	struct ofdp_op *v;
	uint32_t n, cap;
};

static int
opvec_push(struct opvec *o, const struct ofdp_op *op)
{
	if (o->n == o->cap) {
		uint32_t cap = o->cap ? o->cap * 2 : 64;
		struct ofdp_op *v = realloc(o->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = *op;
	return 0;
}

static ofp_err_t
op_from_action(struct of_agent *a, const struct ofp_action *x, bool packet_out,
	       struct ofdp_op *op)
{
	memset(op, 0, sizeof(*op));
	switch (x->type) {
	case OFPAT_OUTPUT: {
		uint32_t port = x->u.output.port;

		if (dpdk_port_enabled(a->m, port)) {
			op->kind = OFDP_OUT_PORT;
			op->arg = port - 1;
		} else if (port > FLOW_OFPORT_SERVICE_BASE &&
			   port <= FLOW_OFPORT_SERVICE_BASE + (uint32_t)max_service(a->m)) {
			op->kind = OFDP_OUT_SERVICE;
			op->arg = port - FLOW_OFPORT_SERVICE_BASE;
		} else if (port == OFPP_IN_PORT) {
			op->kind = OFDP_OUT_IN_PORT;
		} else if (port == OFPP_CONTROLLER) {
			op->kind = OFDP_OUT_CONTROLLER;
			op->arg = x->u.output.max_len;
		} else if (port == OFPP_ALL || port == OFPP_FLOOD) {
			op->kind = OFDP_OUT_FLOOD;
		} else if (port == OFPP_TABLE && packet_out) {
			op->kind = OFDP_OUT_TABLE;
		} else {
			return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
		}
		return OFP_OK;
	}
	case OFPAT_GROUP:
		op->kind = OFDP_GROUP;
		op->arg = x->u.group_id;
		return OFP_OK;
	case OFPAT_DEC_NW_TTL:
		op->kind = OFDP_DEC_NW_TTL;
		return OFP_OK;
	case OFPAT_PUSH_VLAN:
		op->kind = OFDP_PUSH_VLAN;
		op->arg = x->u.ethertype;
		return OFP_OK;
	case OFPAT_POP_VLAN:
		op->kind = OFDP_POP_VLAN;
		return OFP_OK;
	case OFPAT_SET_FIELD: {
		const uint8_t *v = x->u.set_field.value;

		switch (x->u.set_field.field) {
		case OFPXMT_OFB_ETH_SRC:
		case OFPXMT_OFB_ETH_DST:
			op->kind = x->u.set_field.field == OFPXMT_OFB_ETH_SRC ? OFDP_SET_ETH_SRC
									      : OFDP_SET_ETH_DST;
			memcpy(op->mac, v, 6);
			return OFP_OK;
		case OFPXMT_OFB_IPV4_SRC:
		case OFPXMT_OFB_IPV4_DST:
			op->kind = x->u.set_field.field == OFPXMT_OFB_IPV4_SRC ? OFDP_SET_IPV4_SRC
									       : OFDP_SET_IPV4_DST;
			op->arg = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
			return OFP_OK;
		case OFPXMT_OFB_TCP_SRC:
		case OFPXMT_OFB_UDP_SRC:
			op->kind = OFDP_SET_TP_SRC;
			op->arg = (uint32_t)v[0] << 8 | v[1];
			return OFP_OK;
		case OFPXMT_OFB_TCP_DST:
		case OFPXMT_OFB_UDP_DST:
			op->kind = OFDP_SET_TP_DST;
			op->arg = (uint32_t)v[0] << 8 | v[1];
			return OFP_OK;
		case OFPXMT_OFB_VLAN_VID:
			op->kind = OFDP_SET_VLAN_VID;
			op->arg = ((uint32_t)v[0] << 8 | v[1]) & 0x0fff;
			return OFP_OK;
		}
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	}
	}
	/* Decoded fine, but the data path does not execute it. */
	return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
}

static ofp_err_t
compile_list(struct of_agent *a, const struct ofp_action_list *l, bool packet_out,
	     struct opvec *o, struct ofdp_prog *p)
{
	for (uint16_t i = 0; i < l->n; i++) {
		struct ofdp_op op;
		ofp_err_t err = op_from_action(a, &l->v[i], packet_out, &op);

		if (err)
			return err;
		if (opvec_push(o, &op) < 0)
			return OFP_ERR(OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL);
		p->n_ops++;
		if (op.kind <= OFDP_GROUP)
			p->n_outputs++;
	}
	return OFP_OK;
}

/* apply-actions, then write-actions (one table: the action set runs at
 * its end, so it is applied right after). */
static ofp_err_t
compile_insts(struct of_agent *a, const struct ofp_instructions *in, struct opvec *o,
	      struct ofdp_prog *p)
{
	ofp_err_t err;

	p->first_op = o->n;
	p->n_ops = p->n_outputs = 0;
	/* One table: any goto-table points past the last one. */
	if (in->present & OFP_INST_BIT(OFPIT_GOTO_TABLE))
		return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
	if (in->present & OFP_INST_BIT(OFPIT_WRITE_METADATA))
		return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_UNSUP_INST);
	if ((in->present & OFP_INST_BIT(OFPIT_APPLY_ACTIONS)) &&
	    (err = compile_list(a, &in->apply, false, o, p)))
		return err;
	if ((in->present & OFP_INST_BIT(OFPIT_WRITE_ACTIONS)) &&
	    (err = compile_list(a, &in->write, false, o, p)))
		return err;
	return OFP_OK;
}

static ofp_err_t
ofa_flow_check(void *ctx, const struct ofp_flow_mod *fm)
{
	struct opvec o = { 0 };
	struct ofdp_prog p;
	ofp_err_t err = compile_insts(ctx, &fm->insts, &o, &p);

	free(o.v);
	return err;
}

static ofp_err_t
ofa_group_check(void *ctx, const struct ofp_group_mod *gm)
{
	struct opvec o = { 0 };
	ofp_err_t err = OFP_OK;

	if (gm->type == OFPGT_FF)
		return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_TYPE);
	for (uint16_t i = 0; i < gm->n_buckets && !err; i++) {
		struct ofdp_prog p = { 0 };
		err = compile_list(ctx, &gm->buckets[i].actions, false, &o, &p);
	}
	free(o.v);
	return err;
}

/* ---- compiling the table ---- */

static int
mirror_chain(const struct of_agent *a, uint64_t flow_id)
{
	uint32_t lo = 0, hi = a->n_mirrors;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (a->mirrors[mid].flow_id == flow_id)
			return a->mirrors[mid].chain_id;
		if (a->mirrors[mid].flow_id < flow_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static bool
match_all(const struct ofp_match *mt)
{
	static const struct flow_key zero;

	return memcmp(&mt->mask, &zero, sizeof(zero)) == 0;
}

/* Table 0 as a classifier + programs; NULL classifier when it is empty. */
static int
compile_table(struct of_agent *a, struct classifier **cls_out, struct ofdp_table **tbl_out)
{
	const struct ofs_flow *none;
	uint32_t n = ofs_table_flows(&a->sw, 0, &none, 0);
	const struct ofs_flow **flows = calloc(n + 1, sizeof(*flows));
	struct ofdp_table *t = calloc(1, sizeof(*t));
	struct classifier *cls = n ? classifier_create() : NULL;
	struct opvec o = { 0 };

	*cls_out = NULL;
	*tbl_out = NULL;
	if (flows == NULL || t == NULL || (n && cls == NULL))
		goto fail;
	ofs_table_flows(&a->sw, 0, flows, n);
	t->flows = calloc(n + 1, sizeof(*t->flows));
	t->groups = calloc(a->sw.n_groups + 1, sizeof(*t->groups));
	if (t->flows == NULL || t->groups == NULL)
		goto fail;
	for (uint32_t i = 0; i < n; i++) {
		const struct ofs_flow *f = flows[i];
		int chain = mirror_chain(a, f->id);
		uint32_t result;

		if (chain >= 0) {
			result = (uint32_t)chain;
		} else {
			struct ofdp_flow *df = &t->flows[t->n_flows];

			if (t->n_flows >= OFDP_MAX_FLOWS)
				continue;
			df->flow_id = f->id;
			df->cookie = f->cookie;
			df->chain_id = OFDP_NOT_CHAIN;
			df->priority = f->priority;
			df->table_miss = f->priority == 0 && match_all(&f->match);
			if (compile_insts(a, &f->insts, &o, &df->prog) != OFP_OK)
				df->prog.n_ops = df->prog.n_outputs = 0; /* checked at FLOW_MOD */
			result = MGR_OF_FLOW | t->n_flows++;
		}
		if (classifier_add(cls, &f->match.key, &f->match.mask, f->priority, result) ==
		    CLS_NO_RULE)
			goto fail;
	}
	uint32_t nb = 0;
	for (uint32_t g = 0; g < a->sw.n_groups; g++)
		nb += a->sw.groups[g].n_buckets;
	t->buckets = calloc(nb + 1, sizeof(*t->buckets));
	if (t->buckets == NULL)
		goto fail;
	nb = 0;
	for (uint32_t g = 0; g < a->sw.n_groups; g++) {
		const struct ofs_group *sg = &a->sw.groups[g];
		struct ofdp_group *dg = &t->groups[t->n_groups++];

		dg->group_id = sg->id;
		dg->type = sg->type;
		dg->first_bucket = nb;
		nb += sg->n_buckets;
		for (uint16_t b = 0; b < sg->n_buckets; b++) {
			struct ofdp_bucket *db = &t->buckets[dg->first_bucket + b];

			db->weight = sg->type == OFPGT_SELECT ? sg->buckets[b].weight : 1;
			db->prog.first_op = o.n;
			if (compile_list(a, &sg->buckets[b].actions, false, &o, &db->prog) != OFP_OK)
				db->prog.n_ops = db->prog.n_outputs = 0;
			dg->total_weight += db->weight;
			dg->n_buckets++;
		}
	}
	t->ops = o.v;
	t->n_ops = o.n;
	o.v = NULL;
	for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
		t->flow_ctr[s] = calloc(t->n_flows + 1, sizeof(struct ofdp_counter));
		t->group_ctr[s] = calloc(t->n_groups + 1, sizeof(struct ofdp_counter));
		if (!t->flow_ctr[s] || !t->group_ctr[s])
			goto fail;
	}
	free(flows);
	*cls_out = cls;
	*tbl_out = t;
	return 0;
fail:
	free(o.v);
	free(flows);
	classifier_free(cls);
	ofdp_table_free(t);
	return -1;
}

void
ofa_harvest(struct of_agent *a, const struct ofdp_table *t)
{
	uint32_t n;
	const struct ofs_flow **flows;
	uint64_t now = ofa_now_ms();

	if (t == NULL || a->harvested == NULL)
		return;
	const struct ofs_flow *none;

	n = ofs_table_flows(&a->sw, 0, &none, 0);
	flows = calloc(n + 1, sizeof(*flows));
	if (flows == NULL)
		return;
	ofs_table_flows(&a->sw, 0, flows, n);
	/* Both in flow id order: walk them together. */
	for (uint32_t i = 0, j = 0; i < t->n_flows; i++) {
		uint64_t pk = 0, by = 0;

		for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
			pk += __atomic_load_n(&t->flow_ctr[s][i].packets, __ATOMIC_RELAXED);
			by += __atomic_load_n(&t->flow_ctr[s][i].bytes, __ATOMIC_RELAXED);
		}
		uint64_t dp = pk - a->harvested[2 * i], db = by - a->harvested[2 * i + 1];
		a->harvested[2 * i] = pk;
		a->harvested[2 * i + 1] = by;
		while (j < n && flows[j]->id < t->flows[i].flow_id)
			j++;
		if (dp && j < n && flows[j]->id == t->flows[i].flow_id) {
			struct ofs_flow *f = (struct ofs_flow *)flows[j];
			f->packet_count += dp;
			f->byte_count += db;
			f->used_ms = now;
		}
	}
	for (uint32_t g = 0; g < t->n_groups; g++) {
		struct ofs_group *sg = ofs_group_find(&a->sw, t->groups[g].group_id);
		uint64_t pk = 0, by = 0;

		for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
			pk += t->group_ctr[s][g].packets;
			by += t->group_ctr[s][g].bytes;
		}
		uint64_t *h = &a->harvested[2 * t->n_flows + 2 * g];
		if (sg) {
			sg->packet_count += pk - h[0];
			sg->byte_count += by - h[1];
		}
		h[0] = pk;
		h[1] = by;
	}
	free(flows);
}

/* Publish st (its chain generation already written), harvest the old. */
static void
publish_state(struct of_agent *a, struct mgr_chain_state *st)
{
	struct mgr_chain_state *old = mgr_chains_swap(a->m, st);

	if (old) {
		ofa_harvest(a, old->of);
		classifier_free(old->cls);
		ofdp_table_free(old->of);
		free(old);
	}
	free(a->harvested);
	a->harvested = st->of ? calloc(2 * (st->of->n_flows + st->of->n_groups) + 2,
				       sizeof(uint64_t)) : NULL;
	a->compiled_generation = a->sw.generation;
}

void
ofa_publish(struct of_agent *a, bool force)
{
	const struct mgr_chain_state *cur = mgr_chains_current();
	struct mgr_chain_state *st;

	if (!force && a->sw.generation == a->compiled_generation)
		return;
	st = calloc(1, sizeof(*st));
	if (st == NULL || compile_table(a, &st->cls, &st->of) < 0) {
		free(st);
		fprintf(stderr, "onvm_mgr: openflow: out of memory compiling the flow table\n");
		return;
	}
	st->gen = cur ? cur->gen : 0;
	publish_state(a, st);
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
