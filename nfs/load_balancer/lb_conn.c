/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>

#include "bucket_list.h"
#include "lb_conn.h"
#include "onvm_nflib_state.h"

_Static_assert(LB_CONN_END == BUCKET_LIST_END, "one end marker");

/* A packet's 5-tuple as it appears on the wire; dir tells the two key kinds apart. */
struct lb_conn_key {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
	uint8_t dir;
	uint8_t pad[2]; /* zero: the hash reads all 16 bytes */
};

enum { KEY_INBOUND = 0, KEY_REPLY = 1 };

struct lb_conn_table {
	struct rte_hash *hash;
	struct lb_conn *conns;
	uint32_t *free_idx; /* stack of unused pool entries */
	uint32_t n_free;
	uint32_t max;
	uint32_t scan_pos;
	/* The entries of each flow-hash bucket, by the bucket of either
	 * direction: export and drop walk the buckets asked, not the pool. */
	struct bucket_list *by_in, *by_reply;
	/* Import: entries written by the import of this generation. */
	uint32_t *import_mark;
	uint32_t import_gen;
};

static inline struct lb_conn_key
make_key(uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport, uint8_t proto, uint8_t dir)
{
	struct lb_conn_key k = { .src_ip = sip, .dst_ip = dip, .src_port = sport,
				 .dst_port = dport, .proto = proto, .dir = dir };
	return k;
}

struct lb_conn_table *
lb_conn_create(const char *name, uint32_t max_conns, int socket_id)
{
	struct lb_conn_table *t = calloc(1, sizeof(*t));
	struct rte_hash_parameters p = {
		.name = name,
		.entries = max_conns * 2,
		.key_len = sizeof(struct lb_conn_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket_id,
		/* buckets may overflow into a side table, so every one of the
		 * 2 * max_conns keys fits whatever the hash collisions */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	if (t == NULL || max_conns == 0)
		goto fail;
	t->max = max_conns;
	t->conns = calloc(max_conns, sizeof(*t->conns));
	t->free_idx = malloc(sizeof(*t->free_idx) * max_conns);
	t->by_in = bucket_list_create(max_conns, ONVM_STATE_BUCKETS);
	t->by_reply = bucket_list_create(max_conns, ONVM_STATE_BUCKETS);
	t->import_mark = calloc(max_conns, sizeof(*t->import_mark));
	if (t->conns == NULL || t->free_idx == NULL || t->by_in == NULL || t->by_reply == NULL ||
	    t->import_mark == NULL)
		goto fail;
	for (uint32_t i = 0; i < max_conns; i++)
		t->free_idx[i] = max_conns - 1 - i;
	t->n_free = max_conns;
	t->hash = rte_hash_create(&p);
	if (t->hash == NULL)
		goto fail;
	return t;
fail:
	lb_conn_free(t);
	return NULL;
}

void
lb_conn_free(struct lb_conn_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->hash);
	free(t->conns);
	free(t->free_idx);
	bucket_list_free(t->by_in);
	bucket_list_free(t->by_reply);
	free(t->import_mark);
	free(t);
}

static struct lb_conn *
find(struct lb_conn_table *t, const struct lb_conn_key *k)
{
	void *data;

	if (rte_hash_lookup_data(t->hash, k, &data) < 0)
		return NULL;
	return &t->conns[(uintptr_t)data];
}

struct lb_conn *
lb_conn_find_inbound(struct lb_conn_table *t, uint32_t client_ip, uint16_t client_port,
		     uint32_t vip, uint16_t vport, uint8_t proto)
{
	struct lb_conn_key k = make_key(client_ip, client_port, vip, vport, proto, KEY_INBOUND);

	return find(t, &k);
}

struct lb_conn *
lb_conn_find_reply(struct lb_conn_table *t, uint32_t backend_ip, uint16_t backend_port,
		   uint32_t client_ip, uint16_t client_port, uint8_t proto)
{
	struct lb_conn_key k =
		make_key(backend_ip, backend_port, client_ip, client_port, proto, KEY_REPLY);

	return find(t, &k);
}

enum lb_conn_add_result
lb_conn_add(struct lb_conn_table *t, const struct lb_conn *c)
{
	struct lb_conn_key in = make_key(c->client_ip, c->client_port, c->vip, c->vport,
					 c->proto, KEY_INBOUND);
	struct lb_conn_key out = make_key(c->backend_ip, c->backend_port, c->client_ip,
					  c->client_port, c->proto, KEY_REPLY);
	uint32_t idx;

	if (t->n_free == 0)
		return LB_CONN_FULL;
	/* The same client port reaching one backend through two VIPs would make
	 * replies ambiguous: the first connection keeps the reply key. */
	if (rte_hash_lookup(t->hash, &out) >= 0 || rte_hash_lookup(t->hash, &in) >= 0)
		return LB_CONN_CONFLICT;
	idx = t->free_idx[--t->n_free];
	if (rte_hash_add_key_data(t->hash, &in, (void *)(uintptr_t)idx) < 0) {
		t->n_free++;
		return LB_CONN_FULL;
	}
	if (rte_hash_add_key_data(t->hash, &out, (void *)(uintptr_t)idx) < 0) {
		rte_hash_del_key(t->hash, &in);
		t->n_free++;
		return LB_CONN_FULL;
	}
	t->conns[idx] = *c;
	t->conns[idx].flags |= LB_CONN_F_USED;
	lb_conn_relink(t, &t->conns[idx]);
	return LB_CONN_ADDED;
}

static void
remove_conn(struct lb_conn_table *t, uint32_t idx)
{
	struct lb_conn *c = &t->conns[idx];
	struct lb_conn_key in = make_key(c->client_ip, c->client_port, c->vip, c->vport,
					 c->proto, KEY_INBOUND);
	struct lb_conn_key out = make_key(c->backend_ip, c->backend_port, c->client_ip,
					  c->client_port, c->proto, KEY_REPLY);

	rte_hash_del_key(t->hash, &in);
	rte_hash_del_key(t->hash, &out);
	c->flags = 0;
	bucket_list_unlink(t->by_in, idx);
	bucket_list_unlink(t->by_reply, idx);
	t->free_idx[t->n_free++] = idx;
}

uint32_t
lb_conn_expire(struct lb_conn_table *t, uint64_t now, const struct lb_conn_timeouts *to,
	       uint32_t budget)
{
	uint32_t removed = 0;

	if (budget > t->max)
		budget = t->max;
	for (uint32_t n = 0; n < budget; n++) {
		uint32_t idx = t->scan_pos;
		const struct lb_conn *c = &t->conns[idx];

		t->scan_pos = idx + 1 == t->max ? 0 : idx + 1;
		if (!(c->flags & LB_CONN_F_USED))
			continue;
		uint64_t limit = (c->flags & LB_CONN_F_CLOSING) ? to->closing
				 : c->proto == 6		 ? to->tcp
								 : to->udp;

		if (now - c->last_seen > limit) {
			remove_conn(t, idx);
			removed++;
		}
	}
	return removed;
}

struct lb_conn *
lb_conn_slot(struct lb_conn_table *t, uint32_t i)
{
	return i < t->max && (t->conns[i].flags & LB_CONN_F_USED) ? &t->conns[i] : NULL;
}

uint32_t
lb_conn_index(const struct lb_conn_table *t, const struct lb_conn *c)
{
	return (uint32_t)(c - t->conns);
}

void
lb_conn_remove(struct lb_conn_table *t, struct lb_conn *c)
{
	remove_conn(t, lb_conn_index(t, c));
}

uint32_t
lb_conn_count(const struct lb_conn_table *t)
{
	return t->max - t->n_free;
}

uint32_t
lb_conn_capacity(const struct lb_conn_table *t)
{
	return t->max;
}

void
lb_conn_relink(struct lb_conn_table *t, struct lb_conn *c)
{
	uint32_t idx = lb_conn_index(t, c);

	bucket_list_link(t->by_in, idx, c->bucket_in);
	bucket_list_link(t->by_reply, idx, c->bucket_reply);
}

uint32_t
lb_conn_bucket_first(const struct lb_conn_table *t, bool reply, uint16_t bucket)
{
	return bucket_list_first(reply ? t->by_reply : t->by_in, bucket);
}

uint32_t
lb_conn_bucket_next(const struct lb_conn_table *t, bool reply, uint32_t idx)
{
	return bucket_list_next(reply ? t->by_reply : t->by_in, idx);
}

bool
lb_conn_import_mark(struct lb_conn_table *t, uint32_t idx)
{
	if (t->import_mark[idx] == t->import_gen)
		return false;
	t->import_mark[idx] = t->import_gen;
	return true;
}

void
lb_conn_import_begin(struct lb_conn_table *t)
{
	if (++t->import_gen == 0) {
		memset(t->import_mark, 0, sizeof(*t->import_mark) * t->max);
		t->import_gen = 1;
	}
}
