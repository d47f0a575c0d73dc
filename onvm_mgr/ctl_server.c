/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket and its thread (ctl.h): one poll() loop over the
 * listening socket, the control loop's message pipe and at most
 * CTL_MAX_CONNS connections, all non-blocking. A connection carries one
 * request and one reply:
 *
 *   READ   until a newline or end of file; CTL_READ_MS to get there, and
 *          at most CTL_MAX_REQUEST bytes
 *   WAIT   a command waiting on the control loop, CTL_WAIT_MS at most
 *   WRITE  the reply, as fast as the client takes it, CTL_WRITE_MS at most
 *   DRAIN  what the client still sends is read and dropped until it closes,
 *          CTL_DRAIN_MS at most: closing with unread input would reset the
 *          connection, and the client could lose the reply (a request cut
 *          at CTL_MAX_REQUEST bytes is the usual case)
 *
 * then closed. Whatever a client does, the thread goes on serving the
 * others: it never waits on one socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "ctl.h"
#include "mgr.h"

#define CTL_MAX_CONNS 16
#define CTL_READ_MS   2000
#define CTL_WAIT_MS   60000
#define CTL_WRITE_MS  5000
#define CTL_DRAIN_MS  1000
#define CTL_POLL_MS   100 /* how soon a stop is seen */

enum conn_state { CONN_FREE, CONN_READ, CONN_WAIT, CONN_WRITE, CONN_DRAIN };

struct ctl_conn {
	int fd;
	enum conn_state state;
	uint64_t deadline_ms;
	size_t in_len;
	char in[CTL_MAX_REQUEST];
	char *out;
	size_t out_len, out_off;
	struct ctl_request req;
	struct ctl_call call;
};

static struct {
	struct mgr *m;
	int listen_fd;
	int msg_rd, msg_wr; /* the control loop's messages: a pipe */
	pthread_t thread;
	bool running;
	volatile bool stop;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ctl_conn conns[CTL_MAX_CONNS];
} srv = { .listen_fd = -1, .msg_rd = -1, .msg_wr = -1 };

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
conn_close(struct ctl_conn *c)
{
	close(c->fd);
	free(c->out);
	json_decref(c->call.result);
	c->fd = -1;
	c->out = NULL;
	c->call.result = NULL;
	c->state = CONN_FREE;
}

/* Drop what the client sends until it closes (or would block). A few
 * reads at a time: a client that never stops sending waits for poll()
 * like everyone else, until its deadline. */
static void
conn_drain(struct ctl_conn *c)
{
	char sink[4096];

	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);

		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_close(c); /* end of file, or an error */
		return;
	}
}

/* Send what the client takes now; once all is sent, drain. */
static void
conn_flush(struct ctl_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* POLLOUT will bring us back */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			conn_close(c); /* gone */
			return;
		}
		c->out_off += (size_t)n;
	}
	shutdown(c->fd, SHUT_WR); /* the reply is whole: the client sees end of file */
	c->state = CONN_DRAIN;
	c->deadline_ms = now_ms() + CTL_DRAIN_MS;
	conn_drain(c);
}

/* The reply line (ours now) goes out. */
static void
conn_reply(struct ctl_conn *c, char *line)
{
	if (line == NULL) {
		conn_close(c); /* out of memory: the client sees end of file */
		return;
	}
	c->out = line;
	c->out_len = strlen(line);
	c->out_off = 0;
	c->state = CONN_WRITE;
	c->deadline_ms = now_ms() + CTL_WRITE_MS;
	conn_flush(c);
}

static void
conn_reply_error(struct ctl_conn *c, const char *msg)
{
	conn_reply(c, ctl_reply_error(msg));
}

static void
conn_finish(struct ctl_conn *c, enum ctl_status st)
{
	if (st == CTL_WAIT) {
		c->state = CONN_WAIT;
		c->deadline_ms = now_ms() + CTL_WAIT_MS;
	} else if (st == CTL_DONE) {
		json_t *result = c->call.result;

		c->call.result = NULL;
		conn_reply(c, ctl_reply_ok(result));
	} else {
		conn_reply_error(c, c->call.error);
	}
}

/* A whole request: check it, run its command. */
static void
conn_request(struct ctl_conn *c)
{
	char err[CTL_ERR_LEN];

	if (ctl_request_parse(c->in, c->in_len, &c->req, err, sizeof(err)) < 0) {
		conn_reply_error(c, err);
		return;
	}
	c->call = (struct ctl_call){ .m = srv.m, .req = &c->req };
	conn_finish(c, ctl_handlers[c->req.cmd](&c->call));
}

static void
conn_read(struct ctl_conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			conn_close(c);
			return;
		}
		if (n == 0) { /* end of file: what came is the request */
			if (c->in_len == 0)
				conn_close(c);
			else
				conn_request(c);
			return;
		}
		nl = memchr(c->in + c->in_len, '\n', (size_t)n);
		c->in_len += (size_t)n;
		if (nl != NULL) {
			c->in_len = (size_t)(nl - c->in) + 1; /* anything after it is ignored */
			conn_request(c);
			return;
		}
		if (c->in_len == sizeof(c->in)) {
			char msg[64];

			snprintf(msg, sizeof(msg), "request longer than %d bytes", CTL_MAX_REQUEST);
			conn_reply_error(c, msg);
			return;
		}
	}
}

/* Root, or the manager's own user; anyone else is told no. */
static bool
peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

static void
accept_one(void)
{
	int fd = accept4(srv.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct ctl_conn *c = NULL;
	char *line;

	if (fd < 0)
		return;
	for (int i = 0; i < CTL_MAX_CONNS && c == NULL; i++)
		if (srv.conns[i].state == CONN_FREE)
			c = &srv.conns[i];
	if (c == NULL || !peer_allowed(fd)) {
		/* One try to say why; the socket buffer takes a short line. */
		line = ctl_reply_error(c ? "permission denied: the control socket is root's"
					 : "busy: too many control connections, try again");
		if (line)
			(void)!send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
		free(line);
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->state = CONN_READ;
	c->deadline_ms = now_ms() + CTL_READ_MS;
}

/* Messages from the control loop, each to every waiting command. */
static void
read_messages(void)
{
	char msg[CTL_MSG_MAX];
	ssize_t n;

	while ((n = read(srv.msg_rd, msg, sizeof(msg))) > 0)
		for (int i = 0; i < CTL_MAX_CONNS; i++) {
			struct ctl_conn *c = &srv.conns[i];

			if (c->state == CONN_WAIT && c->call.resume)
				conn_finish(c, c->call.resume(&c->call, msg, (size_t)n));
		}
}

static void
expire(uint64_t now)
{
	for (int i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &srv.conns[i];
		char msg[96];

		if (c->state == CONN_FREE || now < c->deadline_ms)
			continue;
		if (c->state == CONN_READ) {
			snprintf(msg, sizeof(msg), "no complete request within %d ms", CTL_READ_MS);
			conn_reply_error(c, msg);
		} else if (c->state == CONN_WAIT) {
			snprintf(msg, sizeof(msg), "'%s' got no answer from the control loop within "
				 "%d ms", ctl_commands[c->req.cmd].name, CTL_WAIT_MS);
			conn_reply_error(c, msg);
		} else {
			conn_close(c); /* it does not take its reply, or does not close */
		}
	}
}

static void
serve_once(void)
{
	struct pollfd p[CTL_MAX_CONNS + 2];
	int map[CTL_MAX_CONNS + 2], np = 0, timeout = CTL_POLL_MS;
	uint64_t now = now_ms();

	p[np] = (struct pollfd){ srv.listen_fd, POLLIN, 0 };
	map[np++] = -1;
	p[np] = (struct pollfd){ srv.msg_rd, POLLIN, 0 };
	map[np++] = -2;
	for (int i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &srv.conns[i];
		short ev = c->state == CONN_WRITE ? POLLOUT
			   : c->state == CONN_READ || c->state == CONN_DRAIN ? POLLIN : 0;

		if (c->state == CONN_FREE)
			continue;
		/* WAIT: no events, but a hang-up is still reported. */
		p[np] = (struct pollfd){ c->fd, ev, 0 };
		map[np++] = i;
		if (c->deadline_ms <= now)
			timeout = 0;
		else if (c->deadline_ms - now < (uint64_t)timeout)
			timeout = (int)(c->deadline_ms - now);
	}
	if (poll(p, (nfds_t)np, timeout) < 0)
		return; /* EINTR: once more */
	for (int k = 0; k < np; k++) {
		struct ctl_conn *c;

		if (p[k].revents == 0)
			continue;
		if (map[k] == -1) {
			accept_one();
			continue;
		}
		if (map[k] == -2) {
			read_messages();
			continue;
		}
		c = &srv.conns[map[k]];
		if (c->state == CONN_READ)
			conn_read(c);
		else if (c->state == CONN_WRITE)
			conn_flush(c);
		else if (c->state == CONN_DRAIN)
			conn_drain(c);
		else if (c->state == CONN_WAIT && (p[k].revents & (POLLHUP | POLLERR)))
			conn_close(c); /* gone: nobody to answer */
	}
	expire(now_ms());
}

static void *
ctl_thread_main(void *arg)
{
	while (!srv.stop)
		serve_once();
	return NULL;
}

static int
open_socket(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int n = snprintf(srv.path, sizeof(srv.path), "%s/%s", rte_eal_get_runtime_dir(),
			 CTL_SOCK_NAME);

	if (n < 0 || (size_t)n >= sizeof(srv.path)) {
		fprintf(stderr, "onvm_mgr: control socket: the path %s/%s is too long for a "
				"UNIX socket (use a shorter --file-prefix)\n",
			rte_eal_get_runtime_dir(), CTL_SOCK_NAME);
		srv.path[0] = '\0';
		return -1;
	}
	memcpy(addr.sun_path, srv.path, (size_t)n + 1);
	srv.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv.listen_fd < 0)
		goto fail;
	/* The prefix is ours (EAL holds its lock): a socket there is a dead
	 * manager's. */
	unlink(srv.path);
	/* The runtime directory is root's alone already; 0600 says it again
	 * (fchmod does not apply to a socket's file, so chmod right after
	 * bind: until then the umask's mode gives no one else write access,
	 * which connecting needs). */
	if (bind(srv.listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chmod(srv.path, S_IRUSR | S_IWUSR) < 0 || listen(srv.listen_fd, CTL_MAX_CONNS) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "onvm_mgr: control socket %s: %s\n", srv.path, strerror(errno));
	if (srv.listen_fd >= 0)
		close(srv.listen_fd);
	srv.listen_fd = -1;
	return -1;
}

int
ctl_server_start(struct mgr *m)
{
	int fds[2];

	srv.m = m;
	for (int i = 0; i < CTL_MAX_CONNS; i++)
		srv.conns[i] = (struct ctl_conn){ .fd = -1, .state = CONN_FREE };
	if (open_socket() < 0)
		return -1;
	/* O_DIRECT: a packet pipe, one read per message posted. */
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC | O_DIRECT) < 0) {
		fprintf(stderr, "onvm_mgr: control socket: pipe: %s\n", strerror(errno));
		ctl_server_stop();
		return -1;
	}
	srv.msg_rd = fds[0];
	srv.msg_wr = fds[1];
	srv.stop = false;
	if (rte_ctrl_thread_create(&srv.thread, "onvm_ctl", NULL, ctl_thread_main, NULL) != 0) {
		fprintf(stderr, "onvm_mgr: control socket: cannot start its thread\n");
		ctl_server_stop();
		return -1;
	}
	srv.running = true;
	return 0;
}

void
ctl_server_post(const void *msg, size_t len)
{
	/* Up to PIPE_BUF bytes, a pipe write is whole or nothing. */
	if (srv.msg_wr >= 0 && len <= CTL_MSG_MAX)
		(void)!write(srv.msg_wr, msg, len);
}

void
ctl_server_stop(void)
{
	srv.stop = true;
	if (srv.running)
		pthread_join(srv.thread, NULL);
	srv.running = false;
	for (int i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &srv.conns[i];

		if (c->state == CONN_WAIT) {
			conn_reply_error(c, "the manager is stopping");
		}
		if (c->state != CONN_FREE)
			conn_close(c);
	}
	if (srv.listen_fd >= 0)
		close(srv.listen_fd);
	if (srv.path[0])
		unlink(srv.path);
	if (srv.msg_rd >= 0)
		close(srv.msg_rd);
	if (srv.msg_wr >= 0)
		close(srv.msg_wr);
	srv.listen_fd = srv.msg_rd = srv.msg_wr = -1;
	srv.path[0] = '\0';
}
