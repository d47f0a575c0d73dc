/* SPDX-License-Identifier: BSD-3-Clause */
/* Fault-tolerant NFs: checkpoints, output commit, failover (ft.h). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "ft.h"
#include "ft_epoch.h"
#include "mgr.h"
#include "nf_launch.h"
#include "nf_wake.h"
#include "services.h"

#define BLOB_FIRST (1u << 20)      /* checkpoint buffer to start with */
#define BLOB_MAX (256u << 20)
#define LAUNCH_RETRY_MS 1000       /* between two standbys that failed to start */
#define LAUNCH_TIMEOUT_S 20        /* a standby started that never joined is forgotten */
#define WAIT_IMPORT_MS 50          /* at failover: the checkpoint in flight may still commit */
#define WAIT_RELEASE_MS 20         /* ... and what it covers leave */
#define MAX_CHILDREN 64

struct ft_group {
	bool used;
	uint16_t svc;
	uint16_t active, standby;       /* NF ids, 0: none */
	uint16_t epoch_ms;
	pid_t launched;                 /* a standby started, not joined yet */
	uint64_t launched_tsc;
	uint64_t launch_ok_tsc;         /* no new standby before */
	struct ft_epoch_book book;
	void *blob;
	uint64_t blob_cap;
	uint16_t failed_active;         /* the dead active whose packets are being reclaimed */
	bool promoted;                  /* ... and its standby took its place */
	uint64_t failover_tsc;          /* when the failover in progress began */
	/* counters */
	uint64_t failovers, failovers_unsynced, lost_at_failover, lost_uncommitted;
	uint64_t standby_starts, standby_start_failed, standbys_lost;
	uint64_t held_max;
	uint64_t last_failover_us;      /* from noticing the death to the reclaim done */
	uint64_t last_takeover_us;      /* from noticing the death to the standby in its place */
	char last_event[200];
};

static struct ft_group groups[ONVM_MAX_SERVICES + 1];
static pid_t children[MAX_CHILDREN];
static int n_children;

/* What onvmctl ft shows, copied by the control loop each tick. */
static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ft_snap {
	struct ft_group g;
	int32_t active_pid, standby_pid;
	uint64_t held, hold_full, released;
	uint64_t hold_p50_ns, hold_p99_ns, hold_max_ns, hold_samples;
	bool active_ready, standby_ready;
} snaps[ONVM_MAX_SERVICES + 1];

_Static_assert((MGR_FT_HOLD_MAX & (MGR_FT_HOLD_MAX - 1)) == 0, "stamps indexed by a mask");

static uint64_t
tsc_ns(uint64_t tsc)
{
	uint64_t hz = rte_get_tsc_hz();

	return tsc / hz * 1000000000ULL + tsc % hz * 1000000000ULL / hz;
}

static uint64_t
now_ns(void)
{
	return tsc_ns(rte_get_tsc_cycles());
}

static bool
running(struct mgr *m, uint16_t nf)
{
	return nf >= 1 && nf <= ONVM_MAX_NFS &&
	       __atomic_load_n(&m->shm->nfs[nf].state, __ATOMIC_ACQUIRE) == ONVM_NF_RUNNING;
}

static struct ft_group *
group_of_nf(uint16_t id)
{
	if (id == 0)
		return NULL;
	for (uint16_t svc = 1; svc <= ONVM_MAX_SERVICES; svc++)
		if (groups[svc].used && (groups[svc].active == id || groups[svc].standby == id ||
					 groups[svc].failed_active == id))
			return &groups[svc];
	return NULL;
}

static void __attribute__((format(printf, 3, 4)))
event(struct mgr *m, struct ft_group *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->last_event, sizeof(g->last_event), fmt, ap);
	va_end(ap);
	printf("onvm_mgr: ft '%s': %s\n", m->shm->services[g->svc].name, g->last_event);
	fflush(stdout);
}

bool
ft_protects(uint16_t svc)
{
	return svc <= ONVM_MAX_SERVICES && groups[svc].used &&
	       (groups[svc].active || groups[svc].standby);
}

uint32_t
ft_active_cpu(struct mgr *m, uint16_t svc)
{
	if (svc > ONVM_MAX_SERVICES || !groups[svc].used || groups[svc].active == 0)
		return UINT32_MAX;
	return m->shm->nfs[groups[svc].active].cpu;
}

bool
ft_is_standby(uint16_t id)
{
	struct ft_group *g = group_of_nf(id);

	return g != NULL && g->standby == id;
}

bool
ft_busy(void)
{
	for (uint16_t svc = 1; svc <= ONVM_MAX_SERVICES; svc++)
		if (groups[svc].used && groups[svc].book.phase != FT_IDLE)
			return true;
	return false;
}

/* ---- admission ---- */

enum ft_role
ft_admit_role(struct mgr *m, uint16_t id, uint16_t svc, char *why, size_t whylen)
{
	const struct onvm_nf_slot *s = &m->shm->nfs[id];
	const struct onvm_service *sv = &m->shm->services[svc];
	struct ft_group *g = svc <= ONVM_MAX_SERVICES ? &groups[svc] : NULL;
	bool has_active = g != NULL && g->used && g->active != 0;

	if (s->ft_epoch_ms == 0) {
		if (!has_active)
			return FT_ROLE_NONE;
		snprintf(why, whylen, "service '%s' runs fault-tolerant (--ft): one active "
			 "instance and the standby the manager starts", sv->name);
		return FT_ROLE_REFUSED;
	}
	if (g == NULL) {
		snprintf(why, whylen, "service id %u cannot be fault-tolerant", svc);
		return FT_ROLE_REFUSED;
	}
	if (has_active) {
		if (g->standby == 0)
			return FT_ROLE_STANDBY;
		snprintf(why, whylen, "service '%s' already runs its active and standby instances",
			 sv->name);
		return FT_ROLE_REFUSED;
	}
	if (sv->num_instances > 0) {
		snprintf(why, whylen, "service '%s' runs instances without --ft: a fault-tolerant "
			 "service runs one active instance", sv->name);
		return FT_ROLE_REFUSED;
	}
	return FT_ROLE_ACTIVE;
}

/* NF id's output goes through its hold queue from now on (it is not
 * running yet, or takes no traffic: its TX ring is idle). */
static int
out_start(struct mgr *m, uint16_t id)
{
	struct mgr_ft_out *o = &m->ft_out[id];
	const struct rte_ring *tx = m->shm->nfs[id].tx_ring;

	if (o->q == NULL) {
		char name[32];

		snprintf(name, sizeof(name), "onvm_ft_hold_%u", id);
		o->q = rte_ring_create_elem(name, sizeof(onvm_tx_elem), MGR_FT_HOLD_MAX,
					    (int)rte_socket_id(),
					    RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		if (o->q == NULL)
			return -1;
	}
	if (o->stamps == NULL)
		o->stamps = rte_malloc("onvm_ft_stamps", sizeof(*o->stamps) * MGR_FT_HOLD_MAX, 0);
	if (o->hold == NULL)
		o->hold = rte_malloc("onvm_ft_hold", sizeof(*o->hold), 0);
	if (o->stamps == NULL || o->hold == NULL)
		return -1;
	memset(o->hold, 0, sizeof(*o->hold));
	o->stamp_head = o->stamp_tail = 0;
	o->pulled = o->released = tx->cons.tail;
	o->guard = 0;
	o->commit = tx->cons.tail;
	__atomic_store_n(&o->on, 1, __ATOMIC_RELEASE);
	return 0;
}

static void
unguard(struct mgr *m, uint16_t id)
{
	if (id)
		__atomic_store_n(&m->ft_out[id].guard, 0, __ATOMIC_RELEASE);
}

void
ft_admitted(struct mgr *m, uint16_t id, uint16_t svc, enum ft_role role)
{
	struct ft_group *g = &groups[svc];
	struct onvm_nf_slot *s = &m->shm->nfs[id];

	if (role == FT_ROLE_ACTIVE) {
		if (!g->used) {
			memset(g, 0, sizeof(*g));
			g->used = true;
			g->svc = svc;
		}
		g->active = id;
		g->epoch_ms = s->ft_epoch_ms;
		g->launch_ok_tsc = 0;
		ft_book_init(&g->book, (uint64_t)g->epoch_ms * 1000000ULL, now_ns());
		if (out_start(m, id) < 0)
			event(m, g, "no memory to hold NF %u's output: it runs unprotected", id);
		event(m, g, "NF %u is the active instance, checkpoints every %u ms", id, g->epoch_ms);
	} else if (role == FT_ROLE_STANDBY) {
		g->standby = id;
		if (g->launched == s->pid)
			g->launched = 0;
		ft_book_standby_lost(&g->book); /* a new standby: the next checkpoint is full */
		event(m, g, "NF %u (pid %d) is the standby of NF %u", id, s->pid, g->active);
	}
}

/* ---- checkpoints ---- */

static void
post(struct mgr *m, struct ft_group *g, uint16_t nf, uint32_t op, const uint64_t *buckets)
{
	struct onvm_nf_slot *s = &m->shm->nfs[nf];
	struct onvm_state_req *r = &s->state_req;

	r->op = op;
	r->rx_target = 0;
	r->blob = g->blob;
	r->blob_cap = g->blob_cap;
	memcpy(r->buckets, buckets, sizeof(r->buckets));
	__atomic_store_n(&r->seq, r->seq + 1, __ATOMIC_RELEASE);
	nf_wake(s); /* a sleeping shared-core NF handles it on waking */
}

static bool
answered(struct mgr *m, uint16_t nf)
{
	const struct onvm_state_req *r = &m->shm->nfs[nf].state_req;

	return __atomic_load_n(&r->done_seq, __ATOMIC_ACQUIRE) == r->seq;
}

static bool
grow_blob(struct ft_group *g)
{
	uint64_t cap = g->blob_cap ? g->blob_cap * 4 : BLOB_FIRST;
	void *b;

	if (cap > BLOB_MAX)
		return false;
	b = rte_malloc("onvm_ft_blob", cap, 64);
	if (b == NULL)
		return false;
	rte_free(g->blob);
	g->blob = b;
	g->blob_cap = cap;
	return true;
}

static void
post_checkpoint(struct mgr *m, struct ft_group *g)
{
	uint64_t bits[ONVM_BUCKETS / 64];

	memset(bits, g->book.full_now ? 0xff : 0, sizeof(bits));
	post(m, g, g->active, ONVM_STATE_CHECKPOINT, bits);
}

static void
checkpoint_begin(struct mgr *m, struct ft_group *g, uint64_t now)
{
	struct mgr_ft_out *o = &m->ft_out[g->active];

	if (g->blob == NULL && !grow_blob(g))
		return;
	if (ft_book_begin(&g->book, now) && !o->guard) {
		/* Protection starts: what was emitted so far goes (the full
		 * checkpoint, taken after it, covers its state); what
		 * follows waits for a commit. */
		__atomic_store_n(&o->commit, m->shm->nfs[g->active].tx_ring->prod.tail,
				 __ATOMIC_RELEASE);
		__atomic_store_n(&o->guard, 1, __ATOMIC_RELEASE);
	}
	post_checkpoint(m, g);
}

static void
checkpoint_exported(struct mgr *m, struct ft_group *g, uint64_t now)
{
	struct onvm_state_req *r = &m->shm->nfs[g->active].state_req;
	struct onvm_state_req *sr = &m->shm->nfs[g->standby].state_req;
	uint64_t len;
	unsigned int nb = 0;

	if (r->result == ONVM_STATE_TOO_SMALL) {
		if (grow_blob(g)) {
			post_checkpoint(m, g);
			return;
		}
		event(m, g, "the checkpoint does not fit in %lu MiB: abandoned",
		      (unsigned long)(BLOB_MAX >> 20));
		ft_book_export_failed(&g->book, now);
		return;
	}
	if (r->result < 0 && r->result != ONVM_STATE_NO_CALLBACKS) {
		event(m, g, "NF %u could not export its checkpoint", g->active);
		ft_book_export_failed(&g->book, now);
		return;
	}
	len = r->result == ONVM_STATE_NO_CALLBACKS ? 0 : r->blob_len;
	for (unsigned int w = 0; w < ONVM_BUCKETS / 64; w++)
		nb += (unsigned int)__builtin_popcountll(r->buckets[w]);
	ft_book_exported(&g->book, r->tx_mark, len, r->flows, nb, now);
	sr->blob_len = len;
	post(m, g, g->standby, ONVM_STATE_REPLACE, r->buckets);
}

static void
checkpoint_imported(struct mgr *m, struct ft_group *g, uint64_t now)
{
	const struct onvm_state_req *r = &m->shm->nfs[g->standby].state_req;
	bool ok = r->result >= 0 || r->result == ONVM_STATE_NO_CALLBACKS;

	if (ft_book_imported(&g->book, ok, now)) {
		__atomic_store_n(&m->ft_out[g->active].commit, g->book.commit, __ATOMIC_RELEASE);
		return;
	}
	if (!ft_book_give_up(&g->book)) {
		event(m, g, "the standby NF %u refused a checkpoint: the next one is full",
		      g->standby);
		return;
	}
	/* It cannot hold the active's state: the output goes on unprotected,
	 * and the standby is replaced. */
	event(m, g, "the standby NF %u refused %d checkpoints in a row: replaced", g->standby,
	      FT_MAX_REFUSED);
	unguard(m, g->active);
	__atomic_store_n(&m->shm->nfs[g->standby].stop_asked, 1, __ATOMIC_RELEASE);
	nf_wake(&m->shm->nfs[g->standby]);
}

static void
checkpoint_step(struct mgr *m, struct ft_group *g)
{
	uint64_t now = now_ns();

	if (g->standby == 0 || !m->shm->nfs[g->active].ready || !m->shm->nfs[g->standby].ready)
		return;
	switch (g->book.phase) {
	case FT_IDLE:
		/* A request abandoned when a standby left may still be
		 * outstanding: one at a time per NF. */
		if (ft_book_due(&g->book, now) && answered(m, g->active) &&
		    answered(m, g->standby) && !m->shm->nfs[g->standby].stop_asked)
			checkpoint_begin(m, g, now);
		return;
	case FT_EXPORTING:
		if (answered(m, g->active))
			checkpoint_exported(m, g, now);
		return;
	case FT_IMPORTING:
		if (answered(m, g->standby))
			checkpoint_imported(m, g, now);
		return;
	}
}

/* ---- failover ---- */

/* The active is leaving with its standby in sync. A checkpoint the standby
 * is importing still commits, and what it covers still leaves (the TX
 * lcore reads the leaving NF until it is retired): bounded waits. */
static void
finish_in_flight(struct mgr *m, struct ft_group *g)
{
	uint64_t deadline = rte_get_tsc_cycles() + rte_get_tsc_hz() * WAIT_IMPORT_MS / 1000;
	struct mgr_ft_out *o = &m->ft_out[g->active];

	while (g->book.phase == FT_IMPORTING && !answered(m, g->standby) &&
	       running(m, g->standby) && rte_get_tsc_cycles() < deadline)
		usleep(20);
	if (g->book.phase == FT_IMPORTING && answered(m, g->standby))
		checkpoint_imported(m, g, now_ns());
	if (m->num_data == 0)
		return; /* the data path runs on this thread: what is left is lost */
	deadline = rte_get_tsc_cycles() + rte_get_tsc_hz() * WAIT_RELEASE_MS / 1000;
	while (ft_releasable(o->guard, o->commit, o->released, o->pulled - o->released) > 0 &&
	       rte_get_tsc_cycles() < deadline)
		usleep(20);
}

static void
promote(struct mgr *m, struct ft_group *g, uint16_t dead)
{
	struct onvm_service *sv = &m->shm->services[g->svc];
	uint16_t heir = g->standby;
	struct onvm_nf_slot *hs = &m->shm->nfs[heir];
	bool synced = g->book.synced;

	if (out_start(m, heir) < 0)
		event(m, g, "no memory to hold NF %u's output: it runs unprotected", heir);
	/* In the dead one's place in the service (its instance number, its
	 * buckets): a data lcore picks one or the other, never nobody. What
	 * it still gives the dead one is reclaimed and counted with it. */
	for (uint16_t i = 0; i < sv->num_instances; i++)
		if (sv->instances[i] == dead)
			hs->instance = sv->instance_nums[i];
	if (svc_replace_instance(sv, dead, heir) < 0)
		svc_add_instance(sv, heir, hs->instance, &hs->instance);
	g->active = heir;
	g->standby = 0;
	g->failed_active = dead;
	g->promoted = true;
	g->failovers++;
	g->failovers_unsynced += !synced;
	ft_book_standby_lost(&g->book);
	g->book.next_ns = now_ns();
	g->launch_ok_tsc = 0;
	event(m, g, "NF %u left; its standby NF %u (pid %d) is active%s", dead, heir, hs->pid,
	      synced ? " from the last committed checkpoint"
		     : " WITHOUT its state (the standby was not in sync yet)");
}

/* Whether NF id's process still holds its lock: one killed together with
 * the active may not have been noticed yet. */
static bool
alive(struct mgr *m, uint16_t id)
{
	int fd = m->nf_lock_fd[id];

	return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

void
ft_nf_leaving(struct mgr *m, uint16_t id)
{
	struct ft_group *g = group_of_nf(id);

	if (g == NULL || g->failed_active == id)
		return;
	if (id == g->standby) {
		g->standby = 0;
		g->standbys_lost++;
		ft_book_standby_lost(&g->book);
		unguard(m, g->active); /* no standby: the output goes on unprotected */
		if (m->shm->mgr_state != ONVM_MGR_STOPPING)
			event(m, g, "the standby NF %u left; a new one is started", id);
		return;
	}
	g->failover_tsc = rte_get_tsc_cycles();
	if (m->shm->mgr_state != ONVM_MGR_STOPPING && g->standby && running(m, g->standby) &&
	    m->shm->nfs[g->standby].ready && alive(m, g->standby)) {
		if (g->book.synced)
			finish_in_flight(m, g);
		promote(m, g, id);
		g->last_takeover_us = (rte_get_tsc_cycles() - g->failover_tsc) * 1000000ULL /
				      rte_get_tsc_hz();
		return;
	}
	g->active = 0;
	g->failed_active = id;
	g->promoted = false;
	if (m->shm->mgr_state != ONVM_MGR_STOPPING)
		event(m, g, "the active NF %u left with no standby ready: the service has no "
			    "instance until one starts", id);
}

unsigned int
ft_nf_reclaim(struct mgr *m, uint16_t id)
{
	struct mgr_ft_out *o = &m->ft_out[id];
	struct ft_group *g = group_of_nf(id);
	onvm_tx_elem e[ONVM_BURST];
	unsigned int n, total = 0;

	if (!o->on)
		return 0;
	__atomic_store_n(&o->on, 0, __ATOMIC_RELEASE);
	o->guard = 0;
	if (g != NULL && g->failed_active == id) {
		unsigned int held = rte_ring_count(o->q), tx = rte_ring_count(m->shm->nfs[id].tx_ring);

		g->lost_uncommitted += held + tx;
		event(m, g, "NF %u left %u packets waiting for a commit (%u before it) and %u on its "
			    "TX ring", id, held,
		      ft_releasable(o->guard, o->commit, o->released, held), tx);
	}
	while ((n = rte_ring_sc_dequeue_burst_elem(o->q, e, sizeof(e[0]), ONVM_BURST, NULL)) > 0) {
		struct rte_mbuf *pkts[ONVM_BURST];

		/* Not its any more: the reclaim's scan of the pool for what
		 * the NF held must not find (and free) them again. */
		for (unsigned int i = 0; i < n; i++) {
			pkts[i] = onvm_tx_pkt(e[i]);
			onvm_pkt_meta(pkts[i])->owner = 0;
		}
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	return total;
}

void
ft_nf_retired(struct mgr *m, uint16_t id, unsigned int lost)
{
	struct ft_group *g = group_of_nf(id);

	if (g == NULL || g->failed_active != id)
		return;
	g->failed_active = 0;
	if (m->shm->mgr_state == ONVM_MGR_STOPPING)
		return;
	g->lost_at_failover += lost;
	g->last_failover_us = (rte_get_tsc_cycles() - g->failover_tsc) * 1000000ULL /
			      rte_get_tsc_hz();
	event(m, g, "%s NF %u in %lu us (the standby in its place after %lu us): %u packets lost (uncommitted output and unprocessed "
		    "input), %lu lost at failovers in all",
	      g->promoted ? "failover from" : "retired the active", id,
	      (unsigned long)g->last_failover_us, (unsigned long)g->last_takeover_us, lost, (unsigned long)g->lost_at_failover);
}

/* ---- standbys ---- */

static void
reap_children(void)
{
	for (int i = 0; i < n_children;) {
		pid_t r = waitpid(children[i], NULL, WNOHANG);

		if (r == children[i] || r < 0) {
			children[i] = children[--n_children];
			continue;
		}
		i++;
	}
}

static void
launch_standby(struct mgr *m, struct ft_group *g)
{
	static struct nf_template t; /* 20 KiB: not on the control loop's stack */
	const struct onvm_nf_slot *a = &m->shm->nfs[g->active];
	char words[2][64], *argv[NF_TEMPLATE_MAX_ARGS + 8], why[200];
	pid_t pid;

	g->launch_ok_tsc = rte_get_tsc_cycles() + rte_get_tsc_hz() * LAUNCH_RETRY_MS / 1000;
	if (nf_template_read(a->pid, &t, why, sizeof(why)) < 0) {
		g->standby_start_failed++;
		event(m, g, "cannot start a standby of NF %u: %s", g->active, why);
		return;
	}
	if (nf_template_argv(&t, a->instance, m->file_prefix, words, argv,
			     NF_TEMPLATE_MAX_ARGS + 8) < 0) {
		g->standby_start_failed++;
		event(m, g, "cannot start a standby of NF %u: its command line is too long",
		      g->active);
		return;
	}
	pid = nf_launch(&t, argv, m->file_prefix, why, sizeof(why));
	if (pid < 0) {
		g->standby_start_failed++;
		event(m, g, "cannot start a standby of NF %u: %s", g->active, why);
		return;
	}
	if (n_children < MAX_CHILDREN)
		children[n_children++] = pid;
	g->launched = pid;
	g->launched_tsc = rte_get_tsc_cycles();
	g->standby_starts++;
	event(m, g, "started %s (pid %d) as the standby of NF %u", t.exe, (int)pid, g->active);
}

static void
standby_step(struct mgr *m, struct ft_group *g)
{
	uint64_t now = rte_get_tsc_cycles();

	if (g->launched) {
		int status;

		if (waitpid(g->launched, &status, WNOHANG) == g->launched) {
			g->standby_start_failed++;
			event(m, g, "the standby (pid %d) exited before it joined (status %d)",
			      (int)g->launched,
			      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			g->launched = 0;
		} else if (now - g->launched_tsc > LAUNCH_TIMEOUT_S * rte_get_tsc_hz()) {
			g->launched = 0; /* it may still join, as a standby */
		}
		return;
	}
	if (g->standby == 0 && g->active && m->shm->nfs[g->active].ready &&
	    now >= g->launch_ok_tsc)
		launch_standby(m, g);
}

/* An NF whose lock is free is gone: retired at once, not at the next
 * liveness check (up to 100 ms later), so its standby takes over within
 * a few epochs. */
static void
watch(struct mgr *m, uint16_t id)
{
	int fd = id ? m->nf_lock_fd[id] : -1;

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
		nf_registry_retire(m, id, "died");
}

static void
snapshot(struct mgr *m)
{
	pthread_mutex_lock(&snap_lock);
	for (uint16_t svc = 1; svc <= ONVM_MAX_SERVICES; svc++) {
		struct ft_group *g = &groups[svc];
		struct ft_snap *s = &snaps[svc];

		if (!g->used)
			continue;
		s->g = *g;
		s->active_pid = g->active ? m->shm->nfs[g->active].pid : 0;
		s->standby_pid = g->standby ? m->shm->nfs[g->standby].pid : 0;
		s->active_ready = g->active && m->shm->nfs[g->active].ready;
		s->standby_ready = g->standby && m->shm->nfs[g->standby].ready;
		if (g->active) {
			const struct mgr_ft_out *o = &m->ft_out[g->active];

			s->held = (uint32_t)(o->pulled - o->released);
			s->hold_full = o->full;
			s->released = o->released_total;
			if (o->hold != NULL) {
				/* The data lcore adds as this reads: near enough. */
				s->hold_p50_ns = tsc_ns(lat_hist_percentile(o->hold, 500));
				s->hold_p99_ns = tsc_ns(lat_hist_percentile(o->hold, 990));
				s->hold_max_ns = tsc_ns(o->hold->max);
				s->hold_samples = o->hold->total;
			}
		}
		if (s->held > g->held_max)
			g->held_max = s->g.held_max = s->held;
	}
	pthread_mutex_unlock(&snap_lock);
}

void
ft_step(struct mgr *m)
{
	static uint64_t next_reap;
	bool any = false;

	for (uint16_t svc = 1; svc <= ONVM_MAX_SERVICES; svc++) {
		struct ft_group *g = &groups[svc];

		if (!g->used)
			continue;
		any = true;
		if (m->shm->mgr_state == ONVM_MGR_STOPPING)
			continue;
		watch(m, g->active);
		watch(m, g->standby);
		if (g->active)
			checkpoint_step(m, g);
		standby_step(m, g);
	}
	if (!any)
		return;
	snapshot(m);
	if (rte_get_tsc_cycles() >= next_reap) {
		next_reap = rte_get_tsc_cycles() + rte_get_tsc_hz() / 10;
		reap_children();
	}
}

/* ---- onvmctl ft ---- */

json_t *
ft_json(struct mgr *m, const char *service, char *err, size_t errlen)
{
	uint16_t svc = 0;
	struct ft_snap s;
	char *end;
	unsigned long id = strtoul(service, &end, 10);

	if (end != service && *end == '\0' && id >= 1 && id <= m->cfg.num_services)
		svc = (uint16_t)id;
	for (uint16_t i = 1; svc == 0 && i <= m->cfg.num_services && i <= ONVM_MAX_SERVICES; i++)
		if ((m->shm->services[i].flags & ONVM_SVC_F_USED) &&
		    strncmp(m->shm->services[i].name, service, ONVM_NAME_LEN) == 0)
			svc = i;
	if (svc == 0 || svc > ONVM_MAX_SERVICES) {
		snprintf(err, errlen, "no service '%s'", service);
		return NULL;
	}
	pthread_mutex_lock(&snap_lock);
	s = snaps[svc];
	pthread_mutex_unlock(&snap_lock);
	if (!s.g.used) {
		snprintf(err, errlen, "service '%s' does not run fault-tolerant (start it with "
			 "go.sh NF --ft)", service);
		return NULL;
	}
	const struct ft_epoch_book *b = &s.g.book;
	json_t *cp = json_pack("{s:I, s:i, s:i, s:I, s:I, s:I, s:I}", "bytes",
			       (json_int_t)b->last_bytes, "flows", (int)b->last_flows, "buckets",
			       (int)b->last_buckets, "export_us", (json_int_t)b->last_export_us,
			       "import_us", (json_int_t)b->last_import_us, "total_us",
			       (json_int_t)b->last_total_us, "max_total_us",
			       (json_int_t)b->max_total_us);
	/* What holding added to the latency of the packets released since
	 * this active started: from leaving its TX ring to leaving the hold. */
	json_t *hold = json_pack("{s:I, s:I, s:I, s:I}", "p50_ns", (json_int_t)s.hold_p50_ns,
				 "p99_ns", (json_int_t)s.hold_p99_ns, "max_ns",
				 (json_int_t)s.hold_max_ns, "packets", (json_int_t)s.hold_samples);

	return json_pack("{s:s, s:i, s:b, s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:o*, s:I, s:I, "
			 "s:o*, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
			 "service", m->shm->services[svc].name, "epoch_ms", (int)s.g.epoch_ms,
			 "protected", s.g.active && s.g.standby && b->synced, "active_nf",
			 (int)s.g.active, "active_pid", (int)s.active_pid, "standby_nf",
			 (int)s.g.standby, "standby_pid", (int)s.standby_pid, "epochs",
			 (json_int_t)b->epochs, "full_checkpoints", (json_int_t)b->full_checkpoints,
			 "checkpoint_bytes_total", (json_int_t)b->bytes_total, "refused_checkpoints",
			 (json_int_t)b->refused, "last_checkpoint", cp, "held_packets",
			 (json_int_t)s.held, "held_max", (json_int_t)s.g.held_max, "hold_time", hold,
			 "hold_full",
			 (json_int_t)s.hold_full, "released", (json_int_t)s.released, "failovers",
			 (json_int_t)s.g.failovers, "failovers_unsynced",
			 (json_int_t)s.g.failovers_unsynced, "lost_at_failover",
			 (json_int_t)s.g.lost_at_failover, "lost_uncommitted",
			 (json_int_t)s.g.lost_uncommitted, "last_failover_us",
			 (json_int_t)s.g.last_failover_us, "last_takeover_us",
			 (json_int_t)s.g.last_takeover_us, "standby_starts",
			 (json_int_t)s.g.standby_starts, "standby_start_failed",
			 (json_int_t)s.g.standby_start_failed, "standbys_lost",
			 (json_int_t)s.g.standbys_lost, "last_event", s.g.last_event);
}

json_t *
ft_json_all(struct mgr *m)
{
	json_t *list = json_array();
	char err[160];

	for (uint16_t svc = 1; list != NULL && svc <= ONVM_MAX_SERVICES; svc++) {
		char id[8];
		bool used;
		json_t *o;

		pthread_mutex_lock(&snap_lock);
		used = snaps[svc].g.used;
		pthread_mutex_unlock(&snap_lock);
		if (!used)
			continue;
		snprintf(id, sizeof(id), "%u", svc);
		o = ft_json(m, id, err, sizeof(err));
		if (o != NULL)
			json_array_append_new(list, o);
	}
	return list;
}
