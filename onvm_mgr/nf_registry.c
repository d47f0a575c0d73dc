/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NF admission, liveness and retirement, all on the control thread.
 *
 * Liveness: every NF holds an flock() on its own lock file for its whole
 * life. The kernel drops it however the NF ends (exit, crash, kill -9), so
 * the manager only has to try the lock: if it gets it, the NF is gone.
 *
 * No pid an NF reports is ever used: in a container's PID namespace it
 * names another process. The pid shown (and the one killed at shutdown if
 * the NF does not stop) is the lock's holder as the kernel reports it to
 * the manager (nf_lock.h).
 *
 * Retirement: the NF leaves its service (no new packets), the data lcores
 * pass a quiescent point (none still holds a stale pick), then every packet
 * the NF could hold is freed: its two rings, and any mbuf in the pool whose
 * metadata names it as owner (packets it had dequeued but not returned).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "elastic.h"
#include "ft.h"
#include "mgr.h"
#include "nf_lock.h"
#include "nf_wake.h"
#include "scale.h"
#include "services.h"

#define LIVENESS_PERIOD_MS 100
#define CLAIM_STALE_S 5
#define KILL_WAIT_MS 1000

static uint64_t next_liveness_tsc;

void
nf_registry_init(struct mgr *m)
{
	for (int i = 0; i <= ONVM_MAX_NFS; i++)
		m->nf_lock_fd[i] = -1;
}

void
mgr_quiesce(struct mgr *m)
{
	uint64_t seen[MGR_MAX_DATA_LCORES];
	uint64_t deadline = rte_get_tsc_cycles() + rte_get_tsc_hz() / 10;

	for (unsigned int i = 0; i < m->num_data; i++)
		seen[i] = __atomic_load_n(&m->data[i].epoch, __ATOMIC_ACQUIRE);
	for (unsigned int i = 0; i < m->num_data; i++)
		while (__atomic_load_n(&m->data[i].epoch, __ATOMIC_ACQUIRE) == seen[i] &&
		       rte_get_tsc_cycles() < deadline)
			usleep(10);
}

int
nf_registry_resolve_service(struct mgr *m, const char *name_or_id, uint16_t *id, char *why,
			    size_t whylen)
{
	const char *reason = NULL;

	if (svc_resolve(m->shm->services, m->cfg.num_services, name_or_id, id, &reason) < 0) {
		snprintf(why, whylen, "service '%s': %s", name_or_id, reason);
		return -1;
	}
	return 0;
}

/* A CPU for an NF that did not pick one (placement.h): counting the NFs
 * that run on each CPU, as the plan made at start says; `avoid` (a standby:
 * its active's CPU) loses the ties, so a checkpoint's import runs beside the
 * active's export, not after it, whenever another CPU is as free. */
static uint32_t
pick_cpu(struct mgr *m, uint32_t avoid)
{
	uint16_t load[PLACE_MAX_CPUS] = { 0 };

	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		const struct onvm_nf_slot *s = &m->shm->nfs[id];

		if (s->state == ONVM_NF_RUNNING && s->cpu < PLACE_MAX_CPUS)
			load[s->cpu]++;
	}
	for (uint32_t cpu = 0; cpu < PLACE_MAX_CPUS; cpu++)
		load[cpu] *= 2; /* ties broken below, by one */
	if (avoid < PLACE_MAX_CPUS)
		load[avoid]++;
	return place_pick(&m->place, &m->topo, load);
}

static void
active_add(struct mgr *m, uint16_t id)
{
	m->active_ids[m->num_active] = id;
	__atomic_store_n(&m->num_active, (uint16_t)(m->num_active + 1), __ATOMIC_RELEASE);
}

static void
active_remove(struct mgr *m, uint16_t id)
{
	for (uint16_t i = 0; i < m->num_active; i++) {
		if (m->active_ids[i] == id) {
			m->active_ids[i] = m->active_ids[m->num_active - 1];
			__atomic_store_n(&m->num_active, (uint16_t)(m->num_active - 1),
					 __ATOMIC_RELEASE);
			return;
		}
	}
}

/* Packets the data lcores took from the NF but could not pass on yet. */
static unsigned int
free_stashes(struct mgr *m, uint16_t id)
{
	struct mgr_data_lcore *lcores = m->num_data ? m->data : &m->inline_data;
	unsigned int n = m->num_data ? m->num_data : 1, total = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct mgr_stash *st = &lcores[i].stash[id];

		rte_pktmbuf_free_bulk(st->pkts, st->n);
		total += st->n;
		st->n = 0;
	}
	return total;
}

static void
reject(struct onvm_nf_slot *s, const char *fmt, const char *arg)
{
	char reason[sizeof(s->reject_reason)];

	snprintf(reason, sizeof(reason), fmt, arg);
	memcpy(s->reject_reason, reason, sizeof(reason));
	/* The NF frees the slot when it reads the verdict. */
	__atomic_store_n(&s->state, ONVM_NF_REJECTED, __ATOMIC_RELEASE);
}

_Static_assert(sizeof(onvm_rx_elem) == sizeof(onvm_tx_elem), "both NF rings have 8-byte elements");

/*
 * Free every packet left on one of an NF's rings; returns how many. Both
 * kinds hold the packet pointer in the low 48 bits of an 8-byte element
 * (onvm_rx_elem: the in port above it; onvm_tx_elem: the verdict).
 */
static unsigned int
drain_ring(struct rte_ring *r)
{
	onvm_tx_elem elems[ONVM_BURST];
	struct rte_mbuf *pkts[ONVM_BURST];
	unsigned int n, total = 0;

	while ((n = rte_ring_sc_dequeue_burst_elem(r, elems, sizeof(elems[0]), ONVM_BURST,
						   NULL)) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			pkts[i] = onvm_tx_pkt(elems[i]);
			onvm_pkt_meta(pkts[i])->owner = 0;
		}
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	return total;
}

static unsigned int
drain_nf_rings(struct onvm_nf_slot *s)
{
	return drain_ring(s->rx_ring) + drain_ring(s->tx_ring);
}

/* What admission resets in a slot the manager accepts. */
static void
reset_slot(struct onvm_nf_slot *s)
{
	memset(&s->mgr_stats, 0, sizeof(s->mgr_stats));
	s->sleeping = 0;
	s->ready = 0;
	s->stateful = 0;
	s->state_req.seq = s->state_req.done_seq = 0;
}

/*
 * The standby of a fault-tolerant service (ft.h): running, watched and
 * reclaimed like any NF, but not an instance of the service, so no packet
 * is ever steered to it; it takes checkpoints until it takes the active's
 * place.
 */
static void
admit_standby(struct mgr *m, uint16_t id, uint16_t svc)
{
	struct onvm_nf_slot *s = &m->shm->nfs[id];

	s->service_id = svc;
	if (s->instance == ONVM_INSTANCE_ANY)
		s->instance = 0;
	s->pid = nf_lock_holder(m->nf_lock_fd[id]);
	if (s->cpu == UINT32_MAX)
		s->cpu = pick_cpu(m, ft_active_cpu(m, svc));
	reset_slot(s);
	ft_admitted(m, id, svc, FT_ROLE_STANDBY);
	__atomic_store_n(&s->state, ONVM_NF_RUNNING, __ATOMIC_RELEASE);
	active_add(m, id);
	printf("onvm_mgr: NF %u (%s, pid %d) joined service %u '%s' as its standby on cpu %u\n",
	       id, s->name, s->pid, svc, m->shm->services[svc].name, s->cpu);
	fflush(stdout);
}

static void
admit(struct mgr *m, uint16_t id)
{
	struct onvm_nf_slot *s = &m->shm->nfs[id];
	char why[96];
	uint16_t svc, inst;
	uint16_t want = s->instance; /* the NF's -n, or ONVM_INSTANCE_ANY */
	int rc;

	if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != ONVM_NF_CLAIMED)
		return;
	if (s->requested_service) {
		if (s->requested_service > m->cfg.num_services) {
			char num[8];
			snprintf(num, sizeof(num), "%u", s->requested_service);
			reject(s, "service id %s is above the manager's -r limit", num);
			return;
		}
		svc = s->requested_service;
	} else if (nf_registry_resolve_service(m, s->service_name, &svc, why, sizeof(why)) < 0) {
		reject(s, "%s", why);
		return;
	}
	m->nf_lock_fd[id] = open(s->lock_path, O_RDWR | O_CLOEXEC);
	if (m->nf_lock_fd[id] < 0) {
		reject(s, "cannot open its lock file %s", s->lock_path);
		return;
	}
	mgr_stats_count_reclaimed(drain_nf_rings(s));
	enum ft_role role = ft_admit_role(m, id, svc, why, sizeof(why));

	if (role == FT_ROLE_REFUSED) {
		close(m->nf_lock_fd[id]);
		m->nf_lock_fd[id] = -1;
		reject(s, "%s", why);
		return;
	}
	if (role == FT_ROLE_STANDBY) {
		admit_standby(m, id, svc);
		return;
	}
	rc = svc_add_instance(&m->shm->services[svc], id, want, &inst);
	if (rc < 0) {
		close(m->nf_lock_fd[id]);
		m->nf_lock_fd[id] = -1;
		if (rc == SVC_ERR_TAKEN)
			snprintf(why, sizeof(why), "instance %u of service '%s' is already running",
				 want, m->shm->services[svc].name);
		else if (rc == SVC_ERR_RANGE)
			snprintf(why, sizeof(why), "instance %u is out of range (0-%d)", want,
				 ONVM_MAX_INSTANCES - 1);
		else
			snprintf(why, sizeof(why),
				 "service '%s' already runs the maximum number of instances",
				 m->shm->services[svc].name);
		reject(s, "%s", why);
		return;
	}
	/* A service known only by number takes its first NF's name, unless
	 * another service already has that name. */
	struct onvm_service *sv = &m->shm->services[svc];
	if (sv->name[0] == '\0' && svc_find(m->shm->services, m->cfg.num_services, s->name) == 0) {
		snprintf(sv->name, sizeof(sv->name), "%s", s->name);
		sv->flags |= ONVM_SVC_F_USED;
	}
	s->service_id = svc;
	s->instance = inst;
	s->pid = nf_lock_holder(m->nf_lock_fd[id]);
	bool cpu_given = s->cpu != UINT32_MAX;

	if (!cpu_given)
		s->cpu = pick_cpu(m, UINT32_MAX);
	const char *note = place_note(&m->place, s->cpu, cpu_given);
	reset_slot(s);
	/* The first instance takes every flow at once; a later one is given
	 * its share when it is ready, if its flows may start afresh (see
	 * place_when_ready). */
	if (sv->num_instances == 1)
		svc_rebalance(sv);
	else
		m->nf_unplaced[id] = true;
	if (role == FT_ROLE_ACTIVE)
		ft_admitted(m, id, svc, role);
	__atomic_store_n(&s->state, ONVM_NF_RUNNING, __ATOMIC_RELEASE);
	active_add(m, id);
	printf("onvm_mgr: NF %u (%s, pid %d) joined service %u '%s' as instance %u on cpu %u%s%s%s\n",
	       id, s->name, s->pid, svc, m->shm->services[svc].name, inst, s->cpu,
	       note[0] ? " (" : "", note, note[0] ? ")" : "");
	fflush(stdout);
}

/* Free every mbuf whose metadata says the NF holds it. */
struct owner_scan {
	uint16_t nf_id;
	unsigned int found;
	struct rte_mbuf *batch[ONVM_BURST];
	unsigned int n;
};

static void
scan_owned(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct owner_scan *sc = arg;
	struct rte_mbuf *mb = obj;
	struct onvm_pkt_meta *meta = onvm_pkt_meta(mb);

	if (meta->owner != sc->nf_id)
		return;
	meta->owner = 0;
	sc->batch[sc->n++] = mb;
	sc->found++;
	if (sc->n == ONVM_BURST) {
		rte_pktmbuf_free_bulk(sc->batch, sc->n);
		sc->n = 0;
	}
}

void
nf_registry_retire(struct mgr *m, uint16_t id, const char *how)
{
	struct onvm_nf_slot *s = &m->shm->nfs[id];
	struct owner_scan sc = { .nf_id = id };
	unsigned int queued;
	uint32_t state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

	if (state == ONVM_NF_FREE || state == ONVM_NF_REJECTED)
		return;
	if (state == ONVM_NF_RUNNING || state == ONVM_NF_STOPPING) {
		struct onvm_service *sv = &m->shm->services[s->service_id];

		ft_nf_leaving(m, id); /* a protected one's standby takes its place */
		svc_remove_instance(sv, id);
		elastic_nf_gone(m, id);
		svc_give_orphans(sv, id); /* their state, if any, is lost */
	}
	m->nf_unplaced[id] = false;
	__atomic_store_n(&s->state, ONVM_NF_STOPPING, __ATOMIC_RELEASE);
	active_remove(m, id);
	mgr_quiesce(m);

	queued = ft_nf_reclaim(m, id); /* its output held for a commit */
	queued += drain_nf_rings(s) + free_stashes(m, id);
	rte_mempool_obj_iter(m->pool, scan_owned, &sc);
	if (sc.n)
		rte_pktmbuf_free_bulk(sc.batch, sc.n);
	s->mgr_stats.reclaimed += queued + sc.found;
	mgr_stats_count_reclaimed(queued + sc.found);
	ft_nf_retired(m, id, queued + sc.found);
	mgr_stats_nf_retired(m, id);

	if (m->nf_lock_fd[id] >= 0) {
		close(m->nf_lock_fd[id]);
		m->nf_lock_fd[id] = -1;
	}
	unlink(s->lock_path);
	/* "Held" is what it dequeued and never returned. An NF that stopped
	 * cleanly holds none, or under load the one burst its full TX ring
	 * refused once the manager was stopping (nflib_return_burst); more
	 * is a leak in the NF, which this reclaim would otherwise hide. */
	printf("onvm_mgr: NF %u (%s, pid %d) %s; reclaimed %u packets (%u queued, %u it held)\n",
	       id, s->name, s->pid, how, queued + sc.found, queued, sc.found);
	fflush(stdout);
	s->pid = 0;
	s->ready = 0;
	s->lock_path[0] = '\0';
	s->num_counters = 0;
	__atomic_store_n(&s->state, ONVM_NF_FREE, __ATOMIC_RELEASE);
}

/* Whether some process holds the flock() on the lock file at path. */
static bool
lock_held(const char *path)
{
	int fd;
	bool held;

	if (path[0] == '\0')
		return false;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	held = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd); /* drops the lock if we took it */
	return held;
}

static void
check_liveness(struct mgr *m)
{
	uint64_t now = rte_get_tsc_cycles();

	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		struct onvm_nf_slot *s = &m->shm->nfs[id];
		uint32_t state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

		if (m->nf_lock_fd[id] >= 0) {
			/* Getting the lock means its holder is gone. */
			if (flock(m->nf_lock_fd[id], LOCK_EX | LOCK_NB) == 0)
				nf_registry_retire(m, id, state == ONVM_NF_STOPPING ? "stopped" : "died");
		} else if (state == ONVM_NF_CLAIMED &&
			   now - s->claimed_tsc > CLAIM_STALE_S * rte_get_tsc_hz() &&
			   !lock_held(s->lock_path)) {
			/* Died between claiming a slot and telling us. */
			if (s->lock_path[0] != '\0')
				unlink(s->lock_path);
			__atomic_compare_exchange_n(&s->state, &state, ONVM_NF_FREE, false,
						    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
		}
	}
}

/*
 * An instance that joined a running service, once ready: an NF whose flows
 * may start afresh gets its even share at once; an NF that keeps movable
 * state (it registered state callbacks meanwhile) gets flows only by a
 * move, with their state (docs/elastic.md).
 */
static void
place_when_ready(struct mgr *m)
{
	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		struct onvm_nf_slot *s = &m->shm->nfs[id];
		struct onvm_service *sv = &m->shm->services[s->service_id];

		if (s->state != ONVM_NF_RUNNING || !s->ready)
			continue;
		if (s->stateful && !(sv->flags & ONVM_SVC_F_STATEFUL))
			sv->flags |= ONVM_SVC_F_STATEFUL;
		if (!m->nf_unplaced[id])
			continue;
		m->nf_unplaced[id] = false;
		if (scale_started_nf(m, id))
			continue; /* the scale job moves flows to it, in order */
		if (s->stateful) {
			printf("onvm_mgr: NF %u keeps state: it takes flows of service '%s' only when "
			       "moved to it (onvmctl move)\n", id, sv->name);
			fflush(stdout);
		} else {
			svc_rebalance(sv);
		}
	}
}

void
nf_registry_poll(struct mgr *m)
{
	void *msgs[16];
	unsigned int n = rte_ring_sc_dequeue_burst(m->msg_ring, msgs, 16, NULL);

	for (unsigned int i = 0; i < n; i++) {
		uint32_t type;
		uint16_t id;

		onvm_msg_decode(msgs[i], &type, &id);
		if (id == 0 || id > ONVM_MAX_NFS)
			continue;
		if (type == ONVM_MSG_NF_CLAIMED)
			admit(m, id);
		else if (type == ONVM_MSG_NF_STOPPING)
			nf_registry_retire(m, id, "stopped");
	}
	if (rte_get_tsc_cycles() >= next_liveness_tsc) {
		next_liveness_tsc = rte_get_tsc_cycles() + rte_get_tsc_hz() * LIVENESS_PERIOD_MS / 1000;
		check_liveness(m);
	}
	place_when_ready(m);
}

void
nf_registry_stop_all(struct mgr *m, unsigned int timeout_ms)
{
	uint64_t deadline = rte_get_tsc_cycles() + rte_get_tsc_hz() * timeout_ms / 1000;
	bool any;

	__atomic_store_n(&m->shm->mgr_state, ONVM_MGR_STOPPING, __ATOMIC_RELEASE);
	do {
		any = false;
		for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
			struct onvm_nf_slot *s = &m->shm->nfs[id];
			if (s->state == ONVM_NF_FREE || s->state == ONVM_NF_REJECTED)
				continue;
			any = true;
			nf_wake(s);
		}
		next_liveness_tsc = 0;
		nf_registry_poll(m);
		if (any)
			usleep(10000);
	} while (any && rte_get_tsc_cycles() < deadline);

	/*
	 * An NF still alive now is stuck (often in DPDK's cross-process
	 * memory sync while freeing its tables). It was told to stop; end it,
	 * so it cannot touch shared memory the manager is about to free. The
	 * process killed is the one holding its lock, found by the kernel,
	 * never a pid the NF wrote (nf_lock.h).
	 */
	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		const char *how = "did not stop in time (killed)";
		int fd = m->nf_lock_fd[id];

		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			how = "stopped";
		else if (fd >= 0 && nf_lock_kill_holder(fd, KILL_WAIT_MS) <= 0)
			how = "did not stop in time (its process is not visible from the "
			      "manager's PID namespace: retired, not killed)";
		nf_registry_retire(m, id, how);
	}
}

unsigned int
nf_registry_count_ready(struct mgr *m)
{
	unsigned int n = 0;

	for (uint16_t i = 0; i < m->num_active; i++) {
		const struct onvm_nf_slot *s = &m->shm->nfs[m->active_ids[i]];
		n += s->state == ONVM_NF_RUNNING && s->ready;
	}
	return n;
}
