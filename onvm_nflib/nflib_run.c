/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NF's packet loop: RX ring -> handler -> TX ring, with
 *  - backpressure: a full TX ring makes the NF wait (never drop), so the
 *    RX ring fills and the manager drops at the entry of the chain;
 *  - shared-core sleep: an idle NF yields to the NFs sharing its CPU, then
 *    futex-waits until the manager wakes it.
 */
#include <errno.h>
#include <stdio.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include "nflib_dirty.h"
#include "nflib_internal.h"

/* Empty polls before giving the CPU up in shared-core mode (a few µs of
 * spinning catches back-to-back bursts without a syscall). */
#define IDLE_POLLS_BEFORE_YIELD 256
/*
 * Then yields before sleeping: under load, the NF that shares our CPU
 * fills our RX ring while it runs, so yielding to it costs one switch,
 * where sleeping costs the same switch plus the manager's futex wake-up
 * (a syscall on the data lcore) to come back: 2-NF chain on one core
 * 13.4 -> 15.5 Mpps. An NF with no traffic still sleeps after these.
 */
#define IDLE_YIELDS_BEFORE_SLEEP 64
/* Longest sleep: bounds how late ticks and a stop request are seen. */
#define MAX_SLEEP_NS (50ULL * 1000 * 1000)

static long
futex_wait(volatile uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(timeout_ns / 1000000000ULL),
			       .tv_nsec = (long)(timeout_ns % 1000000000ULL) };

	/* Not FUTEX_PRIVATE: the word lives in memory shared with the manager. */
	return syscall(SYS_futex, addr, FUTEX_WAIT, expected, &ts, NULL, 0);
}

static void
run_tick(struct onvm_nf_ctx *nf)
{
	uint64_t now;

	if (nf->tick == NULL)
		return;
	now = onvm_nflib_now_ns();
	if (now < nf->next_tick_ns)
		return;
	nf->next_tick_ns = now + nf->tick_interval_ns;
	nf->tick(nf, now);
}

static uint64_t
ns_until_tick(const struct onvm_nf_ctx *nf)
{
	uint64_t now;

	if (nf->tick == NULL)
		return MAX_SLEEP_NS;
	now = onvm_nflib_now_ns();
	if (now >= nf->next_tick_ns)
		return 0;
	return RTE_MIN(nf->next_tick_ns - now, MAX_SLEEP_NS);
}

/*
 * Sleep until the manager enqueues for us. The manager enqueues, then reads
 * `sleeping`; we set `sleeping`, then re-check the ring: with a full barrier
 * on both sides one of us always sees the other, so no wake-up is lost.
 */
static void
idle_sleep(struct onvm_nf_ctx *nf)
{
	struct onvm_nf_slot *s = nf->slot;
	uint32_t seq = __atomic_load_n(&s->wake_seq, __ATOMIC_ACQUIRE);
	uint64_t timeout = ns_until_tick(nf);

	if (timeout == 0)
		return;
	__atomic_store_n(&s->sleeping, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rte_ring_count(nf->rx_ring) == 0 && !onvm_nflib_stopping(nf)) {
		futex_wait(&s->wake_seq, seq, timeout);
		s->nf_stats.wakeups++;
	}
	__atomic_store_n(&s->sleeping, 0, __ATOMIC_RELEASE);
}

/*
 * Hand packets back to the manager with their verdicts; waits while the TX
 * ring is full. Only the ring is written: the packets' own cache lines are
 * not touched here.
 */
void
nflib_return_burst(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts, const struct onvm_verdict *v,
		   uint16_t n)
{
	onvm_tx_elem elems[ONVM_BURST];
	uint16_t done = 0;

	for (uint16_t i = 0; i < n; i++)
		elems[i] = onvm_tx_pack(pkts[i], v[i]);
	while (done < n) {
		done += (uint16_t)rte_ring_sp_enqueue_burst_elem(nf->tx_ring, elems + done,
								 sizeof(elems[0]), n - done, NULL);
		if (done < n) {
			nf->slot->nf_stats.tx_wait++;
			/* Under fault tolerance the manager makes room only once
			 * the next checkpoint is in the standby: take it now. */
			nflib_state_poll_checkpoint(nf);
			if (onvm_nflib_stopping(nf) && nf->shm->mgr_state == ONVM_MGR_STOPPING)
				return; /* the manager is gone: it reclaims what is left */
			if (nf->shm->shared_core)
				sched_yield(); /* let the NF downstream of us run */
			else
				rte_pause();
		}
	}
	nf->slot->nf_stats.tx += n;
}

void
nflib_count_actions(struct onvm_nf_ctx *nf, const struct onvm_verdict *v, uint16_t n)
{
	uint64_t by_action[ONVM_ACTION_OUT + 1] = { 0 };

	/* Tallied on the stack, added to the shared counters once a burst. */
	for (uint16_t i = 0; i < n; i++)
		by_action[onvm_action_taken(v[i].action)]++;
	for (uint8_t a = ONVM_ACTION_DROP; a <= ONVM_ACTION_OUT; a++)
		*nflib_action_counter(&nf->slot->nf_stats, a) += by_action[a];
}

typedef void (*burst_fn)(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts,
			 struct onvm_verdict *v, uint16_t n, void *handler);

/*
 * The library reads nothing of the packet itself: a handler that looks at
 * the packet fetches its lines, one that does not (a forwarder, a counter
 * of packets) leaves them in the manager's cache.
 */
static void
per_packet(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts, struct onvm_verdict *v, uint16_t n,
	   void *handler)
{
	onvm_pkt_handler_fn fn = (onvm_pkt_handler_fn)handler;

	for (uint16_t i = 0; i < n; i++) {
		nf->cur = i;
		fn(pkts[i], &v[i], nf);
	}
}

static void
per_burst(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts, struct onvm_verdict *v, uint16_t n,
	  void *handler)
{
	((onvm_burst_handler_fn)handler)(pkts, v, n, nf);
}

/*
 * Shared-core NFs run as SCHED_BATCH: the manager's wake-up of one NF then
 * does not preempt the NF running on that CPU, which goes on until its RX
 * ring is empty or its TX ring full and then gives the CPU up. Under
 * SCHED_OTHER each wake-up switched NFs after a burst or two, and the
 * switches, not the packets, took the CPU.
 */
static void
nflib_batch_scheduling(void)
{
	struct sched_param p = { .sched_priority = 0 };

	if (sched_setscheduler(0, SCHED_BATCH, &p) != 0)
		fprintf(stderr, "onvm_nflib: SCHED_BATCH refused, shared-core NFs switch more often\n");
}

static int
run_loop(struct onvm_nf_ctx *nf, burst_fn fn, void *handler)
{
	struct rte_mbuf *pkts[ONVM_BURST];
	onvm_rx_elem elems[ONVM_BURST];
	struct onvm_verdict v[ONVM_BURST];
	unsigned int idle = 0;

	if (nf->shm->shared_core)
		nflib_batch_scheduling();
	/* Until now the NF was setting itself up (loading rules, tables): the
	 * manager holds its traffic rather than calling it stuck. */
	__atomic_store_n(&nf->slot->ready, 1, __ATOMIC_RELEASE);
	while (!onvm_nflib_stopping(nf)) {
		uint16_t n = (uint16_t)rte_ring_sc_dequeue_burst(nf->rx_ring, (void **)elems,
								 ONVM_BURST, NULL);
		if (n == 0) {
			nflib_state_poll(nf);
			run_tick(nf);
			if (!nf->shm->shared_core || ++idle < IDLE_POLLS_BEFORE_YIELD) {
				rte_pause();
			} else if (idle < IDLE_POLLS_BEFORE_YIELD + IDLE_YIELDS_BEFORE_SLEEP) {
				sched_yield();
			} else {
				idle = 0;
				idle_sleep(nf);
			}
			continue;
		}
		idle = 0;
		for (uint16_t i = 0; i < n; i++) {
			pkts[i] = onvm_rx_pkt(elems[i]);
			nf->in_ports[i] = onvm_rx_in_port(elems[i]);
			nf->buckets[i] = onvm_rx_bucket(elems[i]);
		}
		if (nf->have_state_ops)
			nflib_dirty_mark(&nf->dirty, nf->buckets, n);
		nf->slot->nf_stats.rx += n;
		/* A handler that sets nothing passes the packet on. */
		for (uint16_t i = 0; i < n; i++)
			v[i] = (struct onvm_verdict){ .action = ONVM_ACTION_NEXT };
		fn(nf, pkts, v, n, handler);
		nflib_count_actions(nf, v, n);
		nflib_return_burst(nf, pkts, v, n);
		nflib_state_poll(nf);
		run_tick(nf);
	}
	return 0;
}

int
onvm_nflib_run(struct onvm_nf_ctx *nf, onvm_pkt_handler_fn handler)
{
	return run_loop(nf, per_packet, (void *)handler);
}

int
onvm_nflib_run_burst(struct onvm_nf_ctx *nf, onvm_burst_handler_fn handler)
{
	return run_loop(nf, per_burst, (void *)handler);
}
