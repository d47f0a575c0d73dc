/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_flow: fixed-size chained hash of flows with an LRU list for eviction. */
#include <stdlib.h>
#include <string.h>

#include "qoe_flow.h"

struct qoe_flow_table {
	struct qoe_flow *flows;   /* capacity entries */
	uint32_t *buckets;        /* heads of hash chains */
	uint32_t bucket_mask;
	uint32_t capacity;
	uint32_t count;
	uint32_t free_head;       /* removed entries, chained by hash_next */
	uint32_t never_used;      /* entries from here on were never handed out:
				   * untouched, so a big table costs no page
				   * faults until flows fill it */
	uint32_t lru_oldest, lru_newest;
	uint64_t next_flow_id;
	uint64_t evictions;
};

struct qoe_flow_table *
qoe_flow_table_create(uint32_t capacity)
{
	if (capacity == 0 || capacity > (1u << 30))
		return NULL;
	struct qoe_flow_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	uint32_t nb = 1;
	while (nb < capacity)   /* load factor <= 1 */
		nb <<= 1;
	t->flows = calloc(capacity, sizeof(*t->flows));
	t->buckets = malloc(sizeof(*t->buckets) * nb);
	if (!t->flows || !t->buckets) {
		qoe_flow_table_destroy(t);
		return NULL;
	}
	for (uint32_t i = 0; i < nb; i++)
		t->buckets[i] = QOE_FLOW_NIL;
	t->bucket_mask = nb - 1;
	t->capacity = capacity;
	t->free_head = QOE_FLOW_NIL;
	t->never_used = 0;
	t->lru_oldest = t->lru_newest = QOE_FLOW_NIL;
	t->next_flow_id = 1;
	return t;
}

void
qoe_flow_table_destroy(struct qoe_flow_table *t)
{
	if (!t)
		return;
	free(t->flows);
	free(t->buckets);
	free(t);
}

static inline uint32_t
idx_of(const struct qoe_flow_table *t, const struct qoe_flow *f)
{
	return (uint32_t)(f - t->flows);
}

/* Does `pkt` belong to flow f, and which way does it go? */
static inline bool
tuple_match(const struct pkt_5tuple *c, const struct pkt_5tuple *pkt, enum qoe_dir *dir)
{
	if (c->proto != pkt->proto)
		return false;
	if (c->src_ip == pkt->src_ip && c->dst_ip == pkt->dst_ip &&
	    c->src_port == pkt->src_port && c->dst_port == pkt->dst_port) {
		*dir = QOE_DIR_TOSERVER;
		return true;
	}
	if (c->src_ip == pkt->dst_ip && c->dst_ip == pkt->src_ip &&
	    c->src_port == pkt->dst_port && c->dst_port == pkt->src_port) {
		*dir = QOE_DIR_TOCLIENT;
		return true;
	}
	return false;
}

struct qoe_flow *
qoe_flow_lookup(struct qoe_flow_table *t, const struct pkt_5tuple *pkt, enum qoe_dir *dir)
{
	uint32_t b = pkt_5tuple_hash_symmetric(pkt) & t->bucket_mask;

	for (uint32_t i = t->buckets[b]; i != QOE_FLOW_NIL; i = t->flows[i].hash_next)
		if (tuple_match(&t->flows[i].client, pkt, dir))
			return &t->flows[i];
	return NULL;
}

static void
lru_unlink(struct qoe_flow_table *t, struct qoe_flow *f)
{
	if (f->lru_prev != QOE_FLOW_NIL)
		t->flows[f->lru_prev].lru_next = f->lru_next;
	else
		t->lru_oldest = f->lru_next;
	if (f->lru_next != QOE_FLOW_NIL)
		t->flows[f->lru_next].lru_prev = f->lru_prev;
	else
		t->lru_newest = f->lru_prev;
}

static void
lru_push_newest(struct qoe_flow_table *t, struct qoe_flow *f)
{
	uint32_t i = idx_of(t, f);

	f->lru_next = QOE_FLOW_NIL;
	f->lru_prev = t->lru_newest;
	if (t->lru_newest != QOE_FLOW_NIL)
		t->flows[t->lru_newest].lru_next = i;
	else
		t->lru_oldest = i;
	t->lru_newest = i;
}

void
qoe_flow_touch(struct qoe_flow_table *t, struct qoe_flow *f)
{
	if (t->lru_newest == idx_of(t, f))
		return;
	lru_unlink(t, f);
	lru_push_newest(t, f);
}

void
qoe_flow_remove(struct qoe_flow_table *t, struct qoe_flow *f)
{
	uint32_t i = idx_of(t, f);
	uint32_t *link = &t->buckets[f->chain];

	while (*link != i)
		link = &t->flows[*link].hash_next;
	*link = f->hash_next;
	lru_unlink(t, f);
	f->in_use = false;
	f->hash_next = t->free_head;
	t->free_head = i;
	t->count--;
}

struct qoe_flow *
qoe_flow_insert(struct qoe_flow_table *t, const struct pkt_5tuple *client, uint64_t now_ns,
		struct qoe_flow *evicted, bool *did_evict)
{
	if (did_evict)
		*did_evict = false;
	if (t->free_head == QOE_FLOW_NIL && t->never_used == t->capacity) {
		struct qoe_flow *victim = &t->flows[t->lru_oldest];

		if (evicted)
			*evicted = *victim;
		if (did_evict)
			*did_evict = true;
		qoe_flow_remove(t, victim);
		t->evictions++;
	}
	uint32_t i;

	if (t->free_head != QOE_FLOW_NIL) {
		i = t->free_head;
		t->free_head = t->flows[i].hash_next;
	} else {
		i = t->never_used++;
	}
	struct qoe_flow *f = &t->flows[i];

	memset(f, 0, sizeof(*f));
	f->client = *client;
	f->flow_id = t->next_flow_id++;
	f->start_ns = f->last_ns = now_ns;
	f->in_use = true;
	f->chain = pkt_5tuple_hash_symmetric(client) & t->bucket_mask;
	f->hash_next = t->buckets[f->chain];
	t->buckets[f->chain] = i;
	lru_push_newest(t, f);
	t->count++;
	return f;
}

void
qoe_flow_lru_move_before(struct qoe_flow_table *t, struct qoe_flow *f, struct qoe_flow *next)
{
	uint32_t i = idx_of(t, f);

	if (next == f)
		return;
	lru_unlink(t, f);
	if (next == NULL) {
		lru_push_newest(t, f);
		return;
	}
	f->lru_next = idx_of(t, next);
	f->lru_prev = next->lru_prev;
	if (next->lru_prev != QOE_FLOW_NIL)
		t->flows[next->lru_prev].lru_next = i;
	else
		t->lru_oldest = i;
	next->lru_prev = i;
}

struct qoe_flow *
qoe_flow_oldest(struct qoe_flow_table *t)
{
	return t->lru_oldest == QOE_FLOW_NIL ? NULL : &t->flows[t->lru_oldest];
}

struct qoe_flow *
qoe_flow_newer(struct qoe_flow_table *t, const struct qoe_flow *f)
{
	return f->lru_next == QOE_FLOW_NIL ? NULL : &t->flows[f->lru_next];
}

void qoe_flow_table_set_next_id(struct qoe_flow_table *t, uint64_t next) { t->next_flow_id = next; }
uint32_t qoe_flow_count(const struct qoe_flow_table *t) { return t->count; }
uint32_t qoe_flow_capacity(const struct qoe_flow_table *t) { return t->capacity; }
uint64_t qoe_flow_evictions(const struct qoe_flow_table *t) { return t->evictions; }
