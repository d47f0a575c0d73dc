/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofp_mini_switch PORT SECONDS [connect]: the codec, switch logic and
 * session behind a plain TCP listener on 127.0.0.1:PORT (or, with
 * "connect", connected to a controller listening there, as os-ken does),
 * for driving with a real
 * ovs-ofctl (ovs_interop.sh). Two "DPDK" ports (OpenFlow 1 and 2) and one
 * service port (1001, "firewall"); a few connections at once (ovs-ofctl
 * opens a second one while keeping the first); exits after SECONDS.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "of_session.h"

static const struct ofp_port_info ports[] = {
	{ .port_no = 1, .hw_addr = { 2, 0, 0, 0, 0, 1 }, .name = "dpdk0", .state = OFPPS_LIVE,
	  .curr = OFPPF_10GB_FD, .curr_speed = 10000000, .max_speed = 10000000 },
	{ .port_no = 2, .hw_addr = { 2, 0, 0, 0, 0, 2 }, .name = "dpdk1", .state = OFPPS_LIVE,
	  .curr = OFPPF_10GB_FD, .curr_speed = 10000000, .max_speed = 10000000 },
	{ .port_no = 1001, .name = "firewall", .state = OFPPS_LIVE },
};
#define N_PORTS (sizeof(ports) / sizeof(ports[0]))

static unsigned
port_list(void *ctx, struct ofp_port_info *out, unsigned max)
{
	unsigned n = N_PORTS < max ? N_PORTS : max;

	memcpy(out, ports, n * sizeof(*out));
	return n;
}

static bool
port_exists(void *ctx, uint32_t port)
{
	for (unsigned i = 0; i < N_PORTS; i++)
		if (ports[i].port_no == port)
			return true;
	return false;
}

static bool
port_stats(void *ctx, uint32_t port, struct ofp_port_stats_entry *e)
{
	e->rx_packets = port * 10;
	e->tx_packets = port * 20;
	return port_exists(ctx, port);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool
send_all(int fd, struct ofp_buf *out)
{
	size_t off = 0;

	while (off < out->len) {
		ssize_t n = send(fd, out->data + off, out->len - off, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		off += (size_t)n;
	}
	ofp_buf_reset(out);
	return true;
}

#define MAX_CLIENTS 8

struct client {
	int fd;
	size_t have;
	struct of_session s;
	struct ofp_buf out;
	uint8_t in[1 << 17];
};

static struct client clients[MAX_CLIENTS];

static void
client_close(struct client *c)
{
	ofp_buf_free(&c->out);
	close(c->fd);
	c->fd = -1;
}

/* Read what is there, answer every whole message; false: close. */
static bool
client_input(struct client *c, struct of_switch *sw)
{
	ssize_t n = recv(c->fd, c->in + c->have, sizeof(c->in) - c->have, 0);
	size_t off = 0, len;
	bool open = true;

	if (n <= 0)
		return false;
	c->have += (size_t)n;
	while (open) {
		if (ofp_frame_len(c->in + off, c->have - off, &len) != OFP_OK) {
			/* Unframeable: answer and close. */
			ofp_encode_error(&c->out, 0, OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN),
					 c->in + off, c->have - off);
			open = false;
			break;
		}
		if (len == 0 || len > c->have - off)
			break;
		open = of_session_handle(&c->s, c->in + off, len, now_ms(), &c->out);
		off += len;
	}
	memmove(c->in, c->in + off, c->have - off);
	c->have -= off;
	return send_all(c->fd, &c->out) && open;
}

int
main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s PORT SECONDS [connect]\n", argv[0]);
		return 2;
	}
	struct of_switch sw;
	struct of_datapath_ops ops = { .port_list = port_list, .port_stats = port_stats };
	uint64_t deadline = now_ms() + 1000ull * (uint64_t)atoi(argv[2]);
	int srv = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ofs_init(&sw, 4, 10000, 64);
	sw.port_exists = port_exists;
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	if (argc == 4) {
		/* Active: connect to the controller (retrying while it starts). */
		while (connect(srv, (struct sockaddr *)&a, sizeof(a)) < 0) {
			if (now_ms() >= deadline)
				return 1;
			close(srv);
			srv = socket(AF_INET, SOCK_STREAM, 0);
			usleep(100000);
		}
		printf("connected\n");
		fflush(stdout);
		clients[0].fd = srv;
		ofp_buf_init(&clients[0].out);
		of_session_init(&clients[0].s, &sw, &ops, 0x0000020000000001ull);
		of_session_start(&clients[0].s, &clients[0].out);
		send_all(srv, &clients[0].out);
		while (now_ms() < deadline && clients[0].fd >= 0) {
			struct pollfd p = { srv, POLLIN, 0 };
			if (poll(&p, 1, 200) > 0 && !client_input(&clients[0], &sw))
				client_close(&clients[0]);
			ofs_expire(&sw, now_ms());
		}
		ofs_destroy(&sw);
		return 0;
	}
	setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(srv, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(srv, 4) < 0) {
		perror("listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	while (now_ms() < deadline) {
		struct pollfd p[MAX_CLIENTS + 1] = { { srv, POLLIN, 0 } };
		int map[MAX_CLIENTS + 1], np = 1;

		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (clients[i].fd < 0)
				continue;
			p[np] = (struct pollfd){ clients[i].fd, POLLIN, 0 };
			map[np++] = i;
		}
		if (poll(p, (nfds_t)np, 200) <= 0)
			continue;
		for (int k = 1; k < np; k++) {
			struct client *c = &clients[map[k]];
			if ((p[k].revents & (POLLIN | POLLHUP | POLLERR)) && !client_input(c, &sw))
				client_close(c);
		}
		if (p[0].revents & POLLIN) {
			int fd = accept(srv, NULL, NULL);
			struct client *c = NULL;
			for (int i = 0; i < MAX_CLIENTS && fd >= 0; i++)
				if (clients[i].fd < 0) {
					c = &clients[i];
					break;
				}
			if (c == NULL) {
				if (fd >= 0)
					close(fd);
				continue;
			}
			c->fd = fd;
			c->have = 0;
			ofp_buf_init(&c->out);
			of_session_init(&c->s, &sw, &ops, 0x0000020000000001ull);
			of_session_start(&c->s, &c->out);
			if (!send_all(fd, &c->out))
				client_close(c);
		}
		ofs_expire(&sw, now_ms());
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_close(&clients[i]);
	ofs_destroy(&sw);
	close(srv);
	return 0;
}
