/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_proto: the control socket's protocol and its command registry, one
 * definition for both ends: the manager runs the commands (ctl_commands.c)
 * and onvmctl sends them and lists them in --help with no manager running.
 * Pure C and jansson.
 *
 * One request per connection, on the socket CTL_SOCK_NAME in the file
 * prefix's runtime directory. The client sends a JSON object on one line,
 * at most CTL_MAX_REQUEST bytes with its newline:
 *
 *     {"cmd": "chains reload", "args": []}
 *
 * and reads one JSON object on one line, then end of file:
 *
 *     {"ok": true, "result": ...}      or      {"ok": false, "error": "one line"}
 */
#ifndef ONVM_CTL_PROTO_H
#define ONVM_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CTL_SOCK_NAME   "onvm_ctl.sock"
#define CTL_MAX_REQUEST 4096 /* bytes, newline included */
#define CTL_MAX_ARGS    8
#define CTL_ARG_LEN     64   /* an argument's bytes, NUL included */
#define CTL_ERR_LEN     640  /* room for a chain file's "FILE:LINE: reason" */

/*
 * The commands, one line each: symbol, name (one or more words), its
 * arguments as usage shows them, the least and most arguments, the
 * manager's handler (onvmctl ignores that column) and a one-line help.
 * A command's name may begin with another's ("chains reload"): the
 * longest name that matches the words typed wins.
 */
#define foreach_ctl_command                                                                \
	_(NFS, "nfs", "", 0, 0, ctl_cmd_nfs,                                                \
	  "NFs: service, instance, state, CPU, counters")                                   \
	_(SERVICES, "services", "", 0, 0, ctl_cmd_services,                                 \
	  "services: id, name, running instances")                                          \
	_(CHAINS, "chains", "", 0, 0, ctl_cmd_chains,                                       \
	  "chains in force: hops, out port, packets, bytes, drops")                         \
	_(CHAINS_RELOAD, "chains reload", "", 0, 0, ctl_cmd_chains_reload,                  \
	  "reload the -C files (as SIGHUP) and wait for the outcome")                       \
	_(MOVE, "move", "SERVICE --from I --to J [--share F]", 1, 7, ctl_cmd_move,           \
	  "move a share F (default 1) of instance I's flows, with their state, to J")         \
	_(SCALE, "scale", "SERVICE N", 1, 2, ctl_cmd_scale,                                   \
	  "start or stop instances until N run; flows move with their state")               \
	_(AUTOSCALE, "autoscale", "SERVICE --max N [--min M] | SERVICE off", 1, 5,          \
	  ctl_cmd_autoscale, "scale SERVICE by its instances' RX ring fill, within bounds")

enum ctl_command_id {
#define _(sym, name, usage, min, max, handler, help) CTL_CMD_##sym,
	foreach_ctl_command
#undef _
	CTL_CMD_N
};

struct ctl_command {
	const char *name;
	const char *usage;
	uint8_t min_args;
	uint8_t max_args;
	const char *help;
};

extern const struct ctl_command ctl_commands[CTL_CMD_N];

/* The command named exactly `name`, or -1. */
int ctl_command_find(const char *name);

/*
 * The longest command whose words are the first words of words[0..n),
 * or -1; *used: how many words its name took (the rest are arguments).
 */
int ctl_command_match(const char *const *words, int n, int *used);

/* The known commands, "nfs, services, ...", for messages. */
void ctl_command_list(char *buf, size_t len);

/* 0 when `cmd` takes nargs arguments, else -1 and why. */
int ctl_command_check_args(int cmd, int nargs, char *err, size_t errlen);

struct ctl_request {
	int cmd; /* enum ctl_command_id */
	int nargs;
	char args[CTL_MAX_ARGS][CTL_ARG_LEN];
};

/*
 * A request line (its newline may be there or not), checked whole: JSON,
 * an object with "cmd" (a known command) and optionally "args" (strings,
 * or numbers taken as their decimal text), nothing else, the command's
 * number of arguments. 0, or -1 and a one-line reason.
 */
int ctl_request_parse(const char *buf, size_t len, struct ctl_request *req, char *err,
		      size_t errlen);

/* The request line for a command (malloc'd, with its newline), or NULL. */
char *ctl_request_format(int cmd, const char *const *args, int nargs);

/* Reply lines (malloc'd, with their newline), or NULL when out of memory.
 * ctl_reply_ok takes the reference to result. */
char *ctl_reply_ok(json_t *result);
char *ctl_reply_error(const char *msg);

/*
 * A reply line: 0 and *result (the caller's reference) when ok; 1 and the
 * manager's message in err when it refused; -1 and why when the reply is
 * not one of ours.
 */
int ctl_reply_parse(const char *buf, size_t len, json_t **result, char *err, size_t errlen);

#endif /* ONVM_CTL_PROTO_H */
