/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_vip: the services of a config compiled for the fast path: a small hash
 * from (VIP, proto, port) to the service, each with its Maglev table. Pure C.
 * A reload builds a new lb_vips and swaps it in whole.
 */
#ifndef LB_VIP_H
#define LB_VIP_H

#include <stdbool.h>
#include <stdint.h>

#include "lb_config.h"
#include "lb_maglev.h"

struct lb_vip_svc {
	char name[LB_NAME_LEN];
	uint32_t vip;
	uint16_t port;
	uint8_t proto;
	uint16_t n_backends;
	struct lb_backend *backends;
	struct lb_maglev maglev;
	/* statistics, written by the one packet thread */
	uint64_t pkts_in;
	uint64_t new_conns;
	uint64_t *backend_conns; /* new connections sent to each backend */
};

struct lb_vips {
	uint32_t n;
	struct lb_vip_svc *svc;
	uint32_t mask;   /* index has mask + 1 slots */
	int32_t *index;  /* slot -> service number, -1 empty */
};

/* Compile cfg (already validated); 0, or -1 when out of memory. */
int lb_vips_build(struct lb_vips *v, const struct lb_config *cfg);
void lb_vips_free(struct lb_vips *v);

/* The service at VIP ip:port/proto (host order), or NULL. */
struct lb_vip_svc *lb_vips_find(const struct lb_vips *v, uint32_t ip, uint8_t proto,
				uint16_t port);

/* Whether ip is any service's VIP (slow: for the rare fragment). */
bool lb_vips_is_vip(const struct lb_vips *v, uint32_t ip);

#endif /* LB_VIP_H */
