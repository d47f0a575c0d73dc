/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Moving flows with their state between the instances of a service: the
 * control loop's state machine (elastic.h). The data lcores' side (the
 * hold queues and their release) is in dataplane.c.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "elastic.h"
#include "ft.h"
#include "mgr.h"
#include "nf_wake.h"
#include "services.h"

#define HOLD_SLOTS 16384           /* packets one data lcore can hold */
#define BLOB_FIRST (1u << 20)      /* export buffer to start with */
#define BLOB_MAX (256u << 20)
#define STEP_TIMEOUT_MS 2000       /* any one step; then the move fails */

enum step {
	STEP_IDLE = 0,
	STEP_QUIESCE_HOLD,  /* buckets held; waiting for every lcore to see it */
	STEP_EXPORT,        /* the old instance exports (after its RX backlog) */
	STEP_WAIT_TX,       /* what it emitted before goes out first */
	STEP_IMPORT,        /* the new instance imports */
	STEP_RELEASE,       /* the lcores hand their held packets to the target */
	STEP_QUIESCE_DONE,  /* buckets name the target; waiting before IDLE */
};

static struct {
	enum step step;
	uint16_t svc, from, to;
	bool failing;                       /* releasing to `to` after a failure */
	bool state_moved;                   /* `to` took the state, `from` dropped it */
	bool held[ONVM_BUCKETS];
	uint32_t n_buckets;
	uint64_t epochs[MGR_MAX_DATA_LCORES];
	uint64_t step_deadline;
	uint64_t t_start, t_hold, t_released;
	uint64_t t_entered;                 /* when the current step began */
	uint64_t step_us[8];                /* how long each step took, for the log */
	uint64_t held_base;                 /* the lcores' held counters at the start */
	uint32_t tx_mark;
	void *blob;
	uint64_t blob_cap;
	struct elastic_result result;
} mv;

static uint64_t
now_tsc(void)
{
	return rte_get_tsc_cycles();
}

static uint64_t
us_since(uint64_t t0)
{
	return (now_tsc() - t0) * 1000000ULL / rte_get_tsc_hz();
}

static bool
running(struct mgr *m, uint16_t nf)
{
	return nf >= 1 && nf <= ONVM_MAX_NFS &&
	       __atomic_load_n(&m->shm->nfs[nf].state, __ATOMIC_ACQUIRE) == ONVM_NF_RUNNING;
}

static bool
is_instance(const struct onvm_service *s, uint16_t nf)
{
	for (uint16_t i = 0; i < s->num_instances; i++)
		if (s->instances[i] == nf)
			return true;
	return false;
}

/* Every data lcore has looped since `mark_epochs`: none still acts on
 * what it read before. (With one lcore the control loop runs the data
 * path between ticks: it has.) */
static void
mark_epochs(struct mgr *m)
{
	for (unsigned int i = 0; i < m->num_data; i++)
		mv.epochs[i] = __atomic_load_n(&m->data[i].epoch, __ATOMIC_ACQUIRE);
}

/* Every data lcore has rerouted what it had waiting for the old instance
 * in the held buckets (dataplane.c, elastic_hold). */
static bool
all_saw_move(struct mgr *m)
{
	unsigned int n;
	struct mgr_data_lcore *ls = mgr_data_lcores(m, &n);

	for (unsigned int i = 0; i < n; i++)
		if (__atomic_load_n(&ls[i].move_seen, __ATOMIC_ACQUIRE) != m->move_id)
			return false;
	return true;
}

/* Everything the old instance emitted up to its TX position `mark` has
 * been passed on by the lcore that reads its TX ring (dataplane.c). */
static bool
tx_passed(struct mgr *m, uint16_t nf, uint32_t mark)
{
	unsigned int n;
	struct mgr_data_lcore *ls = mgr_data_lcores(m, &n);

	for (unsigned int i = 0; i < n; i++)
		if ((ls[i].role & ROLE_TX) &&
		    (m->num_tx <= 1 || nf % m->num_tx == ls[i].tx_index))
			return (int32_t)(__atomic_load_n(&ls[i].tx_done[nf], __ATOMIC_ACQUIRE) - mark) >= 0;
	return false;
}

static bool
epochs_passed(struct mgr *m)
{
	for (unsigned int i = 0; i < m->num_data; i++)
		if (__atomic_load_n(&m->data[i].epoch, __ATOMIC_ACQUIRE) == mv.epochs[i])
			return false;
	return true;
}

static void
set_deadline(void)
{
	mv.step_deadline = now_tsc() + rte_get_tsc_hz() * STEP_TIMEOUT_MS / 1000;
}

/* The move goes on to step s, which has STEP_TIMEOUT_MS to finish. */
static void
enter(enum step s)
{
	uint64_t now = now_tsc();

	if (mv.step != STEP_IDLE)
		mv.step_us[mv.step] += (now - mv.t_entered) * 1000000ULL / rte_get_tsc_hz();
	mv.t_entered = now;
	mv.step = s;
	set_deadline();
}

static bool
timed_out(void)
{
	return now_tsc() > mv.step_deadline;
}

static void
post(struct mgr *m, uint16_t nf, uint32_t op, uint32_t rx_target)
{
	struct onvm_nf_slot *s = &m->shm->nfs[nf];
	struct onvm_state_req *r = &s->state_req;

	r->op = op;
	r->rx_target = rx_target;
	r->blob = mv.blob;
	r->blob_cap = mv.blob_cap;
	memset(r->buckets, 0, sizeof(r->buckets));
	for (uint16_t b = 0; b < ONVM_BUCKETS; b++)
		if (mv.held[b])
			r->buckets[b / 64] |= 1ULL << (b % 64);
	__atomic_store_n(&r->seq, r->seq + 1, __ATOMIC_RELEASE);
	nf_wake(s); /* a sleeping shared-core NF handles it on waking */
}

static bool
answered(struct mgr *m, uint16_t nf)
{
	const struct onvm_state_req *r = &m->shm->nfs[nf].state_req;

	return __atomic_load_n(&r->done_seq, __ATOMIC_ACQUIRE) == r->seq;
}

/* Hand every held packet to `target` (0: none left) and then the buckets. */
static void
release_to(struct mgr *m, uint16_t target)
{
	unsigned int n;
	struct mgr_data_lcore *ls = mgr_data_lcores(m, &n);

	m->move_to = target;
	for (unsigned int i = 0; i < n; i++)
		__atomic_store_n(&ls[i].hold_drained, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->move_phase, MOVE_RELEASING, __ATOMIC_RELEASE);
	enter(STEP_RELEASE);
}

/* The move cannot finish: the held packets go to whichever instance is
 * still running (not `gone`, which is leaving), without the state. */
static void
fail(struct mgr *m, const char *why, uint16_t gone)
{
	uint16_t target = mv.from != gone && running(m, mv.from) ? mv.from
			  : mv.to != gone && running(m, mv.to)   ? mv.to
								 : 0;

	if (target == mv.from && !mv.state_moved)
		snprintf(mv.result.error, sizeof(mv.result.error), "%s; its flows stay with NF %u",
			 why, target);
	else if (target != 0)
		snprintf(mv.result.error, sizeof(mv.result.error),
			 "%s; its flows go to NF %u without their state", why, target);
	else
		snprintf(mv.result.error, sizeof(mv.result.error),
			 "%s; no instance is left for its flows", why);
	mv.result.ok = -1;
	mv.failing = true;
	printf("onvm_mgr: move of service %u failed: %s; its held packets go to NF %u\n", mv.svc,
	       why, target);
	fflush(stdout);
	release_to(m, target);
}

static uint64_t
held_total(struct mgr *m)
{
	unsigned int n;
	struct mgr_data_lcore *ls = mgr_data_lcores(m, &n);
	uint64_t sum = 0;

	for (unsigned int i = 0; i < n; i++)
		sum += ls[i].counters.held;
	return sum;
}

/* Whether a move of svc from `from` to `to` makes sense; -1 and why. */
static int
move_check(struct mgr *m, uint16_t svc, uint16_t from, uint16_t to, char *err, size_t errlen)
{
	const struct onvm_service *s;

	if (mv.step != STEP_IDLE) {
		snprintf(err, errlen, "another move is running");
		return -1;
	}
	if (svc == 0 || svc > m->cfg.num_services) {
		snprintf(err, errlen, "no service %u", svc);
		return -1;
	}
	s = &m->shm->services[svc];
	if (ft_protects(svc)) {
		snprintf(err, errlen, "service '%s' runs fault-tolerant: its flows stay with its "
			 "active instance", s->name);
		return -1;
	}
	if (from == to) {
		snprintf(err, errlen, "an instance cannot move flows to itself");
		return -1;
	}
	if (!is_instance(s, from) || !is_instance(s, to) || !running(m, from) ||
	    !running(m, to)) {
		snprintf(err, errlen, "both NFs must be running instances of service '%s'", s->name);
		return -1;
	}
	return 0;
}

int
elastic_move_start(struct mgr *m, uint16_t svc, uint16_t from, uint16_t to, double share,
		   char *err, size_t errlen)
{
	uint32_t owned;

	if (move_check(m, svc, from, to, err, errlen) < 0)
		return -1;
	if (!(share > 0 && share <= 1)) {
		snprintf(err, errlen, "the share must be in (0, 1]");
		return -1;
	}
	owned = svc_bucket_count(&m->shm->services[svc], from);
	return elastic_move_buckets(m, svc, from, to, (uint32_t)(owned * share + 0.5), err, errlen);
}

int
elastic_move_buckets(struct mgr *m, uint16_t svc, uint16_t from, uint16_t to, uint32_t want,
		     char *err, size_t errlen)
{
	if (move_check(m, svc, from, to, err, errlen) < 0)
		return -1;
	if (want == 0) {
		snprintf(err, errlen, "NF %u has no flows of service '%s' to move", from,
			 m->shm->services[svc].name);
		return -1;
	}
	if (mv.blob == NULL) {
		mv.blob = rte_malloc("onvm_state_blob", BLOB_FIRST, 64);
		mv.blob_cap = BLOB_FIRST;
		if (mv.blob == NULL) {
			snprintf(err, errlen, "no memory for the state of the flows");
			return -1;
		}
	}
	unsigned int n;
	struct mgr_data_lcore *ls = mgr_data_lcores(m, &n);
	for (unsigned int i = 0; i < n; i++) {
		if (ls[i].hold != NULL)
			continue;
		char name[32];
		snprintf(name, sizeof(name), "onvm_hold_%u", i);
		ls[i].hold = rte_ring_create(name, HOLD_SLOTS, m->home_node,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (ls[i].hold == NULL) {
			snprintf(err, errlen, "no memory for the hold queues");
			return -1;
		}
	}
	memset(&mv.result, 0, sizeof(mv.result));
	mv.svc = svc;
	mv.from = from;
	mv.to = to;
	mv.failing = false;
	mv.state_moved = false;
	memset(mv.step_us, 0, sizeof(mv.step_us));
	mv.n_buckets = 0;
	memset(mv.held, 0, sizeof(mv.held));
	mv.t_start = now_tsc();
	mv.held_base = held_total(m);
	m->move_svc = svc;
	m->move_from = from;
	m->move_to = to;
	/* The buckets first, then the phase: a data lcore that sees the move
	 * (acquire) sees its buckets held. */
	struct onvm_service *ws = &m->shm->services[svc];
	for (uint16_t b = 0; b < ONVM_BUCKETS && mv.n_buckets < want; b++) {
		if (ws->bucket_nf[b] != from)
			continue;
		mv.held[b] = true;
		mv.n_buckets++;
		__atomic_store_n(&ws->bucket_nf[b], ONVM_BUCKET_HELD, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&m->move_id, m->move_id + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&m->move_phase, MOVE_HOLDING, __ATOMIC_RELEASE);
	mv.t_hold = now_tsc();
	enter(STEP_QUIESCE_HOLD);
	printf("onvm_mgr: moving %u buckets of service '%s' from NF %u to NF %u\n", mv.n_buckets,
	       ws->name, from, to);
	fflush(stdout);
	return 0;
}

static bool
grow_blob(void)
{
	if (mv.blob_cap >= BLOB_MAX)
		return false;
	rte_free(mv.blob);
	mv.blob_cap *= 4;
	mv.blob = rte_malloc("onvm_state_blob", mv.blob_cap, 64);
	return mv.blob != NULL;
}

static bool
all_drained(struct mgr *m)
{
	unsigned int n;
	struct mgr_data_lcore *ls = mgr_data_lcores(m, &n);

	for (unsigned int i = 0; i < n; i++)
		if (!__atomic_load_n(&ls[i].hold_drained, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static void
finish(struct mgr *m)
{
	struct onvm_service *s = &m->shm->services[mv.svc];

	mv.result.held_packets = held_total(m) - mv.held_base;
	mv.result.pause_us = (mv.t_released - mv.t_hold) * 1000000ULL / rte_get_tsc_hz();
	mv.result.total_us = us_since(mv.t_start);
	mv.result.buckets = mv.n_buckets;
	mv.result.done = true;
	if (!mv.failing)
		printf("onvm_mgr: moved %u buckets (%u flows) of service '%s' from NF %u to NF %u: "
		       "%lu packets held, the longest %lu us (steps, us: quiesce %lu, export %lu, "
		       "emitted %lu, import %lu, release %lu)\n",
		       mv.n_buckets, mv.result.flows, s->name, mv.from, mv.to,
		       mv.result.held_packets, mv.result.pause_us,
		       mv.step_us[STEP_QUIESCE_HOLD], mv.step_us[STEP_EXPORT],
		       mv.step_us[STEP_WAIT_TX], mv.step_us[STEP_IMPORT], mv.step_us[STEP_RELEASE]);
	fflush(stdout);
	mv.step = STEP_IDLE;
}

/* The state is in the new instance: the old one forgets it, and the held
 * packets go to the new one. */
static void
imported(struct mgr *m)
{
	post(m, mv.from, ONVM_STATE_DROP, 0);
	mv.state_moved = true;
	release_to(m, mv.to);
}

void
elastic_step(struct mgr *m)
{
	struct onvm_state_req *r;

	switch (mv.step) {
	case STEP_IDLE:
		return;
	case STEP_QUIESCE_HOLD:
		if (!all_saw_move(m))
			break;
		/* No packet of the held buckets can reach `from` any more: it
		 * exports once it has read past everything enqueued so far. */
		post(m, mv.from, ONVM_STATE_EXPORT, m->shm->nfs[mv.from].rx_ring->prod.tail);
		enter(STEP_EXPORT);
		return;
	case STEP_EXPORT:
		if (!running(m, mv.from))
			return fail(m, "the old instance left during the export", 0);
		if (!answered(m, mv.from))
			break;
		r = &m->shm->nfs[mv.from].state_req;
		if (r->result == ONVM_STATE_TOO_SMALL) {
			if (!grow_blob())
				return fail(m, "the flows' state does not fit in memory", 0);
			post(m, mv.from, ONVM_STATE_EXPORT, r->rx_target);
			set_deadline();
			return;
		}
		if (r->result == ONVM_STATE_NO_CALLBACKS) {
			r->blob_len = 0; /* flows start afresh on the new instance */
		} else if (r->result < 0) {
			return fail(m, "the old instance could not export its flows", 0);
		}
		mv.result.flows = r->flows;
		mv.tx_mark = r->tx_mark;
		enter(STEP_WAIT_TX);
		return;
	case STEP_WAIT_TX:
		if (!running(m, mv.from))
			return fail(m, "the old instance left during the move", 0);
		if (!tx_passed(m, mv.from, mv.tx_mark))
			break;
		if (m->shm->nfs[mv.from].state_req.blob_len == 0)
			return imported(m); /* no state: the flows start afresh */
		m->shm->nfs[mv.to].state_req.blob_len = m->shm->nfs[mv.from].state_req.blob_len;
		post(m, mv.to, ONVM_STATE_IMPORT, 0);
		enter(STEP_IMPORT);
		return;
	case STEP_IMPORT:
		if (!running(m, mv.to))
			return fail(m, "the new instance left during the import", 0);
		if (!answered(m, mv.to))
			break;
		if (m->shm->nfs[mv.to].state_req.result < 0 &&
		    m->shm->nfs[mv.to].state_req.result != ONVM_STATE_NO_CALLBACKS)
			return fail(m, "the new instance refused the flows' state", 0);
		return imported(m);
	case STEP_RELEASE:
		if (!all_drained(m))
			break;
		mv.t_released = now_tsc();
		/* Every lcore sends these buckets' packets to the target now:
		 * the table can say so for everyone. */
		for (uint16_t b = 0; b < ONVM_BUCKETS; b++)
			if (mv.held[b])
				__atomic_store_n(&m->shm->services[mv.svc].bucket_nf[b], m->move_to,
						 __ATOMIC_RELEASE);
		mark_epochs(m);
		enter(STEP_QUIESCE_DONE);
		return;
	case STEP_QUIESCE_DONE:
		if (!epochs_passed(m))
			break;
		__atomic_store_n(&m->move_phase, MOVE_IDLE, __ATOMIC_RELEASE);
		finish(m);
		return;
	}
	if (timed_out() && mv.step != STEP_RELEASE && mv.step != STEP_QUIESCE_DONE && !mv.failing)
		fail(m, "a step of the move did not finish within 2 s", 0);
}

bool
elastic_busy(void)
{
	return mv.step != STEP_IDLE;
}

void
elastic_last_result(struct elastic_result *r)
{
	*r = mv.result;
	r->done = mv.step == STEP_IDLE && mv.result.done;
}

void
elastic_nf_gone(struct mgr *m, uint16_t nf_id)
{
	if (mv.step == STEP_IDLE || mv.failing || (nf_id != mv.from && nf_id != mv.to))
		return;
	if (mv.step == STEP_RELEASE || mv.step == STEP_QUIESCE_DONE) {
		/* Releasing to the NF that left: to the other one instead. */
		if (nf_id == m->move_to)
			fail(m, "the new instance left while its flows were released to it", nf_id);
		return;
	}
	fail(m, nf_id == mv.from ? "the old instance left during the move"
				 : "the new instance left during the move", nf_id);
}
