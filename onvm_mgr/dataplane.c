/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data lcores. One iteration:
 *   RX: each port -> classify -> first hop's instance -> its RX ring
 *       (a full ring holds the port: see port_hold_retry)
 *   TX: each NF's TX ring -> dispatch by action -> next NF's RX ring, a
 *       port's TX buffer, or free
 * Packets are never copied; only descriptors move. Nothing here allocates,
 * locks or makes a syscall, except waking a sleeping NF in shared-core mode.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "dispatch.h"
#include "mgr.h"
#include "nf_wake.h"
#include "of_datapath.h"
#include "pkt_parse.h"
#include "services.h"

static inline uint64_t
now_ns(const struct mgr *m)
{
	return m->ns_base + (rte_rdtsc() - m->tsc_base) * 1000000000ULL / m->tsc_hz;
}

static inline uint32_t
flow_hash_of(struct rte_mbuf *pkt, struct onvm_pkt_meta *meta)
{
	struct pkt_info pi;
	struct pkt_5tuple t;

	if (meta->flags & ONVM_META_F_HASH)
		return meta->flow_hash;
	pkt_parse(rte_pktmbuf_mtod(pkt, const uint8_t *), rte_pktmbuf_data_len(pkt), &pi);
	pkt_info_5tuple(&pi, &t);
	meta->flow_hash = pkt_5tuple_hash_symmetric(&t);
	meta->flags |= ONVM_META_F_HASH;
	return meta->flow_hash;
}

/*
 * The running NF that takes this packet for service `svc`, or 0. When
 * `single` is not NULL it tells whether the service had at most one
 * instance, i.e. whether the answer holds for any packet: from the same
 * read of num_instances as the pick.
 */
static inline uint16_t
pick_nf(struct mgr *m, uint16_t svc, struct rte_mbuf *pkt, struct onvm_pkt_meta *meta,
	bool *single)
{
	const struct onvm_service *s = &m->shm->services[svc];
	uint16_t n = __atomic_load_n(&s->num_instances, __ATOMIC_ACQUIRE);
	uint16_t nf;

	if (single)
		*single = n <= 1;
	/* One instance takes every flow: no hash needed. */
	nf = svc_pick_instance_of(s, n, n > 1 ? flow_hash_of(pkt, meta) : 0);
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
pick_nf_memo(struct mgr *m, struct nf_memo *memo, uint16_t svc, struct rte_mbuf *pkt,
	     struct onvm_pkt_meta *meta)
{
	uint16_t nf;
	bool single;

	if (svc == memo->svc)
		return memo->nf;
	nf = pick_nf(m, svc, pkt, meta, &single);
	if (single) {
		memo->svc = svc;
		memo->nf = nf;
	}
	return nf;
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
		struct onvm_nf_slot *s = &m->shm->nfs[nf];
		uint16_t room = (uint16_t)RTE_MIN(rte_ring_free_count(s->rx_ring), (unsigned)(j - i));
		uint16_t ok = 0;

		if (room) {
			for (uint16_t k = i; k < i + room; k++)
				onvm_pkt_meta(pkts[k])->owner = nf;
			/* All of `room` fits unless another lcore enqueued
			 * meanwhile (multi-producer rings, 3+ lcores). */
			ok = (uint16_t)rte_ring_enqueue_burst(s->rx_ring, (void **)pkts + i, room, NULL);
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

		if (__atomic_load_n(&m->shm->nfs[nf].state, __ATOMIC_ACQUIRE) == ONVM_NF_RUNNING) {
			for (uint16_t k = i; k < j; k++) {
				st->pkts[keep] = st->pkts[k];
				st->dst[keep++] = nf;
			}
		} else {
			d->counters.no_instance += j - i;
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

		d->counters.port_tx[port] += sent;
		if (sent < MGR_TXBUF) {
			d->counters.port_tx_drop[port] += MGR_TXBUF - sent;
			rte_pktmbuf_free_bulk(d->txbuf[port] + sent, MGR_TXBUF - sent);
		}
		d->txbuf_n[port] = 0;
	}
}

/* For of_datapath.c: a packet out of a port, or to a service's instance
 * (one enqueue, no stash: false when it could not be delivered). */
void
dataplane_port_send(struct mgr_data_lcore *d, uint16_t port, struct rte_mbuf *pkt)
{
	port_send(d, port, pkt);
}

bool
dataplane_service_send(struct mgr *m, struct mgr_data_lcore *d, uint16_t svc,
		       struct rte_mbuf *pkt)
{
	uint16_t nf;

	if (svc == 0 || svc > ONVM_MAX_SERVICES)
		return false;
	nf = pick_nf(m, svc, pkt, onvm_pkt_meta(pkt), NULL);
	if (nf == 0)
		return false;
	onvm_pkt_meta(pkt)->owner = nf;
	if (rte_ring_enqueue(m->shm->nfs[nf].rx_ring, pkt) < 0) {
		onvm_pkt_meta(pkt)->owner = 0;
		d->counters.nf_enq_drop[nf]++;
		return false;
	}
	d->counters.nf_enqueued[nf]++;
	if (m->shm->shared_core)
		nf_wake(&m->shm->nfs[nf]);
	return true;
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
		d->counters.port_tx[port] += sent;
		if (sent < n) {
			d->counters.port_tx_drop[port] += n - sent;
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
 * ENTRY_STALL_MS is stuck: its waiting packets are dropped and counted.
 */
#define ENTRY_STALL_MS 100

/*
 * A held burst all of whose destinations are running with a full RX ring
 * cannot move: the common case of a chain at capacity, checked without
 * touching a packet, so that waiting costs the lcore almost nothing. (One
 * full instance of a service does not hold back the burst's packets for
 * its other instances.)
 */
static inline bool
held_burst_blocked(struct mgr *m, const struct mgr_stash *st)
{
	for (uint16_t i = 0; i < st->n; i = run_end(st->dst, i, st->n)) {
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

	if (before == 0 || held_burst_blocked(m, st))
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
	if (progress || !m->shm->nfs[h->dst[0]].ready) {
		/* Progress, or an NF still setting up: the chain is alive. */
		h->since_tsc = rte_rdtsc();
	} else if (rte_rdtsc() - h->since_tsc > m->tsc_hz * ENTRY_STALL_MS / 1000) {
		d->counters.port_entry_drop[port] += h->n;
		for (uint16_t i = 0; i < h->n; i++)
			d->counters.nf_enq_drop[h->dst[i]]++;
		rte_pktmbuf_free_bulk(h->pkts, h->n);
		h->n = 0;
		return true;
	}
	return false;
}

static void
rx_port(struct mgr *m, struct mgr_data_lcore *d, uint16_t port)
{
	struct rte_mbuf *pkts[ONVM_BURST];
	uint16_t dst[ONVM_BURST];
	uint16_t n, kept = 0;
	const struct mgr_chain_state *chains;
	uint32_t gen;
	uint64_t ts;

	if (!port_hold_retry(m, d, port))
		return;
	n = rte_eth_rx_burst(port, 0, pkts, ONVM_BURST);
	if (n == 0)
		return;
	d->counters.port_rx[port] += n;
	ts = now_ns(m);
	chains = mgr_chains_current();
	gen = mgr_chains_gen(chains);
	uint16_t chain_ids[ONVM_BURST];
	struct nf_memo memo = { 0, 0 };

	mgr_classify_burst(m, d, chains, pkts, n, port, chain_ids);

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *pkt = pkts[i];
		struct onvm_pkt_meta *meta = onvm_pkt_meta(pkt);
		uint16_t chain_id = chain_ids[i];
		uint16_t nf, svc;

		if (chain_id == MGR_NO_CHAIN) {
			d->counters.port_no_chain[port]++;
			rte_pktmbuf_free(pkt);
			continue;
		}
		if (unlikely(chain_id & MGR_OF_FLOW)) {
			/* An OpenFlow flow: its actions (of_datapath.c) decide;
			 * a packet they send to a service joins the burst below. */
			svc = ofdp_rx_execute(m, d, chains, pkt, chain_id & ~MGR_OF_FLOW, port, ts);
			if (svc == 0)
				continue;
		} else {
			*meta = (struct onvm_pkt_meta){ .chain_id = chain_id,
							.chain_gen = (uint8_t)gen,
							.in_port = port, .rx_ns = ts };
			svc = m->shm->chain_gens[gen].chains[chain_id].hops[0];
		}
		nf = pick_nf_memo(m, &memo, svc, pkt, meta);
		if (nf == 0) {
			d->counters.no_instance++;
			rte_pktmbuf_free(pkt);
			continue;
		}
		pkts[kept] = pkt;
		dst[kept++] = nf;
	}
	uint16_t left = enqueue_runs(m, d, pkts, dst, kept);

	if (left) {
		struct mgr_stash *h = &d->port_hold[port];

		memcpy(h->pkts, pkts, left * sizeof(pkts[0]));
		memcpy(h->dst, dst, left * sizeof(dst[0]));
		h->n = left;
		h->since_tsc = rte_rdtsc();
	}
}

/* Retry a stashed burst; true when the NF's ring may be read again. */
static bool
stash_retry(struct mgr *m, struct mgr_data_lcore *d, struct mgr_stash *st)
{
	held_burst_push(m, d, st);
	if (st->n == 0)
		return true;
	if (rte_rdtsc() - st->since_tsc > m->stash_timeout_tsc) {
		/* A loop of NFs can wait on each other forever: give up. */
		d->counters.hop_drop += st->n;
		rte_pktmbuf_free_bulk(st->pkts, st->n);
		st->n = 0;
		return true;
	}
	return false;
}

static void
tx_nf(struct mgr *m, struct mgr_data_lcore *d, uint16_t id)
{
	struct onvm_nf_slot *s = &m->shm->nfs[id];
	struct mgr_stash *st = &d->stash[id];
	onvm_tx_elem back[ONVM_BURST];
	struct rte_mbuf *pkts[ONVM_BURST], *drops[ONVM_BURST];
	uint16_t dst[ONVM_BURST];
	uint16_t n, kept = 0, ndrop = 0;
	struct nf_memo memo = { 0, 0 };

	if (!stash_retry(m, d, st))
		return;
	n = (uint16_t)rte_ring_sc_dequeue_burst_elem(s->tx_ring, back, sizeof(back[0]), ONVM_BURST,
						     NULL);
	if (n == 0)
		return;
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

		meta->owner = 0;
		if (unlikely(meta->chain_id == MGR_OF_CHAIN)) {
			/* Steered by an OpenFlow flow: NEXT re-enters table 0 with
			 * in_port = 1000 + this NF's service (of_datapath.h). */
			if (v.action == ONVM_ACTION_NEXT) {
				uint16_t svc = ofdp_reenter(m, d, pkt, s->service_id);
				uint16_t nf = svc ? pick_nf(m, svc, pkt, meta, NULL) : 0;

				if (nf) {
					pkts[kept] = pkt;
					dst[kept++] = nf;
				} else if (svc) {
					d->counters.no_instance++;
					drops[ndrop++] = pkt;
				}
				continue;
			}
			chain = &ofdp_no_chain;
		} else {
			chain = &m->shm->chain_gens[meta->chain_gen & 1].chains[meta->chain_id];
		}
		disp = dispatch_decide(chain, meta, v, m->port_mask, m->cfg.num_services);
		if (disp.kind == DISPATCH_PORT) {
			port_send(d, disp.target, pkt);
			continue;
		}
		if (disp.kind == DISPATCH_SERVICE) {
			uint16_t nf = pick_nf_memo(m, &memo, disp.target, pkt, meta);
			if (nf) {
				pkts[kept] = pkt;
				dst[kept++] = nf;
				continue;
			}
			d->counters.no_instance++;
		} else if (disp.reason == DROP_BY_NF) {
			d->counters.nf_drop++;
		} else if (disp.reason == DROP_CHAIN_END) {
			d->counters.chain_end_drop++;
		} else {
			d->counters.bad_dest++;
		}
		drops[ndrop++] = pkt;
	}
	if (ndrop)
		rte_pktmbuf_free_bulk(drops, ndrop);

	uint16_t left = enqueue_runs(m, d, pkts, dst, kept);
	if (left) {
		memcpy(st->pkts, pkts, left * sizeof(pkts[0]));
		memcpy(st->dst, dst, left * sizeof(dst[0]));
		st->n = left;
		st->since_tsc = rte_rdtsc();
	}
}

void
dataplane_iteration(struct mgr *m, struct mgr_data_lcore *d)
{
	if ((d->role & ROLE_RX) && m->rx_enabled) {
		for (uint16_t i = 0; i < m->num_ports; i++)
			rx_port(m, d, m->port_ids[i]);
		ofdp_poll_packet_out(m, d);
	}
	if (d->role & ROLE_TX) {
		uint16_t n = m->num_active;

		for (uint16_t i = 0; i < n; i++) {
			uint16_t id = m->active_ids[i];

			if (m->num_tx > 1 && id % m->num_tx != d->tx_index)
				continue;
			if (__atomic_load_n(&m->shm->nfs[id].state, __ATOMIC_ACQUIRE) == ONVM_NF_RUNNING)
				tx_nf(m, d, id);
		}
		dataplane_flush(m, d);
	}
	__atomic_store_n(&d->epoch, d->epoch + 1, __ATOMIC_RELEASE);
}

int
dataplane_lcore_main(void *arg)
{
	struct mgr_data_lcore *d = arg;
	struct mgr *m = &g_mgr;

	while (!m->stop)
		dataplane_iteration(m, d);
	if (d->role & ROLE_TX)
		dataplane_flush(m, d);
	return 0;
}

/* At exit: everything this lcore still holds goes out or back to the pool. */
void
dataplane_release(struct mgr *m, struct mgr_data_lcore *d)
{
	if (d->role & ROLE_TX)
		dataplane_flush(m, d);
	for (uint16_t p = 0; p < ONVM_MAX_PORTS; p++) {
		rte_pktmbuf_free_bulk(d->port_hold[p].pkts, d->port_hold[p].n);
		d->port_hold[p].n = 0;
	}
	for (uint16_t id = 0; id <= ONVM_MAX_NFS; id++) {
		rte_pktmbuf_free_bulk(d->stash[id].pkts, d->stash[id].n);
		d->stash[id].n = 0;
	}
}
