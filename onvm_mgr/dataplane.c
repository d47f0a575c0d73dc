/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data lcores. One iteration:
 *   RX: each port (af_packet: the kernel's receive times first,
 *       afp_rx_time.h) -> classify (table 0 of the forwarding state) -> a
 *       chain's first hop, or the OpenFlow pipeline's destinations ->
 *       an instance's RX ring (a full ring holds the port: port_hold_retry)
 *   TX: each NF's TX ring -> dispatch by action (or back into the OpenFlow
 *       pipeline) -> next NF's RX ring, a port's TX buffer, or free
 * Packets are never copied; only descriptors move. Nothing here allocates,
 * locks or makes a syscall, except waking a sleeping NF in shared-core mode.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "afp_rx_time.h"
#include "dispatch.h"
#include "elastic.h"
#include "flow_key.h"
#include "ft_epoch.h"
#include "fwd.h"
#include "hold.h"
#include "mgr.h"
#include "mgr_openflow.h"
#include "nf_wake.h"
#include "pkt_parse.h"
#include "services.h"

/* The chain of OpenFlow-steered packets for dispatch: no hops, no out
 * port, so only DROP, TONF and OUT verdicts mean something. */
static const struct onvm_chain no_chain = { .name = "openflow", .num_hops = 0,
					    .out_port = ONVM_PORT_NONE };

static inline uint64_t
now_ns(const struct mgr *m)
{
	return tsc_clock_ns(&m->clock, rte_rdtsc());
}

/* The packet's symmetric flow hash, computed the first time an instance
 * must be picked for it: from its key when it was classified (no second
 * parse), else from its headers. */
static inline uint32_t
flow_hash_of(struct rte_mbuf *pkt, struct onvm_pkt_meta *meta, const struct flow_key *key)
{
	struct pkt_info pi;
	struct pkt_5tuple t;

	if (meta->flags & ONVM_META_F_HASH)
		return meta->flow_hash;
	if (key != NULL) {
		flow_key_5tuple(key, &t);
	} else {
		pkt_parse(rte_pktmbuf_mtod(pkt, const uint8_t *), rte_pktmbuf_data_len(pkt), &pi);
		pkt_info_5tuple(&pi, &t);
	}
	meta->flow_hash = pkt_5tuple_hash_symmetric(&t);
	meta->flags |= ONVM_META_F_HASH;
	return meta->flow_hash;
}

/* A packet of a bucket a move holds: into this lcore's hold queue, or,
 * once the lcore has released its queue, straight to the move's target. */
uint16_t
elastic_held_dst(struct mgr *m, struct mgr_data_lcore *d)
{
	uint32_t phase = __atomic_load_n(&m->move_phase, __ATOMIC_ACQUIRE);

	if (d->hold == NULL ||
	    !elastic_hold_packet(phase, __atomic_load_n(&d->hold_drained, __ATOMIC_ACQUIRE)))
		return m->move_to;
	return MGR_DST_HOLD;
}

/*
 * The running NF that takes this packet for service `svc`, or 0. When
 * `single` is not NULL it tells whether the service had at most one
 * instance, i.e. whether the answer holds for any packet: from the same
 * read of num_instances as the pick.
 */
static inline uint16_t
pick_nf(struct mgr *m, struct mgr_data_lcore *d, uint16_t svc, struct rte_mbuf *pkt,
	struct onvm_pkt_meta *meta, const struct flow_key *key, bool *single)
{
	const struct onvm_service *s = &m->shm->services[svc];
	uint16_t n = __atomic_load_n(&s->num_instances, __ATOMIC_ACQUIRE);
	bool stateful = s->flags & ONVM_SVC_F_STATEFUL;
	uint16_t nf;

	/* A service whose NFs keep state gets every packet's bucket (on
	 * the ring), so each packet is hashed even with one instance. */
	if (single)
		*single = n <= 1 && !stateful;
	/* One instance takes every flow: no hash needed. */
	nf = svc_pick_instance_of(s, n, n > 1 || stateful ? flow_hash_of(pkt, meta, key) : 0);
	if (unlikely(nf == ONVM_BUCKET_HELD))
		nf = elastic_held_dst(m, d);
	if (nf == MGR_DST_HOLD)
		return nf;
	if (nf == 0 ||
	    __atomic_load_n(&m->shm->nfs[nf].state, __ATOMIC_ACQUIRE) != ONVM_NF_RUNNING)
		return 0;
	return nf;
}

/*
 * pick_nf for a burst: a service with one instance gives every packet the
 * same NF, so it is looked up once per burst (most bursts go to a single
 * service). Valid for one burst only: NFs come and go between bursts.
 */
struct nf_memo {
	uint16_t svc; /* 0: empty */
	uint16_t nf;
};

static inline uint16_t
pick_nf_memo(struct mgr *m, struct mgr_data_lcore *d, struct nf_memo *memo, uint16_t svc,
	     struct rte_mbuf *pkt, struct onvm_pkt_meta *meta, const struct flow_key *key)
{
	uint16_t nf;
	bool single;

	if (svc == memo->svc)
		return memo->nf;
	nf = pick_nf(m, d, svc, pkt, meta, key, &single);
	if (single) {
		memo->svc = svc;
		memo->nf = nf;
	}
	return nf;
}

/*
 * Per-chain counters. A packet entering a chain is counted in a tally
 * that goes to the lcore's counters when the chain changes or the burst
 * ends: a burst of one chain adds to its cache line once (so does a
 * burst its first service has no instance for, all dropped). Other drops
 * are rare and counted one by one, against the chain in the packet's
 * metadata.
 */
struct chain_tally {
	uint32_t key;  /* generation << 16 | chain id */
	uint32_t pkts;
	uint64_t bytes;
	uint32_t no_instance;
};

static inline void
chain_tally_flush(struct mgr_data_lcore *d, struct chain_tally *t)
{
	struct mgr_chain_counters *c;

	if (t->pkts == 0)
		return;
	c = &d->counters.chains[t->key >> 16][t->key & 0xffff];
	c->c[MGR_CHAIN_PKTS] += t->pkts;
	c->c[MGR_CHAIN_BYTES] += t->bytes;
	c->drops[MGR_DROP_NO_INSTANCE] += t->no_instance;
	t->pkts = 0;
	t->bytes = 0;
	t->no_instance = 0;
}

static inline void
chain_tally_add(struct mgr_data_lcore *d, struct chain_tally *t, uint32_t gen, uint16_t chain,
		struct rte_mbuf *pkt)
{
	uint32_t key = (gen & 1) << 16 | chain;

	if (key != t->key) {
		chain_tally_flush(d, t);
		t->key = key;
	}
	t->pkts++;
	t->bytes += rte_pktmbuf_pkt_len(pkt);
}

static inline void
chain_drop(struct mgr_data_lcore *d, const struct onvm_pkt_meta *meta, unsigned int reason)
{
	if (meta->chain_id < ONVM_MAX_CHAINS) /* not MGR_NO_CHAIN, MGR_OF_CHAIN */
		d->counters.chains[meta->chain_gen & 1][meta->chain_id].drops[reason]++;
}

/* The end of the run of equal destinations that starts at dst[i]. */
static inline uint16_t
run_end(const uint16_t *dst, uint16_t i, uint16_t n)
{
	uint16_t j = i + 1;

	while (j < n && dst[j] == dst[i])
		j++;
	return j;
}

/*
 * Enqueue pkts[0..n) to the NFs in dst[] (runs of equal dst go in one
 * burst). Returns how many did not fit; those are moved to the front of
 * pkts/dst, owner unset, for the caller to drop or stash.
 *
 * Only the packets that fit are marked with their owner: a chain at
 * capacity retries a held burst every iteration, and marking and
 * unmarking all of it each time cost more than the forwarding.
 */
static uint16_t
enqueue_runs(struct mgr *m, struct mgr_data_lcore *d, struct rte_mbuf **pkts, uint16_t *dst,
	     uint16_t n)
{
	uint16_t left = 0;

	for (uint16_t i = 0; i < n;) {
		uint16_t nf = dst[i], j = run_end(dst, i, n);
		uint16_t ok = 0;

		if (unlikely(nf == MGR_DST_HOLD))
			nf = elastic_held_dst(m, d); /* the move may have moved on */
		if (unlikely(nf == 0)) {
			d->counters.drops[MGR_DROP_NO_INSTANCE] += j - i;
			rte_pktmbuf_free_bulk(pkts + i, j - i);
			i = j;
			continue;
		}
		if (unlikely(nf == MGR_DST_HOLD)) {
			/* A move holds them: this lcore's queue, in order. */
			ok = (uint16_t)rte_ring_sp_enqueue_burst(d->hold, (void **)pkts + i, j - i, NULL);
			d->counters.held += ok;
			for (uint16_t k = i + ok; k < j; k++) {
				pkts[left] = pkts[k];
				dst[left++] = nf;
			}
			i = j;
			continue;
		}
		struct onvm_nf_slot *s = &m->shm->nfs[nf];
		uint16_t room = (uint16_t)RTE_MIN(rte_ring_free_count(s->rx_ring), (unsigned)(j - i));

		if (room) {
			onvm_rx_elem elems[MGR_STASH_MAX];

			for (uint16_t k = i; k < i + room; k++) {
				struct onvm_pkt_meta *meta = onvm_pkt_meta(pkts[k]);

				meta->owner = nf;
				elems[k - i] = onvm_rx_pack(pkts[k], meta->in_port, meta->flow_hash);
			}
			/* All of `room` fits unless another lcore enqueued
			 * meanwhile (multi-producer rings, 3+ lcores). */
			ok = (uint16_t)rte_ring_enqueue_burst(s->rx_ring, (void **)elems, room, NULL);
			for (uint16_t k = i + ok; k < i + room; k++)
				onvm_pkt_meta(pkts[k])->owner = 0;
			d->counters.nf_enqueued[nf] += ok;
			if (ok && m->shm->shared_core)
				nf_wake(s);
		}
		for (uint16_t k = i + ok; k < j; k++) {
			pkts[left] = pkts[k];
			dst[left++] = nf;
		}
		i = j;
	}
	return left;
}

/*
 * Drop (and count) the packets of a held burst whose destination NF left
 * while they waited: it will never take them. The state is read once per
 * run of equal destinations.
 */
static uint16_t
drop_departed(struct mgr *m, struct mgr_data_lcore *d, struct mgr_stash *st)
{
	uint16_t keep = 0;

	for (uint16_t i = 0; i < st->n;) {
		uint16_t nf = st->dst[i], j = run_end(st->dst, i, st->n);

		if (nf == MGR_DST_HOLD ||
		    __atomic_load_n(&m->shm->nfs[nf].state, __ATOMIC_ACQUIRE) == ONVM_NF_RUNNING) {
			for (uint16_t k = i; k < j; k++) {
				st->pkts[keep] = st->pkts[k];
				st->dst[keep++] = nf;
			}
		} else {
			d->counters.drops[MGR_DROP_NO_INSTANCE] += j - i;
			for (uint16_t k = i; k < j; k++)
				chain_drop(d, onvm_pkt_meta(st->pkts[k]), MGR_DROP_NO_INSTANCE);
			rte_pktmbuf_free_bulk(st->pkts + i, j - i);
		}
		i = j;
	}
	st->n = keep;
	return keep;
}

static inline void
port_send(struct mgr_data_lcore *d, uint16_t port, struct rte_mbuf *pkt)
{
	d->txbuf[port][d->txbuf_n[port]++] = pkt;
	if (d->txbuf_n[port] == MGR_TXBUF) {
		uint16_t sent = rte_eth_tx_burst(port, d->tx_queue, d->txbuf[port], MGR_TXBUF);

		d->counters.port[port][ONVM_PORT_TX] += sent;
		if (sent < MGR_TXBUF) {
			d->counters.port[port][ONVM_PORT_TX_DROP] += MGR_TXBUF - sent;
			rte_pktmbuf_free_bulk(d->txbuf[port] + sent, MGR_TXBUF - sent);
		}
		d->txbuf_n[port] = 0;
	}
}

/* A packet starts chain `chain_id` of generation `gen` at its first hop;
 * returns that hop's service. The flow hash, when known, stays. */
static inline uint16_t
chain_start(struct mgr *m, struct rte_mbuf *pkt, uint16_t chain_id, uint32_t gen,
	    uint16_t in_port, uint64_t rx_ns)
{
	struct onvm_pkt_meta *meta = onvm_pkt_meta(pkt);
	uint32_t hash = meta->flow_hash;
	uint8_t flags = meta->flags & ONVM_META_F_HASH;

	*meta = (struct onvm_pkt_meta){ .chain_id = chain_id, .chain_gen = (uint8_t)gen,
					.in_port = in_port, .rx_ns = rx_ns, .flow_hash = hash,
					.flags = flags };
	return m->shm->chain_gens[gen & 1].chains[chain_id].hops[0];
}

/*
 * Where a stage (the OpenFlow pipeline) sent packets: ports get them now,
 * services and chains join pkts/dst (from *kept on, MGR_STASH_MAX at
 * most) for enqueue_runs, so they are backpressured like every other
 * packet. Copies can outnumber what a stash holds: then what the rings
 * take now goes, and the rest is counted against its NF.
 */
static void
route_dests(struct mgr *m, struct mgr_data_lcore *d, const struct fwd_state *st,
	    const struct pkt_dests *dests, struct nf_memo *memo, struct rte_mbuf **pkts,
	    uint16_t *dst, uint16_t *kept)
{
	struct chain_tally tally = { 0, 0, 0, 0 };

	for (uint16_t i = 0; i < dests->n; i++) {
		if (*kept == MGR_STASH_MAX) {
			uint16_t left = enqueue_runs(m, d, pkts, dst, *kept);

			for (uint16_t k = 0; k < left; k++)
				d->counters.nf_enq_drop[dst[k]]++;
			rte_pktmbuf_free_bulk(pkts, left);
			*kept = 0;
		}
		const struct pkt_dest *e = &dests->v[i];
		struct onvm_pkt_meta *meta = onvm_pkt_meta(e->pkt);
		uint16_t svc = e->target, nf;

		if (e->kind == PKT_TO_PORT) {
			port_send(d, e->target, e->pkt);
			continue;
		}
		if (e->kind == PKT_TO_CHAIN) {
			svc = chain_start(m, e->pkt, e->target, st->chain_gen, meta->in_port,
					  meta->rx_ns);
			chain_tally_add(d, &tally, st->chain_gen, e->target, e->pkt);
		}
		nf = svc >= 1 && svc <= ONVM_MAX_SERVICES ? pick_nf_memo(m, d, memo, svc, e->pkt, meta, NULL)
							  : 0;
		if (nf == 0) {
			d->counters.drops[MGR_DROP_NO_INSTANCE]++;
			if (e->kind == PKT_TO_CHAIN)
				tally.no_instance++; /* the chain just tallied */
			else
				chain_drop(d, meta, MGR_DROP_NO_INSTANCE);
			rte_pktmbuf_free(e->pkt);
			continue;
		}
		pkts[*kept] = e->pkt;
		dst[(*kept)++] = nf;
	}
	chain_tally_flush(d, &tally);
}

void
dataplane_flush(struct mgr *m, struct mgr_data_lcore *d)
{
	for (uint16_t i = 0; i < m->num_ports; i++) {
		uint16_t port = m->port_ids[i], n = d->txbuf_n[port], sent = 0;

		if (n == 0)
			continue;
		/* A virtual port (tap, af_packet) may be briefly busy. */
		for (int tries = 0; tries < 4 && sent < n; tries++)
			sent += rte_eth_tx_burst(port, d->tx_queue, d->txbuf[port] + sent, n - sent);
		d->counters.port[port][ONVM_PORT_TX] += sent;
		if (sent < n) {
			d->counters.port[port][ONVM_PORT_TX_DROP] += n - sent;
			rte_pktmbuf_free_bulk(d->txbuf[port] + sent, n - sent);
		}
		d->txbuf_n[port] = 0;
	}
}

/*
 * Backpressure at the entry: when a chain's first NF is full, the rest of
 * the burst waits here and the port is not read until it fits, so the
 * packets stay in the NIC (which drops them, counted as imissed, when the
 * offered load really exceeds the chain) and no NF works on a packet that
 * is dropped later. A chain that makes no progress at all for
 * --entry-stall-ms (100 ms; 0: never) is stuck: its waiting packets are
 * dropped and counted, and the port is read again for its other chains.
 * On a busy machine an NF can simply wait that long for a CPU; a replay
 * whose every packet counts sets 0 (a virtual port has no NIC to keep
 * them in).
 * Not while a move runs: its hold queue may be full for as long as a step
 * takes, and a move is loss-free.
 */

/*
 * A held burst all of whose destinations are running with a full RX ring
 * cannot move: the common case of a chain at capacity, checked without
 * touching a packet, so that waiting costs the lcore almost nothing. (One
 * full instance of a service does not hold back the burst's packets for
 * its other instances.)
 */
static inline bool
held_burst_blocked(struct mgr *m, const struct mgr_data_lcore *d, const struct mgr_stash *st)
{
	for (uint16_t i = 0; i < st->n; i = run_end(st->dst, i, st->n)) {
		if (st->dst[i] == MGR_DST_HOLD) {
			if (!rte_ring_full(d->hold))
				return false;
			continue;
		}
		const struct onvm_nf_slot *s = &m->shm->nfs[st->dst[i]];

		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != ONVM_NF_RUNNING ||
		    !rte_ring_full(s->rx_ring))
			return false;
	}
	return true;
}

/* Move what can move of a held burst (dropping the packets whose NF left);
 * true when it shrank. */
static bool
held_burst_push(struct mgr *m, struct mgr_data_lcore *d, struct mgr_stash *st)
{
	uint16_t before = st->n;

	if (before == 0 || held_burst_blocked(m, d, st))
		return false;
	st->n = enqueue_runs(m, d, st->pkts, st->dst, drop_departed(m, d, st));
	return st->n < before;
}

static bool
port_hold_retry(struct mgr *m, struct mgr_data_lcore *d, uint16_t port)
{
	struct mgr_stash *h = &d->port_hold[port];
	bool progress = held_burst_push(m, d, h);

	if (h->n == 0)
		return true;
	/* Progress, an NF still setting up, or a move running (a full hold
	 * queue waits for it, and each of its steps has its own time limit):
	 * the chain is alive. The wait starts again when the move is over. */
	bool alive = progress || (h->dst[0] != MGR_DST_HOLD && !m->shm->nfs[h->dst[0]].ready) ||
		     __atomic_load_n(&m->move_phase, __ATOMIC_ACQUIRE) != MOVE_IDLE;
	if (hold_stuck(&h->since_tsc, rte_rdtsc(), m->entry_stall_tsc, alive) &&
	    m->entry_stall_tsc != 0) {
		d->counters.port[port][ONVM_PORT_ENTRY_DROP] += h->n;
		for (uint16_t i = 0; i < h->n; i++) {
			d->counters.nf_enq_drop[h->dst[i]]++;
			chain_drop(d, onvm_pkt_meta(h->pkts[i]), MGR_CHAIN_DROP_ENTRY);
		}
		rte_pktmbuf_free_bulk(h->pkts, h->n);
		h->n = 0;
		return true;
	}
	return false;
}

/* Hold what did not fit: the port is not read again until it moved. */
static void
hold_burst(struct mgr_stash *h, struct rte_mbuf **pkts, const uint16_t *dst, uint16_t n)
{
	memcpy(h->pkts, pkts, n * sizeof(pkts[0]));
	memcpy(h->dst, dst, n * sizeof(dst[0]));
	h->n = n;
	h->since_tsc = rte_rdtsc();
}

static void
rx_port(struct mgr *m, struct mgr_data_lcore *d, uint16_t port, uint16_t queue)
{
	struct rte_mbuf *pkts[ONVM_BURST], *out[MGR_STASH_MAX], *of_pkts[ONVM_BURST];
	struct flow_key keys[ONVM_BURST];
	uint32_t results[ONVM_BURST];
	uint16_t dst[MGR_STASH_MAX];
	uint16_t n, kept = 0, n_of = 0;
	uint16_t miss = m->shm->default_service ? 0 : MGR_NO_CHAIN;
	struct nf_memo memo = { 0, 0 };
	struct chain_tally tally = { 0, 0, 0, 0 };
	const struct fwd_state *st;
	const struct afp_rxq_head *afp = m->port_afp[port][queue];
	uint64_t kernel_ns[ONVM_BURST];
	uint16_t want = ONVM_BURST;
	uint64_t ts = 0;

	if (!port_hold_retry(m, d, port))
		return;
	/* af_packet: the kernel's receive time of each waiting packet, read
	 * before the burst gives their frames back; the burst takes no more. */
	if (afp != NULL && (want = afp_rx_times(afp, kernel_ns, ONVM_BURST)) == 0)
		return;
	n = rte_eth_rx_burst(port, queue, pkts, want);
	if (n == 0)
		return;
	d->counters.port[port][ONVM_PORT_RX] += n;
	if (afp == NULL)
		ts = now_ns(m); /* other ports: the burst's time */
	st = fwd_current();
	if (st->table0 != NULL) {
		uint64_t hits = mgr_classify_burst(d->cls_cache, st, pkts, n, FLOW_OFPORT_FROM_DPDK(port),
						   keys, results);
		mgr_of_count_table0(m, d, st, n, (uint16_t)hits);
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *pkt = pkts[i];
		struct onvm_pkt_meta *meta = onvm_pkt_meta(pkt);
		uint32_t res = st->table0 != NULL ? results[i] : MGR_NO_MATCH;
		uint64_t rx_ns = afp != NULL ? kernel_ns[i] : ts;
		uint16_t svc, nf;

		if (res == MGR_NO_MATCH)
			res = miss;
		if (res == MGR_NO_CHAIN) {
			d->counters.port[port][ONVM_PORT_NO_CHAIN]++;
			rte_pktmbuf_free(pkt);
			continue;
		}
		if (res & FWD_OF_FLOW) {
			/* An OpenFlow flow: the pipeline decides, after the loop. */
			*meta = (struct onvm_pkt_meta){ .chain_id = MGR_OF_CHAIN, .in_port = port,
							.rx_ns = rx_ns };
			of_pkts[n_of] = pkt;
			results[n_of] = res;
			if (n_of != i)
				keys[n_of] = keys[i];
			n_of++;
			continue;
		}
		meta->flags = 0; /* no flow hash yet: the first pick makes it */
		svc = chain_start(m, pkt, (uint16_t)res, st->chain_gen, port, rx_ns);
		chain_tally_add(d, &tally, st->chain_gen, (uint16_t)res, pkt);
		nf = pick_nf_memo(m, d, &memo, svc, pkt, meta, st->table0 ? &keys[i] : NULL);
		if (nf == 0) {
			d->counters.drops[MGR_DROP_NO_INSTANCE]++;
			tally.no_instance++; /* the chain just tallied */
			rte_pktmbuf_free(pkt);
			continue;
		}
		out[kept] = pkt;
		dst[kept++] = nf;
	}
	chain_tally_flush(d, &tally);
	for (uint16_t at = 0; at < n_of; at += PKT_DESTS_CHUNK) {
		struct pkt_dests dests; /* 8 KiB: set n only, no initialiser that zeroes it all */
		dests.n = 0;

		mgr_of_run(m, d, st, of_pkts + at, results + at, keys + at,
			   (uint16_t)RTE_MIN(PKT_DESTS_CHUNK, n_of - at), &dests);
		route_dests(m, d, st, &dests, &memo, out, dst, &kept);
	}
	uint16_t left = enqueue_runs(m, d, out, dst, kept);

	if (left)
		hold_burst(&d->port_hold[port], out, dst, left);
}

/* Retry a stashed burst; true when the NF's ring may be read again. */
static bool
stash_retry(struct mgr *m, struct mgr_data_lcore *d, struct mgr_stash *st)
{
	bool progress = held_burst_push(m, d, st);

	if (st->n == 0)
		return true;
	if (hold_stuck(&st->since_tsc, rte_rdtsc(), m->stash_timeout_tsc, progress)) {
		/* A loop of NFs can wait on each other forever: give up. */
		d->counters.drops[MGR_DROP_HOP_STUCK] += st->n;
		for (uint16_t i = 0; i < st->n; i++)
			chain_drop(d, onvm_pkt_meta(st->pkts[i]), MGR_DROP_HOP_STUCK);
		rte_pktmbuf_free_bulk(st->pkts, st->n);
		st->n = 0;
		return true;
	}
	return false;
}

/*
 * A protected NF's output (ft.h): what it emitted goes, in its order, into
 * its hold queue, and leaves it only once the checkpoint covering it is in
 * the standby (ft_releasable). A full queue is not read into: the NF
 * waits on its TX ring, its RX ring fills and the entry holds the port,
 * as for any chain at capacity. Returns the packets that may leave now.
 */
/* Whether a protected NF's hold queue has packets that may leave now. */
static inline bool
ft_out_releasable(const struct mgr_ft_out *o)
{
	return ft_releasable(__atomic_load_n(&o->guard, __ATOMIC_ACQUIRE),
			     __atomic_load_n(&o->commit, __ATOMIC_ACQUIRE), o->released,
			     o->pulled - o->released) > 0;
}

/* The hold time of the packets from position o->released to `upto`: the
 * bursts they were pulled in, each packet at its burst's age. */
static void
ft_out_hold_time(struct mgr_ft_out *o, uint32_t upto, uint64_t now)
{
	uint32_t pos = o->released;

	while (pos != upto && o->stamp_head != o->stamp_tail) {
		const struct mgr_ft_stamp *st = &o->stamps[o->stamp_head & (MGR_FT_HOLD_MAX - 1)];
		uint32_t end = (int32_t)(st->end - upto) <= 0 ? st->end : upto;

		lat_hist_add(o->hold, now - st->tsc, end - pos);
		pos = end;
		if (end == st->end)
			o->stamp_head++;
	}
}

/*
 * A protected NF's output (ft.h): what it emitted goes, in its order, into
 * its hold queue, and leaves it only once the checkpoint covering it is in
 * the standby (ft_releasable). A full queue is not read into: the NF
 * waits on its TX ring, its RX ring fills and the entry holds the port,
 * as for any chain at capacity. Returns the packets that may leave now.
 */
static uint16_t
ft_out_pass(struct mgr_ft_out *o, struct rte_ring *tx_ring, onvm_tx_elem *out)
{
	uint32_t held = o->pulled - o->released;
	unsigned int room = MGR_FT_HOLD_MAX - held;
	uint64_t now = rte_rdtsc();
	uint32_t k;

	if (room > 0) {
		onvm_tx_elem in[ONVM_BURST];
		unsigned int n = rte_ring_sc_dequeue_burst_elem(tx_ring, in, sizeof(in[0]),
								RTE_MIN(room, (unsigned)ONVM_BURST), NULL);

		if (n) {
			rte_ring_sp_enqueue_burst_elem(o->q, in, sizeof(in[0]), n, NULL);
			held += n;
			/* One stamp per burst, at most one per packet held: room. */
			o->stamps[o->stamp_tail++ & (MGR_FT_HOLD_MAX - 1)] =
				(struct mgr_ft_stamp){ .end = o->pulled + n, .tsc = now };
			__atomic_store_n(&o->pulled, o->pulled + n, __ATOMIC_RELEASE);
		}
	} else {
		o->full++;
	}
	k = ft_releasable(__atomic_load_n(&o->guard, __ATOMIC_ACQUIRE),
			  __atomic_load_n(&o->commit, __ATOMIC_ACQUIRE), o->released, held);
	if (k == 0)
		return 0;
	k = rte_ring_sc_dequeue_burst_elem(o->q, out, sizeof(out[0]), RTE_MIN(k, (uint32_t)ONVM_BURST),
					   NULL);
	ft_out_hold_time(o, o->released + k, now);
	o->released_total += k;
	__atomic_store_n(&o->released, o->released + k, __ATOMIC_RELEASE);
	return (uint16_t)k;
}

static void
tx_nf(struct mgr *m, struct mgr_data_lcore *d, uint16_t id)
{
	struct onvm_nf_slot *s = &m->shm->nfs[id];
	struct mgr_stash *st = &d->stash[id];
	onvm_tx_elem back[ONVM_BURST];
	struct rte_mbuf *pkts[MGR_STASH_MAX], *drops[ONVM_BURST], *again[ONVM_BURST];
	uint16_t dst[MGR_STASH_MAX];
	uint16_t n, kept = 0, ndrop = 0, nagain = 0;
	struct nf_memo memo = { 0, 0 };

	if (!stash_retry(m, d, st))
		return;
	if (unlikely(__atomic_load_n(&m->ft_out[id].on, __ATOMIC_ACQUIRE)))
		n = ft_out_pass(&m->ft_out[id], s->tx_ring, back);
	else
		n = (uint16_t)rte_ring_sc_dequeue_burst_elem(s->tx_ring, back, sizeof(back[0]),
							     ONVM_BURST, NULL);
	if (n == 0) {
		/* Its stash is empty: everything it emitted was passed on. */
		d->tx_done[id] = s->tx_ring->cons.tail;
		return;
	}
	d->counters.nf_dequeued[id] += n;
	/* The metadata lines are in this core's L2 (written on RX); load the
	 * whole burst's at once rather than one L2 miss after another. */
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(onvm_pkt_meta(onvm_tx_pkt(back[i])));

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *pkt = onvm_tx_pkt(back[i]);
		struct onvm_verdict v = onvm_tx_verdict(back[i]);
		struct onvm_pkt_meta *meta = onvm_pkt_meta(pkt);
		const struct onvm_chain *chain;
		struct dispatch disp;
		enum mgr_drop reason;

		meta->owner = 0;
		if (unlikely(meta->chain_id == MGR_OF_CHAIN)) {
			/* Steered by an OpenFlow flow: NEXT goes back into the
			 * pipeline, with in_port = 1000 + this NF's service. */
			if (v.action == ONVM_ACTION_NEXT) {
				again[nagain++] = pkt;
				continue;
			}
			chain = &no_chain;
		} else {
			chain = &m->shm->chain_gens[meta->chain_gen & 1].chains[meta->chain_id];
		}
		disp = dispatch_decide(chain, meta, v, m->port_mask, m->cfg.num_services);
		if (disp.kind == DISPATCH_PORT) {
			port_send(d, disp.target, pkt);
			continue;
		}
		if (disp.kind == DISPATCH_SERVICE) {
			uint16_t nf = pick_nf_memo(m, d, &memo, disp.target, pkt, meta, NULL);
			if (nf) {
				pkts[kept] = pkt;
				dst[kept++] = nf;
				continue;
			}
			reason = MGR_DROP_NO_INSTANCE;
		} else if (disp.reason == DROP_BY_NF) {
			reason = MGR_DROP_NF_DROP;
		} else if (disp.reason == DROP_CHAIN_END) {
			reason = MGR_DROP_CHAIN_END;
		} else {
			reason = MGR_DROP_BAD_DEST;
		}
		d->counters.drops[reason]++;
		chain_drop(d, meta, reason);
		drops[ndrop++] = pkt;
	}
	if (ndrop)
		rte_pktmbuf_free_bulk(drops, ndrop);
	for (uint16_t at = 0; at < nagain; at += PKT_DESTS_CHUNK) {
		struct pkt_dests dests; /* 8 KiB: set n only, no initialiser that zeroes it all */
		dests.n = 0;
		const struct fwd_state *fs = fwd_current();

		mgr_of_reenter(m, d, fs, again + at, (uint16_t)RTE_MIN(PKT_DESTS_CHUNK, nagain - at),
			       s->service_id, &dests);
		route_dests(m, d, fs, &dests, &memo, pkts, dst, &kept);
	}

	uint16_t left = enqueue_runs(m, d, pkts, dst, kept);
	if (left) {
		memcpy(st->pkts, pkts, left * sizeof(pkts[0]));
		memcpy(st->dst, dst, left * sizeof(dst[0]));
		st->n = left;
		st->since_tsc = rte_rdtsc();
	} else {
		d->tx_done[id] = s->tx_ring->cons.tail;
	}
}

/* PACKET_OUTs from the OpenFlow agent: what does not fit its NF's ring
 * now is dropped and counted against that NF (there is no port to hold). */
static void
packet_out(struct mgr *m, struct mgr_data_lcore *d)
{
	struct rte_mbuf *pkts[MGR_STASH_MAX];
	uint16_t dst[MGR_STASH_MAX], kept = 0, left;
	struct pkt_dests dests; /* 8 KiB: set n only, no initialiser that zeroes it all */
	dests.n = 0;
	struct nf_memo memo = { 0, 0 };
	const struct fwd_state *fs = fwd_current();

	if (!mgr_of_poll_packet_out(m, d, fs, &dests))
		return;
	route_dests(m, d, fs, &dests, &memo, pkts, dst, &kept);
	left = enqueue_runs(m, d, pkts, dst, kept);
	for (uint16_t i = 0; i < left; i++)
		d->counters.nf_enq_drop[dst[i]]++;
	rte_pktmbuf_free_bulk(pkts, left);
}

/* In every stash and held port burst of this lcore, destination `from`
 * becomes `to` for the packets `pred` picks. Order within a destination is
 * kept; a move's cold path only. */
static void
reroute_stashed(struct mgr_data_lcore *d, uint16_t from, uint16_t to,
		bool (*pred)(struct mgr *, struct rte_mbuf *), struct mgr *m)
{
	struct mgr_stash *all[] = { d->stash, d->port_hold };
	const unsigned int sizes[] = { MGR_DSTS, ONVM_MAX_PORTS };

	for (unsigned int a = 0; a < 2; a++)
		for (unsigned int k = 0; k < sizes[a]; k++) {
			struct mgr_stash *st = &all[a][k];

			for (uint16_t i = 0; i < st->n; i++)
				if (st->dst[i] == from && (pred == NULL || pred(m, st->pkts[i])))
					st->dst[i] = to;
		}
}

/* A packet (waiting for the move's old instance) of a bucket the move holds. */
static bool
of_held_bucket(struct mgr *m, struct rte_mbuf *pkt)
{
	const struct onvm_service *s = &m->shm->services[m->move_svc];
	uint32_t hash = flow_hash_of(pkt, onvm_pkt_meta(pkt), NULL);

	return __atomic_load_n(&s->bucket_nf[hash & (ONVM_BUCKETS - 1)], __ATOMIC_RELAXED) ==
	       ONVM_BUCKET_HELD;
}

/*
 * A move started holding buckets: packets of those buckets this lcore
 * picked the old instance for before it saw the hold, and still waits to
 * enqueue, join the hold queue instead (after anything of theirs already
 * there: a stash is retried before its source is read again). Then the
 * move may ask the old instance for its state: nothing more of those
 * buckets can reach it from here.
 */
static void
elastic_hold(struct mgr *m, struct mgr_data_lcore *d, uint32_t id)
{
	reroute_stashed(d, m->move_from, MGR_DST_HOLD, of_held_bucket, m);
	__atomic_store_n(&d->move_seen, id, __ATOMIC_RELEASE);
}

/*
 * A move releases what this lcore held: to the move's target, in order,
 * as much as its ring takes each iteration, before any newer packet of
 * those buckets (which keep coming to the hold queue until it is empty).
 * Then the lcore says it is done, and sends them straight on; what still
 * waits for the hold queue in its stashes goes to the target too, so no
 * stale hold destination outlives the move.
 */
void
elastic_release(struct mgr *m, struct mgr_data_lcore *d)
{
	struct mgr_stash *left = &d->stash[MGR_DST_HOLD];
	uint16_t to = m->move_to;

	if (left->n) {
		for (uint16_t i = 0; i < left->n; i++)
			left->dst[i] = to;
		left->n = enqueue_runs(m, d, left->pkts, left->dst, left->n);
		if (left->n)
			return;
	}
	if (d->hold != NULL && !rte_ring_empty(d->hold)) {
		bool running = to != 0 && __atomic_load_n(&m->shm->nfs[to].state,
							  __ATOMIC_ACQUIRE) == ONVM_NF_RUNNING;
		unsigned int room = running ? rte_ring_free_count(m->shm->nfs[to].rx_ring) : ONVM_BURST;
		uint16_t n = (uint16_t)rte_ring_sc_dequeue_burst(d->hold, (void **)left->pkts,
								 RTE_MIN(room, (unsigned)ONVM_BURST), NULL);
		if (!running) {
			/* Nobody to take them: counted, as any packet of a
			 * service without an instance. */
			d->counters.drops[MGR_DROP_NO_INSTANCE] += n;
			rte_pktmbuf_free_bulk(left->pkts, n);
			return;
		}
		for (uint16_t i = 0; i < n; i++)
			left->dst[i] = to;
		left->n = enqueue_runs(m, d, left->pkts, left->dst, n);
		return;
	}
	reroute_stashed(d, MGR_DST_HOLD, to, NULL, m);
	__atomic_store_n(&d->hold_drained, 1, __ATOMIC_RELEASE);
}

/*
 * A move's part on a data lcore (cold: only while one runs). True while
 * the lcore is releasing what it held: it then reads no port, so that its
 * hold queue drains at the new instance's full speed instead of being
 * refilled as fast as it drains (a source faster than the chain would
 * keep it from ever draining); the ports' packets wait in the NIC.
 */
static bool
elastic_lcore(struct mgr *m, struct mgr_data_lcore *d, uint32_t phase)
{
	uint32_t id = __atomic_load_n(&m->move_id, __ATOMIC_ACQUIRE);

	if (phase == MOVE_HOLDING && d->move_seen != id)
		elastic_hold(m, d, id);
	if (phase != MOVE_RELEASING || d->hold_drained)
		return false;
	elastic_release(m, d);
	return !d->hold_drained;
}

void
dataplane_iteration(struct mgr *m, struct mgr_data_lcore *d)
{
	uint32_t phase = __atomic_load_n(&m->move_phase, __ATOMIC_ACQUIRE);
	bool releasing = unlikely(phase != MOVE_IDLE) && elastic_lcore(m, d, phase);

	if ((d->role & ROLE_RX) && m->rx_enabled && !releasing) {
		/* Its own RSS queue of each port: a flow's packets all come
		 * to one RX lcore, which enqueues them in order. */
		for (uint16_t i = 0; i < d->num_rxq; i++)
			rx_port(m, d, d->rxq[i].port, d->rxq[i].queue);
		if (d->rx_queue == 0) /* the PACKET_OUT ring has one consumer */
			packet_out(m, d);
	}
	if (d->role & ROLE_TX) {
		uint16_t n = m->num_active;

		for (uint16_t i = 0; i < n; i++) {
			uint16_t id = m->active_ids[i];

			if (m->num_tx > 1 && id % m->num_tx != d->tx_index)
				continue;
			if (__atomic_load_n(&m->shm->nfs[id].state, __ATOMIC_ACQUIRE) != ONVM_NF_RUNNING)
				continue;
			tx_nf(m, d, id);
			/* A commit releases an epoch's output at once: a protected
			 * NF gets more than one burst a visit while it has some to
			 * release, or its backlog, at one burst in and one out a
			 * visit, would never drain and every packet would wait as
			 * long as the longest checkpoint made it. */
			for (unsigned int k = 1; unlikely(__atomic_load_n(&m->ft_out[id].on,
									 __ATOMIC_ACQUIRE)) &&
						 k < MGR_FT_RELEASE_BURSTS && ft_out_releasable(&m->ft_out[id]);
			     k++)
				tx_nf(m, d, id);
		}
	}
	/* RX lcores too: OpenFlow sends some packets from table 0 to a port. */
	dataplane_flush(m, d);
	__atomic_store_n(&d->epoch, d->epoch + 1, __ATOMIC_RELEASE);
}

int
dataplane_lcore_main(void *arg)
{
	struct mgr_data_lcore *d = arg;
	struct mgr *m = &g_mgr;

	while (!m->stop)
		dataplane_iteration(m, d);
	dataplane_flush(m, d);
	return 0;
}

/* At exit: everything this lcore still holds goes out or back to the pool. */
void
dataplane_release(struct mgr *m, struct mgr_data_lcore *d)
{
	dataplane_flush(m, d);
	for (uint16_t p = 0; p < ONVM_MAX_PORTS; p++) {
		rte_pktmbuf_free_bulk(d->port_hold[p].pkts, d->port_hold[p].n);
		d->port_hold[p].n = 0;
	}
	for (uint16_t id = 0; id < MGR_DSTS; id++) {
		rte_pktmbuf_free_bulk(d->stash[id].pkts, d->stash[id].n);
		d->stash[id].n = 0;
	}
	if (d->hold != NULL) {
		struct rte_mbuf *pkts[ONVM_BURST];
		unsigned int n;

		while ((n = rte_ring_sc_dequeue_burst(d->hold, (void **)pkts, ONVM_BURST, NULL)))
			rte_pktmbuf_free_bulk(pkts, n);
	}
}
