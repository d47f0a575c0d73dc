/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiling the switch's table 0 into what the data lcores run: the
 * classifier (controller flows and the JSON chains' entries) and the
 * action programs and groups (struct ofdp_table); publishing it and
 * harvesting the per-lcore counters back into the switch's flows. Also
 * the FLOW_MOD/GROUP_MOD check "can the data path execute this", which
 * is the same compilation. Agent thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "dispatch.h"
#include "of_agent_priv.h"

/* ---- compiling actions ---- */

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

		if (ofa_dpdk_port_enabled(a->m, port)) {
			op->kind = OFDP_OUT_PORT;
			op->arg = port - 1;
		} else if (port > FLOW_OFPORT_SERVICE_BASE &&
			   port <= FLOW_OFPORT_SERVICE_BASE + (uint32_t)ofa_max_service(a->m)) {
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
		case OFPXMT_OFB_TUNNEL_ID: /* pipeline state, not a header: of_datapath.c */
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

/* A flow's instructions: apply-actions as the flow's program, write-actions
 * as a second one the pipeline merges into the action set. */
static ofp_err_t
compile_insts(struct of_agent *a, const struct ofp_instructions *in, struct opvec *o,
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
	    (err = compile_list(a, &in->apply, false, o, &f->prog)))
		return err;
	f->write.first_op = o->n;
	if ((in->present & OFP_INST_BIT(OFPIT_WRITE_ACTIONS)) &&
	    (err = compile_list(a, &in->write, false, o, &f->write)))
		return err;
	return OFP_OK;
}

ofp_err_t
ofa_flow_check(void *ctx, const struct ofp_flow_mod *fm)
{
	struct opvec o = { 0 };
	struct ofdp_flow f;
	ofp_err_t err = compile_insts(ctx, &fm->insts, &o, &f);

	free(o.v);
	return err;
}

ofp_err_t
ofa_group_check(void *ctx, const struct ofp_group_mod *gm)
{
	struct opvec o = { 0 };
	ofp_err_t err = OFP_OK;

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

static int
by_flow_id(const void *a, const void *b)
{
	const struct ofs_flow *fa = *(const struct ofs_flow *const *)a;
	const struct ofs_flow *fb = *(const struct ofs_flow *const *)b;

	return fa->id < fb->id ? -1 : fa->id > fb->id;
}

/* Every table's flows in flow id order (the order of ofdp_table.flows);
 * *n_out is their number. NULL when out of memory. */
static const struct ofs_flow **
all_flows(struct of_agent *a, uint32_t *n_out)
{
	const struct ofs_flow *none;
	uint32_t n = 0;

	for (uint8_t tid = 0; tid < a->sw.n_tables; tid++)
		n += ofs_table_flows(&a->sw, tid, &none, 0);
	const struct ofs_flow **flows = calloc(n + 1, sizeof(*flows));
	if (flows == NULL)
		return NULL;
	uint32_t at = 0;
	for (uint8_t tid = 0; tid < a->sw.n_tables; tid++)
		at += ofs_table_flows(&a->sw, tid, flows + at, n - at);
	qsort(flows, n, sizeof(*flows), by_flow_id);
	*n_out = n;
	return flows;
}

/*
 * The switch as the data path runs it: table 0 as the chain state's
 * classifier (NULL when empty), tables 1.. in t->cls, every flow's
 * programs, the groups.
 */
int
compile_table(struct of_agent *a, struct classifier **cls_out, struct ofdp_table **tbl_out)
{
	uint32_t n = 0;
	const struct ofs_flow **flows = all_flows(a, &n);
	struct ofdp_table *t = calloc(1, sizeof(*t));
	struct classifier *cls[OFDP_N_TABLES] = { NULL };
	struct opvec o = { 0 };

	*cls_out = NULL;
	*tbl_out = NULL;
	if (flows == NULL || t == NULL)
		goto fail;
	t->flows = calloc(n + 1, sizeof(*t->flows));
	t->groups = calloc(a->sw.n_groups + 1, sizeof(*t->groups));
	t->tbl_ctr = calloc(OFDP_COUNTER_SLOTS, sizeof(*t->tbl_ctr));
	if (t->flows == NULL || t->groups == NULL || t->tbl_ctr == NULL ||
	    ofa_compile_meters(a, t) < 0)
		goto fail;
	for (uint32_t i = 0; i < n; i++) {
		const struct ofs_flow *f = flows[i];
		int chain = mirror_chain(a, f->id);
		uint32_t result;

		if (f->table_id >= OFDP_N_TABLES)
			continue;
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
			df->table_id = f->table_id;
			df->table_miss = f->priority == 0 && match_all(&f->match);
			if (compile_insts(a, &f->insts, &o, df) != OFP_OK) {
				/* Checked at FLOW_MOD: only a port gone since lands here. */
				memset(&df->prog, 0, sizeof(df->prog));
				memset(&df->write, 0, sizeof(df->write));
				df->goto_table = OFDP_NO_TABLE;
			}
			if (f->insts.present & OFP_INST_BIT(OFPIT_METER)) {
				/* The switch refuses flows naming a missing meter
				 * and deletes a meter's flows with it. */
				int mi = ofa_meter_slot(t, f->insts.meter_id);
				df->meter = mi >= 0 ? (uint16_t)mi : OFDP_NO_METER;
			}
			result = MGR_OF_FLOW | t->n_flows++;
		}
		if (cls[f->table_id] == NULL && (cls[f->table_id] = classifier_create()) == NULL)
			goto fail;
		if (classifier_add(cls[f->table_id], &f->match.key, &f->match.mask, f->priority,
				   result) == CLS_NO_RULE)
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
			db->watch_port = sg->type == OFPGT_FF ? sg->buckets[b].watch_port : OFPP_ANY;
			db->watch_group = sg->type == OFPGT_FF ? sg->buckets[b].watch_group : OFPG_ANY;
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
		t->meter_ctr[s] = calloc(t->n_meters + 1, sizeof(struct ofdp_meter_counter));
		if (!t->flow_ctr[s] || !t->group_ctr[s] || !t->meter_ctr[s])
			goto fail;
	}
	free(flows);
	*cls_out = cls[0];
	for (unsigned int tid = 1; tid < OFDP_N_TABLES; tid++)
		t->cls[tid] = cls[tid];
	*tbl_out = t;
	return 0;
fail:
	free(o.v);
	free(flows);
	for (unsigned int tid = 0; tid < OFDP_N_TABLES; tid++)
		classifier_free(cls[tid]);
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
	flows = all_flows(a, &n);
	if (flows == NULL)
		return;
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
	uint64_t *th = &a->harvested[2 * (t->n_flows + t->n_groups)];
	for (unsigned int tid = 0; tid < OFDP_N_TABLES && tid < a->sw.n_tables; tid++) {
		uint64_t lk = 0, mt = 0;

		for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
			lk += __atomic_load_n(&t->tbl_ctr[s][tid].lookups, __ATOMIC_RELAXED);
			mt += __atomic_load_n(&t->tbl_ctr[s][tid].matches, __ATOMIC_RELAXED);
		}
		a->sw.tables[tid].lookups += lk - th[2 * tid];
		a->sw.tables[tid].matches += mt - th[2 * tid + 1];
		th[2 * tid] = lk;
		th[2 * tid + 1] = mt;
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
	ofa_harvest_meters(a, t);
	free(flows);
}

/* Publish st (its chain generation already written), harvest the old. */
void
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
	a->harvested = st->of ? calloc(ofa_harvest_words(st->of), sizeof(uint64_t)) : NULL;
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

