/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The commands of the control socket, bound to the registry in
 * ctl_proto.h: a handler per command, run on the server's thread. They
 * read what mgr_json.c shows; what only the control loop may do (a chain
 * reload) they ask it for and wait, without blocking the thread.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_args.h"
#include "elastic.h"
#include "scale.h"
#include "mgr.h"
#include "mgr_json.h"

#define _(sym, name, usage, min, max, handler, help) static enum ctl_status handler(struct ctl_call *);
foreach_ctl_command
#undef _

const ctl_handler_fn ctl_handlers[CTL_CMD_N] = {
#define _(sym, name, usage, min, max, handler, help) [CTL_CMD_##sym] = handler,
	foreach_ctl_command
#undef _
};

static enum ctl_status
done(struct ctl_call *call, json_t *result)
{
	if (result == NULL) {
		snprintf(call->error, sizeof(call->error), "out of memory");
		return CTL_FAILED;
	}
	call->result = result;
	return CTL_DONE;
}

static enum ctl_status
ctl_cmd_nfs(struct ctl_call *call)
{
	return done(call, mgr_json_nfs(call->m, 1, ONVM_MAX_NFS, false));
}

static enum ctl_status
ctl_cmd_services(struct ctl_call *call)
{
	return done(call, mgr_json_services(call->m));
}

static enum ctl_status
ctl_cmd_chains(struct ctl_call *call)
{
	return done(call, mgr_json_chains(call->m, 0, ONVM_MAX_CHAINS - 1));
}

/* ---- chains reload: asked here, done by the control loop ---- */

/*
 * Requests are numbered (reload_asked, bumped by the server's thread).
 * The control loop notes the number before it reloads and posts the
 * outcome under it: that reload started after every request numbered up
 * to it, so it answers all of them. Requests that come while one runs get
 * the next reload. SIGHUP and onvmctl share the control loop's reload.
 */
static uint64_t reload_asked;
static uint64_t reload_answered; /* the control loop's */

#define CTL_MSG_RELOAD 1

struct reload_msg {
	uint32_t type; /* CTL_MSG_RELOAD */
	int32_t rc;
	uint64_t seq;
	uint32_t gen;
	uint32_t chains;
	char why[CTL_MSG_MAX - 24];
};
_Static_assert(sizeof(struct reload_msg) <= CTL_MSG_MAX, "reload message size");

uint64_t
ctl_reload_wanted(void)
{
	uint64_t asked = __atomic_load_n(&reload_asked, __ATOMIC_ACQUIRE);

	return asked != reload_answered ? asked : 0;
}

void
ctl_reload_done(struct mgr *m, uint64_t asked, int rc, const char *why)
{
	struct reload_msg r = { .type = CTL_MSG_RELOAD, .rc = rc, .seq = asked };
	uint32_t gen = __atomic_load_n(&m->shm->active_gen, __ATOMIC_ACQUIRE) & 1;

	if (asked == 0)
		return;
	reload_answered = asked;
	r.gen = gen;
	r.chains = m->shm->chain_gens[gen].num_chains - 1; /* less the default chain */
	snprintf(r.why, sizeof(r.why), "%s", rc < 0 && why ? why : "");
	ctl_server_post(&r, sizeof(r));
}

static enum ctl_status
reload_resume(struct ctl_call *call, const void *msg, size_t len)
{
	const struct reload_msg *r = msg;

	if (len != sizeof(*r) || r->type != CTL_MSG_RELOAD || r->seq < call->ticket)
		return CTL_WAIT; /* not ours, or a reload that started before we asked */
	if (r->rc < 0) {
		snprintf(call->error, sizeof(call->error),
			 "reload refused, the chains in force are unchanged: %.560s", r->why);
		return CTL_FAILED;
	}
	return done(call, json_pack("{s:b, s:i, s:i}", "reloaded", 1, "generation", (int)r->gen,
				    "chains", (int)r->chains));
}

static enum ctl_status
ctl_cmd_chains_reload(struct ctl_call *call)
{
	call->ticket = __atomic_add_fetch(&reload_asked, 1, __ATOMIC_ACQ_REL);
	call->resume = reload_resume;
	return CTL_WAIT;
}

/* ---- move, scale, autoscale: asked here, run by the control loop ---- */

/*
 * A job for the control loop: one request waits to start at a time
 * (job_req, under job_lock); the control loop takes it when no job runs,
 * starts it, and when it has finished (a move or a scale takes many
 * ticks) files the outcome under the request's ticket and posts the
 * ticket. The waiting command takes its outcome by ticket (a few are
 * kept: outcomes are filed before their commands read them).
 */
static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool asked;
	uint64_t ticket;
	struct ctl_request req;
} job_req;
static uint64_t job_tickets;

#define OUTCOMES 8
static struct {
	uint64_t ticket;   /* 0: free */
	json_t *result;    /* or NULL and error */
	char error[256];
} outcomes[OUTCOMES];

/* The control loop's: what runs. */
static struct {
	uint64_t ticket; /* 0: nothing */
	int cmd;
} running;

#define CTL_MSG_JOB 2

struct job_msg {
	uint32_t type; /* CTL_MSG_JOB */
	uint64_t ticket;
};

/* File the outcome of job `ticket` and tell the waiting command. */
static void
job_done(uint64_t ticket, json_t *result, const char *error)
{
	struct job_msg msg = { .type = CTL_MSG_JOB, .ticket = ticket };
	int slot = 0;

	pthread_mutex_lock(&job_lock);
	for (int i = 1; i < OUTCOMES; i++) /* a free slot, else the oldest */
		if (outcomes[slot].ticket != 0 &&
		    (outcomes[i].ticket == 0 || outcomes[i].ticket < outcomes[slot].ticket))
			slot = i;
	json_decref(outcomes[slot].result);
	outcomes[slot].ticket = ticket;
	outcomes[slot].result = result;
	snprintf(outcomes[slot].error, sizeof(outcomes[slot].error), "%s", error ? error : "");
	pthread_mutex_unlock(&job_lock);
	ctl_server_post(&msg, sizeof(msg));
}

/* The service named (or numbered) `name`, 0 when none. Control loop. */
static uint16_t
service_by_name(struct mgr *m, const char *name)
{
	char *end;
	unsigned long id = strtoul(name, &end, 10);

	if (end != name && *end == '\0')
		return id >= 1 && id <= m->cfg.num_services &&
				       (m->shm->services[id].flags & ONVM_SVC_F_USED)
			       ? (uint16_t)id
			       : 0;
	for (uint16_t s = 1; s <= m->cfg.num_services; s++)
		if ((m->shm->services[s].flags & ONVM_SVC_F_USED) &&
		    strncmp(m->shm->services[s].name, name, ONVM_NAME_LEN) == 0)
			return s;
	return 0;
}

/* The NF that is instance `inst` of service s, 0 when none runs. */
static uint16_t
instance_nf(const struct onvm_service *s, uint16_t inst)
{
	for (uint16_t i = 0; i < s->num_instances; i++)
		if (s->instance_nums[i] == inst)
			return s->instances[i];
	return 0;
}

/* Start the job; 0 when it runs on, else it is answered already. */
static int
job_start(struct mgr *m, uint64_t ticket, const struct ctl_request *req)
{
	const char *args[CTL_MAX_ARGS];
	char err[256], why[200];
	uint16_t svc;

	for (int i = 0; i < req->nargs; i++)
		args[i] = req->args[i];
	/* The service is the first argument of every job. */
	svc = service_by_name(m, args[0]);
	if (svc == 0) {
		snprintf(err, sizeof(err), "no service '%s'", args[0]);
		goto refused;
	}
	const struct onvm_service *s = &m->shm->services[svc];

	if (req->cmd == CTL_CMD_MOVE) {
		struct ctl_move_args a;
		uint16_t from, to;

		if (ctl_move_parse(args, req->nargs, &a, err, sizeof(err)) < 0)
			goto refused;
		from = instance_nf(s, a.from);
		to = instance_nf(s, a.to);
		if (from == 0 || to == 0) {
			snprintf(err, sizeof(err), "service '%s' has no running instance %u", a.service,
				 from == 0 ? a.from : a.to);
			goto refused;
		}
		if (elastic_move_start(m, svc, from, to, a.share, why, sizeof(why)) < 0) {
			snprintf(err, sizeof(err), "%s", why);
			goto refused;
		}
		return 0;
	}
	if (req->cmd == CTL_CMD_SCALE) {
		struct ctl_scale_args a;

		if (ctl_scale_parse(args, req->nargs, &a, err, sizeof(err)) < 0)
			goto refused;
		if (scale_start(m, svc, a.instances, "onvmctl scale", why, sizeof(why)) < 0) {
			snprintf(err, sizeof(err), "%s", why);
			goto refused;
		}
		return 0;
	}
	if (req->cmd == CTL_CMD_AUTOSCALE) {
		struct ctl_autoscale_args a;
		json_t *as;

		if (ctl_autoscale_parse(args, req->nargs, &a, err, sizeof(err)) < 0 ||
		    autoscale_set(m, svc, a.min, a.max, err, sizeof(err)) < 0)
			goto refused;
		as = autoscale_json(svc);
		job_done(ticket,
			 json_pack("{s:s, s:b, s:o}", "service", s->name, "autoscale", a.max != 0,
				   "settings", as ? as : json_null()),
			 NULL);
		return -1;
	}
	snprintf(err, sizeof(err), "not a job");
refused:
	{
		char msg[300];

		snprintf(msg, sizeof(msg), "%s refused: %s", ctl_commands[req->cmd].name, err);
		job_done(ticket, NULL, msg);
	}
	return -1;
}

/* The running job's outcome when it has finished. */
static bool
job_finished(struct mgr *m)
{
	char msg[300];

	(void)m;
	if (running.cmd == CTL_CMD_MOVE) {
		struct elastic_result r;

		elastic_last_result(&r);
		if (!r.done)
			return false;
		if (r.ok < 0) {
			snprintf(msg, sizeof(msg), "the move failed: %s", r.error);
			job_done(running.ticket, NULL, msg);
		} else {
			job_done(running.ticket,
				 json_pack("{s:i, s:i, s:I, s:I, s:I}", "buckets", (int)r.buckets,
					   "flows", (int)r.flows, "held_packets",
					   (json_int_t)r.held_packets, "pause_us",
					   (json_int_t)r.pause_us, "total_us", (json_int_t)r.total_us),
				 NULL);
		}
		return true;
	}
	bool failed;
	char err[256];
	json_t *res;

	if (scale_busy())
		return false;
	res = scale_last_result(&failed, err, sizeof(err));
	if (failed) {
		snprintf(msg, sizeof(msg), "scaling failed: %s", err);
		job_done(running.ticket, NULL, msg);
	} else {
		job_done(running.ticket, res, res ? NULL : "out of memory");
	}
	return true;
}

void
ctl_jobs_poll(struct mgr *m)
{
	struct ctl_request req;
	uint64_t ticket;

	if (running.ticket) {
		if (job_finished(m))
			running.ticket = 0;
		return;
	}
	pthread_mutex_lock(&job_lock);
	if (!job_req.asked) {
		pthread_mutex_unlock(&job_lock);
		return;
	}
	req = job_req.req;
	ticket = job_req.ticket;
	job_req.asked = false;
	pthread_mutex_unlock(&job_lock);
	if (job_start(m, ticket, &req) == 0) {
		running.ticket = ticket;
		running.cmd = req.cmd;
	}
}

static enum ctl_status
job_resume(struct ctl_call *call, const void *msg, size_t len)
{
	const struct job_msg *r = msg;
	enum ctl_status st = CTL_WAIT;

	if (len != sizeof(*r) || r->type != CTL_MSG_JOB || r->ticket != call->ticket)
		return CTL_WAIT;
	pthread_mutex_lock(&job_lock);
	for (int i = 0; i < OUTCOMES; i++) {
		if (outcomes[i].ticket != call->ticket)
			continue;
		if (outcomes[i].result) {
			call->result = outcomes[i].result;
			st = CTL_DONE;
		} else {
			snprintf(call->error, sizeof(call->error), "%s", outcomes[i].error);
			st = CTL_FAILED;
		}
		outcomes[i].result = NULL;
		outcomes[i].ticket = 0;
	}
	pthread_mutex_unlock(&job_lock);
	return st;
}

/* Check the arguments here (a typo is answered at once), queue the job. */
static enum ctl_status
job_ask(struct ctl_call *call)
{
	const char *args[CTL_MAX_ARGS];

	for (int i = 0; i < call->req->nargs; i++)
		args[i] = call->req->args[i];
	if (ctl_command_check_values(call->req->cmd, args, call->req->nargs, call->error,
				     sizeof(call->error)) < 0)
		return CTL_FAILED;
	pthread_mutex_lock(&job_lock);
	if (job_req.asked) {
		pthread_mutex_unlock(&job_lock);
		snprintf(call->error, sizeof(call->error),
			 "another move, scale or autoscale request is waiting to start");
		return CTL_FAILED;
	}
	job_req.asked = true;
	job_req.req = *call->req;
	job_req.ticket = call->ticket = ++job_tickets;
	pthread_mutex_unlock(&job_lock);
	call->resume = job_resume;
	return CTL_WAIT;
}

static enum ctl_status
ctl_cmd_move(struct ctl_call *call)
{
	return job_ask(call);
}

static enum ctl_status
ctl_cmd_scale(struct ctl_call *call)
{
	return job_ask(call);
}

static enum ctl_status
ctl_cmd_autoscale(struct ctl_call *call)
{
	return job_ask(call);
}
