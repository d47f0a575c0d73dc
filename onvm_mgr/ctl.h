/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The manager's control socket (onvmctl's other end):
 *
 *   ctl_proto.[ch]    the protocol and the command registry, shared with onvmctl
 *   ctl_server.c      the socket and its thread
 *   ctl_commands.c    the commands' handlers, bound to the registry
 *
 * The server is a thread of its own (rte_ctrl_thread_create: on the CPUs
 * the EAL lcores leave free, never a data lcore) that never blocks: every
 * socket is non-blocking, each connection has deadlines, and the only
 * thing it shares with the control loop is the stats lock (bounded work,
 * never held across I/O, and never waited for by the main lcore) and a
 * pipe the control loop writes to without waiting. A client that sends
 * nothing, garbage or too much is answered with an error and dropped
 * without holding up anyone else.
 */
#ifndef ONVM_CTL_H
#define ONVM_CTL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctl_proto.h"

struct mgr;

enum ctl_status {
	CTL_DONE,   /* call->result is the reply */
	CTL_FAILED, /* call->error is the reply */
	CTL_WAIT,   /* waits for the control loop: see resume */
};

/* A command being served. */
struct ctl_call {
	struct mgr *m;
	const struct ctl_request *req;
	json_t *result;
	char error[CTL_ERR_LEN];
	/*
	 * CTL_WAIT: the command needs the control loop (which alone may do
	 * some things, a chain reload among them). The server calls resume
	 * with every message the control loop posts (ctl_server_post) until
	 * it returns CTL_DONE or CTL_FAILED, or the wait times out.
	 */
	enum ctl_status (*resume)(struct ctl_call *call, const void *msg, size_t len);
	uint64_t ticket; /* the handler's, for resume */
};

typedef enum ctl_status (*ctl_handler_fn)(struct ctl_call *call);

/* ctl_commands.c: handlers by enum ctl_command_id */
extern const ctl_handler_fn ctl_handlers[CTL_CMD_N];

/* ctl_server.c */
/* The socket, then its thread; 0, or -1 with a message on stderr. */
int ctl_server_start(struct mgr *m);
/* Answers whoever still waits, joins the thread, removes the socket. */
void ctl_server_stop(void);
/* From the control loop: a message (at most CTL_MSG_MAX bytes) for the
 * waiting commands. Never blocks; lost only if the server stopped reading. */
#define CTL_MSG_MAX 1024
void ctl_server_post(const void *msg, size_t len);

/*
 * The control loop's side of "chains reload" (ctl_commands.c). Each tick:
 * asked = ctl_reload_wanted() (0: none); reload if asked or on SIGHUP;
 * when the reload ran (not MGR_RELOAD_LATER), ctl_reload_done(m, asked, rc,
 * why) answers every request made before it started.
 */
uint64_t ctl_reload_wanted(void);
void ctl_reload_done(struct mgr *m, uint64_t asked, int rc, const char *why);

/* The control loop's side of "move", "scale" and "autoscale"
 * (ctl_commands.c), each tick: starts a requested job (elastic.c,
 * scale.c) and answers it when it has finished. */
void ctl_jobs_poll(struct mgr *m);

#endif /* ONVM_CTL_H */
