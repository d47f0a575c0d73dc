/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OpenFlow agent thread (of_agent.h): sockets, one of_session per
 * connection over the one of_switch, asynchronous messages (PACKET_IN
 * from the data lcores' ring, FLOW_REMOVED, PORT_STATUS) and timeouts.
 * Everything here is non-blocking: one poll() with a short timeout, so
 * PACKET_INs leave within a few milliseconds and SIGINT is seen at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "chain_config.h"
#include "of_agent.h"
#include "of_agent_priv.h"

#define POLL_MS 2
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 4000
#define EXPIRE_EVERY_MS 250
#define PIN_BURST 64

struct of_agent g_ofa = { .listen_fd = -1 };

bool
of_agent_enabled(const struct mgr *m)
{
	return m->cfg.of_listen != NULL || m->cfg.of_controller != NULL;
}

void
of_agent_lock(void)
{
	pthread_mutex_lock(&g_ofa.lock);
}

void
of_agent_unlock(void)
{
	pthread_mutex_unlock(&g_ofa.lock);
}

/* "[IP:]PORT" (listen) or "IP:PORT" (controller) into an IPv4 address. */
static int
parse_endpoint(const char *s, bool need_ip, struct sockaddr_in *sa)
{
	char ip[64] = "127.0.0.1";
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (colon) {
		size_t n = (size_t)(colon - s);
		if (n == 0 || n >= sizeof(ip))
			return -1;
		memcpy(ip, s, n);
		ip[n] = '\0';
		s = colon + 1;
	} else if (need_ip) {
		return -1;
	}
	port = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || port == 0 || port > 65535)
		return -1;
	if (inet_pton(AF_INET, ip, &sa->sin_addr) != 1)
		return -1;
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

/* --of-dpid: "0x..." or hex digits with a-f is hex, else decimal; default
 * the first port's MAC in the low 48 bits, as OVS does. */
static int
pick_dpid(struct mgr *m, uint64_t *dpid)
{
	const char *s = m->cfg.of_dpid;

	if (s) {
		char *end;
		bool hex = strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0 ||
			   strpbrk(s, "abcdefABCDEF") != NULL;

		errno = 0;
		*dpid = strtoull(s, &end, hex ? 16 : 10);
		return *s && *end == '\0' && errno == 0 ? 0 : -1;
	}
	*dpid = 1;
	if (m->num_ports) {
		const uint8_t *mac = m->shm->ports[m->port_ids[0]].mac.addr_bytes;
		*dpid = 0;
		for (int i = 0; i < 6; i++)
			*dpid = *dpid << 8 | mac[i];
	}
	return 0;
}

int
of_agent_init(struct mgr *m)
{
	struct of_agent *a = &g_ofa;
	struct sockaddr_in sa;

	a->m = m;
	a->listen_fd = -1;
	pthread_mutex_init(&a->lock, NULL);
	if (m->cfg.of_listen && parse_endpoint(m->cfg.of_listen, false, &sa) < 0) {
		fprintf(stderr, "onvm_mgr: --of-listen '%s': expected [IP:]PORT\n",
			m->cfg.of_listen);
		return -1;
	}
	if (m->cfg.of_controller && parse_endpoint(m->cfg.of_controller, true, &sa) < 0) {
		fprintf(stderr, "onvm_mgr: --of-controller '%s': expected IP:PORT\n",
			m->cfg.of_controller);
		return -1;
	}
	if (pick_dpid(m, &a->dpid) < 0) {
		fprintf(stderr, "onvm_mgr: --of-dpid '%s': expected a hex or decimal number\n",
			m->cfg.of_dpid);
		return -1;
	}
	if (ofs_init(&a->sw, OFDP_N_TABLES, OFDP_MAX_FLOWS, 1024) < 0 || ofdp_io_init(m) < 0) {
		fprintf(stderr, "onvm_mgr: openflow: out of memory\n");
		return -1;
	}
	a->sw.port_exists = ofa_port_exists;
	a->sw.ctx = a;
	ofa_ops_init(a);
	ofdp_refresh_links(m);
	return 0;
}

/* ---- connections ---- */

static void
conn_close(struct of_agent *a, int i)
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

static struct ofa_conn *
conn_new(struct of_agent *a, int fd, bool active)
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

/* Send what is queued; a peer that does not read loses its connection
 * rather than stall the agent (the socket is non-blocking). */
static bool
conn_flush(struct ofa_conn *c)
{
	size_t off = 0;

	while (off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + off, c->out.len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { c->fd, POLLOUT, 0 };
			if (poll(&p, 1, 1000) <= 0)
				return false;
			continue;
		}
		if (n <= 0)
			return false;
		off += (size_t)n;
	}
	ofp_buf_reset(&c->out);
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

/* Read and answer every whole message; false when the connection ends. */
static bool
conn_input(struct of_agent *a, struct ofa_conn *c)
{
	ssize_t n = recv(c->fd, c->in + c->have, sizeof(c->in) - c->have, 0);
	size_t off = 0, len;
	bool open = true;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	c->have += (size_t)n;
	ofa_harvest(a, mgr_chains_current()->of); /* fresh counters for stats requests */
	while (open) {
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
	/* The batch's FLOW_MODs take effect before anything else happens. */
	ofa_publish(a, false);
	return conn_flush(c) && open;
}

static void
conn_start(struct ofa_conn *c)
{
	of_session_start(&c->s, &c->out);
}

static int
open_listener(struct of_agent *a)
{
	struct sockaddr_in sa;
	int one = 1;

	parse_endpoint(a->m->cfg.of_listen, false, &sa);
	a->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->listen_fd < 0)
		return -1;
	setsockopt(a->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(a->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(a->listen_fd, 8) < 0) {
		fprintf(stderr, "onvm_mgr: --of-listen %s: %s\n", a->m->cfg.of_listen,
			strerror(errno));
		close(a->listen_fd);
		a->listen_fd = -1;
		return -1;
	}
	printf("onvm_mgr: openflow: listening on %s (datapath id %016llx)\n", a->m->cfg.of_listen,
	       (unsigned long long)a->dpid);
	return 0;
}

static void
accept_one(struct of_agent *a)
{
	int fd = accept4(a->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct ofa_conn *c;

	if (fd < 0)
		return;
	c = conn_new(a, fd, false);
	if (c == NULL) {
		close(fd);
		return;
	}
	conn_start(c);
	if (!conn_flush(c))
		for (int i = 0; i < OFA_MAX_CONNS; i++)
			if (a->conns[i] == c)
				conn_close(a, i);
}

static struct ofa_conn *
controller_conn(struct of_agent *a)
{
	for (int i = 0; i < OFA_MAX_CONNS; i++)
		if (a->conns[i] && a->conns[i]->active)
			return a->conns[i];
	return NULL;
}

/* Active side: (re)connect, with backoff 100 ms doubling to 4 s. */
static void
controller_tick(struct of_agent *a, uint64_t now)
{
	struct sockaddr_in sa;
	struct ofa_conn *c;
	int fd;

	if (a->m->cfg.of_controller == NULL || controller_conn(a) || now < a->ctrl_next_try_ms)
		return;
	parse_endpoint(a->m->cfg.of_controller, true, &sa);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		close(fd);
		goto backoff;
	}
	c = conn_new(a, fd, true);
	if (c == NULL) {
		close(fd);
		goto backoff;
	}
	c->connecting = true;
	return;
backoff:
	a->ctrl_backoff_ms = a->ctrl_backoff_ms ? a->ctrl_backoff_ms * 2 : BACKOFF_MIN_MS;
	if (a->ctrl_backoff_ms > BACKOFF_MAX_MS)
		a->ctrl_backoff_ms = BACKOFF_MAX_MS;
	a->ctrl_next_try_ms = now + a->ctrl_backoff_ms;
}

/* The non-blocking connect finished (POLLOUT): say HELLO, or back off. */
static bool
controller_connected(struct of_agent *a, struct ofa_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err)
		return false; /* refused: still `connecting`, closed quietly */
	c->connecting = false;
	printf("onvm_mgr: openflow: connected to controller %s\n", a->m->cfg.of_controller);
	fflush(stdout);
	a->ctrl_backoff_ms = 0;
	conn_start(c);
	return conn_flush(c);
}

static void
close_controller_backoff(struct of_agent *a, int i, uint64_t now)
{
	bool active = a->conns[i]->active;

	conn_close(a, i);
	if (active) {
		a->ctrl_backoff_ms = a->ctrl_backoff_ms ? a->ctrl_backoff_ms * 2 : BACKOFF_MIN_MS;
		if (a->ctrl_backoff_ms > BACKOFF_MAX_MS)
			a->ctrl_backoff_ms = BACKOFF_MAX_MS;
		a->ctrl_next_try_ms = now + a->ctrl_backoff_ms;
	}
}

/* ---- asynchronous messages ---- */

static void
broadcast_flush(struct of_agent *a)
{
	for (int i = 0; i < OFA_MAX_CONNS; i++)
		if (a->conns[i] && a->conns[i]->out.len && !conn_flush(a->conns[i]))
			close_controller_backoff(a, i, ofa_now_ms());
}

static bool
session_ready(const struct ofa_conn *c)
{
	return c && !c->connecting && c->s.negotiated && c->s.role != OFPCR_ROLE_SLAVE;
}

static void
drain_packet_in(struct of_agent *a)
{
	void *objs[PIN_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(g_ofdp.pin_ring, objs, PIN_BURST, NULL);

	for (unsigned int k = 0; k < n; k++) {
		struct ofdp_pin_msg *pm = objs[k];

		for (int i = 0; i < OFA_MAX_CONNS; i++) {
			struct ofa_conn *c = a->conns[i];
			uint16_t max_len = pm->max_len;

			if (!session_ready(c))
				continue;
			if (pm->reason == OFPR_NO_MATCH)
				max_len = c->s.config.miss_send_len;
			of_session_packet_in(&c->s, &c->out, pm->reason, pm->table_id, pm->cookie,
					     pm->in_port, pm->data, pm->len, max_len);
		}
		rte_mempool_put(g_ofdp.pin_pool, pm);
	}
}

static void
on_flow_removed(void *ctx, const struct ofs_flow *f, uint8_t reason, uint64_t now_ms)
{
	struct of_agent *a = ctx;

	for (int i = 0; i < OFA_MAX_CONNS; i++)
		if (session_ready(a->conns[i]))
			of_session_flow_removed(&a->conns[i]->s, &a->conns[i]->out, f, reason,
						now_ms);
}

/* PORT_STATUS when a service gains its first NF or loses its last. */
static void
poll_services(struct of_agent *a)
{
	uint64_t up = 0;

	for (uint16_t s = 1; s <= ONVM_MAX_SERVICES; s++)
		if (__atomic_load_n(&a->m->shm->services[s].num_instances, __ATOMIC_ACQUIRE))
			up |= 1ULL << (s - 1);
	uint64_t changed = up ^ a->services_up;

	a->services_up = up;
	for (uint16_t s = 1; changed && s <= ONVM_MAX_SERVICES; s++) {
		struct ofp_port_info p;

		if (!(changed >> (s - 1) & 1))
			continue;
		ofa_service_port(a, s, &p);
		for (int i = 0; i < OFA_MAX_CONNS; i++)
			if (session_ready(a->conns[i]))
				of_session_port_status(&a->conns[i]->s, &a->conns[i]->out,
						       (up >> (s - 1) & 1) ? OFPPR_ADD
									   : OFPPR_DELETE,
						       &p);
	}
}

/* ---- the thread ---- */

static void
agent_iteration(struct of_agent *a)
{
	struct pollfd p[OFA_MAX_CONNS + 1];
	int map[OFA_MAX_CONNS + 1], np = 0;
	uint64_t now = ofa_now_ms();

	controller_tick(a, now);
	if (a->listen_fd >= 0) {
		p[np] = (struct pollfd){ a->listen_fd, POLLIN, 0 };
		map[np++] = -1;
	}
	for (int i = 0; i < OFA_MAX_CONNS; i++) {
		if (a->conns[i] == NULL)
			continue;
		p[np] = (struct pollfd){ a->conns[i]->fd,
					 a->conns[i]->connecting ? POLLOUT : POLLIN, 0 };
		map[np++] = i;
	}
	int ready = poll(p, (nfds_t)np, POLL_MS);

	of_agent_lock();
	for (int k = 0; ready > 0 && k < np; k++) {
		int i = map[k];

		if (p[k].revents == 0)
			continue;
		if (i < 0) {
			accept_one(a);
			continue;
		}
		struct ofa_conn *c = a->conns[i];
		bool ok = c->connecting ? controller_connected(a, c) : conn_input(a, c);
		if (!ok)
			close_controller_backoff(a, i, now);
	}
	drain_packet_in(a);
	poll_services(a);
	if (now >= a->next_expire_ms) {
		ofa_harvest(a, mgr_chains_current()->of);
		ofdp_refresh_links(a->m);
		ofs_expire(&a->sw, now);
		ofa_publish(a, false);
		a->next_expire_ms = now + EXPIRE_EVERY_MS;
	}
	broadcast_flush(a);
	of_agent_unlock();
}

static void *
agent_main(void *arg)
{
	struct of_agent *a = arg;

	while (!a->stop && !a->m->stop)
		agent_iteration(a);
	return NULL;
}

int
of_agent_start(struct mgr *m)
{
	struct of_agent *a = &g_ofa;

	a->sw.on_removed = on_flow_removed;
	ofa_telemetry_register();
	for (uint16_t s = 1; s <= ONVM_MAX_SERVICES; s++)
		if (m->shm->services[s].num_instances)
			a->services_up |= 1ULL << (s - 1);
	if (m->cfg.of_listen && open_listener(a) < 0)
		return -1;
	if (m->cfg.of_controller)
		printf("onvm_mgr: openflow: controller %s (datapath id %016llx)\n",
		       m->cfg.of_controller, (unsigned long long)a->dpid);
	fflush(stdout);
	/* A control thread runs on the CPUs the EAL lcores leave free: with
	 * -l 0 the busy-polling data path would otherwise starve it of CPU 0
	 * and controllers would wait seconds for replies. */
	if (rte_ctrl_thread_create(&a->thread, "onvm_openflow", NULL, agent_main, a) != 0)
		return -1;
	a->running = true;
	return 0;
}

void
of_agent_stop(struct mgr *m)
{
	struct of_agent *a = &g_ofa;

	(void)m;
	a->stop = true;
	if (a->running)
		pthread_join(a->thread, NULL);
	a->running = false;
	for (int i = 0; i < OFA_MAX_CONNS; i++)
		if (a->conns[i])
			conn_close(a, i);
	if (a->listen_fd >= 0)
		close(a->listen_fd);
	a->listen_fd = -1;
}

void
of_agent_free(struct mgr *m)
{
	struct of_agent *a = &g_ofa;

	(void)m;
	free(a->harvested);
	a->harvested = NULL;
	ofs_destroy(&a->sw);
	ofdp_io_free(); /* PACKET_OUT frames not yet sent go back to the pool */
}
