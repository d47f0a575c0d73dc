/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Executing compiled OpenFlow action programs on the data lcores (see
 * of_datapath.h). A program runs in order on the packet; every output
 * but the last sends a copy, so a set-field after an output does not
 * change what that output sent (OpenFlow apply-actions semantics).
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "classifier.h"
#include "dispatch.h"
#include "flow_key.h"
#include "of_datapath.h"
#include "ofp_wire.h"
#include "pkt_parse.h"

#define PIN_POOL_SIZE 1023
#define POUT_SLOTS 64
#define GROUP_DEPTH_MAX 4

struct ofdp_io g_ofdp;

const struct onvm_chain ofdp_no_chain = { .name = "openflow", .num_hops = 0,
					  .out_port = ONVM_PORT_NONE };

int
ofdp_io_init(struct mgr *m)
{
	(void)m;
	g_ofdp.pin_pool = rte_mempool_create("onvm_of_pin", PIN_POOL_SIZE,
					     sizeof(struct ofdp_pin_msg), 0, 0, NULL, NULL, NULL,
					     NULL, (int)rte_socket_id(), 0);
	g_ofdp.pin_ring = rte_ring_create("onvm_of_pin", 1024, (int)rte_socket_id(),
					  RING_F_SC_DEQ);
	g_ofdp.pout_ring = rte_ring_create("onvm_of_pout", POUT_SLOTS * 2, (int)rte_socket_id(),
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
	g_ofdp.pout_free = rte_ring_create("onvm_of_pout_free", POUT_SLOTS * 2,
					   (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	g_ofdp.pout_slots = rte_zmalloc("onvm_of_pout", sizeof(struct ofdp_pout_msg) * POUT_SLOTS,
					RTE_CACHE_LINE_SIZE);
	if (!g_ofdp.pin_pool || !g_ofdp.pin_ring || !g_ofdp.pout_ring || !g_ofdp.pout_free ||
	    !g_ofdp.pout_slots)
		return -1;
	for (uintptr_t i = 0; i < POUT_SLOTS; i++)
		rte_ring_enqueue(g_ofdp.pout_free, &g_ofdp.pout_slots[i]);
	return 0;
}

void
ofdp_io_free(void)
{
	void *obj;

	while (g_ofdp.pin_ring && rte_ring_dequeue(g_ofdp.pin_ring, &obj) == 0)
		rte_mempool_put(g_ofdp.pin_pool, obj);
	while (g_ofdp.pout_ring && rte_ring_dequeue(g_ofdp.pout_ring, &obj) == 0)
		rte_pktmbuf_free(((struct ofdp_pout_msg *)obj)->pkt);
	rte_ring_free(g_ofdp.pin_ring);
	rte_ring_free(g_ofdp.pout_ring);
	rte_ring_free(g_ofdp.pout_free);
	rte_mempool_free(g_ofdp.pin_pool);
	rte_free(g_ofdp.pout_slots);
	memset(&g_ofdp, 0, sizeof(g_ofdp));
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
	free(t);
}

unsigned int
ofdp_slot(struct mgr *m, const struct mgr_data_lcore *d)
{
	return d == &m->inline_data ? MGR_MAX_DATA_LCORES : (unsigned int)(d - m->data);
}

/* The state one packet's program runs in. */
struct exec_ctx {
	struct mgr *m;
	struct mgr_data_lcore *d;
	const struct ofdp_table *t;
	unsigned int slot;
	uint32_t in_ofport;      /* OpenFlow port it entered on */
	uint64_t cookie;
	uint8_t table_miss;
	uint8_t table_id;
	uint16_t keep_svc;       /* the original packet goes to this service */
	bool consumed;           /* the original packet is no longer ours */
	struct rte_mbuf *orig;   /* the packet itself (the rest are copies) */
	uint64_t tunnel_id;      /* pipeline field: 0 on entry, set-field sets it */
};

/* set_field tunnel_id edits no header: it is kept for later lookups. */
static inline bool
is_set_tunnel_id(const struct ofdp_op *op)
{
	return op->kind == OFDP_SET_FIELD && op->field == OFPXMT_OFB_TUNNEL_ID;
}

static inline uint64_t
be64_of(const uint8_t v[8])
{
	uint64_t x = 0;

	for (int i = 0; i < 8; i++)
		x = x << 8 | v[i];
	return x;
}

/* pkt was sent or freed: if it is the original, the caller must not
 * enqueue it. Copies are ours alone and need no note. */
static inline void
note_gone(struct exec_ctx *c, const struct rte_mbuf *pkt)
{
	if (pkt == c->orig)
		c->consumed = true;
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
set_meta(struct rte_mbuf *pkt, uint16_t in_port, uint64_t rx_ns)
{
	*onvm_pkt_meta(pkt) = (struct onvm_pkt_meta){ .chain_id = MGR_OF_CHAIN,
						      .in_port = in_port, .rx_ns = rx_ns };
}

static void
packet_in(struct exec_ctx *c, struct rte_mbuf *pkt, uint16_t max_len)
{
	struct ofdp_lcore_counters *k = &g_ofdp.ctr[c->slot];
	void *obj;
	struct ofdp_pin_msg *msg;
	uint32_t len = rte_pktmbuf_pkt_len(pkt);

	if (rte_mempool_get(g_ofdp.pin_pool, &obj) < 0) {
		k->pin_drop++;
		return;
	}
	msg = obj;
	msg->in_port = c->in_ofport;
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
	if (rte_ring_mp_enqueue(g_ofdp.pin_ring, msg) < 0) {
		rte_mempool_put(g_ofdp.pin_pool, msg);
		k->pin_drop++;
	}
}

static uint16_t table_run(struct mgr *m, struct mgr_data_lcore *d, struct rte_mbuf *pkt,
			  uint32_t in_ofport);

/* Send pkt (ours to give away) to one destination. */
static void
emit(struct exec_ctx *c, const struct ofdp_op *op, struct rte_mbuf *pkt, bool original)
{
	struct ofdp_lcore_counters *k = &g_ofdp.ctr[c->slot];
	struct mgr *m = c->m;
	uint32_t port;

	switch (op->kind) {
	case OFDP_OUT_IN_PORT:
		if (c->in_ofport >= FLOW_OFPORT_SERVICE_BASE) {
			struct ofdp_op svc = { .kind = OFDP_OUT_SERVICE,
					       .arg = c->in_ofport - FLOW_OFPORT_SERVICE_BASE };
			emit(c, &svc, pkt, original);
			return;
		}
		port = c->in_ofport - 1;
		goto to_port;
	case OFDP_OUT_PORT:
		port = op->arg;
	to_port:
		if (port >= ONVM_MAX_PORTS || !dispatch_port_enabled(m->port_mask, (uint16_t)port)) {
			k->bad_output++;
			rte_pktmbuf_free(pkt);
			return;
		}
		dataplane_port_send(c->d, (uint16_t)port, pkt);
		return;
	case OFDP_OUT_SERVICE:
		if (original) {
			/* The caller enqueues it in its burst, with backpressure. */
			c->keep_svc = (uint16_t)op->arg;
			return;
		}
		if (!dataplane_service_send(m, c->d, (uint16_t)op->arg, pkt)) {
			k->svc_full++;
			rte_pktmbuf_free(pkt);
		}
		return;
	case OFDP_OUT_CONTROLLER:
		packet_in(c, pkt, (uint16_t)op->arg);
		rte_pktmbuf_free(pkt);
		return;
	case OFDP_OUT_TABLE: {
		uint16_t svc = table_run(m, c->d, pkt, c->in_ofport);
		if (svc && !dataplane_service_send(m, c->d, svc, pkt)) {
			k->svc_full++;
			rte_pktmbuf_free(pkt);
		}
		return;
	}
	default:
		rte_pktmbuf_free(pkt);
		return;
	}
}

static void run_prog(struct exec_ctx *c, const struct ofdp_prog *p, const struct ofdp_op *ops,
		     struct rte_mbuf *pkt, bool last_owner, int depth);

/* A copy for an output that is not the packet's last. */
static struct rte_mbuf *
copy_of(struct exec_ctx *c, struct rte_mbuf *pkt)
{
	struct rte_mbuf *cp = rte_pktmbuf_copy(pkt, c->m->pool, 0, UINT32_MAX);

	if (cp == NULL) {
		g_ofdp.ctr[c->slot].copy_fail++;
		return NULL;
	}
	*onvm_pkt_meta(cp) = *onvm_pkt_meta(pkt);
	return cp;
}

bool
ofdp_refresh_links(struct mgr *m)
{
	bool changed = false;

	for (uint16_t i = 0; i < m->num_ports; i++) {
		uint16_t port = m->port_ids[i];
		struct rte_eth_link link;
		uint8_t up;

		if (port >= ONVM_MAX_PORTS)
			continue;
		memset(&link, 0, sizeof(link));
		up = rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
		if (__atomic_load_n(&g_ofdp.port_up[port], __ATOMIC_RELAXED) != up) {
			__atomic_store_n(&g_ofdp.port_up[port], up, __ATOMIC_RELAXED);
			changed = true;
		}
	}
	return changed;
}

/*
 * OpenFlow port liveness for fast failover: a DPDK port whose link is up,
 * a service port with a running NF. Anything else is not live.
 */
static bool
ofport_live(const struct mgr *m, uint32_t ofport)
{
	if (ofport >= 1 && ofport <= ONVM_MAX_PORTS) {
		uint16_t port = (uint16_t)(ofport - 1);

		return dispatch_port_enabled(m->port_mask, port) &&
		       __atomic_load_n(&g_ofdp.port_up[port], __ATOMIC_RELAXED);
	}
	if (ofport > FLOW_OFPORT_SERVICE_BASE &&
	    ofport <= FLOW_OFPORT_SERVICE_BASE + ONVM_MAX_SERVICES) {
		const struct onvm_service *s =
			&m->shm->services[ofport - FLOW_OFPORT_SERVICE_BASE];
		return __atomic_load_n(&s->num_instances, __ATOMIC_ACQUIRE) > 0;
	}
	return false;
}

static bool group_live(const struct exec_ctx *c, const struct ofdp_group *g, int depth);

/* A bucket is live when what it watches is (both, when it watches both). */
static bool
bucket_live(const struct exec_ctx *c, const struct ofdp_bucket *b, int depth)
{
	if (b->watch_port != OFPP_ANY && !ofport_live(c->m, b->watch_port))
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

static void
run_group(struct exec_ctx *c, uint32_t gid, struct rte_mbuf *pkt, bool last_owner, int depth)
{
	const struct ofdp_group *g = group_find(c->t, gid);
	struct ofdp_counter *gc;

	if (g == NULL || g->n_buckets == 0 || depth > GROUP_DEPTH_MAX) {
		g_ofdp.ctr[c->slot].bad_output++;
		if (last_owner) {
			note_gone(c, pkt);
			rte_pktmbuf_free(pkt);
		}
		return;
	}
	gc = &c->t->group_ctr[c->slot][g - c->t->groups];
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
			g_ofdp.ctr[c->slot].ff_dead++;
			if (last_owner) {
				note_gone(c, pkt);
				rte_pktmbuf_free(pkt);
			}
			return;
		}
	} else if (g->type == OFPGT_SELECT && g->n_buckets > 1) {
		const uint8_t *data = rte_pktmbuf_mtod(pkt, const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(pkt);
		struct flow_key key;
		struct pkt_info pi;
		uint32_t h, w = 0;

		pkt_parse(data, len, &pi);
		flow_key_from_frame(&key, &pi, data, len, 0);
		h = flow_key_hash_symmetric(&key);
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
			if (is_set_tunnel_id(op))
				c->tunnel_id = be64_of(op->val);
			else if (ofdp_apply_edit(op, pkt) && ofdp_shrinks(op->kind))
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
			for (uint16_t j = 0; j < c->m->num_ports; j++) {
				uint16_t port = c->m->port_ids[j];
				struct ofdp_op out = { .kind = OFDP_OUT_PORT, .arg = port };
				struct rte_mbuf *cp;

				if (FLOW_OFPORT_FROM_DPDK(port) == c->in_ofport)
					continue;
				cp = copy_of(c, pkt);
				if (cp)
					emit(c, &out, cp, false);
			}
			if (take) {
				note_gone(c, pkt);
				rte_pktmbuf_free(pkt);
				return;
			}
			continue;
		}
		if (take) {
			if (op->kind == OFDP_OUT_SERVICE && pkt == c->orig) {
				emit(c, op, pkt, true); /* enqueued by the caller */
			} else {
				note_gone(c, pkt);
				emit(c, op, pkt, false);
			}
			return;
		}
		struct rte_mbuf *cp = copy_of(c, pkt);
		if (cp)
			emit(c, op, cp, false);
	}
	if (last_owner) {
		/* No output took it: dropped (a flow with no actions). */
		if (pkt == c->orig)
			g_ofdp.ctr[c->slot].flow_drop++;
		note_gone(c, pkt);
		rte_pktmbuf_free(pkt);
	}
}

/* ---- entry points ---- */

/* Look pkt up in table `tid` (>= 1) after a goto-table; -1 on a miss. */
static int
lookup_next(struct exec_ctx *c, struct rte_mbuf *pkt, uint8_t tid, uint64_t metadata)
{
	const uint8_t *data = rte_pktmbuf_mtod(pkt, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(pkt);
	struct ofdp_table_counter *tc = &c->t->tbl_ctr[c->slot][tid];
	struct flow_key key;
	struct pkt_info pi;
	uint32_t res;

	tc->lookups++;
	if (c->t->cls[tid] == NULL)
		return -1;
	/* Earlier actions may have rewritten the headers: parse again. */
	pkt_parse(data, len, &pi);
	flow_key_from_frame(&key, &pi, data, len, c->in_ofport);
	key.metadata = metadata;
	key.tunnel_id = c->tunnel_id;
	if (!classifier_lookup(c->t->cls[tid], &key, &res))
		return -1;
	tc->matches++;
	return (int)(res & ~MGR_OF_FLOW);
}

/*
 * The pipeline from flow `idx` on: each flow's apply-actions, its
 * clear/write-actions into the action set, write-metadata, goto-table to
 * the next lookup; at the end the action set runs. While the pipeline
 * goes on, apply-actions' outputs send copies and the packet stays ours.
 */
static uint16_t
execute_flow(struct mgr *m, struct mgr_data_lcore *d, const struct ofdp_table *t,
	     struct rte_mbuf *pkt, uint16_t idx, uint32_t in_ofport)
{
	struct exec_ctx c = { m, d, t, ofdp_slot(m, d), in_ofport, 0, 0, 0, 0, false, pkt, 0 };
	struct ofdp_actset as;
	uint64_t metadata = 0;

	as.n = 0;
	for (;;) {
		const struct ofdp_flow *f = &t->flows[idx];
		struct ofdp_counter *fc = &t->flow_ctr[c.slot][idx];
		uint16_t set_after = f->clear_actions ? 0 : as.n;
		bool more;

		fc->packets++;
		fc->bytes += rte_pktmbuf_pkt_len(pkt);
		c.cookie = f->cookie;
		c.table_miss = f->table_miss;
		c.table_id = f->table_id;
		/* The meter instruction runs before the flow's actions (5.9). */
		if (f->meter != OFDP_NO_METER && !ofdp_meter_run(t, c.slot, f->meter, pkt)) {
			g_ofdp.ctr[c.slot].meter_drop++;
			rte_pktmbuf_free(pkt);
			return 0;
		}
		if (f->write.n_ops)
			set_after = 1;
		more = f->goto_table != OFDP_NO_TABLE || set_after > 0;
		run_prog(&c, &f->prog, t->ops, pkt, !more, 0);
		if (!more)
			return c.consumed ? 0 : c.keep_svc;
		if (f->clear_actions)
			as.n = 0;
		ofdp_actset_write(&as, t->ops + f->write.first_op, f->write.n_ops);
		metadata = (metadata & ~f->metadata_mask) | (f->metadata & f->metadata_mask);
		if (f->goto_table == OFDP_NO_TABLE)
			break;
		int next = lookup_next(&c, pkt, f->goto_table, metadata);
		if (next < 0) {
			/* OpenFlow 1.3: a table miss without a table-miss flow drops. */
			g_ofdp.ctr[c.slot].table_miss++;
			rte_pktmbuf_free(pkt);
			return 0;
		}
		idx = (uint16_t)next;
	}
	struct ofdp_prog p = ofdp_actset_program(&as);

	run_prog(&c, &p, as.ops, pkt, true, 0);
	return c.consumed ? 0 : c.keep_svc;
}

uint16_t
ofdp_rx_execute(struct mgr *m, struct mgr_data_lcore *d, const struct mgr_chain_state *st,
		struct rte_mbuf *pkt, uint16_t idx, uint16_t port, uint64_t rx_ns)
{
	set_meta(pkt, port, rx_ns);
	return execute_flow(m, d, st->of, pkt, idx, FLOW_OFPORT_FROM_DPDK(port));
}

/* Classify pkt as entering on in_ofport and execute what matches. */
static uint16_t
table_run(struct mgr *m, struct mgr_data_lcore *d, struct rte_mbuf *pkt, uint32_t in_ofport)
{
	const struct mgr_chain_state *st = mgr_chains_current();
	struct onvm_pkt_meta *meta = onvm_pkt_meta(pkt);
	const uint8_t *data = rte_pktmbuf_mtod(pkt, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(pkt);
	struct flow_key key;
	struct pkt_info pi;
	uint32_t res;

	/* The OpenFlow-only fields too (MPLS, PBB, IPv6 flow label and
	 * extension headers, ND), as on the RX path. */
	pkt_parse(data, len, &pi);
	flow_key_from_frame(&key, &pi, data, len, in_ofport);
	if (st->cls == NULL || !classifier_lookup(st->cls, &key, &res)) {
		g_ofdp.ctr[ofdp_slot(m, d)].reenter_miss++;
		rte_pktmbuf_free(pkt);
		return 0;
	}
	if (!(res & MGR_OF_FLOW) || st->of == NULL) {
		/* A JSON chain's flow: the packet starts that chain. */
		uint16_t in_port = meta->in_port;
		uint64_t ts = meta->rx_ns;

		*meta = (struct onvm_pkt_meta){ .chain_id = (uint16_t)res,
						.chain_gen = (uint8_t)st->gen,
						.in_port = in_port, .rx_ns = ts };
		return m->shm->chain_gens[st->gen & 1].chains[res].hops[0];
	}
	meta->flags &= (uint8_t)~ONVM_META_F_HASH; /* headers may have changed */
	meta->chain_id = MGR_OF_CHAIN;
	return execute_flow(m, d, st->of, pkt, (uint16_t)(res & ~MGR_OF_FLOW), in_ofport);
}

uint16_t
ofdp_reenter(struct mgr *m, struct mgr_data_lcore *d, struct rte_mbuf *pkt, uint16_t svc)
{
	struct onvm_pkt_meta *meta = onvm_pkt_meta(pkt);

	/* chain_hop counts table passes of an OpenFlow-steered packet: flows
	 * that send a service's output back to it would loop forever. */
	if (++meta->chain_hop > OFDP_MAX_PASSES) {
		g_ofdp.ctr[ofdp_slot(m, d)].loop_drop++;
		rte_pktmbuf_free(pkt);
		return 0;
	}
	return table_run(m, d, pkt, FLOW_OFPORT_SERVICE_BASE + svc);
}

void
ofdp_poll_packet_out(struct mgr *m, struct mgr_data_lcore *d)
{
	void *objs[8];
	unsigned int n;

	if (g_ofdp.pout_ring == NULL || rte_ring_empty(g_ofdp.pout_ring))
		return;
	n = rte_ring_sc_dequeue_burst(g_ofdp.pout_ring, objs, 8, NULL);
	for (unsigned int i = 0; i < n; i++) {
		struct ofdp_pout_msg *po = objs[i];
		const struct mgr_chain_state *st = mgr_chains_current();
		struct rte_mbuf *pkt = po->pkt;
		struct exec_ctx c = { m, d, st->of, ofdp_slot(m, d), po->in_port, 0, 0, 0, 0, false,
				      pkt };
		struct ofdp_prog prog = { 0, po->n_ops, 0 };
		uint16_t in_port = po->in_port >= 1 && po->in_port <= ONVM_MAX_PORTS
					   ? (uint16_t)(po->in_port - 1) : 0xffff;

		set_meta(pkt, in_port, 0);
		for (uint16_t k = 0; k < po->n_ops; k++)
			if (ofdp_is_output(po->ops[k].kind))
				prog.n_outputs++;
		run_prog(&c, &prog, po->ops, pkt, true, 0);
		if (!c.consumed && c.keep_svc &&
		    !dataplane_service_send(m, d, c.keep_svc, pkt)) {
			g_ofdp.ctr[c.slot].svc_full++;
			rte_pktmbuf_free(pkt);
		}
		po->pkt = NULL;
		rte_ring_sp_enqueue(g_ofdp.pout_free, po);
	}
}
