/* SPDX-License-Identifier: BSD-3-Clause */
/* Setting how many instances a service runs, by hand or by load (scale.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <rte_cycles.h>
#include <rte_ring.h>

#include "elastic.h"
#include "mgr.h"
#include "nf_launch.h"
#include "nf_lock.h"
#include "nf_wake.h"
#include "scale.h"
#include "scale_plan.h"
#include "services.h"

#define LAUNCH_TIMEOUT_S 20 /* from the start to every new instance's packet loop */
#define STOP_TIMEOUT_S   5  /* a leaving instance asked to stop; then killed */
#define SETTLE_S         1  /* how long to wait for a new instance's first packet */
#define SAMPLE_MS        100
#define MAX_MOVES        64
#define MAX_CHILDREN     256

enum phase {
	SC_IDLE,
	SC_LAUNCHING, /* new instances starting */
	SC_MOVING,    /* the buckets moving, one move at a time */
	SC_STOPPING,  /* the instances that go, asked to stop */
	SC_SETTLING,  /* waiting for the new instances' first packets */
};

static struct {
	enum phase phase;
	uint16_t svc, target, before;
	char why[200];
	int n_new;
	pid_t new_pid[ONVM_MAX_INSTANCES];
	uint16_t new_inst[ONVM_MAX_INSTANCES];
	uint16_t new_nf[ONVM_MAX_INSTANCES]; /* 0 until it joined */
	int n_leaving;
	uint16_t leaving_nf[ONVM_MAX_INSTANCES];
	int n_killed;
	struct {
		uint16_t from, to;
		uint32_t count;
	} moves[MAX_MOVES];
	int n_moves, next_move;
	uint32_t buckets_moved, flows_moved;
	uint64_t held_packets, max_pause_us;
	uint64_t t_start, deadline, t_ready, t_moved, t_forwarding;
	bool failed;
	char error[256];
	json_t *result;
} job;

/* Every NF process the manager started, to reap when it exits. */
static pid_t children[MAX_CHILDREN];
static int n_children;

static struct {
	uint16_t min, max; /* max 0: off */
	uint32_t high, low; /* consecutive samples above / below the marks */
	uint64_t last_change;
	double fill;       /* the fullest instance ring at the last sample */
	char last[200];    /* the last decision and its reason */
} autoscale[ONVM_MAX_SERVICES + 1];
static uint64_t next_sample;

static uint64_t
us_between(uint64_t a, uint64_t b)
{
	return b > a ? (b - a) * 1000000ULL / rte_get_tsc_hz() : 0;
}

static void
set_deadline(double seconds)
{
	job.deadline = rte_get_tsc_cycles() + (uint64_t)(seconds * rte_get_tsc_hz());
}

static bool
past_deadline(void)
{
	return rte_get_tsc_cycles() > job.deadline;
}

static const struct onvm_service *
service(struct mgr *m)
{
	return &m->shm->services[job.svc];
}

bool
scale_busy(void)
{
	return job.phase != SC_IDLE;
}

bool
scale_started_nf(struct mgr *m, uint16_t id)
{
	if (job.phase != SC_LAUNCHING && job.phase != SC_MOVING)
		return false;
	for (int i = 0; i < job.n_new; i++)
		if (job.new_pid[i] == m->shm->nfs[id].pid)
			return true;
	return false;
}

static json_t *
bucket_counts(const struct onvm_service *s)
{
	json_t *a = json_array();

	for (uint16_t i = 0; a && i < s->num_instances; i++)
		json_array_append_new(a, json_integer(svc_bucket_count(s, s->instances[i])));
	return a;
}

static json_t *
us_or_null(uint64_t t0, uint64_t t1)
{
	return t1 ? json_integer((json_int_t)us_between(t0, t1)) : json_null();
}

static void
finish(struct mgr *m)
{
	const struct onvm_service *s = service(m);
	uint64_t now = rte_get_tsc_cycles();
	json_t *started = json_array(), *stopped = json_array();

	for (int i = 0; started && i < job.n_new; i++)
		json_array_append_new(started, json_pack("{s:i, s:i, s:i}", "nf", job.new_nf[i],
							 "instance", job.new_inst[i], "pid",
							 (int)job.new_pid[i]));
	for (int i = 0; stopped && i < job.n_leaving; i++)
		json_array_append_new(stopped, json_integer(job.leaving_nf[i]));
	json_decref(job.result);
	job.result = json_pack("{s:s, s:s, s:i, s:i, s:o*, s:o*, s:i, s:i, s:i, s:I, s:I, s:o*, "
			       "s:o*, s:o*, s:o*, s:I}",
			       "service", s->name, "reason", job.why, "before", job.before,
			       "instances", s->num_instances, "started", started, "stopped", stopped,
			       "killed", job.n_killed, "moves", job.next_move, "buckets_moved",
			       job.buckets_moved, "flows_moved", (json_int_t)job.flows_moved,
			       "held_packets", (json_int_t)job.held_packets, "buckets",
			       bucket_counts(s), "ready_us", us_or_null(job.t_start, job.t_ready),
			       "moved_us", us_or_null(job.t_start, job.t_moved), "forwarding_us",
			       us_or_null(job.t_start, job.t_forwarding), "total_us",
			       (json_int_t)us_between(job.t_start, now));
	printf("onvm_mgr: scaled service '%s' from %u to %u instances (%s): %d moves, %u buckets, "
	       "%u flows, %lu packets held (the longest %lu us), %lu us in all\n",
	       s->name, job.before, s->num_instances, job.why, job.next_move, job.buckets_moved,
	       job.flows_moved, job.held_packets, job.max_pause_us, us_between(job.t_start, now));
	fflush(stdout);
	job.phase = SC_IDLE;
}

static void __attribute__((format(printf, 2, 3)))
fail(struct mgr *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(job.error, sizeof(job.error), fmt, ap);
	va_end(ap);
	job.failed = true;
	printf("onvm_mgr: scaling service '%s' to %u instances (%s) failed: %s\n", service(m)->name,
	       job.target, job.why, job.error);
	fflush(stdout);
	json_decref(job.result);
	job.result = NULL;
	job.phase = SC_IDLE;
}

/* The lowest instance number service s does not run, or -1. */
static int
free_instance_num(const struct onvm_service *s, const uint16_t *taken, int n_taken)
{
	for (int num = 0; num < ONVM_MAX_INSTANCES; num++) {
		bool used = false;

		for (uint16_t i = 0; i < s->num_instances && !used; i++)
			used = s->instance_nums[i] == num;
		for (int i = 0; i < n_taken && !used; i++)
			used = taken[i] == num;
		if (!used)
			return num;
	}
	return -1;
}

static unsigned int
free_slots(struct mgr *m)
{
	unsigned int n = 0;

	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++)
		n += __atomic_load_n(&m->shm->nfs[id].state, __ATOMIC_ACQUIRE) == ONVM_NF_FREE;
	return n;
}

static int
launch(struct mgr *m, int count, char *err, size_t errlen)
{
	const struct onvm_service *s = service(m);
	static struct nf_template t; /* 20 KiB: not on the control loop's stack */
	uint16_t model = 0, model_num = UINT16_MAX;
	char why[200];

	/* The model: the lowest numbered instance running. */
	for (uint16_t i = 0; i < s->num_instances; i++)
		if (s->instance_nums[i] < model_num) {
			model_num = s->instance_nums[i];
			model = s->instances[i];
		}
	if (nf_template_read(m->shm->nfs[model].pid, &t, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "cannot start a copy of instance %u (NF %u): %s", model_num,
			 model, why);
		return -1;
	}
	if (free_slots(m) < (unsigned int)count) {
		snprintf(err, errlen, "only %u NF slots are free (of %d)", free_slots(m), ONVM_MAX_NFS);
		return -1;
	}
	for (int k = 0; k < count; k++) {
		char words[2][64], *argv[NF_TEMPLATE_MAX_ARGS + 8];
		int num = free_instance_num(s, job.new_inst, job.n_new);
		pid_t pid;

		if (num < 0 || nf_template_argv(&t, (uint16_t)num, m->file_prefix, words, argv,
						 NF_TEMPLATE_MAX_ARGS + 8) < 0) {
			snprintf(err, errlen, "no instance number or command line for a new instance");
			return -1;
		}
		pid = nf_launch(&t, argv, m->file_prefix, why, sizeof(why));
		if (pid < 0) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		if (n_children < MAX_CHILDREN)
			children[n_children++] = pid;
		job.new_pid[job.n_new] = pid;
		job.new_inst[job.n_new] = (uint16_t)num;
		job.new_nf[job.n_new++] = 0;
		printf("onvm_mgr: started %s (pid %d) as instance %d of service '%s'\n", t.exe,
		       (int)pid, num, s->name);
	}
	fflush(stdout);
	return 0;
}

/* The moves that spread the buckets evenly over the instances that stay. */
static int
plan(struct mgr *m, char *err, size_t errlen)
{
	const struct onvm_service *s = service(m);
	uint32_t owned[ONVM_MAX_INSTANCES];
	bool leaving[ONVM_MAX_INSTANCES];
	struct scale_move mv[MAX_MOVES];
	int n = s->num_instances, k;

	for (int i = 0; i < n; i++) {
		owned[i] = svc_bucket_count(s, s->instances[i]);
		leaving[i] = false;
		for (int j = 0; j < job.n_leaving; j++)
			leaving[i] |= job.leaving_nf[j] == s->instances[i];
	}
	k = scale_plan(owned, leaving, n, mv, MAX_MOVES);
	if (k < 0) {
		snprintf(err, errlen, "no plan for the buckets of %d instances", n);
		return -1;
	}
	for (int i = 0; i < k; i++) {
		job.moves[i].from = s->instances[mv[i].from];
		job.moves[i].to = s->instances[mv[i].to];
		job.moves[i].count = mv[i].count;
	}
	job.n_moves = k;
	job.next_move = 0;
	return 0;
}

int
scale_start(struct mgr *m, uint16_t svc, uint16_t target, const char *why, char *err,
	    size_t errlen)
{
	const struct onvm_service *s;
	int n;

	if (job.phase != SC_IDLE) {
		snprintf(err, errlen, "service '%s' is being scaled", service(m)->name);
		return -1;
	}
	if (elastic_busy()) {
		snprintf(err, errlen, "a move is running");
		return -1;
	}
	if (svc == 0 || svc > m->cfg.num_services ||
	    !(m->shm->services[svc].flags & ONVM_SVC_F_USED)) {
		snprintf(err, errlen, "no service %u", svc);
		return -1;
	}
	s = &m->shm->services[svc];
	if (target < 1 || target > ONVM_MAX_INSTANCES) {
		snprintf(err, errlen, "%u instances: a service runs 1 to %d", target,
			 ONVM_MAX_INSTANCES);
		return -1;
	}
	n = s->num_instances;
	if (n == 0) {
		snprintf(err, errlen, "service '%s' runs no instance to copy", s->name);
		return -1;
	}
	memset(&job, 0, offsetof(__typeof__(job), result));
	job.svc = svc;
	job.target = target;
	job.before = (uint16_t)n;
	job.t_start = rte_get_tsc_cycles();
	snprintf(job.why, sizeof(job.why), "%s", why);
	if (target > n) {
		if (launch(m, target - n, err, errlen) < 0) {
			/* Those already started join as any NF would. */
			job.phase = SC_IDLE;
			return -1;
		}
		job.phase = SC_LAUNCHING;
		set_deadline(LAUNCH_TIMEOUT_S);
		return 0;
	}
	/* In (or the same): the highest numbered instances go. */
	for (int k = 0; k < n - target; k++) {
		int best = -1;

		for (int i = 0; i < n; i++) {
			bool gone = false;

			for (int j = 0; j < job.n_leaving; j++)
				gone |= job.leaving_nf[j] == s->instances[i];
			if (!gone && (best < 0 || s->instance_nums[i] > s->instance_nums[best]))
				best = i;
		}
		job.leaving_nf[job.n_leaving++] = s->instances[best];
	}
	if (plan(m, err, errlen) < 0)
		return -1;
	job.phase = SC_MOVING;
	return 0;
}

/* LAUNCHING: each new process joined (its slot's pid is its lock's holder,
 * found by the kernel: the pid we started) and runs its packet loop. */
static void
step_launching(struct mgr *m)
{
	bool all = true;
	char err[256];

	for (int i = 0; i < job.n_new; i++) {
		int status;

		if (job.new_nf[i] == 0)
			for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++)
				if (m->shm->nfs[id].state == ONVM_NF_RUNNING &&
				    m->shm->nfs[id].pid == job.new_pid[i])
					job.new_nf[i] = id;
		if (job.new_nf[i] == 0 && waitpid(job.new_pid[i], &status, WNOHANG) == job.new_pid[i])
			return fail(m, "instance %u (pid %d) exited before it joined (status %d)",
				    job.new_inst[i], (int)job.new_pid[i],
				    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		if (job.new_nf[i] == 0 || !m->shm->nfs[job.new_nf[i]].ready)
			all = false;
	}
	if (!all) {
		if (past_deadline())
			fail(m, "the new instances did not all join within %d s", LAUNCH_TIMEOUT_S);
		return;
	}
	job.t_ready = rte_get_tsc_cycles();
	if (plan(m, err, sizeof(err)) < 0)
		return fail(m, "%s", err);
	job.phase = SC_MOVING;
}

static void
step_moving(struct mgr *m)
{
	char err[256];

	if (elastic_busy())
		return;
	if (job.next_move > 0) {
		struct elastic_result r;

		elastic_last_result(&r);
		if (r.ok < 0)
			return fail(m, "moving buckets from NF %u to NF %u failed: %s",
				    job.moves[job.next_move - 1].from, job.moves[job.next_move - 1].to,
				    r.error);
		job.buckets_moved += r.buckets;
		job.flows_moved += r.flows;
		job.held_packets += r.held_packets;
		if (r.pause_us > job.max_pause_us)
			job.max_pause_us = r.pause_us;
	}
	if (job.next_move < job.n_moves) {
		__typeof__(job.moves[0]) *mv = &job.moves[job.next_move++];

		if (elastic_move_buckets(m, job.svc, mv->from, mv->to, mv->count, err,
					 sizeof(err)) < 0)
			fail(m, "cannot move buckets from NF %u to NF %u: %s", mv->from, mv->to, err);
		return;
	}
	job.t_moved = rte_get_tsc_cycles();
	if (job.n_leaving) {
		for (int i = 0; i < job.n_leaving; i++) {
			struct onvm_nf_slot *s = &m->shm->nfs[job.leaving_nf[i]];

			__atomic_store_n(&s->stop_asked, 1, __ATOMIC_RELEASE);
			nf_wake(s);
		}
		job.phase = SC_STOPPING;
		set_deadline(STOP_TIMEOUT_S);
		return;
	}
	job.phase = SC_SETTLING;
	set_deadline(SETTLE_S);
}

/* STOPPING: the leaving instances left their service (retired). */
static void
step_stopping(struct mgr *m)
{
	const struct onvm_service *s = service(m);
	bool any = false;

	for (int i = 0; i < job.n_leaving; i++) {
		uint16_t id = job.leaving_nf[i];

		for (uint16_t k = 0; k < s->num_instances; k++)
			any |= s->instances[k] == id;
	}
	if (!any)
		return finish(m);
	if (!past_deadline())
		return;
	/* Still there: ended as the holder of its lock, as at shutdown. */
	for (int i = 0; i < job.n_leaving; i++) {
		uint16_t id = job.leaving_nf[i];

		if (m->nf_lock_fd[id] >= 0 && nf_lock_kill_holder(m->nf_lock_fd[id], 1000) > 0)
			job.n_killed++;
	}
	set_deadline(STOP_TIMEOUT_S);
}

static void
step_settling(struct mgr *m)
{
	bool all = true;

	for (int i = 0; i < job.n_new; i++)
		if (m->shm->nfs[job.new_nf[i]].nf_stats.rx == 0)
			all = false;
	if (all && job.n_new)
		job.t_forwarding = rte_get_tsc_cycles();
	if (all || past_deadline())
		finish(m);
}

/* ---- the autoscaler ---- */

static double
ring_fill(const struct rte_ring *r)
{
	return (double)rte_ring_count(r) / rte_ring_get_capacity(r);
}

static void
decide(struct mgr *m, uint16_t svc, uint16_t target, const char *reason)
{
	const struct onvm_service *s = &m->shm->services[svc];
	char err[256], why[200];

	snprintf(why, sizeof(why), "autoscale: %s", reason);
	autoscale[svc].last_change = rte_get_tsc_cycles();
	autoscale[svc].high = autoscale[svc].low = 0;
	if (scale_start(m, svc, target, why, err, sizeof(err)) < 0) {
		snprintf(autoscale[svc].last, sizeof(autoscale[svc].last),
			 "%u -> %u instances refused: %.160s", s->num_instances, target, err);
	} else {
		snprintf(autoscale[svc].last, sizeof(autoscale[svc].last), "%u -> %u instances: %s",
			 s->num_instances, target, reason);
	}
	printf("onvm_mgr: autoscale '%s': %s\n", s->name, autoscale[svc].last);
	fflush(stdout);
}

static void
autoscale_sample(struct mgr *m)
{
	uint64_t now = rte_get_tsc_cycles();
	uint32_t up = (uint32_t)(AUTOSCALE_UP_S * 1000 / SAMPLE_MS);
	uint32_t down = (uint32_t)(AUTOSCALE_DOWN_S * 1000 / SAMPLE_MS);

	for (uint16_t svc = 1; svc <= m->cfg.num_services && svc <= ONVM_MAX_SERVICES; svc++) {
		const struct onvm_service *s = &m->shm->services[svc];
		__typeof__(autoscale[0]) *a = &autoscale[svc];
		uint16_t n = s->num_instances, fullest = 0;
		double fill = 0;
		char reason[160];

		if (a->max == 0 || n == 0)
			continue;
		for (uint16_t i = 0; i < n; i++) {
			const struct onvm_nf_slot *nf = &m->shm->nfs[s->instances[i]];
			double f = ring_fill(nf->rx_ring);

			if (f >= fill) {
				fill = f;
				fullest = s->instance_nums[i];
			}
		}
		a->fill = fill;
		a->high = fill > AUTOSCALE_HIGH ? a->high + 1 : 0;
		a->low = fill < AUTOSCALE_LOW ? a->low + 1 : 0;
		if (job.phase != SC_IDLE || elastic_busy() ||
		    now - a->last_change < (uint64_t)(AUTOSCALE_COOLDOWN_S * rte_get_tsc_hz()))
			continue;
		if (n < a->min) {
			snprintf(reason, sizeof(reason), "%u instances, below --min %u", n, a->min);
			decide(m, svc, a->min, reason);
		} else if (n > a->max) {
			snprintf(reason, sizeof(reason), "%u instances, above --max %u", n, a->max);
			decide(m, svc, a->max, reason);
		} else if (a->high >= up && n < a->max) {
			snprintf(reason, sizeof(reason),
				 "the RX ring of instance %u stayed over %.0f%% full for %.1f s (%.0f%% now)",
				 fullest, AUTOSCALE_HIGH * 100, AUTOSCALE_UP_S, fill * 100);
			decide(m, svc, n + 1, reason);
		} else if (a->low >= down && n > a->min) {
			snprintf(reason, sizeof(reason),
				 "every RX ring stayed under %.0f%% full for %.1f s",
				 AUTOSCALE_LOW * 100, AUTOSCALE_DOWN_S);
			decide(m, svc, n - 1, reason);
		}
	}
}

int
autoscale_set(struct mgr *m, uint16_t svc, uint16_t min, uint16_t max, char *err, size_t errlen)
{
	if (svc == 0 || svc > m->cfg.num_services || svc > ONVM_MAX_SERVICES ||
	    !(m->shm->services[svc].flags & ONVM_SVC_F_USED)) {
		snprintf(err, errlen, "no service %u", svc);
		return -1;
	}
	if (max > ONVM_MAX_INSTANCES || (max && (min < 1 || min > max))) {
		snprintf(err, errlen, "--min %u --max %u: need 1 <= min <= max <= %d", min, max,
			 ONVM_MAX_INSTANCES);
		return -1;
	}
	autoscale[svc].min = min;
	autoscale[svc].max = max;
	autoscale[svc].high = autoscale[svc].low = 0;
	printf("onvm_mgr: autoscale '%s': %s\n", m->shm->services[svc].name,
	       max ? "on" : "off");
	if (max)
		printf("onvm_mgr: autoscale '%s': between %u and %u instances; up when an RX ring "
		       "stays over %.0f%% full for %.1f s, down when all stay under %.0f%% for "
		       "%.1f s, %.1f s apart\n",
		       m->shm->services[svc].name, min, max, AUTOSCALE_HIGH * 100, AUTOSCALE_UP_S,
		       AUTOSCALE_LOW * 100, AUTOSCALE_DOWN_S, AUTOSCALE_COOLDOWN_S);
	fflush(stdout);
	return 0;
}

json_t *
autoscale_json(uint16_t svc)
{
	if (svc > ONVM_MAX_SERVICES || autoscale[svc].max == 0)
		return NULL;
	return json_pack("{s:i, s:i, s:f, s:s?}", "min", autoscale[svc].min, "max",
			 autoscale[svc].max, "fill", autoscale[svc].fill, "last",
			 autoscale[svc].last[0] ? autoscale[svc].last : NULL);
}

/* ---- the tick ---- */

static void
reap_children(void)
{
	for (int i = 0; i < n_children;) {
		pid_t r = waitpid(children[i], NULL, WNOHANG);

		if (r == children[i] || r < 0) { /* exited, or not ours to wait for */
			children[i] = children[--n_children];
			continue;
		}
		i++;
	}
}

void
scale_step(struct mgr *m)
{
	switch (job.phase) {
	case SC_IDLE:
		break;
	case SC_LAUNCHING:
		step_launching(m);
		break;
	case SC_MOVING:
		step_moving(m);
		break;
	case SC_STOPPING:
		step_stopping(m);
		break;
	case SC_SETTLING:
		step_settling(m);
		break;
	}
	if (rte_get_tsc_cycles() >= next_sample) {
		next_sample = rte_get_tsc_cycles() + rte_get_tsc_hz() * SAMPLE_MS / 1000;
		autoscale_sample(m);
		if (job.phase != SC_LAUNCHING)
			reap_children();
	}
}

json_t *
scale_last_result(bool *failed, char *err, size_t errlen)
{
	if (job.phase != SC_IDLE)
		return NULL;
	*failed = job.failed;
	snprintf(err, errlen, "%s", job.error);
	return job.failed ? NULL : json_incref(job.result);
}
