/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One controller connection: its socket, what it sent us (framed into
 * messages for its of_session) and what we queued for it. Every socket
 * call is non-blocking; the switch lock is taken only around the
 * session's handling of complete messages, never across recv() or send().
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "of_agent_conn.h"

struct ofa_conn *
ofa_conn_new(struct of_agent *a, int fd, bool active)
{
	for (int i = 0; i < OFA_MAX_CONNS; i++) {
		if (a->conns[i])
			continue;
		struct ofa_conn *c = calloc(1, sizeof(*c));
		int one = 1;

		if (c == NULL)
			return NULL;
		c->fd = fd;
		c->active = active;
		ofp_buf_init(&c->out);
		of_session_init(&c->s, &a->sw, &a->ops, a->dpid);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		a->conns[i] = c;
		return c;
	}
	return NULL;
}

void
ofa_conn_close(struct of_agent *a, int i)
{
	struct ofa_conn *c = a->conns[i];

	if (c->active && !c->connecting) {
		printf("onvm_mgr: openflow: controller connection closed; reconnecting\n");
		fflush(stdout);
	}
	close(c->fd);
	ofp_buf_free(&c->out);
	free(c);
	a->conns[i] = NULL;
}

bool
ofa_conn_pending(const struct ofa_conn *c)
{
	return c->sent < c->out.len;
}

/*
 * Send what the socket takes now and keep the rest for the next POLLOUT.
 * False when the connection must close: the peer is gone, or it has not
 * read OFA_OUT_MAX bytes of replies (it would hold them forever).
 */
bool
ofa_conn_flush(struct ofa_conn *c)
{
	if (c->out.failed)
		return false;
	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->sent, c->out.len - c->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return false;
		c->sent += (size_t)n;
	}
	if (c->sent == c->out.len) {
		ofp_buf_reset(&c->out);
		c->sent = 0;
		return true;
	}
	if (c->out.len - c->sent > OFA_OUT_MAX) {
		printf("onvm_mgr: openflow: a controller has not read %zu bytes of replies; "
		       "closing its connection\n", c->out.len - c->sent);
		fflush(stdout);
		return false;
	}
	/* Keep the queue from creeping up the buffer: move the rest down. */
	if (c->sent > c->out.len / 2) {
		memmove(c->out.data, c->out.data + c->sent, c->out.len - c->sent);
		c->out.len -= c->sent;
		c->sent = 0;
	}
	return true;
}

/* One master at a time (OpenFlow 1.3, 6.3.5): a connection that becomes
 * master makes the previous master a slave. */
static void
demote_other_masters(struct of_agent *a, const struct ofa_conn *master)
{
	for (int i = 0; i < OFA_MAX_CONNS; i++)
		if (a->conns[i] && a->conns[i] != master &&
		    a->conns[i]->s.role == OFPCR_ROLE_MASTER)
			a->conns[i]->s.role = OFPCR_ROLE_SLAVE;
}

/* Answer every whole message in c->in (switch lock held); false when the
 * connection must close once its replies are sent. */
static bool
handle_messages(struct of_agent *a, struct ofa_conn *c)
{
	size_t off = 0, len;
	bool open = true;
	uint64_t until = ofa_now_ms() + OFA_INPUT_BUDGET_MS;

	ofa_harvest(a); /* fresh counters for stats requests */
	/* The rest waits in c->in for the next turn (ofa_conn_backlog). */
	while (open && (off == 0 || ofa_now_ms() < until)) {
		if (ofp_frame_len(c->in + off, c->have - off, &len) != OFP_OK) {
			/* A length below 8: the stream cannot be resynchronised. */
			ofp_encode_error(&c->out, 0, OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN),
					 c->in + off, c->have - off);
			open = false;
			break;
		}
		if (len == 0 || len > c->have - off) {
			if (len > sizeof(c->in)) {
				/* Cannot be buffered whole: answer and close. */
				ofp_encode_error(&c->out, 0,
						 OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN),
						 c->in + off, c->have - off);
				open = false;
			}
			break;
		}
		uint32_t role = c->s.role;

		open = of_session_handle(&c->s, c->in + off, len, ofa_now_ms(), &c->out);
		off += len;
		if (c->s.role == OFPCR_ROLE_MASTER && role != OFPCR_ROLE_MASTER)
			demote_other_masters(a, c);
	}
	memmove(c->in, c->in + off, c->have - off);
	c->have -= off;
	/* The batch's FLOW_MODs take effect now, or (another batch came in
	 * the last few milliseconds) with the next batch's, at most
	 * OFA_PUBLISH_GAP_MS later; a BARRIER_REPLY waits for them anyway. */
	if (ofa_publish_due(a))
		ofa_publish(a, false);
	return open;
}

bool
ofa_conn_backlog(const struct ofa_conn *c)
{
	size_t len;

	if (ofp_frame_len(c->in, c->have, &len) != OFP_OK)
		return true; /* a bad length, answered by handle_messages */
	return len != 0 && len <= c->have;
}

bool
ofa_conn_input(struct of_agent *a, struct ofa_conn *c)
{
	bool open;

	/* Read only once the backlog is answered: the socket's own buffer
	 * then holds back a controller that sends faster than it is served,
	 * and a close is seen after what was sent before it. */
	if (!ofa_conn_backlog(c)) {
		ssize_t n = recv(c->fd, c->in + c->have, sizeof(c->in) - c->have, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return true;
		if (n <= 0)
			return false;
		c->have += (size_t)n;
	}
	ofa_lock_agent(a);
	open = handle_messages(a, c);
	ofa_unlock(a);
	return ofa_conn_flush(c) && open;
}
