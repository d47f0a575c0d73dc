/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "cls_trie.h"

/* A flow_key is handled as 64-bit words: masking, hashing, comparing. */
#define FK_WORDS (sizeof(struct flow_key) / sizeof(uint64_t))
_Static_assert(sizeof(struct flow_key) % sizeof(uint64_t) == 0, "flow_key must be whole words");
/* Reading a struct flow_key as words must not fall foul of strict aliasing. */
typedef uint64_t __attribute__((may_alias)) fk_word;

/* Generations are unique across classifiers, so a cache filled from one
 * classifier never answers for another (e.g. after a pointer swap). */
static _Atomic uint64_t cls_generation_source = 1;

/* Prefix tries (below): the fields they cover, and the length of a mask
 * that is no prefix, which they never rule out. */
#define CLS_N_TRIES 2          /* ipv4_src, ipv4_dst */
#define CLS_PLEN_ANY CLS_TRIE_ANY
#define CLS_N_PLEN 34          /* lengths 0..32 and CLS_PLEN_ANY */
_Static_assert(CLS_N_TRIES == 2, "lookup_walk ANDs the candidates of two tries");

/* Field order is for the lookup: what a probe reads comes first. */
struct cls_rule {
	uint32_t priority;
	uint32_t result;
	uint64_t seq;            /* insertion order: ties go to the lowest */
	uint32_t subtable;       /* index in cls->subtables, CLS_NO_RULE = free slot */
	uint32_t next;           /* next rule with the same mask and key, best first */
	uint64_t key[FK_WORDS];  /* already masked */
};

struct cls_bucket {
	uint32_t hash;
	uint32_t head;           /* best rule for this masked key; CLS_NO_RULE = empty */
};

/* All rules with one mask: a linear-probing hash table of masked keys. */
struct cls_subtable {
	/* Read by every lookup: the first cache line or two. */
	uint32_t max_priority;
	uint32_t n_words;
	uint32_t cap_mask;          /* capacity - 1 (power of two) */
	uint32_t n_rules;
	uint8_t plen[CLS_N_TRIES];  /* prefix length of each trie field's mask (plen_of) */
	struct cls_bucket *buckets;
	uint8_t word_idx[FK_WORDS]; /* the words the mask touches, in order */
	uint64_t cmask[FK_WORDS];   /* their masks, compacted: cmask[j] for word_idx[j] */
	/* Control path only. */
	uint32_t n_keys;
	uint64_t mask[FK_WORDS];
};

/*
 * Prefix tries (Open vSwitch's "prefix tracking"): most masks a rule set
 * mixes are prefixes on the IPv4 addresses, and a subtable whose mask is a
 * /L on ipv4_dst can hold a match only if some rule's ipv4_dst is a /L
 * prefix of the packet's address. One binary trie per address field counts
 * the rules ending at each prefix; walking it along the packet's address
 * (at most 32 steps) gives the lengths that can match, and the subtable
 * walk skips every subtable whose length is not among them, without
 * reading it. Masks that are not prefixes are never skipped.
 */

/* What the walk reads of a subtable before probing it, in walk order. */
struct cls_visit {
	uint32_t max_priority;
	uint32_t subtable;
	uint8_t plen[CLS_N_TRIES];
};

struct classifier {
	uint64_t generation;
	uint64_t next_seq;
	struct cls_rule *rules;     /* indexed by rule handle */
	uint32_t n_slots, cap_slots, n_rules;
	uint32_t free_head;         /* free slots chained through .next */
	struct cls_subtable *subtables;
	uint32_t n_subtables, cap_subtables;
	uint32_t *order;            /* subtable indices by max_priority, highest first */
	struct cls_visit *visit;    /* visit[i] describes subtables[order[i]] */
	/* Walk positions by prefix length: bit i of word w of row (t, len)
	 * is set when visit[64 w + i] has length len on trie field t. */
	uint64_t *plen_bits;        /* CLS_N_TRIES * CLS_N_PLEN rows of plen_words */
	uint32_t plen_words;        /* words per row: cap_subtables / 64 rounded up */
	struct cls_trie trie[CLS_N_TRIES];
	/* The union of all masks: only these bits can change a lookup's
	 * answer, so the cache keys on them alone. */
	uint64_t union_mask[FK_WORDS];
	uint8_t union_idx[FK_WORDS];
	uint32_t n_union;
};

/* One cache line: a flow's answer, keyed by its bits under the union mask
 * (compacted to the words the mask touches). */
#define CLS_CACHE_WORDS 6
struct cls_cache_entry {
	uint64_t generation;
	uint32_t signature;
	uint32_t result;            /* CLS_NO_RULE: no rule matched */
	uint64_t key[CLS_CACHE_WORDS];
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct cls_cache_entry) == 64, "a cache entry is one cache line");

struct cls_cache {
	uint32_t mask;
	/* Owned by the one thread using the cache: plain increments, read
	 * racily (a torn read is a stale count, never a wrong answer). */
	struct cls_cache_stats stats;
	struct cls_cache_entry entries[]; /* starts one cache line in */
};
_Static_assert(sizeof(struct cls_cache) <= 64, "the header fits the line before the entries");

static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static inline uint64_t
hash_step(uint64_t h, uint64_t w)
{
	return (h ^ w) * 0x9e3779b97f4a7c15ULL + (h >> 29);
}

static void
touch(struct classifier *cls)
{
	cls->generation = atomic_fetch_add(&cls_generation_source, 1);
}

/* ---- prefix tries ---- */

static inline uint32_t
trie_field(const uint64_t *words, unsigned int t)
{
	const struct flow_key *k = (const struct flow_key *)(const void *)words;

	return t == 0 ? k->ipv4_src : k->ipv4_dst;
}

/* A mask's prefix length on trie field t, or CLS_PLEN_ANY. */
static uint8_t
plen_of(const uint64_t mask[FK_WORDS], unsigned int t)
{
	uint32_t m = trie_field(mask, t);
	uint8_t len = (uint8_t)__builtin_popcount(m);

	return m == onvm_prefix_mask(len) ? len : CLS_PLEN_ANY;
}

/* A rule's prefixes in or out of the tries. */
static int
tries_add_rule(struct classifier *cls, const struct cls_subtable *st, const uint64_t *key)
{
	for (unsigned int t = 0; t < CLS_N_TRIES; t++) {
		if (st->plen[t] == 0 || st->plen[t] == CLS_PLEN_ANY)
			continue;
		if (cls_trie_add(&cls->trie[t], trie_field(key, t), st->plen[t]) < 0) {
			while (t-- > 0)
				if (st->plen[t] != 0 && st->plen[t] != CLS_PLEN_ANY)
					cls_trie_del(&cls->trie[t], trie_field(key, t), st->plen[t]);
			return -1;
		}
	}
	return 0;
}

static void
tries_del_rule(struct classifier *cls, const struct cls_subtable *st, const uint64_t *key)
{
	for (unsigned int t = 0; t < CLS_N_TRIES; t++)
		if (st->plen[t] != 0 && st->plen[t] != CLS_PLEN_ANY)
			cls_trie_del(&cls->trie[t], trie_field(key, t), st->plen[t]);
}

/* ---- subtables ---- */

static int
subtable_init(struct cls_subtable *st, const uint64_t mask[FK_WORDS])
{
	memset(st, 0, sizeof(*st));
	memcpy(st->mask, mask, sizeof(st->mask));
	for (unsigned int t = 0; t < CLS_N_TRIES; t++)
		st->plen[t] = plen_of(mask, t);
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

/*
 * Keys inside a subtable are handled compacted: ck[j] is the masked word
 * word_idx[j], so a lookup touches only the words its mask cares about.
 */
static inline void
compact_key(const struct cls_subtable *st, const uint64_t *masked_key, uint64_t *ck)
{
	for (uint32_t j = 0; j < st->n_words; j++)
		ck[j] = masked_key[st->word_idx[j]];
}

static inline uint32_t
subtable_hash(const struct cls_subtable *st, const uint64_t *ck)
{
	uint64_t h = st->n_words;

	for (uint32_t j = 0; j < st->n_words; j++)
		h = hash_step(h, ck[j]);
	return (uint32_t)mix64(h);
}

static inline bool
rule_key_equal(const struct cls_subtable *st, const struct cls_rule *r, const uint64_t *ck)
{
	for (uint32_t j = 0; j < st->n_words; j++)
		if (r->key[st->word_idx[j]] != ck[j])
			return false;
	return true;
}

/* Bucket holding this key, or the empty bucket where it would go. */
static inline uint32_t
subtable_find(const struct cls_subtable *st, const struct cls_rule *rules, uint32_t hash,
	      const uint64_t *ck)
{
	uint32_t i = hash & st->cap_mask;

	while (st->buckets[i].head != CLS_NO_RULE) {
		if (st->buckets[i].hash == hash && rule_key_equal(st, &rules[st->buckets[i].head], ck))
			return i;
		i = (i + 1) & st->cap_mask;
	}
	return i;
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

/* The walk's view of the order: rewritten whenever the order changes. */
static inline uint64_t *
plen_row(const struct classifier *cls, unsigned int t, unsigned int len)
{
	return &cls->plen_bits[((size_t)t * CLS_N_PLEN + len) * cls->plen_words];
}

static void
refresh_visit(struct classifier *cls)
{
	memset(cls->plen_bits, 0,
	       (size_t)CLS_N_TRIES * CLS_N_PLEN * cls->plen_words * sizeof(uint64_t));
	for (uint32_t i = 0; i < cls->n_subtables; i++) {
		const struct cls_subtable *st = &cls->subtables[cls->order[i]];

		cls->visit[i].max_priority = st->max_priority;
		cls->visit[i].subtable = cls->order[i];
		memcpy(cls->visit[i].plen, st->plen, sizeof(st->plen));
		for (unsigned int t = 0; t < CLS_N_TRIES; t++)
			plen_row(cls, t, st->plen[t])[i / 64] |= 1ULL << (i % 64);
	}
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
	refresh_visit(cls);
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
		struct cls_visit *visit = realloc(cls->visit, cap * sizeof(*visit));
		if (visit == NULL)
			return CLS_NO_RULE;
		cls->visit = visit;
		uint32_t words = (cap + 63) / 64;
		uint64_t *bits = calloc((size_t)CLS_N_TRIES * CLS_N_PLEN * words, sizeof(*bits));
		if (bits == NULL)
			return CLS_NO_RULE;
		free(cls->plen_bits);
		cls->plen_bits = bits;
		cls->plen_words = words;
		refresh_visit(cls); /* now, in case what follows fails */
		cls->cap_subtables = cap;
	}
	if (subtable_init(&cls->subtables[cls->n_subtables], mask) < 0)
		return CLS_NO_RULE;
	cls->order[cls->n_subtables] = cls->n_subtables;
	cls->n_subtables++;
	refresh_visit(cls);
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
	refresh_visit(cls);
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
	free(cls->visit);
	free(cls->plen_bits);
	for (unsigned int t = 0; t < CLS_N_TRIES; t++)
		cls_trie_free(&cls->trie[t]);
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

static inline bool
beats(const struct cls_rule *a, const struct cls_rule *b)
{
	return a->priority > b->priority || (a->priority == b->priority && a->seq < b->seq);
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
	if (tries_add_rule(cls, st, r->key) < 0) {
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

static uint32_t
add_with_seq(struct classifier *cls, const struct flow_key *key, const struct flow_key *mask,
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
	return add_with_seq(cls, key, mask, priority, result, cls->next_seq++);
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
	tries_del_rule(cls, st, r->key);
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

/* ---- compiling a chain match ---- */

unsigned int
cls_port_range_blocks(uint16_t lo, uint16_t hi, uint16_t value[32], uint16_t mask[32])
{
	uint32_t v = lo, end = (uint32_t)hi + 1;
	unsigned int n = 0;

	while (v < end) {
		/* The largest block aligned at v that still ends by hi. */
		uint32_t size = v == 0 ? 0x10000 : v & -v;
		while (v + size > end)
			size >>= 1;
		value[n] = (uint16_t)v;
		mask[n] = (uint16_t)~(size - 1);
		n++;
		v += size;
	}
	return n;
}

int
classifier_add_match(struct classifier *cls, const struct onvm_match *m, uint32_t priority,
		     uint32_t result)
{
	const uint32_t ip_fields = M_IP_PROTO | M_IPV4_SRC | M_IPV4_DST | M_L4_SRC | M_L4_DST;
	struct flow_key key, mask;
	uint16_t sv[32], sm[32], dv[32], dm[32];
	unsigned int ns = 1, nd = 1;
	uint64_t first_seq = cls->next_seq;
	int added = 0;

	memset(&key, 0, sizeof(key));
	memset(&mask, 0, sizeof(mask));
	if (m->fields & M_IN_PORT) {
		key.in_port = FLOW_OFPORT_FROM_DPDK(m->in_port);
		mask.in_port = UINT32_MAX;
	}
	if (m->fields & M_ETH_TYPE) {
		key.eth_type = m->eth_type;
		mask.eth_type = 0xffff;
	}
	if (m->fields & M_ETH_SRC) {
		memcpy(key.eth_src, m->eth_src, 6);
		memset(mask.eth_src, 0xff, 6);
	}
	if (m->fields & M_ETH_DST) {
		memcpy(key.eth_dst, m->eth_dst, 6);
		memset(mask.eth_dst, 0xff, 6);
	}
	if (m->fields & M_VLAN_VID) {
		key.vlan_vid = (uint16_t)(FLOW_VID_PRESENT | m->vlan_vid);
		mask.vlan_vid = FLOW_VID_PRESENT | 0x0fff;
	}
	if (m->fields & ip_fields) {
		if ((m->fields & M_ETH_TYPE) && m->eth_type != PKT_ETHERTYPE_IPV4)
			return 0; /* an IPv4 field on a non-IPv4 ethertype: never */
		key.eth_type = PKT_ETHERTYPE_IPV4;
		mask.eth_type = 0xffff;
		/* A broken IPv4 header's zeros are no addresses (flow_key.h). */
		key.hdr_valid |= FLOW_HDR_IPV4;
		mask.hdr_valid |= FLOW_HDR_IPV4;
	}
	if (m->fields & (M_L4_SRC | M_L4_DST)) {
		key.hdr_valid |= FLOW_HDR_L4;
		mask.hdr_valid |= FLOW_HDR_L4;
	}
	if (m->fields & M_IP_PROTO) {
		key.ip_proto = m->ip_proto;
		mask.ip_proto = 0xff;
	}
	if (m->fields & M_IPV4_SRC) {
		mask.ipv4_src = onvm_prefix_mask(m->ipv4_src_len);
		key.ipv4_src = m->ipv4_src & mask.ipv4_src;
	}
	if (m->fields & M_IPV4_DST) {
		mask.ipv4_dst = onvm_prefix_mask(m->ipv4_dst_len);
		key.ipv4_dst = m->ipv4_dst & mask.ipv4_dst;
	}
	sv[0] = sm[0] = dv[0] = dm[0] = 0;
	if (m->fields & M_L4_SRC)
		ns = cls_port_range_blocks(m->l4_src_lo, m->l4_src_hi, sv, sm);
	if (m->fields & M_L4_DST)
		nd = cls_port_range_blocks(m->l4_dst_lo, m->l4_dst_hi, dv, dm);

	for (unsigned int i = 0; i < ns; i++) {
		for (unsigned int j = 0; j < nd; j++) {
			key.tp_src = sv[i];
			mask.tp_src = sm[i];
			key.tp_dst = dv[j];
			mask.tp_dst = dm[j];
			/* One seq for all: the blocks of one match tie as one rule. */
			if (add_with_seq(cls, &key, &mask, priority, result, first_seq) ==
			    CLS_NO_RULE)
				goto fail;
			added++;
		}
	}
	cls->next_seq = first_seq + 1;
	return added;
fail:
	/* Undo this match only: its rules are the ones carrying first_seq. */
	for (uint32_t h = 0; h < cls->n_slots; h++)
		if (cls->rules[h].subtable != CLS_NO_RULE && cls->rules[h].seq == first_seq)
			classifier_remove(cls, h);
	return -1;
}

/* ---- lookup: the per-packet path ---- */

/*
 * The subtable walk; *visited counts the subtables probed. Subtables come
 * in decreasing max priority. The tries give the prefix lengths that can
 * match; the walk takes 64 positions at a time, ORs the rows of those
 * lengths into the positions worth probing, and probes only those: the
 * subtables ruled out are never read.
 */
static bool
lookup_walk(const struct classifier *cls, const struct flow_key *key, uint32_t *result,
	    uint64_t *visited)
{
	const fk_word *pkt = (const fk_word *)key;
	const struct cls_rule *best = NULL;
	uint64_t ck[FK_WORDS];
	const uint64_t *rows[CLS_N_TRIES][CLS_N_PLEN];
	unsigned int n_rows[CLS_N_TRIES];
	uint32_t probed = 0;

	for (unsigned int t = 0; t < CLS_N_TRIES; t++) {
		uint64_t ok = cls_trie_lengths(&cls->trie[t], trie_field((const uint64_t *)pkt, t));

		n_rows[t] = 0;
		for (; ok != 0; ok &= ok - 1)
			rows[t][n_rows[t]++] = plen_row(cls, t, (unsigned int)__builtin_ctzll(ok));
	}
	for (uint32_t w = 0; w * 64 < cls->n_subtables; w++) {
		uint64_t cand[CLS_N_TRIES];

		/* Sorted by max priority: nothing further on can win. */
		if (best != NULL && cls->visit[w * 64].max_priority < best->priority)
			break;
		for (unsigned int t = 0; t < CLS_N_TRIES; t++) {
			cand[t] = 0;
			for (unsigned int r = 0; r < n_rows[t]; r++)
				cand[t] |= rows[t][r][w];
		}
		for (uint64_t c = cand[0] & cand[1]; c != 0; c &= c - 1) {
			const struct cls_visit *v = &cls->visit[w * 64 + (uint32_t)__builtin_ctzll(c)];

			if (best != NULL && v->max_priority < best->priority)
				goto done;
			const struct cls_subtable *st = &cls->subtables[v->subtable];
			for (uint32_t j = 0; j < st->n_words; j++)
				ck[j] = pkt[st->word_idx[j]] & st->cmask[j];
			uint32_t b = subtable_find(st, cls->rules, subtable_hash(st, ck), ck);
			uint32_t head = st->buckets[b].head;
			probed++;
			if (head != CLS_NO_RULE && (best == NULL || beats(&cls->rules[head], best)))
				best = &cls->rules[head];
		}
	}
done:
	*visited += probed;
	if (best == NULL)
		return false;
	*result = best->result;
	return true;
}

bool
classifier_lookup(const struct classifier *cls, const struct flow_key *key, uint32_t *result)
{
	uint64_t visited = 0;

	return lookup_walk(cls, key, result, &visited);
}

struct cls_cache *
cls_cache_create(unsigned int order)
{
	if (order < 4 || order > 20)
		return NULL;
	size_t size = sizeof(struct cls_cache) + ((size_t)1 << order) * sizeof(struct cls_cache_entry);
	struct cls_cache *c = aligned_alloc(64, size); /* entries are cache lines */

	if (c == NULL)
		return NULL;
	memset(c, 0, size);
	c->mask = (1u << order) - 1;
	return c; /* generation 0 in every entry: never current */
}

void
cls_cache_free(struct cls_cache *cache)
{
	free(cache);
}

void
cls_cache_get_stats(const struct cls_cache *cache, struct cls_cache_stats *out)
{
	*out = cache->stats;
}

void
cls_cache_flush(struct cls_cache *cache)
{
	memset(cache->entries, 0, ((size_t)cache->mask + 1) * sizeof(cache->entries[0]));
}

/* A flow's cache key: its bits under the union mask, compacted, hashed. */
struct cache_probe {
	uint64_t key[CLS_CACHE_WORDS];
	uint64_t hash;
};

static inline void
cache_probe_init(const struct classifier *cls, const struct cls_cache *cache,
		 const struct flow_key *key, struct cache_probe *p)
{
	const fk_word *pkt = (const fk_word *)key;
	uint64_t h = cls->n_union;

	for (uint32_t j = 0; j < cls->n_union; j++) {
		uint32_t w = cls->union_idx[j];
		p->key[j] = pkt[w] & cls->union_mask[w];
		h = hash_step(h, p->key[j]);
	}
	p->hash = mix64(h);
	/* Four candidate slots per flow, two pairs of neighbouring lines: a
	 * flow is pushed out only when all four hold other live flows, so a
	 * table a few times larger than the flows keeps nearly all of them
	 * (two slots lost about one lookup in 400 to flows evicting each
	 * other, each loss a subtable walk). */
	__builtin_prefetch(&cache->entries[p->hash & cache->mask]);
	__builtin_prefetch(&cache->entries[(p->hash >> 20) & cache->mask]);
}

static inline bool
cache_probe_resolve(const struct classifier *cls, struct cls_cache *cache,
		    const struct flow_key *key, const struct cache_probe *p, uint32_t *result)
{
	uint32_t sig = (uint32_t)(p->hash >> 32);
	uint32_t a = (uint32_t)p->hash & cache->mask, b = (uint32_t)(p->hash >> 20) & cache->mask;
	struct cls_cache_entry *slot[4] = { &cache->entries[a], &cache->entries[a ^ 1],
					    &cache->entries[b], &cache->entries[b ^ 1] };

	for (int i = 0; i < 4; i++) {
		const struct cls_cache_entry *e = slot[i];
		if (e->generation == cls->generation && e->signature == sig &&
		    memcmp(e->key, p->key, cls->n_union * sizeof(p->key[0])) == 0) {
			cache->stats.hits++;
			if (e->result == CLS_NO_RULE)
				return false;
			*result = e->result;
			return true;
		}
	}
	uint32_t res = CLS_NO_RULE;
	bool found = lookup_walk(cls, key, &res, &cache->stats.walked);

	cache->stats.misses++;
	/* A rule whose result is CLS_NO_RULE itself is never cached. */
	if (!found || res != CLS_NO_RULE) {
		/* Fill a stale slot first, else evict one picked by hash bits. */
		struct cls_cache_entry *e = slot[(p->hash >> 18) & 3];
		for (int i = 0; i < 4; i++) {
			if (slot[i]->generation != cls->generation) {
				e = slot[i];
				break;
			}
		}
		if (e->generation == cls->generation)
			cache->stats.evictions++;
		e->generation = cls->generation;
		e->signature = sig;
		e->result = found ? res : CLS_NO_RULE;
		memcpy(e->key, p->key, cls->n_union * sizeof(p->key[0]));
	}
	if (found)
		*result = res;
	return found;
}

/*
 * The cache answers only for a classifier whose union mask fits an entry
 * (CLS_CACHE_WORDS words: every IPv4 chain or OpenFlow match does; IPv6
 * addresses take two words each); a wider classifier is searched directly.
 */
bool
classifier_lookup_cached(const struct classifier *cls, struct cls_cache *cache,
			 const struct flow_key *key, uint32_t *result)
{
	struct cache_probe p;

	if (cls->n_union > CLS_CACHE_WORDS)
		return classifier_lookup(cls, key, result);
	cache_probe_init(cls, cache, key, &p);
	return cache_probe_resolve(cls, cache, key, &p, result);
}

/*
 * Hash and prefetch the whole burst first, then resolve: the cache lines of
 * one packet load while the next is hashed, instead of one after another.
 */
uint64_t
classifier_lookup_burst(const struct classifier *cls, struct cls_cache *cache,
			const struct flow_key *keys, unsigned int n, uint32_t *results)
{
	struct cache_probe p[CLS_BURST_MAX];
	uint64_t found = 0;

	if (n > CLS_BURST_MAX)
		n = CLS_BURST_MAX;
	if (cls->n_union > CLS_CACHE_WORDS) {
		for (unsigned int i = 0; i < n; i++)
			if (classifier_lookup(cls, &keys[i], &results[i]))
				found |= 1ULL << i;
		return found;
	}
	for (unsigned int i = 0; i < n; i++)
		cache_probe_init(cls, cache, &keys[i], &p[i]);
	for (unsigned int i = 0; i < n; i++)
		if (cache_probe_resolve(cls, cache, &keys[i], &p[i], &results[i]))
			found |= 1ULL << i;
	return found;
}
