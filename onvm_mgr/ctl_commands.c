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

/* ---- move: asked here, run by the control loop (elastic.c) ---- */

/*
 * One request waits to start at a time (move_req, under move_lock); the
 * control loop takes it, starts the move and posts the outcome under the
 * request's ticket when the move has finished. Moves run one at a time
 * anyway: a second request is refused by the control loop while one runs.
 */
static pthread_mutex_t move_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool asked;
	uint64_t ticket;
	struct ctl_move_args args;
} move_req;
static uint64_t move_tickets;
static uint64_t move_running; /* the control loop's: the ticket of its move, 0 none */

#define CTL_MSG_MOVE 2

struct move_msg {
	uint32_t type; /* CTL_MSG_MOVE */
	int32_t rc;
	uint64_t ticket;
	uint32_t buckets, flows;
	uint64_t held_packets, pause_us, total_us;
	uint16_t svc, from_nf, to_nf, from, to;
	char service[ONVM_NAME_LEN];
	uint32_t started; /* the move ran (and failed), or was refused */
	char error[256];
};
_Static_assert(sizeof(struct move_msg) <= CTL_MSG_MAX, "move message size");

static void
move_post(const struct move_msg *r)
{
	ctl_server_post(r, sizeof(*r));
}

static void
move_refuse(struct move_msg *r, const char *fmt, const char *a, unsigned int b)
{
	r->rc = -1;
	snprintf(r->error, sizeof(r->error), fmt, a, b);
	move_post(r);
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

void
ctl_move_poll(struct mgr *m)
{
	struct move_msg r = { .type = CTL_MSG_MOVE };
	struct ctl_move_args a;
	char why[160];

	if (move_running) {
		struct elastic_result res;

		elastic_last_result(&res);
		if (!res.done)
			return;
		r.ticket = move_running;
		move_running = 0;
		r.rc = res.ok;
		r.started = 1;
		r.buckets = res.buckets;
		r.flows = res.flows;
		r.held_packets = res.held_packets;
		r.pause_us = res.pause_us;
		r.total_us = res.total_us;
		snprintf(r.error, sizeof(r.error), "%s", res.error);
		move_post(&r);
		return;
	}
	pthread_mutex_lock(&move_lock);
	if (!move_req.asked) {
		pthread_mutex_unlock(&move_lock);
		return;
	}
	a = move_req.args;
	r.ticket = move_req.ticket;
	move_req.asked = false;
	pthread_mutex_unlock(&move_lock);

	r.svc = service_by_name(m, a.service);
	if (r.svc == 0)
		return move_refuse(&r, "no service '%s'%.0u", a.service, 0);
	const struct onvm_service *s = &m->shm->services[r.svc];
	snprintf(r.service, sizeof(r.service), "%.*s", ONVM_NAME_LEN - 1, s->name);
	r.from = a.from;
	r.to = a.to;
	r.from_nf = instance_nf(s, a.from);
	r.to_nf = instance_nf(s, a.to);
	if (r.from_nf == 0)
		return move_refuse(&r, "service '%s' has no running instance %u", a.service, a.from);
	if (r.to_nf == 0)
		return move_refuse(&r, "service '%s' has no running instance %u", a.service, a.to);
	if (elastic_move_start(m, r.svc, r.from_nf, r.to_nf, a.share, why, sizeof(why)) < 0)
		return move_refuse(&r, "%s%.0u", why, 0);
	move_running = r.ticket;
}

static enum ctl_status
move_resume(struct ctl_call *call, const void *msg, size_t len)
{
	const struct move_msg *r = msg;

	if (len != sizeof(*r) || r->type != CTL_MSG_MOVE || r->ticket != call->ticket)
		return CTL_WAIT;
	if (r->rc < 0) {
		snprintf(call->error, sizeof(call->error), "%s: %s",
			 r->started ? "the move failed" : "move refused",
			 r->error);
		return CTL_FAILED;
	}
	return done(call, json_pack("{s:i, s:i, s:I, s:I, s:I}", "buckets", (int)r->buckets, "flows",
				    (int)r->flows, "held_packets", (json_int_t)r->held_packets,
				    "pause_us", (json_int_t)r->pause_us, "total_us",
				    (json_int_t)r->total_us));
}

static enum ctl_status
ctl_cmd_move(struct ctl_call *call)
{
	const char *args[CTL_MAX_ARGS];
	struct ctl_move_args a;

	for (int i = 0; i < call->req->nargs; i++)
		args[i] = call->req->args[i];
	if (ctl_move_parse(args, call->req->nargs, &a, call->error, sizeof(call->error)) < 0)
		return CTL_FAILED;
	pthread_mutex_lock(&move_lock);
	if (move_req.asked) {
		pthread_mutex_unlock(&move_lock);
		snprintf(call->error, sizeof(call->error), "another move is waiting to start");
		return CTL_FAILED;
	}
	move_req.asked = true;
	move_req.args = a;
	move_req.ticket = call->ticket = ++move_tickets;
	pthread_mutex_unlock(&move_lock);
	call->resume = move_resume;
	return CTL_WAIT;
}
