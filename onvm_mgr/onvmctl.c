/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * onvmctl: ask a running manager over its control socket (ctl_proto.h)
 * and print the answer, JSON by default or a table with --table. It never
 * touches DPDK or shared memory: no EAL, no hugepages, nothing a running
 * manager could notice but one short connection.
 *
 * Exit status: 0 done, 1 the manager refused or none runs, 2 bad usage.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl_args.h"
#include "ctl_proto.h"
#include "ctl_table.h"
#include "onvm_runtime.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE   2
#define REPLY_MAX    (64u << 20) /* far above any reply; a bound all the same */
/* A reload may wait on the control loop up to the manager's 30 s. */
#define REPLY_TIMEOUT_S 35

/* --table: the columns of each command's rows (a command not listed
 * prints its result as "key  value" lines). */
static const struct ctl_column nfs_cols[] = {
	{ "ID", "id", CTL_COL_RIGHT, NULL },
	{ "NAME", "name", 0, NULL },
	{ "SERVICE", "service_name", 0, NULL },
	{ "INST", "instance", CTL_COL_RIGHT, NULL },
	{ "STATE", "state", 0, NULL },
	{ "CPU", "cpu", CTL_COL_RIGHT, NULL },
	{ "RX", "rx", CTL_COL_RIGHT, NULL },
	{ "TX", "tx", CTL_COL_RIGHT, NULL },
	{ "ACT_DROP", "act_drop", CTL_COL_RIGHT, NULL },
	{ "ENTRY_DROP", "entry_drop", CTL_COL_RIGHT, NULL },
	{ "COUNTERS", "counters", 0, NULL },
};
static const struct ctl_column services_cols[] = {
	{ "ID", "id", CTL_COL_RIGHT, NULL },
	{ "NAME", "name", 0, NULL },
	{ "INSTANCES", "instances", CTL_COL_RIGHT, NULL },
	{ "NFS", "nfs", 0, "," },
	{ "BUCKETS", "buckets", 0, "," },
};
static const struct ctl_column chains_cols[] = {
	{ "ID", "id", CTL_COL_RIGHT, NULL },
	{ "NAME", "name", 0, NULL },
	{ "PRIO", "priority", CTL_COL_RIGHT, NULL },
	{ "OUT", "out_port", 0, NULL },
	{ "PKTS", "pkts", CTL_COL_RIGHT, NULL },
	{ "BYTES", "bytes", CTL_COL_RIGHT, NULL },
	{ "DROPS", "drops", CTL_COL_RIGHT | CTL_COL_SUM, NULL },
	{ "HOPS", "hops", 0, " -> " },
};

static const struct {
	const struct ctl_column *cols;
	size_t n;
} table_views[CTL_CMD_N] = {
	[CTL_CMD_NFS] = { nfs_cols, sizeof(nfs_cols) / sizeof(nfs_cols[0]) },
	[CTL_CMD_SERVICES] = { services_cols, sizeof(services_cols) / sizeof(services_cols[0]) },
	[CTL_CMD_CHAINS] = { chains_cols, sizeof(chains_cols) / sizeof(chains_cols[0]) },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: onvmctl [--file-prefix PREFIX] [--table] COMMAND [ARGS]\n"
		   "       onvmctl --help\n\n"
		   "Asks the onvm_mgr running with DPDK file prefix PREFIX (default:\n"
		   "$ONVM_FILE_PREFIX, else \"rte\") over its control socket, and prints\n"
		   "the answer as JSON, or as a table with --table. Run as root.\n\n"
		   "commands:\n");
	for (int i = 0; i < CTL_CMD_N; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s%s%s", ctl_commands[i].name,
			 ctl_commands[i].usage[0] ? " " : "", ctl_commands[i].usage);
		if (strlen(name) > 16)
			fprintf(f, "  %s\n  %-16s %s\n", name, "", ctl_commands[i].help);
		else
			fprintf(f, "  %-16s %s\n", name, ctl_commands[i].help);
	}
	fprintf(f, "\nexit status: 0 done; 1 the manager refused, or none runs on PREFIX;\n"
		   "2 bad usage (unknown command, wrong arguments)\n");
}

/* One line on stderr, and the exit status to return. */
static int __attribute__((format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "onvmctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

/* Connected to the prefix's control socket, or -1 (said why). */
static int
connect_manager(const char *prefix)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	char dir[256];
	int fd, n;

	if (onvm_runtime_dir(prefix, dir, sizeof(dir)) < 0 ||
	    (n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", dir, CTL_SOCK_NAME)) < 0 ||
	    (size_t)n >= sizeof(addr.sun_path)) {
		die(EXIT_USAGE, "file prefix '%s' is too long", prefix);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		die(EXIT_REFUSED, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		close(fd);
		if ((e == ENOENT || e == ECONNREFUSED) && onvm_primary_alive(prefix))
			die(EXIT_REFUSED, "the manager with file prefix '%s' does not answer on %s "
			    "(still starting?)", prefix, addr.sun_path);
		else if (e == ENOENT && geteuid() != 0)
			die(EXIT_REFUSED, "no manager running with file prefix '%s' for this user "
			    "(a manager run as root is reached as root)", prefix);
		else if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR)
			die(EXIT_REFUSED, "no manager running with file prefix '%s'", prefix);
		else if (e == EACCES || e == EPERM)
			die(EXIT_REFUSED, "%s: permission denied (the control socket is root's)",
			    addr.sun_path);
		else
			die(EXIT_REFUSED, "%s: %s", addr.sun_path, strerror(e));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Send the request, read the reply to end of file; malloc'd, or NULL. */
static char *
exchange(int fd, const char *req, size_t *len, char *err, size_t errlen)
{
	size_t cap = 1 << 16, n = 0, sent = 0, want = strlen(req);
	char *buf = malloc(cap);

	while (buf && sent < want) {
		ssize_t w = send(fd, req + sent, want - sent, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "sending the request: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		sent += (size_t)w;
	}
	shutdown(fd, SHUT_WR); /* the request is whole */
	for (;;) {
		ssize_t r;

		if (buf == NULL) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		if (n == cap) {
			char *bigger = cap < REPLY_MAX ? realloc(buf, cap * 2) : NULL;

			if (bigger == NULL) {
				snprintf(err, errlen, "reply larger than %u bytes", REPLY_MAX);
				free(buf);
				return NULL;
			}
			buf = bigger;
			cap *= 2;
		}
		r = recv(fd, buf + n, cap - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s", errno == EAGAIN || errno == EWOULDBLOCK
						 ? "the manager did not answer in time"
						 : strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

static int
print_result(int cmd, json_t *result, bool table)
{
	char *text;

	if (table)
		text = ctl_table_format(result, table_views[cmd].cols, table_views[cmd].n);
	else
		text = json_dumps(result, JSON_INDENT(2) | JSON_ENCODE_ANY);
	if (text == NULL)
		return die(EXIT_REFUSED, "out of memory");
	fputs(text, stdout);
	if (!table)
		fputc('\n', stdout);
	free(text);
	return fflush(stdout) == 0 ? 0 : EXIT_REFUSED;
}

int
main(int argc, char **argv)
{
	const char *prefix = getenv("ONVM_FILE_PREFIX");
	const char *words[64];
	char err[CTL_ERR_LEN], known[256];
	int nwords = 0, used, cmd, fd, rc;
	bool table = false, opts = true;
	size_t len;
	char *req, *reply;
	json_t *result;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && strcmp(a, "--") == 0) {
			opts = false;
		} else if (opts && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			usage(stdout);
			return 0;
		} else if (opts && strcmp(a, "--table") == 0) {
			table = true;
		} else if (opts && strcmp(a, "--file-prefix") == 0) {
			if (++i == argc)
				return die(EXIT_USAGE, "--file-prefix needs a value");
			prefix = argv[i];
		} else if (opts && strncmp(a, "--file-prefix=", 14) == 0) {
			prefix = a + 14;
		} else if (opts && nwords == 0 && a[0] == '-' && a[1] != '\0') {
			/* After the command, options are the command's (move --from). */
			return die(EXIT_USAGE, "unknown option '%s' (see onvmctl --help)", a);
		} else if (nwords < (int)(sizeof(words) / sizeof(words[0]))) {
			words[nwords++] = a;
		} else {
			return die(EXIT_USAGE, "too many arguments");
		}
	}
	if (prefix == NULL || prefix[0] == '\0')
		prefix = "rte";
	if (nwords == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	ctl_command_list(known, sizeof(known));
	cmd = ctl_command_match(words, nwords, &used);
	if (cmd < 0)
		return die(EXIT_USAGE, "unknown command '%s' (known: %s)", words[0], known);
	if (ctl_command_check_args(cmd, nwords - used, err, sizeof(err)) < 0 ||
	    ctl_command_check_values(cmd, words + used, nwords - used, err, sizeof(err)) < 0)
		return die(EXIT_USAGE, "%s (see onvmctl --help)", err);
	for (int i = used; i < nwords; i++)
		if (strlen(words[i]) >= CTL_ARG_LEN)
			return die(EXIT_USAGE, "argument '%.32s...' is too long", words[i]);

	req = ctl_request_format(cmd, words + used, nwords - used);
	if (req == NULL)
		return die(EXIT_REFUSED, "out of memory");
	fd = connect_manager(prefix);
	if (fd < 0) {
		free(req);
		return EXIT_REFUSED;
	}
	reply = exchange(fd, req, &len, err, sizeof(err));
	close(fd);
	free(req);
	if (reply == NULL)
		return die(EXIT_REFUSED, "%s", err);
	rc = ctl_reply_parse(reply, len, &result, err, sizeof(err));
	free(reply);
	if (rc != 0)
		return die(EXIT_REFUSED, "%s", err);
	rc = print_result(cmd, result, table);
	json_decref(result);
	return rc;
}
