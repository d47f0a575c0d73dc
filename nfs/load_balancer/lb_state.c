/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_state: connections to and from a blob (semantics in lb_state.h).
 *
 * After the common header (common/state_blob.h: kind LOAD_BALANCER,
 * version 1, param 0) come `flows` records of LB_REC_LEN bytes, network
 * order:
 *
 *   off size
 *     0   4  client_ip
 *     4   4  vip
 *     8   4  backend_ip
 *    12   2  client_port
 *    14   2  vport
 *    16   2  backend_port
 *    18   1  proto         6 or 17
 *    19   1  closing       0, or 1 after FIN/RST
 *    20   2  bucket_in     < ONVM_STATE_BUCKETS
 *    22   2  bucket_reply  < ONVM_STATE_BUCKETS
 *    24   8  idle_ns       how long it had been idle at export
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bucket_list.h"
#include "byte_order.h"
#include "lb_state.h"
#include "onvm_nflib_state.h"
#include "state_blob.h"

#define LB_BLOB_VERSION 1
#define LB_REC_LEN 32
#define NS_PER_S 1000000000ull

static uint64_t
hz_of(const struct lb_fwd *f)
{
	return f->clock_hz != 0 ? f->clock_hz : NS_PER_S;
}

/* a * b / c without overflow, saturated at UINT64_MAX. */
static uint64_t
scale(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 r = (unsigned __int128)a * b / c;

	return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

static void
put_record(uint8_t *p, const struct lb_conn *c, uint64_t idle_ns)
{
	be32_store(p, c->client_ip);
	be32_store(p + 4, c->vip);
	be32_store(p + 8, c->backend_ip);
	be16_store(p + 12, c->client_port);
	be16_store(p + 14, c->vport);
	be16_store(p + 16, c->backend_port);
	p[18] = c->proto;
	p[19] = (c->flags & LB_CONN_F_CLOSING) ? 1 : 0;
	be16_store(p + 20, c->bucket_in);
	be16_store(p + 22, c->bucket_reply);
	be64_store(p + 24, idle_ns);
}

long
lb_state_export(struct lb_fwd *f, const struct onvm_bucket_set *b, uint64_t now, uint8_t *blob,
		size_t cap, uint32_t *flows)
{
	struct state_blob_hdr h = { .version = LB_BLOB_VERSION, .kind = STATE_BLOB_LOAD_BALANCER };
	size_t off = STATE_BLOB_HDR_LEN;

	*flows = 0;
	if (cap < STATE_BLOB_HDR_LEN)
		return -1;
	/* The entries of the asked buckets, from their lists: by the inbound
	 * bucket, then by the reply bucket those whose inbound one was not
	 * asked (so each entry once). */
	for (int reply = 0; reply <= 1; reply++) {
		unsigned int word = 0;
		uint64_t bits = b->bits[0];
		int bucket;

		while ((bucket = bucket_set_next(b->bits, ONVM_STATE_BUCKET_WORDS, &word, &bits)) >=
		       0) {
			for (uint32_t i = lb_conn_bucket_first(f->conns, reply, (uint16_t)bucket);
			     i != LB_CONN_END; i = lb_conn_bucket_next(f->conns, reply, i)) {
				const struct lb_conn *c = lb_conn_slot(f->conns, i);

				if (reply && onvm_bucket_set_has(b, c->bucket_in))
					continue;
				if (cap - off < LB_REC_LEN)
					return -1;
				put_record(blob + off, c,
					   scale(now > c->last_seen ? now - c->last_seen : 0,
						 NS_PER_S, hz_of(f)));
				off += LB_REC_LEN;
				h.flows++;
			}
		}
	}
	if (off > UINT32_MAX)
		return -1;
	h.length = (uint32_t)off;
	state_blob_put_hdr(blob, &h);
	*flows = h.flows;
	return (long)off;
}

static bool
backend_in_pool(const struct lb_vip_svc *svc, uint32_t ip, uint16_t port)
{
	for (uint16_t i = 0; i < svc->n_backends; i++)
		if (svc->backends[i].ip == ip && svc->backends[i].port == port)
			return true;
	return false;
}

/* One record into c, or -1 when out of range or not a connection this
 * instance's services could have. */
static int
get_record(const struct lb_fwd *f, const uint8_t *p, uint64_t now, struct lb_conn *c)
{
	const struct lb_vip_svc *svc;
	uint64_t idle;

	memset(c, 0, sizeof(*c));
	c->client_ip = be32_load(p);
	c->vip = be32_load(p + 4);
	c->backend_ip = be32_load(p + 8);
	c->client_port = be16_load(p + 12);
	c->vport = be16_load(p + 14);
	c->backend_port = be16_load(p + 16);
	c->proto = p[18];
	c->bucket_in = be16_load(p + 20);
	c->bucket_reply = be16_load(p + 22);
	if (c->proto != 6 && c->proto != 17)
		return -1;
	if (p[19] > 1 || c->bucket_in >= ONVM_STATE_BUCKETS ||
	    c->bucket_reply >= ONVM_STATE_BUCKETS)
		return -1;
	c->flags = p[19] ? LB_CONN_F_CLOSING : 0;
	svc = lb_vips_find(&f->vips, c->vip, c->proto, c->vport);
	if (svc == NULL || !backend_in_pool(svc, c->backend_ip, c->backend_port))
		return -1;
	idle = scale(be64_load(p + 24), hz_of(f), NS_PER_S);
	c->last_seen = idle < now ? now - idle : 0;
	return 0;
}

struct undo {
	uint32_t idx;
	bool existed;
	struct lb_conn old;
};

static void
undo_import(struct lb_conn_table *t, const struct undo *u, uint32_t n)
{
	while (n-- > 0) {
		struct lb_conn *c = lb_conn_slot(t, u[n].idx);

		if (u[n].existed) {
			*c = u[n].old;
			lb_conn_relink(t, c);
		} else
			lb_conn_remove(t, c);
	}
}

int
lb_state_import(struct lb_fwd *f, const uint8_t *blob, size_t len, uint64_t now,
		uint32_t *flows)
{
	struct state_blob_hdr h;
	struct undo *log = NULL;
	struct lb_conn c;
	uint32_t i, done = 0;

	*flows = 0;
	if (state_blob_check(blob, len, STATE_BLOB_LOAD_BALANCER, LB_BLOB_VERSION, &h) < 0 ||
	    (uint64_t)h.flows * LB_REC_LEN != len - STATE_BLOB_HDR_LEN)
		return -1;
	for (i = 0; i < h.flows; i++)
		if (get_record(f, blob + STATE_BLOB_HDR_LEN + (size_t)i * LB_REC_LEN, now, &c) < 0)
			return -1;
	if (h.flows == 0)
		return 0;
	if (h.flows > lb_conn_capacity(f->conns))
		return -1;
	log = malloc(sizeof(*log) * h.flows);
	if (log == NULL)
		goto refuse;
	lb_conn_import_begin(f->conns);
	for (i = 0; i < h.flows; i++) {
		struct lb_conn *in, *out;

		get_record(f, blob + STATE_BLOB_HDR_LEN + (size_t)i * LB_REC_LEN, now, &c);
		in = lb_conn_find_inbound(f->conns, c.client_ip, c.client_port, c.vip, c.vport,
					  c.proto);
		out = lb_conn_find_reply(f->conns, c.backend_ip, c.backend_port, c.client_ip,
					 c.client_port, c.proto);
		if (in != NULL || out != NULL) {
			/* Only the very same connection may be here already (then
			 * the blob's state replaces it); anything else contradicts it. */
			if (in != out || !lb_conn_import_mark(f->conns, lb_conn_index(f->conns, in)))
				goto refuse;
			log[done] = (struct undo){ .idx = lb_conn_index(f->conns, in),
						   .existed = true, .old = *in };
			c.flags |= LB_CONN_F_USED;
			*in = c;
			lb_conn_relink(f->conns, in);
		} else {
			if (lb_conn_add(f->conns, &c) != LB_CONN_ADDED)
				goto refuse;
			in = lb_conn_find_inbound(f->conns, c.client_ip, c.client_port, c.vip,
						  c.vport, c.proto);
			log[done] = (struct undo){ .idx = lb_conn_index(f->conns, in),
						   .existed = false };
			lb_conn_import_mark(f->conns, log[done].idx);
		}
		done++;
	}
	free(log);
	*flows = h.flows;
	return 0;
refuse:
	if (log != NULL)
		undo_import(f->conns, log, done);
	free(log);
	return -1;
}

uint32_t
lb_state_drop(struct lb_fwd *f, const struct onvm_bucket_set *b)
{
	uint32_t n = 0;

	/* By either direction's bucket: after the inbound lists, an entry
	 * still on a reply list of the set has its inbound bucket outside it. */
	for (int reply = 0; reply <= 1; reply++) {
		unsigned int word = 0;
		uint64_t bits = b->bits[0];
		int bucket;

		while ((bucket = bucket_set_next(b->bits, ONVM_STATE_BUCKET_WORDS, &word, &bits)) >=
		       0) {
			uint32_t i = lb_conn_bucket_first(f->conns, reply, (uint16_t)bucket), next;

			for (; i != LB_CONN_END; i = next) {
				next = lb_conn_bucket_next(f->conns, reply, i);
				lb_conn_remove(f->conns, lb_conn_slot(f->conns, i));
				n++;
			}
		}
	}
	return n;
}
