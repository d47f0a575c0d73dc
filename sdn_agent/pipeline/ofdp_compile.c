/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiling the switch into what the data lcores run (ofdp_compile.h):
 * every table's classifier (table 0 also holds the host's JSON chains),
 * the flows' action programs and the groups. Also the FLOW_MOD/GROUP_MOD
 * check "can the data path execute this", which is the same compilation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byte_order.h"
#include "classifier.h"
#include "ofdp_compile.h"

/* ---- compiling actions ---- */

static int
opvec_push(struct ofdp_opvec *o, const struct ofdp_op *op)
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
op_from_action(const struct ofdp_env *env, const struct ofp_action *x, bool packet_out,
	       struct ofdp_op *op)
{
	memset(op, 0, sizeof(*op));
	switch (x->type) {
	case OFPAT_OUTPUT: {
		uint32_t port = x->u.output.port;

		if (ofdp_env_dpdk_port(env, port)) {
			op->kind = OFDP_OUT_PORT;
			op->arg = port - 1;
		} else if (ofdp_env_service_port(env, port)) {
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
			op->arg = be32_load(v);
			return OFP_OK;
		case OFPXMT_OFB_TCP_SRC:
		case OFPXMT_OFB_UDP_SRC:
			op->kind = OFDP_SET_TP_SRC;
			op->arg = be16_load(v);
			return OFP_OK;
		case OFPXMT_OFB_TCP_DST:
		case OFPXMT_OFB_UDP_DST:
			op->kind = OFDP_SET_TP_DST;
			op->arg = be16_load(v);
			return OFP_OK;
		case OFPXMT_OFB_VLAN_VID:
			op->kind = OFDP_SET_VLAN_VID;
			op->arg = be16_load(v) & 0x0fff;
			return OFP_OK;
		case OFPXMT_OFB_ETH_TYPE:
		case OFPXMT_OFB_IP_PROTO:
		case OFPXMT_OFB_VLAN_PCP:
		case OFPXMT_OFB_IP_DSCP:
		case OFPXMT_OFB_IP_ECN:
		case OFPXMT_OFB_SCTP_SRC:
		case OFPXMT_OFB_SCTP_DST:
		case OFPXMT_OFB_ICMPV4_TYPE:
		case OFPXMT_OFB_ICMPV4_CODE:
		case OFPXMT_OFB_ARP_OP:
		case OFPXMT_OFB_ARP_SPA:
		case OFPXMT_OFB_ARP_TPA:
		case OFPXMT_OFB_ARP_SHA:
		case OFPXMT_OFB_ARP_THA:
		case OFPXMT_OFB_IPV6_SRC:
		case OFPXMT_OFB_IPV6_DST:
		case OFPXMT_OFB_IPV6_FLABEL:
		case OFPXMT_OFB_ICMPV6_TYPE:
		case OFPXMT_OFB_ICMPV6_CODE:
		case OFPXMT_OFB_IPV6_ND_TARGET:
		case OFPXMT_OFB_IPV6_ND_SLL:
		case OFPXMT_OFB_IPV6_ND_TLL:
		case OFPXMT_OFB_MPLS_LABEL:
		case OFPXMT_OFB_MPLS_TC:
		case OFPXMT_OFB_MPLS_BOS:
		case OFPXMT_OFB_PBB_ISID:
		case OFPXMT_OFB_TUNNEL_ID: /* pipeline state, not a header: ofdp_execute.c */
			/* The codec checked the length against the field's. */
			if (x->u.set_field.len > sizeof(op->val))
				return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
			op->kind = OFDP_SET_FIELD;
			op->field = x->u.set_field.field;
			memcpy(op->val, v, x->u.set_field.len);
			return OFP_OK;
		}
		return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	}
	case OFPAT_PUSH_MPLS:
	case OFPAT_POP_MPLS:
		op->kind = x->type == OFPAT_PUSH_MPLS ? OFDP_PUSH_MPLS : OFDP_POP_MPLS;
		op->arg = x->u.ethertype;
		return OFP_OK;
	case OFPAT_SET_MPLS_TTL:
	case OFPAT_SET_NW_TTL:
		op->kind = x->type == OFPAT_SET_MPLS_TTL ? OFDP_SET_MPLS_TTL : OFDP_SET_NW_TTL;
		op->arg = x->u.ttl;
		return OFP_OK;
	case OFPAT_DEC_MPLS_TTL:
		op->kind = OFDP_DEC_MPLS_TTL;
		return OFP_OK;
	case OFPAT_COPY_TTL_OUT:
		op->kind = OFDP_COPY_TTL_OUT;
		return OFP_OK;
	case OFPAT_COPY_TTL_IN:
		op->kind = OFDP_COPY_TTL_IN;
		return OFP_OK;
	case OFPAT_PUSH_PBB:
		op->kind = OFDP_PUSH_PBB;
		op->arg = x->u.ethertype;
		return OFP_OK;
	case OFPAT_POP_PBB:
		op->kind = OFDP_POP_PBB;
		return OFP_OK;
	}
	/* Decoded fine, but the data path does not execute it. */
	return OFP_ERR(OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
}

ofp_err_t
ofdp_compile_actions(const struct ofdp_env *env, const struct ofp_action_list *l,
		     bool packet_out, struct ofdp_opvec *o, struct ofdp_prog *p)
{
	for (uint16_t i = 0; i < l->n; i++) {
		struct ofdp_op op;
		ofp_err_t err = op_from_action(env, &l->v[i], packet_out, &op);

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

/* A flow's instructions: apply-actions as the flow's program, write-actions
 * as a second one the pipeline merges into the action set. */
static ofp_err_t
compile_insts(const struct ofdp_env *env, const struct ofp_instructions *in, struct ofdp_opvec *o,
	      struct ofdp_flow *f)
{
	ofp_err_t err;

	memset(&f->prog, 0, sizeof(f->prog));
	memset(&f->write, 0, sizeof(f->write));
	f->goto_table = OFDP_NO_TABLE;
	f->meter = OFDP_NO_METER; /* resolved by compile_table, which has the meters */
	f->clear_actions = (in->present & OFP_INST_BIT(OFPIT_CLEAR_ACTIONS)) != 0;
	f->metadata = f->metadata_mask = 0;
	if (in->present & OFP_INST_BIT(OFPIT_GOTO_TABLE)) {
		if (in->goto_table >= OFDP_N_TABLES)
			return OFP_ERR(OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
		f->goto_table = in->goto_table;
	}
	if (in->present & OFP_INST_BIT(OFPIT_WRITE_METADATA)) {
		f->metadata = in->metadata;
		f->metadata_mask = in->metadata_mask;
	}
	f->prog.first_op = o->n;
	if ((in->present & OFP_INST_BIT(OFPIT_APPLY_ACTIONS)) &&
	    (err = ofdp_compile_actions(env, &in->apply, false, o, &f->prog)))
		return err;
	f->write.first_op = o->n;
	if ((in->present & OFP_INST_BIT(OFPIT_WRITE_ACTIONS)) &&
	    (err = ofdp_compile_actions(env, &in->write, false, o, &f->write)))
		return err;
	return OFP_OK;
}

ofp_err_t
ofdp_check_flow(const struct ofdp_env *env, const struct ofp_flow_mod *fm)
{
	struct ofdp_opvec o = { 0 };
	struct ofdp_flow f;
	ofp_err_t err = compile_insts(env, &fm->insts, &o, &f);

	free(o.v);
	return err;
}

ofp_err_t
ofdp_check_group(const struct ofdp_env *env, const struct ofp_group_mod *gm)
{
	struct ofdp_opvec o = { 0 };
	ofp_err_t err = OFP_OK;

	for (uint16_t i = 0; i < gm->n_buckets && !err; i++) {
		struct ofdp_prog p = { 0 };
		err = ofdp_compile_actions(env, &gm->buckets[i].actions, false, &o, &p);
	}
	free(o.v);
	return err;
}

/* ---- compiling the table ---- */

/* The chain a host entry stands for, or -1 for a controller's flow. */
static int
chain_of(const struct ofdp_chain_flow *chains, uint32_t n, uint64_t flow_id)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (chains[mid].flow_id == flow_id)
			return chains[mid].chain_id;
		if (chains[mid].flow_id < flow_id)
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

static int
by_flow_id(const void *a, const void *b)
{
	const struct ofs_flow *fa = *(const struct ofs_flow *const *)a;
	const struct ofs_flow *fb = *(const struct ofs_flow *const *)b;

	return fa->id < fb->id ? -1 : fa->id > fb->id;
}

const struct ofs_flow **
ofdp_flows_by_id(const struct of_switch *sw, uint32_t *n_out)
{
	const struct ofs_flow *none;
	uint32_t n = 0;

	for (uint8_t tid = 0; tid < sw->n_tables; tid++)
		n += ofs_table_flows(sw, tid, &none, 0);
	const struct ofs_flow **flows = calloc(n + 1, sizeof(*flows));
	if (flows == NULL)
		return NULL;
	uint32_t at = 0;
	for (uint8_t tid = 0; tid < sw->n_tables; tid++)
		at += ofs_table_flows(sw, tid, flows + at, n - at);
	qsort(flows, n, sizeof(*flows), by_flow_id);
	*n_out = n;
	return flows;
}

/* A controller's flow as the data path runs it. */
static void
compile_flow(const struct ofdp_env *env, const struct ofs_flow *f, struct ofdp_table *t,
	     struct ofdp_opvec *o, struct ofdp_flow *df)
{
	df->flow_id = f->id;
	df->cookie = f->cookie;
	df->priority = f->priority;
	df->table_id = f->table_id;
	df->table_miss = f->priority == 0 && match_all(&f->match);
	if (compile_insts(env, &f->insts, o, df) != OFP_OK) {
		/* Checked at FLOW_MOD: only a port gone since lands here. */
		memset(&df->prog, 0, sizeof(df->prog));
		memset(&df->write, 0, sizeof(df->write));
		df->goto_table = OFDP_NO_TABLE;
	}
	if (f->insts.present & OFP_INST_BIT(OFPIT_METER)) {
		/* The switch refuses flows naming a missing meter and
		 * deletes a meter's flows with it. */
		int mi = ofdp_meter_index(t, f->insts.meter_id);
		df->meter = mi >= 0 ? (uint16_t)mi : OFDP_NO_METER;
	}
}

static int
compile_groups(const struct of_switch *sw, const struct ofdp_env *env, struct ofdp_table *t,
	       struct ofdp_opvec *o)
{
	uint32_t nb = 0;

	for (uint32_t g = 0; g < sw->n_groups; g++)
		nb += sw->groups[g].n_buckets;
	t->groups = calloc(sw->n_groups + 1, sizeof(*t->groups));
	t->buckets = calloc(nb + 1, sizeof(*t->buckets));
	if (t->groups == NULL || t->buckets == NULL)
		return -1;
	nb = 0;
	for (uint32_t g = 0; g < sw->n_groups; g++) {
		const struct ofs_group *sg = &sw->groups[g];
		struct ofdp_group *dg = &t->groups[t->n_groups++];

		dg->group_id = sg->id;
		dg->type = sg->type;
		dg->first_bucket = nb;
		nb += sg->n_buckets;
		for (uint16_t b = 0; b < sg->n_buckets; b++) {
			struct ofdp_bucket *db = &t->buckets[dg->first_bucket + b];

			db->weight = sg->type == OFPGT_SELECT ? sg->buckets[b].weight : 1;
			db->watch_port = sg->type == OFPGT_FF ? sg->buckets[b].watch_port : OFPP_ANY;
			db->watch_group = sg->type == OFPGT_FF ? sg->buckets[b].watch_group : OFPG_ANY;
			db->prog.first_op = o->n;
			if (ofdp_compile_actions(env, &sg->buckets[b].actions, false, o, &db->prog) !=
			    OFP_OK)
				db->prog.n_ops = db->prog.n_outputs = 0;
			dg->total_weight += db->weight;
			dg->n_buckets++;
		}
	}
	return 0;
}

/* A table-0 entry as compiled: its flow and its classifier result. */
struct t0_entry {
	const struct ofs_flow *f;
	uint32_t result;
};

/* Only the in_port bits of a mask set: the entry matches any packet of
 * its in_port, whatever the headers say. */
static bool
masks_only_in_port(const struct flow_key *mask)
{
	struct flow_key m = *mask;

	m.in_port = 0;
	static const struct flow_key zero;
	return memcmp(&m, &zero, sizeof(m)) == 0;
}

/*
 * ofdp_table.reenter: for each service port, the entry that wins for every
 * packet coming back from it, if one does. It must match on in_port alone
 * and beat every other entry that could match that in_port: a higher
 * priority, or an equal one and added earlier (entries are in flow id
 * order, which is the order the classifier breaks ties in).
 */
static int
compute_reenter(const struct ofdp_env *env, const struct t0_entry *e, uint32_t n,
		struct ofdp_table *t)
{
	t->max_service = env->max_service;
	t->reenter = malloc((env->max_service + 1u) * sizeof(*t->reenter));
	if (t->reenter == NULL)
		return -1;
	for (uint32_t s = 0; s <= env->max_service; s++) {
		uint32_t port = FLOW_OFPORT_SERVICE_BASE + s;
		int best = -1;

		t->reenter[s] = OFDP_LOOKUP;
		for (uint32_t i = 0; s > 0 && i < n; i++) {
			const struct ofp_match *m = &e[i].f->match;

			if ((port & m->mask.in_port) != (m->key.in_port & m->mask.in_port))
				continue;
			if (best < 0 || e[i].f->priority > e[best].f->priority)
				best = (int)i;
		}
		if (best >= 0 && masks_only_in_port(&e[best].f->match.mask))
			t->reenter[s] = e[best].result;
	}
	return 0;
}

static int
alloc_counters(struct ofdp_table *t)
{
	t->tbl_ctr = calloc(OFDP_COUNTER_SLOTS, sizeof(*t->tbl_ctr));
	if (t->tbl_ctr == NULL)
		return -1;
	for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
		t->flow_ctr[s] = calloc(t->n_flows + 1, sizeof(struct ofdp_counter));
		t->group_ctr[s] = calloc(t->n_groups + 1, sizeof(struct ofdp_counter));
		t->meter_ctr[s] = calloc(t->n_meters + 1, sizeof(struct ofdp_meter_counter));
		if (!t->flow_ctr[s] || !t->group_ctr[s] || !t->meter_ctr[s])
			return -1;
	}
	return 0;
}

struct ofdp_table *
ofdp_compile(const struct of_switch *sw, const struct ofdp_env *env,
	     const struct ofdp_chain_flow *chains, uint32_t n_chains,
	     const struct ofdp_table *prev, uint64_t tsc_hz)
{
	uint32_t n = 0;
	const struct ofs_flow **flows = ofdp_flows_by_id(sw, &n);
	struct ofdp_table *t = calloc(1, sizeof(*t));
	struct t0_entry *t0 = calloc(n + 1, sizeof(*t0));
	uint32_t n_t0 = 0;
	struct ofdp_opvec o = { 0 };

	if (flows == NULL || t == NULL || t0 == NULL)
		goto fail;
	t->flows = calloc(n + 1, sizeof(*t->flows));
	if (t->flows == NULL || ofdp_compile_meters(sw, prev, tsc_hz, t) < 0)
		goto fail;
	for (uint32_t i = 0; i < n; i++) {
		const struct ofs_flow *f = flows[i];
		int chain = chain_of(chains, n_chains, f->id);
		uint32_t result;

		if (f->table_id >= OFDP_N_TABLES)
			continue;
		if (chain >= 0) {
			result = (uint32_t)chain;
		} else {
			if (t->n_flows >= OFDP_MAX_FLOWS)
				continue;
			compile_flow(env, f, t, &o, &t->flows[t->n_flows]);
			result = OFDP_FLOW | t->n_flows++;
		}
		if (f->table_id == 0)
			t0[n_t0++] = (struct t0_entry){ f, result };
		struct classifier **cls = &t->cls[f->table_id];
		if (*cls == NULL && (*cls = classifier_create()) == NULL)
			goto fail;
		if (classifier_add(*cls, &f->match.key, &f->match.mask, f->priority, result) ==
		    CLS_NO_RULE)
			goto fail;
	}
	if (compile_groups(sw, env, t, &o) < 0 || alloc_counters(t) < 0 ||
	    compute_reenter(env, t0, n_t0, t) < 0)
		goto fail;
	t->ops = o.v;
	t->n_ops = o.n;
	free(t0);
	free(flows);
	return t;
fail:
	free(o.v);
	free(t0);
	free(flows);
	ofdp_table_free(t);
	return NULL;
}

void
ofdp_table_free(struct ofdp_table *t)
{
	if (t == NULL)
		return;
	for (unsigned int i = 0; i < OFDP_COUNTER_SLOTS; i++) {
		free(t->flow_ctr[i]);
		free(t->group_ctr[i]);
		free(t->meter_ctr[i]);
	}
	free(t->meters);
	for (unsigned int tid = 0; tid < OFDP_N_TABLES; tid++)
		classifier_free(t->cls[tid]);
	free(t->tbl_ctr);
	free(t->flows);
	free(t->ops);
	free(t->groups);
	free(t->buckets);
	free(t->reenter);
	free(t);
}

bool
ofdp_env_dpdk_port(const struct ofdp_env *env, uint32_t of_port)
{
	return of_port >= 1 && of_port <= ONVM_MAX_PORTS &&
	       (env->port_mask >> (of_port - 1) & 1);
}

bool
ofdp_env_service_port(const struct ofdp_env *env, uint32_t of_port)
{
	return of_port > FLOW_OFPORT_SERVICE_BASE &&
	       of_port <= FLOW_OFPORT_SERVICE_BASE + (uint32_t)env->max_service;
}
