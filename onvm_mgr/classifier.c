/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table: subtables (one per mask), rule slots, add/remove/clone, and the
 * tuple-space lookup. See classifier.h for the design and threading rules.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "classifier_priv.h"

/* Generations are unique across classifiers, so a cache filled from one
 * classifier never answers for another (e.g. after a pointer swap). */
static _Atomic uint64_t cls_generation_source = 1;

static void
touch(struct classifier *cls)
{
	cls->generation = atomic_fetch_add(&cls_generation_source, 1);
}

/* ---- subtables ---- */

static int
subtable_init(struct cls_subtable *st, const uint64_t mask[FK_WORDS])
{
	memset(st, 0, sizeof(*st));
	memcpy(st->mask, mask, sizeof(st->mask));
	for (uint32_t w = 0; w < FK_WORDS; w++) {
		if (mask[w] != 0) {
			st->cmask[st->n_words] = mask[w];
			st->word_idx[st->n_words++] = (uint8_t)w;
		}
	}
	st->cap_mask = 7;
	st->buckets = malloc(8 * sizeof(*st->buckets));
	if (st->buckets == NULL)
		return -1;
	for (uint32_t i = 0; i < 8; i++)
		st->buckets[i].head = CLS_NO_RULE;
	return 0;
}

/* The bucket of a full masked key (control path). */
static uint32_t
subtable_find_full(const struct cls_subtable *st, const struct cls_rule *rules,
		   const uint64_t *masked_key, uint32_t *hash)
{
	uint64_t ck[FK_WORDS];

	compact_key(st, masked_key, ck);
	*hash = subtable_hash(st, ck);
	return subtable_find(st, rules, *hash, ck);
}

/* Keep the load at most 1/2 so probe runs stay short. */
static int
subtable_grow(struct cls_subtable *st)
{
	uint32_t cap = (st->cap_mask + 1) * 2;
	struct cls_bucket *b = malloc(cap * sizeof(*b));

	if (b == NULL)
		return -1;
	for (uint32_t i = 0; i < cap; i++)
		b[i].head = CLS_NO_RULE;
	for (uint32_t i = 0; i <= st->cap_mask; i++) {
		if (st->buckets[i].head == CLS_NO_RULE)
			continue;
		uint32_t j = st->buckets[i].hash & (cap - 1);
		while (b[j].head != CLS_NO_RULE)
			j = (j + 1) & (cap - 1);
		b[j] = st->buckets[i];
	}
	free(st->buckets);
	st->buckets = b;
	st->cap_mask = cap - 1;
	return 0;
}

/* Backward-shift deletion: no tombstones, so probes stay short forever. */
static void
subtable_erase_bucket(struct cls_subtable *st, uint32_t hole)
{
	uint32_t j = hole;

	for (;;) {
		j = (j + 1) & st->cap_mask;
		if (st->buckets[j].head == CLS_NO_RULE)
			break;
		uint32_t home = st->buckets[j].hash & st->cap_mask;
		/* The entry at j may fill the hole only if its home slot is not
		 * cyclically inside (hole, j]. */
		bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
		if (stays)
			continue;
		st->buckets[hole] = st->buckets[j];
		hole = j;
	}
	st->buckets[hole].head = CLS_NO_RULE;
	st->n_keys--;
}

static void
sort_subtables(struct classifier *cls)
{
	/* Insertion sort: one change leaves the order nearly sorted. */
	for (uint32_t i = 1; i < cls->n_subtables; i++) {
		uint32_t v = cls->order[i];
		uint32_t p = cls->subtables[v].max_priority;
		uint32_t j = i;

		while (j > 0 && cls->subtables[cls->order[j - 1]].max_priority < p) {
			cls->order[j] = cls->order[j - 1];
			j--;
		}
		cls->order[j] = v;
	}
}

static void
recompute_union(struct classifier *cls)
{
	memset(cls->union_mask, 0, sizeof(cls->union_mask));
	for (uint32_t i = 0; i < cls->n_subtables; i++)
		for (uint32_t w = 0; w < FK_WORDS; w++)
			cls->union_mask[w] |= cls->subtables[i].mask[w];
	cls->n_union = 0;
	for (uint32_t w = 0; w < FK_WORDS; w++)
		if (cls->union_mask[w] != 0)
			cls->union_idx[cls->n_union++] = (uint8_t)w;
}

static uint32_t
find_or_add_subtable(struct classifier *cls, const uint64_t mask[FK_WORDS])
{
	for (uint32_t i = 0; i < cls->n_subtables; i++)
		if (memcmp(cls->subtables[i].mask, mask, sizeof(cls->subtables[i].mask)) == 0)
			return i;
	if (cls->n_subtables == cls->cap_subtables) {
		uint32_t cap = cls->cap_subtables ? cls->cap_subtables * 2 : 16;
		struct cls_subtable *st = realloc(cls->subtables, cap * sizeof(*st));
		if (st == NULL)
			return CLS_NO_RULE;
		cls->subtables = st;
		uint32_t *order = realloc(cls->order, cap * sizeof(*order));
		if (order == NULL)
			return CLS_NO_RULE;
		cls->order = order;
		cls->cap_subtables = cap;
	}
	if (subtable_init(&cls->subtables[cls->n_subtables], mask) < 0)
		return CLS_NO_RULE;
	cls->order[cls->n_subtables] = cls->n_subtables;
	cls->n_subtables++;
	recompute_union(cls);
	return cls->n_subtables - 1;
}

/* An emptied subtable goes: the last one moves into its index. */
static void
drop_subtable(struct classifier *cls, uint32_t idx)
{
	uint32_t last = cls->n_subtables - 1;

	free(cls->subtables[idx].buckets);
	if (idx != last) {
		cls->subtables[idx] = cls->subtables[last];
		for (uint32_t i = 0; i <= cls->subtables[idx].cap_mask; i++) {
			uint32_t r = cls->subtables[idx].buckets[i].head;
			for (; r != CLS_NO_RULE; r = cls->rules[r].next)
				cls->rules[r].subtable = idx;
		}
	}
	cls->n_subtables--;
	uint32_t k = 0;
	for (uint32_t i = 0; i <= last; i++) {
		uint32_t v = cls->order[i];
		if (v == idx)
			continue;
		cls->order[k++] = v == last ? idx : v;
	}
	recompute_union(cls);
}

/* ---- classifier ---- */

struct classifier *
classifier_create(void)
{
	struct classifier *cls = calloc(1, sizeof(*cls));

	if (cls == NULL)
		return NULL;
	cls->free_head = CLS_NO_RULE;
	touch(cls);
	return cls;
}

void
classifier_free(struct classifier *cls)
{
	if (cls == NULL)
		return;
	for (uint32_t i = 0; i < cls->n_subtables; i++)
		free(cls->subtables[i].buckets);
	free(cls->subtables);
	free(cls->order);
	free(cls->rules);
	free(cls);
}

static uint32_t
alloc_rule_slot(struct classifier *cls)
{
	if (cls->free_head != CLS_NO_RULE) {
		uint32_t r = cls->free_head;
		cls->free_head = cls->rules[r].next;
		return r;
	}
	if (cls->n_slots == cls->cap_slots) {
		uint32_t cap = cls->cap_slots ? cls->cap_slots * 2 : 64;
		if (cap >= CLS_NO_RULE / 2)
			return CLS_NO_RULE;
		struct cls_rule *rules = realloc(cls->rules, cap * sizeof(*rules));
		if (rules == NULL)
			return CLS_NO_RULE;
		cls->rules = rules;
		cls->cap_slots = cap;
	}
	return cls->n_slots++;
}

/* Insert a rule into slot `handle`, whose key, priority, result, seq are set. */
static int
insert_rule(struct classifier *cls, uint32_t handle, const uint64_t mask[FK_WORDS])
{
	struct cls_rule *r = &cls->rules[handle];
	uint32_t s = find_or_add_subtable(cls, mask);

	if (s == CLS_NO_RULE)
		return -1;
	struct cls_subtable *st = &cls->subtables[s];
	if ((st->n_keys + 1) * 2 > st->cap_mask + 1 && subtable_grow(st) < 0) {
		if (st->n_rules == 0)
			drop_subtable(cls, s);
		return -1;
	}
	uint32_t hash;
	uint32_t b = subtable_find_full(st, cls->rules, r->key, &hash);

	r->subtable = s;
	if (st->buckets[b].head == CLS_NO_RULE) {
		st->buckets[b].hash = hash;
		st->buckets[b].head = handle;
		r->next = CLS_NO_RULE;
		st->n_keys++;
	} else {
		uint32_t *link = &st->buckets[b].head;
		while (*link != CLS_NO_RULE && !beats(r, &cls->rules[*link]))
			link = &cls->rules[*link].next;
		r->next = *link;
		*link = handle;
	}
	st->n_rules++;
	if (st->n_rules == 1 || r->priority > st->max_priority) {
		st->max_priority = r->priority;
		sort_subtables(cls);
	}
	cls->n_rules++;
	return 0;
}

uint32_t
cls_add_with_seq(struct classifier *cls, const struct flow_key *key, const struct flow_key *mask,
	     uint32_t priority, uint32_t result, uint64_t seq)
{
	uint64_t m[FK_WORDS], k[FK_WORDS];
	uint32_t h = alloc_rule_slot(cls);

	if (h == CLS_NO_RULE)
		return CLS_NO_RULE;
	memcpy(m, mask, sizeof(m));
	memcpy(k, key, sizeof(k));
	struct cls_rule *r = &cls->rules[h];
	for (uint32_t w = 0; w < FK_WORDS; w++)
		r->key[w] = k[w] & m[w];
	r->priority = priority;
	r->result = result;
	r->seq = seq;
	if (insert_rule(cls, h, m) < 0) {
		r->subtable = CLS_NO_RULE;
		r->next = cls->free_head;
		cls->free_head = h;
		return CLS_NO_RULE;
	}
	touch(cls);
	return h;
}

uint32_t
classifier_add(struct classifier *cls, const struct flow_key *key, const struct flow_key *mask,
	       uint32_t priority, uint32_t result)
{
	return cls_add_with_seq(cls, key, mask, priority, result, cls->next_seq++);
}

int
classifier_remove(struct classifier *cls, uint32_t handle)
{
	if (handle >= cls->n_slots || cls->rules[handle].subtable == CLS_NO_RULE)
		return -1;
	struct cls_rule *r = &cls->rules[handle];
	uint32_t s = r->subtable;
	struct cls_subtable *st = &cls->subtables[s];
	uint32_t hash;
	uint32_t b = subtable_find_full(st, cls->rules, r->key, &hash);
	uint32_t *link = &st->buckets[b].head;

	while (*link != handle)
		link = &cls->rules[*link].next;
	*link = r->next;
	if (st->buckets[b].head == CLS_NO_RULE)
		subtable_erase_bucket(st, b);
	st->n_rules--;
	cls->n_rules--;
	r->subtable = CLS_NO_RULE;
	r->next = cls->free_head;
	cls->free_head = handle;

	if (st->n_rules == 0) {
		drop_subtable(cls, s);
	} else if (r->priority == st->max_priority) {
		/* Bucket heads are the best rule of their key. */
		uint32_t max = 0;
		for (uint32_t i = 0; i <= st->cap_mask; i++)
			if (st->buckets[i].head != CLS_NO_RULE &&
			    cls->rules[st->buckets[i].head].priority > max)
				max = cls->rules[st->buckets[i].head].priority;
		st->max_priority = max;
		sort_subtables(cls);
	}
	touch(cls);
	return 0;
}

uint32_t
classifier_remove_result(struct classifier *cls, uint32_t result)
{
	uint32_t n = 0;

	for (uint32_t h = 0; h < cls->n_slots; h++)
		if (cls->rules[h].subtable != CLS_NO_RULE && cls->rules[h].result == result &&
		    classifier_remove(cls, h) == 0)
			n++;
	return n;
}

struct classifier *
classifier_clone(const struct classifier *cls)
{
	struct classifier *c = classifier_create();

	if (c == NULL)
		return NULL;
	c->next_seq = cls->next_seq;
	/* Same handles: rebuild slot by slot, free slots stay free. */
	c->rules = malloc((cls->cap_slots ? cls->cap_slots : 1) * sizeof(*c->rules));
	if (c->rules == NULL)
		goto fail;
	c->cap_slots = cls->cap_slots;
	c->n_slots = cls->n_slots;
	for (uint32_t h = cls->n_slots; h-- > 0;) {
		const struct cls_rule *r = &cls->rules[h];
		if (r->subtable == CLS_NO_RULE) {
			c->rules[h].subtable = CLS_NO_RULE;
			c->rules[h].next = c->free_head;
			c->free_head = h;
			continue;
		}
		c->rules[h] = *r;
		if (insert_rule(c, h, cls->subtables[r->subtable].mask) < 0)
			goto fail;
	}
	touch(c);
	return c;
fail:
	classifier_free(c);
	return NULL;
}

uint32_t
classifier_find_exact(const struct classifier *cls, const struct flow_key *key,
		      const struct flow_key *mask, uint32_t priority)
{
	uint64_t m[FK_WORDS], k[FK_WORDS];

	memcpy(m, mask, sizeof(m));
	memcpy(k, key, sizeof(k));
	for (uint32_t w = 0; w < FK_WORDS; w++)
		k[w] &= m[w];
	for (uint32_t s = 0; s < cls->n_subtables; s++) {
		const struct cls_subtable *st = &cls->subtables[s];
		if (memcmp(st->mask, m, sizeof(m)) != 0)
			continue;
		uint32_t hash;
		uint32_t b = subtable_find_full(st, cls->rules, k, &hash);
		for (uint32_t r = st->buckets[b].head; r != CLS_NO_RULE; r = cls->rules[r].next)
			if (cls->rules[r].priority == priority)
				return r;
		return CLS_NO_RULE;
	}
	return CLS_NO_RULE;
}

int
classifier_get(const struct classifier *cls, uint32_t rule, struct flow_key *key,
	       struct flow_key *mask, uint32_t *priority, uint32_t *result)
{
	if (rule >= cls->n_slots || cls->rules[rule].subtable == CLS_NO_RULE)
		return -1;
	const struct cls_rule *r = &cls->rules[rule];
	if (key)
		memcpy(key, r->key, sizeof(*key));
	if (mask)
		memcpy(mask, cls->subtables[r->subtable].mask, sizeof(*mask));
	if (priority)
		*priority = r->priority;
	if (result)
		*result = r->result;
	return 0;
}

uint32_t
classifier_handle_limit(const struct classifier *cls)
{
	return cls->n_slots;
}

uint32_t
classifier_num_rules(const struct classifier *cls)
{
	return cls->n_rules;
}

uint32_t
classifier_num_subtables(const struct classifier *cls)
{
	return cls->n_subtables;
}

/* ---- lookup: the per-packet path ---- */

bool
classifier_lookup(const struct classifier *cls, const struct flow_key *key, uint32_t *result)
{
	const fk_word *pkt = (const fk_word *)key;
	const struct cls_rule *best = NULL;
	uint64_t ck[FK_WORDS];

	for (uint32_t i = 0; i < cls->n_subtables; i++) {
		const struct cls_subtable *st = &cls->subtables[cls->order[i]];

		/* Sorted by max priority: nothing further on can win. */
		if (best != NULL && st->max_priority < best->priority)
			break;
		for (uint32_t j = 0; j < st->n_words; j++)
			ck[j] = pkt[st->word_idx[j]] & st->cmask[j];
		uint32_t b = subtable_find(st, cls->rules, subtable_hash(st, ck), ck);
		uint32_t head = st->buckets[b].head;
		if (head != CLS_NO_RULE && (best == NULL || beats(&cls->rules[head], best)))
			best = &cls->rules[head];
	}
	if (best == NULL)
		return false;
	*result = best->result;
	return true;
}

