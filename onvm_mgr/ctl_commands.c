/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The commands of the control socket, bound to the registry in
 * ctl_proto.h: a handler per command, run on the server's thread. They
 * read what mgr_json.c shows; what only the control loop may do (a chain
 * reload) they ask it for and wait, without blocking the thread.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
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
