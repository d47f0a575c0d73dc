/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OpenFlow agent thread (of_agent.h): the listening socket and the
 * controller connection, asynchronous messages (PACKET_IN from the data
 * lcores' ring, FLOW_REMOVED, PORT_STATUS) and timeouts. Everything here
 * is non-blocking: one poll() with a short timeout, so PACKET_INs leave
 * within a few milliseconds and a stop is seen at once. The switch lock
 * is taken for what touches the switch, never around a socket call.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "of_agent_conn.h"
#include "of_agent_priv.h"

#define POLL_MS 2
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 4000
#define EXPIRE_EVERY_MS 250
#define PIN_BURST 64

struct of_agent g_ofa = { .listen_fd = -1 };

uint64_t
ofa_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
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

/* --of-dpid: "0x..." or hex digits with a-f is hex, else decimal. */
static int
parse_dpid(const char *s, uint64_t *dpid)
{
	char *end;
	bool hex = strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0 ||
		   strpbrk(s, "abcdefABCDEF") != NULL;

	errno = 0;
	*dpid = strtoull(s, &end, hex ? 16 : 10);
	return *s && *end == '\0' && errno == 0 ? 0 : -1;
}

/* Any service id the host is sized for may be an output, even before
 * its first NF runs (packets then count as no_instance drops), so a
 * controller can install flows ahead of the NFs. */
static bool
port_exists(void *ctx, uint32_t port)
{
	const struct of_agent *a = ctx;

	return ofdp_env_dpdk_port(&a->cfg.env, port) || ofdp_env_service_port(&a->cfg.env, port);
}

int
of_agent_init(const struct ofa_config *cfg, const struct ofa_host *host)
{
	struct of_agent *a = &g_ofa;
	struct sockaddr_in sa;

	a->cfg = *cfg;
	a->host = *host;
	a->listen_fd = -1;
	pthread_mutex_init(&a->lock, NULL);
	if (cfg->listen && parse_endpoint(cfg->listen, false, &sa) < 0) {
		fprintf(stderr, "onvm_mgr: --of-listen '%s': expected [IP:]PORT\n", cfg->listen);
		return -1;
	}
	if (cfg->controller && parse_endpoint(cfg->controller, true, &sa) < 0) {
		fprintf(stderr, "onvm_mgr: --of-controller '%s': expected IP:PORT\n",
			cfg->controller);
		return -1;
	}
	a->dpid = cfg->default_dpid;
	if (cfg->dpid && parse_dpid(cfg->dpid, &a->dpid) < 0) {
		fprintf(stderr, "onvm_mgr: --of-dpid '%s': expected a hex or decimal number\n",
			cfg->dpid);
		return -1;
	}
	if (ofs_init(&a->sw, OFDP_N_TABLES, OFDP_MAX_FLOWS, 1024) < 0 ||
	    ofdp_io_init(&a->io, (int)rte_socket_id()) < 0) {
		fprintf(stderr, "onvm_mgr: openflow: out of memory\n");
		return -1;
	}
	a->cfg.env.io = &a->io;
	a->sw.port_exists = port_exists;
	a->sw.ctx = a;
	ofa_ops_init(a);
	ofdp_refresh_links(&a->cfg.env);
	return 0;
}

struct ofdp_io *
of_agent_io(void)
{
	return &g_ofa.io;
}

/* ---- the listening socket and the controller connection ---- */

static void
conn_start(struct ofa_conn *c)
{
	of_session_start(&c->s, &c->out);
}

static void
close_conn(struct of_agent *a, const struct ofa_conn *c)
{
	for (int i = 0; i < OFA_MAX_CONNS; i++)
		if (a->conns[i] == c)
			ofa_conn_close(a, i);
}

static int
open_listener(struct of_agent *a)
{
	struct sockaddr_in sa;
	int one = 1;

	parse_endpoint(a->cfg.listen, false, &sa);
	a->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->listen_fd < 0)
		return -1;
	setsockopt(a->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(a->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(a->listen_fd, 8) < 0) {
		fprintf(stderr, "onvm_mgr: --of-listen %s: %s\n", a->cfg.listen, strerror(errno));
		close(a->listen_fd);
		a->listen_fd = -1;
		return -1;
	}
	printf("onvm_mgr: openflow: listening on %s (datapath id %016llx)\n", a->cfg.listen,
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
	c = ofa_conn_new(a, fd, false);
	if (c == NULL) {
		close(fd);
		return;
	}
	conn_start(c);
	if (!ofa_conn_flush(c))
		close_conn(a, c);
}

static struct ofa_conn *
controller_conn(struct of_agent *a)
{
	for (int i = 0; i < OFA_MAX_CONNS; i++)
		if (a->conns[i] && a->conns[i]->active)
			return a->conns[i];
	return NULL;
}

static void
backoff(struct of_agent *a, uint64_t now)
{
	a->ctrl_backoff_ms = a->ctrl_backoff_ms ? a->ctrl_backoff_ms * 2 : BACKOFF_MIN_MS;
	if (a->ctrl_backoff_ms > BACKOFF_MAX_MS)
		a->ctrl_backoff_ms = BACKOFF_MAX_MS;
	a->ctrl_next_try_ms = now + a->ctrl_backoff_ms;
}

/* Active side: (re)connect, with backoff 100 ms doubling to 4 s. */
static void
controller_tick(struct of_agent *a, uint64_t now)
{
	struct sockaddr_in sa;
	struct ofa_conn *c;
	int fd;

	if (a->cfg.controller == NULL || controller_conn(a) || now < a->ctrl_next_try_ms)
		return;
	parse_endpoint(a->cfg.controller, true, &sa);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		close(fd);
		backoff(a, now);
		return;
	}
	c = ofa_conn_new(a, fd, true);
	if (c == NULL) {
		close(fd);
		backoff(a, now);
		return;
	}
	c->connecting = true;
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
	printf("onvm_mgr: openflow: connected to controller %s\n", a->cfg.controller);
	fflush(stdout);
	a->ctrl_backoff_ms = 0;
	conn_start(c);
	return ofa_conn_flush(c);
}

static void
close_with_backoff(struct of_agent *a, int i, uint64_t now)
{
	bool active = a->conns[i]->active;

	ofa_conn_close(a, i);
	if (active)
		backoff(a, now);
}

/* ---- asynchronous messages ---- */

static void
flush_all(struct of_agent *a)
{
	for (int i = 0; i < OFA_MAX_CONNS; i++)
		if (a->conns[i] && !a->conns[i]->connecting && ofa_conn_pending(a->conns[i]) &&
		    !ofa_conn_flush(a->conns[i]))
			close_with_backoff(a, i, ofa_now_ms());
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
	unsigned int n = rte_ring_sc_dequeue_burst(a->io.pin_ring, objs, PIN_BURST, NULL);

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
		rte_mempool_put(a->io.pin_pool, pm);
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
	uint64_t up = a->host.services_up(a->host.ctx);
	uint64_t changed = up ^ a->services_up;

	a->services_up = up;
	for (uint16_t s = 1; changed && s <= 64; s++) {
		struct ofp_port_info p;

		if (!(changed >> (s - 1) & 1))
			continue;
		a->host.service_port(a->host.ctx, s, &p);
		for (int i = 0; i < OFA_MAX_CONNS; i++)
			if (session_ready(a->conns[i]))
				of_session_port_status(&a->conns[i]->s, &a->conns[i]->out,
						       (up >> (s - 1) & 1) ? OFPPR_ADD
									   : OFPPR_DELETE,
						       &p);
	}
}

/* Flow timeouts and fast-failover link states, every EXPIRE_EVERY_MS. */
static void
housekeeping(struct of_agent *a, uint64_t now)
{
	if (now < a->next_expire_ms)
		return;
	ofa_lock_agent(a);
	ofa_harvest(a);
	ofdp_refresh_links(&a->cfg.env);
	ofs_expire(&a->sw, now);
	ofa_publish(a, false);
	ofa_unlock(a);
	a->next_expire_ms = now + EXPIRE_EVERY_MS;
}

/* ---- the thread ---- */

static void
agent_iteration(struct of_agent *a)
{
	struct pollfd p[OFA_MAX_CONNS + 1];
	int map[OFA_MAX_CONNS + 1], np = 0;
	uint64_t now = ofa_now_ms();
	bool backlog = false;

	controller_tick(a, now);
	if (a->listen_fd >= 0) {
		p[np] = (struct pollfd){ a->listen_fd, POLLIN, 0 };
		map[np++] = -1;
	}
	for (int i = 0; i < OFA_MAX_CONNS; i++) {
		struct ofa_conn *c = a->conns[i];
		short ev;

		if (c == NULL)
			continue;
		ev = c->connecting ? POLLOUT : (short)(POLLIN | (ofa_conn_pending(c) ? POLLOUT : 0));
		p[np] = (struct pollfd){ c->fd, ev, 0 };
		map[np++] = i;
		backlog |= !c->connecting && ofa_conn_backlog(c);
	}
	/* Messages still buffered: no waiting, every connection gets a turn. */
	int ready = poll(p, (nfds_t)np, backlog ? 0 : POLL_MS);

	for (int k = 0; (ready > 0 || backlog) && k < np; k++) {
		int i = map[k];

		if (p[k].revents == 0 &&
		    (i < 0 || a->conns[i]->connecting || !ofa_conn_backlog(a->conns[i])))
			continue;
		if (i < 0) {
			accept_one(a);
			continue;
		}
		struct ofa_conn *c = a->conns[i];
		bool ok;

		if (c->connecting)
			ok = controller_connected(a, c);
		else if ((p[k].revents & (POLLIN | POLLERR | POLLHUP)) || ofa_conn_backlog(c))
			ok = ofa_conn_input(a, c);
		else
			ok = ofa_conn_flush(c);
		if (!ok)
			close_with_backoff(a, i, now);
	}
	drain_packet_in(a);
	poll_services(a);
	if (ofa_publish_due(a)) {
		ofa_lock_agent(a);
		ofa_publish(a, false);
		ofa_unlock(a);
	}
	housekeeping(a, now);
	flush_all(a);
}

static void *
agent_main(void *arg)
{
	struct of_agent *a = arg;

	while (!a->stop)
		agent_iteration(a);
	return NULL;
}

int
of_agent_start(void)
{
	struct of_agent *a = &g_ofa;

	a->sw.on_removed = on_flow_removed;
	a->services_up = a->host.services_up(a->host.ctx);
	if (a->cfg.listen && open_listener(a) < 0)
		return -1;
	if (a->cfg.controller)
		printf("onvm_mgr: openflow: controller %s (datapath id %016llx)\n",
		       a->cfg.controller, (unsigned long long)a->dpid);
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
of_agent_stop(void)
{
	struct of_agent *a = &g_ofa;

	a->stop = true;
	if (a->running)
		pthread_join(a->thread, NULL);
	a->running = false;
	for (int i = 0; i < OFA_MAX_CONNS; i++)
		if (a->conns[i])
			ofa_conn_close(a, i);
	if (a->listen_fd >= 0)
		close(a->listen_fd);
	a->listen_fd = -1;
}

void
of_agent_free(void)
{
	struct of_agent *a = &g_ofa;

	free(a->harvested);
	a->harvested = NULL;
	ofdp_table_free(a->published); /* the host stopped using it */
	a->published = NULL;
	ofs_destroy(&a->sw);
	ofdp_io_free(&a->io);
}
