/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_fwd: what the load balancer does to one frame. Inbound packets to a
 * VIP:port go to the connection's backend (remembered, else chosen by
 * Maglev on the flow hash) with destination rewritten; a backend's replies
 * get their source rewritten back to the VIP:port; everything else is left
 * alone. MACs are never touched: a router downstream sets them.
 */
#ifndef LB_FWD_H
#define LB_FWD_H

#include <stdint.h>

#include "lb_config.h"
#include "lb_conn.h"
#include "lb_vip.h"

enum lb_verdict {
	LB_V_PASS = 0,       /* not for a VIP nor from a tracked backend: unchanged */
	LB_V_TO_BACKEND,     /* inbound, destination now a backend */
	LB_V_TO_CLIENT,      /* reply, source now the VIP */
	LB_V_DROP_FRAGMENT,  /* fragment to a VIP: no ports to balance on */
	LB_V_DROP_MALFORMED, /* to a VIP, L4 header cut short */
};

/* Things that happened on the way, as bits of *events. */
enum lb_event {
	LB_EV_NEW_CONN   = 1u << 0, /* a connection met for the first time */
	LB_EV_TABLE_FULL = 1u << 1, /* ... and could not be remembered */
	LB_EV_CONFLICT   = 1u << 2, /* ... its reply 5-tuple belongs to another */
};

struct lb_fwd {
	struct lb_vips vips;
	struct lb_conn_table *conns;
	struct lb_conn_timeouts timeouts; /* in the units of `now` */
	uint64_t clock_hz;                /* units of `now` per second; 0: ns */
};

/*
 * One frame, which came in flow-hash bucket `bucket` (onvm_nflib_state.h):
 * a new connection remembers it as its inbound bucket, a reply as its reply
 * bucket, so the connection can move to another instance.
 */
enum lb_verdict lb_fwd_packet(struct lb_fwd *f, uint8_t *frame, uint32_t len, uint64_t now,
			      uint16_t bucket, uint32_t *events);

/*
 * Swap in a new set of services (a validated config). Connections stay in
 * the table and keep their backends, even one no longer in its pool, until
 * they go idle. Returns -1 (old services kept) when out of memory.
 */
int lb_fwd_set_services(struct lb_fwd *f, const struct lb_config *cfg);

#endif /* LB_FWD_H */
