/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_conn: the connection table that gives each connection its backend for
 * life, whatever happens to the pool (a reload rebuilds the Maglev tables,
 * not this table).
 *
 * One rte_hash holds two keys per connection, each the 5-tuple as a packet
 * carries it: client -> VIP (inbound) and backend -> client (replies). Both
 * map to one entry in a fixed pool, so the table is bounded: when the pool is
 * empty new connections are still balanced, by Maglev alone, just not
 * remembered. Entries idle longer than their protocol's timeout are reaped a
 * slice at a time by lb_conn_expire(), called off the per-packet path.
 *
 * Single-threaded: one NF thread owns a table.
 */
#ifndef LB_CONN_H
#define LB_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LB_CONN_F_USED    0x01
#define LB_CONN_F_CLOSING 0x02 /* FIN or RST seen: short timeout */

struct lb_conn {
	uint32_t client_ip, vip, backend_ip; /* host order */
	uint16_t client_port, vport, backend_port;
	uint8_t proto;
	uint8_t flags;
	/* The flow-hash buckets (onvm_nflib_state.h) of the two directions:
	 * inbound (client -> VIP) and reply (backend -> client). */
	uint16_t bucket_in, bucket_reply;
	uint64_t last_seen; /* caller's clock units */
};

/* Idle limits in the caller's clock units (e.g. TSC cycles). */
struct lb_conn_timeouts {
	uint64_t tcp;
	uint64_t udp;
	uint64_t closing; /* TCP after FIN/RST */
};

struct lb_conn_table;

/* Needs EAL (rte_hash). `name` must be unique in this EAL. NULL on failure. */
struct lb_conn_table *lb_conn_create(const char *name, uint32_t max_conns, int socket_id);
void lb_conn_free(struct lb_conn_table *t);

/* The connection an inbound packet (client -> VIP) belongs to, or NULL. */
struct lb_conn *lb_conn_find_inbound(struct lb_conn_table *t, uint32_t client_ip,
				     uint16_t client_port, uint32_t vip, uint16_t vport,
				     uint8_t proto);

/* The connection a reply (backend -> client) belongs to, or NULL. */
struct lb_conn *lb_conn_find_reply(struct lb_conn_table *t, uint32_t backend_ip,
				   uint16_t backend_port, uint32_t client_ip, uint16_t client_port,
				   uint8_t proto);

enum lb_conn_add_result {
	LB_CONN_ADDED = 0,
	LB_CONN_FULL,     /* pool exhausted */
	LB_CONN_CONFLICT, /* another connection already owns the reply 5-tuple */
};

/* Remember c (flags and last_seen as given). */
enum lb_conn_add_result lb_conn_add(struct lb_conn_table *t, const struct lb_conn *c);

/*
 * Mark activity. A TCP FIN or RST moves the connection to the short timeout;
 * a fresh SYN on the same 5-tuple (port reuse) brings it back.
 */
static inline void
lb_conn_touch(struct lb_conn *c, uint64_t now, uint8_t tcp_flags)
{
	c->last_seen = now;
	if (tcp_flags & 0x05) /* FIN | RST */
		c->flags |= LB_CONN_F_CLOSING;
	else if ((tcp_flags & 0x12) == 0x02) /* SYN without ACK */
		c->flags &= (uint8_t)~LB_CONN_F_CLOSING;
}

/*
 * Look at up to `budget` pool entries (round robin) and remove those idle
 * past their timeout. Returns how many were removed.
 */
uint32_t lb_conn_expire(struct lb_conn_table *t, uint64_t now, const struct lb_conn_timeouts *to,
			uint32_t budget);

/* Pool entry i (< capacity), or NULL when unused: for walks off the packet path. */
struct lb_conn *lb_conn_slot(struct lb_conn_table *t, uint32_t i);

/* The pool position of c, an entry of t. */
uint32_t lb_conn_index(const struct lb_conn_table *t, const struct lb_conn *c);

/* Forget c (an entry of t), both its keys. */
void lb_conn_remove(struct lb_conn_table *t, struct lb_conn *c);

/* After c's buckets changed (or c was overwritten): its bucket lists. */
void lb_conn_relink(struct lb_conn_table *t, struct lb_conn *c);

/*
 * The entries of a flow-hash bucket, by the bucket of their inbound
 * direction (reply false) or of their replies (true): pool positions from
 * first to LB_CONN_END. Read next before removing an entry.
 */
#define LB_CONN_END UINT32_MAX
uint32_t lb_conn_bucket_first(const struct lb_conn_table *t, bool reply, uint16_t bucket);
uint32_t lb_conn_bucket_next(const struct lb_conn_table *t, bool reply, uint32_t idx);

/* One import (lb_state.c): begin, then mark each entry it writes; false:
 * already written by this import (a duplicate record). O(1), no clearing. */
void lb_conn_import_begin(struct lb_conn_table *t);
bool lb_conn_import_mark(struct lb_conn_table *t, uint32_t idx);

uint32_t lb_conn_count(const struct lb_conn_table *t);
uint32_t lb_conn_capacity(const struct lb_conn_table *t);

#endif /* LB_CONN_H */
