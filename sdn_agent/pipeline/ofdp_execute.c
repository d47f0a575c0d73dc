/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Executing compiled OpenFlow programs on a burst (see ofdp.h). A program
 * runs in order on the packet; every output but the last takes a copy,
 * so a set-field after an output does not change what that output sent
 * (OpenFlow apply-actions semantics). Outputs become entries of the
 * caller's destination list; nothing here sends or enqueues.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "byte_order.h"
#include "classifier.h"
#include "ofdp.h"
#include "ofp_wire.h"
#include "pkt_parse.h"

#define GROUP_DEPTH_MAX 4

const char *const ofdp_drop_names[OFDP_DROP_N] = {
#define _(sym, name, help) [OFDP_DROP_##sym] = name,
	foreach_ofdp_drop
#undef _
};

const char *const ofdp_drop_help[OFDP_DROP_N] = {
#define _(sym, name, help) [OFDP_DROP_##sym] = help,
	foreach_ofdp_drop
#undef _
};

/* One packet's way through the tables. */
struct pkt_run {
	uint32_t idx;        /* the flow it runs next */
	uint32_t in_ofport;  /* OpenFlow port it entered on */
	uint64_t metadata;   /* pipeline fields: 0 on entry */
	uint64_t tunnel_id;
	bool dirty;          /* headers rewritten since its key was built */
	bool has_actset;
};

/* The state one program runs in. */
struct exec_ctx {
	const struct ofdp_table *t;
	const struct ofdp_env *env;
	struct ofdp_lcore *lc;
	struct pkt_dests *out;
	struct pkt_run *run;
	const struct flow_key *key; /* the packet's key while !run->dirty */
	struct rte_mbuf *orig;      /* the packet itself (the rest are copies) */
	uint64_t cookie;
	uint8_t table_miss;
	uint8_t table_id;
	bool consumed;              /* the original packet is no longer ours */
};

static inline void
drop(struct exec_ctx *c, enum ofdp_drop why, struct rte_mbuf *pkt)
{
	c->lc->drops[why]++;
	rte_pktmbuf_free(pkt);
}

/* set_field tunnel_id edits no header: it is kept for later lookups. */
static inline bool
is_set_tunnel_id(const struct ofdp_op *op)
{
	return op->kind == OFDP_SET_FIELD && op->field == OFPXMT_OFB_TUNNEL_ID;
}

/* pkt was handed on or freed: if it is the original, it is gone. Copies
 * are ours alone and need no note. */
static inline void
note_gone(struct exec_ctx *c, const struct rte_mbuf *pkt)
{
	if (pkt == c->orig)
		c->consumed = true;
}

static void
push_emit(struct exec_ctx *c, struct rte_mbuf *pkt, uint16_t dest, uint16_t target)
{
	struct pkt_dests *o = c->out;

	if (o->n == PKT_DESTS_MAX) {
		drop(c, OFDP_DROP_DEST_FULL, pkt);
		return;
	}
	o->v[o->n++] = (struct pkt_dest){ pkt, dest, target };
}

static const struct ofdp_group *
group_find(const struct ofdp_table *t, uint32_t id)
{
	uint32_t lo = 0, hi = t ? t->n_groups : 0;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (t->groups[mid].group_id == id)
			return &t->groups[mid];
		if (t->groups[mid].group_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
packet_in(struct exec_ctx *c, struct rte_mbuf *pkt, uint16_t max_len)
{
	struct ofdp_io *io = c->env->io;
	struct ofdp_pin_msg *msg;
	uint32_t len = rte_pktmbuf_pkt_len(pkt);
	void *obj;

	if (rte_mempool_get(io->pin_pool, &obj) < 0) {
		c->lc->drops[OFDP_DROP_PACKET_IN_DROP]++;
		return;
	}
	msg = obj;
	msg->in_port = c->run->in_ofport;
	msg->total_len = (uint16_t)(len > 0xffff ? 0xffff : len);
	msg->max_len = c->table_miss ? OFPCML_NO_BUFFER : max_len;
	msg->reason = c->table_miss ? OFPR_NO_MATCH : OFPR_ACTION;
	msg->table_id = c->table_id;
	msg->cookie = c->cookie;
	if (len > OFDP_PIN_MAX)
		len = OFDP_PIN_MAX;
	if (!c->table_miss && max_len != OFPCML_NO_BUFFER && len > max_len)
		len = max_len;
	msg->len = (uint16_t)len;
	const void *src = rte_pktmbuf_read(pkt, 0, len, msg->data);
	if (src != NULL && src != msg->data)
		memcpy(msg->data, src, len);
	if (rte_ring_mp_enqueue(io->pin_ring, msg) < 0) {
		rte_mempool_put(io->pin_pool, msg);
		c->lc->drops[OFDP_DROP_PACKET_IN_DROP]++;
	}
}

static void run_table0(struct exec_ctx *c, struct rte_mbuf *pkt);

/* Hand pkt (ours to give away) to one destination. */
static void
emit(struct exec_ctx *c, const struct ofdp_op *op, struct rte_mbuf *pkt)
{
	const struct ofdp_env *env = c->env;
	uint32_t in = c->run->in_ofport;

	switch (op->kind) {
	case OFDP_OUT_IN_PORT:
		if (ofdp_env_service_port(env, in))
			push_emit(c, pkt, PKT_TO_SERVICE, (uint16_t)(in - FLOW_OFPORT_SERVICE_BASE));
		else if (ofdp_env_dpdk_port(env, in))
			push_emit(c, pkt, PKT_TO_PORT, (uint16_t)(in - 1));
		else
			drop(c, OFDP_DROP_BAD_OUTPUT, pkt);
		return;
	case OFDP_OUT_PORT:
		if (ofdp_env_dpdk_port(env, FLOW_OFPORT_FROM_DPDK(op->arg)))
			push_emit(c, pkt, PKT_TO_PORT, (uint16_t)op->arg);
		else
			drop(c, OFDP_DROP_BAD_OUTPUT, pkt);
		return;
	case OFDP_OUT_SERVICE:
		push_emit(c, pkt, PKT_TO_SERVICE, (uint16_t)op->arg);
		return;
	case OFDP_OUT_CONTROLLER:
		packet_in(c, pkt, (uint16_t)op->arg);
		rte_pktmbuf_free(pkt);
		return;
	case OFDP_OUT_TABLE:
		run_table0(c, pkt);
		return;
	default:
		rte_pktmbuf_free(pkt);
		return;
	}
}

static void run_prog(struct exec_ctx *c, const struct ofdp_prog *p, const struct ofdp_op *ops,
		     struct rte_mbuf *pkt, bool last_owner, int depth);

/* A copy for an output that is not the packet's last. The host's
 * per-packet metadata (mbuf dynamic fields) goes with it. */
static struct rte_mbuf *
copy_of(struct exec_ctx *c, struct rte_mbuf *pkt)
{
	struct rte_mbuf *cp = rte_pktmbuf_copy(pkt, c->env->pool, 0, UINT32_MAX);

	if (cp == NULL)
		c->lc->drops[OFDP_DROP_COPY_FAIL]++;
	return cp;
}

/*
 * OpenFlow port liveness for fast failover: a DPDK port whose link is up,
 * a service port with a running NF. Anything else is not live.
 */
static bool
ofport_live(const struct ofdp_env *env, uint32_t ofport)
{
	if (ofdp_env_dpdk_port(env, ofport))
		return __atomic_load_n(&env->io->port_up[ofport - 1], __ATOMIC_RELAXED);
	if (ofdp_env_service_port(env, ofport)) {
		const struct onvm_service *s = &env->services[ofport - FLOW_OFPORT_SERVICE_BASE];

		return __atomic_load_n(&s->num_instances, __ATOMIC_ACQUIRE) > 0;
	}
	return false;
}

static bool group_live(const struct exec_ctx *c, const struct ofdp_group *g, int depth);

/* A bucket is live when what it watches is (both, when it watches both). */
static bool
bucket_live(const struct exec_ctx *c, const struct ofdp_bucket *b, int depth)
{
	if (b->watch_port != OFPP_ANY && !ofport_live(c->env, b->watch_port))
		return false;
	if (b->watch_group != OFPG_ANY) {
		const struct ofdp_group *g = group_find(c->t, b->watch_group);

		if (g == NULL || depth > GROUP_DEPTH_MAX || !group_live(c, g, depth + 1))
			return false;
	}
	return true;
}

/* A group is live when one of its buckets is (OpenFlow 1.3.5, 6.5). */
static bool
group_live(const struct exec_ctx *c, const struct ofdp_group *g, int depth)
{
	const struct ofdp_bucket *b = &c->t->buckets[g->first_bucket];

	for (uint16_t i = 0; i < g->n_buckets; i++)
		if (g->type != OFPGT_FF || bucket_live(c, &b[i], depth))
			return true;
	return false;
}

/* The select group's hash: from the packet's key, or from its headers
 * when an action rewrote them. */
static uint32_t
select_hash(struct exec_ctx *c, struct rte_mbuf *pkt)
{
	struct flow_key key;
	struct pkt_info pi;
	const uint8_t *data;
	uint32_t len;

	if (!c->run->dirty && c->key != NULL && pkt == c->orig)
		return flow_key_hash_symmetric(c->key);
	data = rte_pktmbuf_mtod(pkt, const uint8_t *);
	len = rte_pktmbuf_data_len(pkt);
	pkt_parse(data, len, &pi);
	flow_key_from_frame(&key, &pi, data, len, 0);
	return flow_key_hash_symmetric(&key);
}

static void
run_group(struct exec_ctx *c, uint32_t gid, struct rte_mbuf *pkt, bool last_owner, int depth)
{
	const struct ofdp_group *g = group_find(c->t, gid);
	struct ofdp_counter *gc;

	if (g == NULL || g->n_buckets == 0 || depth > GROUP_DEPTH_MAX) {
		c->lc->drops[OFDP_DROP_BAD_OUTPUT]++;
		if (last_owner) {
			note_gone(c, pkt);
			rte_pktmbuf_free(pkt);
		}
		return;
	}
	gc = &c->t->group_ctr[c->lc->slot][g - c->t->groups];
	gc->packets++;
	gc->bytes += rte_pktmbuf_pkt_len(pkt);
	const struct ofdp_bucket *b = &c->t->buckets[g->first_bucket];

	if (g->type == OFPGT_ALL) {
		for (uint16_t i = 0; i < g->n_buckets; i++) {
			bool last = last_owner && i + 1 == g->n_buckets;
			struct rte_mbuf *p = last ? pkt : copy_of(c, pkt);

			/* Each bucket owns what it gets: the original or a copy. */
			if (p)
				run_prog(c, &b[i].prog, c->t->ops, p, true, depth + 1);
		}
		return;
	}
	uint16_t pick = 0;

	if (g->type == OFPGT_FF) {
		while (pick < g->n_buckets && !bucket_live(c, &b[pick], depth))
			pick++;
		if (pick == g->n_buckets) {
			c->lc->drops[OFDP_DROP_FAILOVER_DEAD]++;
			if (last_owner) {
				note_gone(c, pkt);
				rte_pktmbuf_free(pkt);
			}
			return;
		}
	} else if (g->type == OFPGT_SELECT && g->n_buckets > 1) {
		uint32_t h = select_hash(c, pkt), w = 0;

		h = g->total_weight ? h % g->total_weight : 0;
		for (pick = 0; pick + 1 < g->n_buckets; pick++) {
			w += b[pick].weight;
			if (h < w)
				break;
		}
	}
	if (last_owner) {
		run_prog(c, &b[pick].prog, c->t->ops, pkt, true, depth + 1);
	} else {
		struct rte_mbuf *p = copy_of(c, pkt);
		if (p)
			run_prog(c, &b[pick].prog, c->t->ops, p, true, depth + 1);
	}
}

static inline bool
ofdp_shrinks(uint8_t kind)
{
	return kind == OFDP_POP_VLAN || kind == OFDP_POP_MPLS || kind == OFDP_POP_PBB;
}

/*
 * A pop can leave a frame below Ethernet's 60-byte minimum (without
 * FCS). A NIC pads it on the wire; virtual ports (af_packet, tap, memif)
 * do not, so pad it here as the receiver would have seen it.
 */
static void
pad_to_minimum(struct rte_mbuf *pkt)
{
	uint32_t len = rte_pktmbuf_pkt_len(pkt);

	if (len < RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN && rte_pktmbuf_is_contiguous(pkt)) {
		uint16_t add = (uint16_t)(RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN - len);
		char *tail = rte_pktmbuf_append(pkt, add);

		if (tail != NULL)
			memset(tail, 0, add);
	}
}

/* Every DPDK port but the one the packet came in on gets a copy. */
static void
flood(struct exec_ctx *c, struct rte_mbuf *pkt)
{
	const struct ofdp_env *env = c->env;

	for (uint16_t j = 0; j < env->num_ports; j++) {
		uint16_t port = env->port_ids[j];
		struct rte_mbuf *cp;

		if (FLOW_OFPORT_FROM_DPDK(port) == c->run->in_ofport)
			continue;
		cp = copy_of(c, pkt);
		if (cp)
			push_emit(c, cp, PKT_TO_PORT, port);
	}
}

/*
 * Run a program on pkt. last_owner: after the program, pkt is not needed
 * by anyone else, so its last output may take it; otherwise every output
 * takes a copy and pkt is left to the caller.
 */
static void
run_prog(struct exec_ctx *c, const struct ofdp_prog *p, const struct ofdp_op *ops,
	 struct rte_mbuf *pkt, bool last_owner, int depth)
{
	uint16_t outputs_left = p->n_outputs;

	for (uint16_t i = 0; i < p->n_ops; i++) {
		const struct ofdp_op *op = &ops[p->first_op + i];

		if (!ofdp_is_output(op->kind)) {
			if (is_set_tunnel_id(op)) {
				c->run->tunnel_id = be64_load(op->val);
				continue;
			}
			if (pkt == c->orig)
				c->run->dirty = true;
			if (ofdp_apply_edit(op, pkt) && ofdp_shrinks(op->kind))
				pad_to_minimum(pkt);
			continue;
		}
		bool take = last_owner && --outputs_left == 0;

		if (op->kind == OFDP_GROUP) {
			run_group(c, op->arg, pkt, take, depth);
			if (take)
				return;
			continue;
		}
		if (op->kind == OFDP_OUT_FLOOD) {
			flood(c, pkt);
			if (take) {
				note_gone(c, pkt);
				rte_pktmbuf_free(pkt);
				return;
			}
			continue;
		}
		if (take) {
			note_gone(c, pkt);
			emit(c, op, pkt);
			return;
		}
		struct rte_mbuf *cp = copy_of(c, pkt);
		if (cp)
			emit(c, op, cp);
	}
	if (last_owner) {
		/* No output took it: dropped (a flow with no actions). */
		if (pkt == c->orig)
			c->lc->drops[OFDP_DROP_FLOW_DROP]++;
		note_gone(c, pkt);
		rte_pktmbuf_free(pkt);
	}
}

/*
 * One flow of the pipeline on c->orig: its meter, its apply-actions, its
 * clear/write-actions into the action set and its write-metadata.
 * Returns the table its goto-table leads to, or OFDP_NO_TABLE when the
 * packet is done (sent, dropped, or its action set ran).
 */
static uint8_t
run_flow(struct exec_ctx *c, struct ofdp_actset *as)
{
	const struct ofdp_table *t = c->t;
	struct pkt_run *r = c->run;
	struct rte_mbuf *pkt = c->orig;
	const struct ofdp_flow *f = &t->flows[r->idx];
	struct ofdp_counter *fc = &t->flow_ctr[c->lc->slot][r->idx];
	bool set_pending = (r->has_actset && !f->clear_actions && as->n) || f->write.n_ops;
	bool more = f->goto_table != OFDP_NO_TABLE || set_pending;

	fc->packets++;
	fc->bytes += rte_pktmbuf_pkt_len(pkt);
	c->cookie = f->cookie;
	c->table_miss = f->table_miss;
	c->table_id = f->table_id;
	/* The meter instruction runs before the flow's actions (5.9). */
	if (f->meter != OFDP_NO_METER) {
		r->dirty = true; /* a DSCP remark band rewrites the header */
		if (!ofdp_meter_run(t, c->lc->slot, f->meter, pkt)) {
			drop(c, OFDP_DROP_METER_DROP, pkt);
			return OFDP_NO_TABLE;
		}
	}
	run_prog(c, &f->prog, t->ops, pkt, !more, 0);
	if (!more || c->consumed)
		return OFDP_NO_TABLE;
	if (!r->has_actset) {
		as->n = 0;
		r->has_actset = true;
	}
	if (f->clear_actions)
		as->n = 0;
	ofdp_actset_write(as, t->ops + f->write.first_op, f->write.n_ops);
	r->metadata = (r->metadata & ~f->metadata_mask) | (f->metadata & f->metadata_mask);
	if (f->goto_table != OFDP_NO_TABLE)
		return f->goto_table;
	struct ofdp_prog p = ofdp_actset_program(as);

	run_prog(c, &p, as->ops, pkt, true, 0);
	return OFDP_NO_TABLE;
}

/*
 * The packets of idx[0..n) that a goto-table sent to table `tid`: one
 * burst lookup through this lcore's cache for the table. A match moves a
 * packet on to its flow (true in go[]); a miss drops it (OpenFlow 1.3: a
 * table miss without a table-miss flow drops).
 */
static void
lookup_table(const struct ofdp_table *t, struct ofdp_lcore *lc, uint8_t tid,
	     struct rte_mbuf **pkts, struct flow_key *keys, struct pkt_run *run,
	     const uint16_t *idx, uint16_t n, bool *go)
{
	struct ofdp_table_counter *tc = &t->tbl_ctr[lc->slot][tid];
	struct flow_key k[CLS_BURST_MAX];
	uint32_t res[CLS_BURST_MAX];

	tc->lookups += n;
	for (uint16_t base = 0; base < n; base += CLS_BURST_MAX) {
		uint16_t chunk = (uint16_t)RTE_MIN(n - base, CLS_BURST_MAX);
		uint64_t hit = 0;

		for (uint16_t j = 0; j < chunk; j++) {
			uint16_t i = idx[base + j];
			struct pkt_run *r = &run[i];

			if (r->dirty) {
				const uint8_t *data = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
				uint32_t len = rte_pktmbuf_data_len(pkts[i]);
				struct pkt_info pi;

				pkt_parse(data, len, &pi);
				flow_key_from_frame(&keys[i], &pi, data, len, r->in_ofport);
				r->dirty = false;
			}
			keys[i].metadata = r->metadata;
			keys[i].tunnel_id = r->tunnel_id;
			k[j] = keys[i];
		}
		if (t->cls[tid] != NULL)
			hit = classifier_lookup_burst(t->cls[tid], lc->cache[tid], k, chunk, res);
		tc->matches += (uint64_t)__builtin_popcountll(hit);
		for (uint16_t j = 0; j < chunk; j++) {
			uint16_t i = idx[base + j];

			go[i] = (hit >> j) & 1 && (res[j] & OFDP_FLOW);
			if (go[i]) {
				run[i].idx = res[j] & ~OFDP_FLOW;
			} else {
				lc->drops[OFDP_DROP_TABLE_MISS]++;
				rte_pktmbuf_free(pkts[i]);
			}
		}
	}
}

void
ofdp_run_burst(const struct ofdp_table *t, const struct ofdp_env *env, struct ofdp_lcore *lc,
	       struct rte_mbuf **pkts, const uint32_t *flow_idx, struct flow_key *keys,
	       bool parsed, uint16_t n, struct pkt_dests *out)
{
	struct pkt_run run[OFDP_BURST_MAX];
	uint16_t live[OFDP_BURST_MAX], next_live[OFDP_BURST_MAX], nlive = 0;
	uint8_t next_table[OFDP_BURST_MAX];
	bool go[OFDP_BURST_MAX];

	if (n > OFDP_BURST_MAX)
		n = OFDP_BURST_MAX;
	for (uint16_t i = 0; i < n; i++) {
		run[i] = (struct pkt_run){ .idx = flow_idx[i], .in_ofport = keys[i].in_port,
					   .metadata = keys[i].metadata,
					   .tunnel_id = keys[i].tunnel_id, .dirty = !parsed };
		live[nlive++] = i;
	}
	/* goto-table only leads to a higher table: at most one pass each. */
	for (uint8_t pass = 0; nlive > 0 && pass < OFDP_N_TABLES; pass++) {
		uint16_t waiting = 0, nnext = 0;

		for (uint16_t k = 0; k < nlive; k++) {
			uint16_t i = live[k];
			struct exec_ctx c = { .t = t, .env = env, .lc = lc, .out = out,
					      .run = &run[i], .key = &keys[i], .orig = pkts[i] };

			next_table[i] = run_flow(&c, &lc->actset[i]);
			if (next_table[i] != OFDP_NO_TABLE)
				live[waiting++] = i;
		}
		/* The packets waiting for a table meet it together. */
		for (uint8_t tid = 1; tid < OFDP_N_TABLES && waiting > 0; tid++) {
			uint16_t at[OFDP_BURST_MAX], nat = 0;

			for (uint16_t k = 0; k < waiting; k++)
				if (next_table[live[k]] == tid)
					at[nat++] = live[k];
			if (nat == 0)
				continue;
			lookup_table(t, lc, tid, pkts, keys, run, at, nat, go);
			for (uint16_t k = 0; k < nat; k++)
				if (go[at[k]])
					next_live[nnext++] = at[k];
		}
		memcpy(live, next_live, nnext * sizeof(live[0]));
		nlive = nnext;
	}
}

/* OFPP_TABLE in a PACKET_OUT: the frame meets table 0 as if it had come
 * in on the PACKET_OUT's in_port. */
static void
run_table0(struct exec_ctx *c, struct rte_mbuf *pkt)
{
	const uint8_t *data = rte_pktmbuf_mtod(pkt, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(pkt);
	struct flow_key key;
	struct pkt_info pi;
	uint32_t res;

	pkt_parse(data, len, &pi);
	flow_key_from_frame(&key, &pi, data, len, c->run->in_ofport);
	if (c->t == NULL || c->t->cls[0] == NULL || !classifier_lookup(c->t->cls[0], &key, &res)) {
		drop(c, OFDP_DROP_TABLE_MISS, pkt);
		return;
	}
	if (!(res & OFDP_FLOW)) {
		push_emit(c, pkt, PKT_TO_CHAIN, (uint16_t)res);
		return;
	}
	res &= ~OFDP_FLOW;
	ofdp_run_burst(c->t, c->env, c->lc, &pkt, &res, &key, true, 1, c->out);
}

void
ofdp_poll_packet_out(const struct ofdp_table *t, const struct ofdp_env *env,
		     struct ofdp_lcore *lc, struct pkt_dests *out)
{
	struct ofdp_io *io = env->io;
	void *objs[8];
	unsigned int n;

	if (io == NULL || io->pout_ring == NULL || rte_ring_empty(io->pout_ring))
		return;
	n = rte_ring_sc_dequeue_burst(io->pout_ring, objs, 8, NULL);
	for (unsigned int i = 0; i < n; i++) {
		struct ofdp_pout_msg *po = objs[i];
		struct pkt_run run = { .in_ofport = po->in_port };
		struct exec_ctx c = { .t = t, .env = env, .lc = lc, .out = out, .run = &run,
				      .orig = po->pkt };
		struct ofdp_prog prog = { 0, po->n_ops, 0 };

		for (uint16_t k = 0; k < po->n_ops; k++)
			if (ofdp_is_output(po->ops[k].kind))
				prog.n_outputs++;
		run_prog(&c, &prog, po->ops, po->pkt, true, 0);
		po->pkt = NULL;
		rte_ring_sp_enqueue(io->pout_free, po);
	}
}

bool
ofdp_refresh_links(const struct ofdp_env *env)
{
	bool changed = false;

	for (uint16_t i = 0; i < env->num_ports; i++) {
		uint16_t port = env->port_ids[i];
		struct rte_eth_link link;
		uint8_t up;

		if (port >= ONVM_MAX_PORTS)
			continue;
		memset(&link, 0, sizeof(link));
		up = rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
		if (__atomic_load_n(&env->io->port_up[port], __ATOMIC_RELAXED) != up) {
			__atomic_store_n(&env->io->port_up[port], up, __ATOMIC_RELAXED);
			changed = true;
		}
	}
	return changed;
}
