/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_ct_state: the connection table's entries as a blob, to move the
 * connections of some flow-hash buckets to another instance.
 *
 * After the common header (common/state_blob.h: kind FIREWALL, version 1,
 * param 0) come `flows` records of FW_REC_LEN bytes, network order:
 *
 *   off size
 *     0   4  ip_lo        the normalized key: (ip_lo, port_lo) <= (ip_hi, port_hi)
 *     4   4  ip_hi
 *     8   2  port_lo      0 unless TCP, UDP or SCTP
 *    10   2  port_hi
 *    12   1  proto
 *    13   1  state        1 open, 2 closing
 *    14   1  fins         bit 0 FIN from the originator, bit 1 from the other side; TCP only
 *    15   1  orig         which endpoint opened it: 0 the lo one, 1 the hi one
 *    16   2  bucket       < ONVM_STATE_BUCKETS
 *    18   2  zero
 *    20   8  expires_ns   absolute, the host's wall clock in ns
 *
 * Import checks every record before touching the table, then inserts with
 * an undo log: a full table (or rte_hash finding no slot) undoes what was
 * done, so a refused blob leaves the table as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "byte_order.h"
#include "fw_ct_internal.h"
#include "onvm_nflib_state.h"
#include "state_blob.h"

#define FW_BLOB_VERSION 1
#define FW_REC_LEN 28

static void
put_record(uint8_t *p, const struct fw_conn *c)
{
	bool orig_hi = !(c->orig_src_ip == c->key.ip_lo && c->orig_src_port == c->key.port_lo);

	be32_store(p, c->key.ip_lo);
	be32_store(p + 4, c->key.ip_hi);
	be16_store(p + 8, c->key.port_lo);
	be16_store(p + 10, c->key.port_hi);
	p[12] = c->key.proto;
	p[13] = c->state;
	p[14] = c->fins;
	p[15] = orig_hi;
	be16_store(p + 16, c->bucket);
	be16_store(p + 18, 0);
	be64_store(p + 20, c->expires_ns);
}

long
fw_ct_export(const struct fw_conntrack *ct, const struct onvm_bucket_set *b, uint8_t *blob,
	     size_t cap, uint32_t *flows)
{
	struct state_blob_hdr h = { .version = FW_BLOB_VERSION, .kind = STATE_BLOB_FIREWALL };
	size_t off = STATE_BLOB_HDR_LEN;
	unsigned int word = 0;
	uint64_t bits = b->bits[0];
	int bucket;

	*flows = 0;
	if (cap < STATE_BLOB_HDR_LEN)
		return -1;
	/* The flows of the asked buckets only, from their lists. */
	while (ct != NULL &&
	       (bucket = bucket_set_next(b->bits, ONVM_STATE_BUCKET_WORDS, &word, &bits)) >= 0) {
		for (uint32_t s = bucket_list_first(ct->by_bucket, (uint16_t)bucket);
		     s != BUCKET_LIST_END; s = bucket_list_next(ct->by_bucket, s)) {
			if (cap - off < FW_REC_LEN)
				return -1;
			put_record(blob + off, &ct->conns[s]);
			off += FW_REC_LEN;
			h.flows++;
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
has_ports(uint8_t proto)
{
	return proto == PKT_PROTO_TCP || proto == PKT_PROTO_UDP || proto == PKT_PROTO_SCTP;
}

/* One record into c (its key padded with zeros), or -1 when out of range. */
static int
get_record(const uint8_t *p, uint64_t now_ns, const struct fw_ct_timeouts *to,
	   struct fw_conn *c)
{
	uint64_t limit;

	memset(c, 0, sizeof(*c));
	c->key.ip_lo = be32_load(p);
	c->key.ip_hi = be32_load(p + 4);
	c->key.port_lo = be16_load(p + 8);
	c->key.port_hi = be16_load(p + 10);
	c->key.proto = p[12];
	c->state = p[13];
	c->fins = p[14];
	c->bucket = be16_load(p + 16);
	c->expires_ns = be64_load(p + 20);
	if (c->key.ip_lo > c->key.ip_hi ||
	    (c->key.ip_lo == c->key.ip_hi && c->key.port_lo > c->key.port_hi))
		return -1; /* not normalized: no packet would ever find it */
	if (!has_ports(c->key.proto) && (c->key.port_lo != 0 || c->key.port_hi != 0))
		return -1;
	if (c->state != CT_OPEN && c->state != CT_CLOSING)
		return -1;
	if (c->fins > (CT_FIN_ORIG | CT_FIN_REPLY) ||
	    (c->fins != 0 && c->key.proto != PKT_PROTO_TCP))
		return -1;
	if (p[15] > 1 || c->bucket >= ONVM_STATE_BUCKETS || be16_load(p + 18) != 0)
		return -1;
	c->orig_src_ip = p[15] ? c->key.ip_hi : c->key.ip_lo;
	c->orig_src_port = p[15] ? c->key.port_hi : c->key.port_lo;
	/* This table's timeouts bound how long an entry may still live. */
	if (c->state == CT_CLOSING)
		limit = to->close_ns;
	else
		limit = c->key.proto == PKT_PROTO_TCP ? to->tcp_ns : to->udp_ns;
	if (now_ns <= UINT64_MAX - limit && c->expires_ns > now_ns + limit)
		c->expires_ns = now_ns + limit;
	return 0;
}

struct undo {
	int32_t pos;
	bool existed;
	struct fw_conn old;
};

static void
undo_import(struct fw_conntrack *ct, const struct undo *u, uint32_t n)
{
	while (n-- > 0) {
		struct fw_conn *c = &ct->conns[u[n].pos];

		if (u[n].existed) {
			*c = u[n].old;
			bucket_list_link(ct->by_bucket, (uint32_t)u[n].pos, c->bucket);
		} else {
			rte_hash_del_key(ct->hash, &c->key);
			bucket_list_unlink(ct->by_bucket, (uint32_t)u[n].pos);
			c->state = CT_FREE;
			ct->stats.in_use--;
		}
	}
}

int
fw_ct_import(struct fw_conntrack *ct, const uint8_t *blob, size_t len, uint64_t now_ns,
	     const struct fw_ct_timeouts *to, uint32_t *flows)
{
	struct state_blob_hdr h;
	struct undo *log = NULL;
	struct fw_conn c;
	uint32_t i, done = 0;

	*flows = 0;
	if (state_blob_check(blob, len, STATE_BLOB_FIREWALL, FW_BLOB_VERSION, &h) < 0 ||
	    (uint64_t)h.flows * FW_REC_LEN != len - STATE_BLOB_HDR_LEN)
		return -1;
	for (i = 0; i < h.flows; i++)
		if (get_record(blob + STATE_BLOB_HDR_LEN + (size_t)i * FW_REC_LEN, now_ns, to,
			       &c) < 0)
			return -1;
	if (h.flows == 0)
		return 0;
	if (ct == NULL || h.flows > ct->stats.capacity)
		return -1;
	log = malloc(sizeof(*log) * h.flows);
	if (log == NULL)
		goto refuse;
	/* A slot this import wrote, met again: a duplicate record. */
	if (++ct->import_gen == 0) {
		memset(ct->import_mark, 0, sizeof(*ct->import_mark) * ct->nslots);
		ct->import_gen = 1;
	}
	for (i = 0; i < h.flows; i++) {
		int32_t pos;

		get_record(blob + STATE_BLOB_HDR_LEN + (size_t)i * FW_REC_LEN, now_ns, to, &c);
		pos = rte_hash_lookup(ct->hash, &c.key);
		if (pos >= 0) {
			if (ct->import_mark[pos] == ct->import_gen)
				goto refuse;
			log[done] = (struct undo){ .pos = pos, .existed = true,
						   .old = ct->conns[pos] };
		} else {
			if (ct->stats.in_use >= ct->stats.capacity)
				goto refuse;
			pos = rte_hash_add_key(ct->hash, &c.key);
			if (pos < 0)
				goto refuse;
			log[done] = (struct undo){ .pos = pos, .existed = false };
			ct->stats.in_use++;
		}
		done++;
		ct->import_mark[pos] = ct->import_gen;
		ct->conns[pos] = c;
		bucket_list_link(ct->by_bucket, (uint32_t)pos, c.bucket);
	}
	free(log);
	*flows = h.flows;
	return 0;
refuse:
	if (log != NULL)
		undo_import(ct, log, done);
	free(log);
	return -1;
}

uint32_t
fw_ct_drop(struct fw_conntrack *ct, const struct onvm_bucket_set *b)
{
	unsigned int word = 0;
	uint64_t bits = b->bits[0];
	uint32_t n = 0;
	int bucket;

	while (ct != NULL &&
	       (bucket = bucket_set_next(b->bits, ONVM_STATE_BUCKET_WORDS, &word, &bits)) >= 0) {
		uint32_t s = bucket_list_first(ct->by_bucket, (uint16_t)bucket), next;

		for (; s != BUCKET_LIST_END; s = next) {
			struct fw_conn *c = &ct->conns[s];

			next = bucket_list_next(ct->by_bucket, s);
			rte_hash_del_key(ct->hash, &c->key);
			bucket_list_unlink(ct->by_bucket, s);
			c->state = CT_FREE;
			ct->stats.in_use--;
			n++;
		}
	}
	return n;
}
