/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * classifier_priv.h: the classifier's insides, shared by its three files
 * (classifier.c: the table; classifier_match.c: compiling chain matches;
 * classifier_cache.c: the per-thread exact-match cache). Not for users.
 */
#ifndef ONVM_CLASSIFIER_PRIV_H
#define ONVM_CLASSIFIER_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "classifier.h"

/* A flow_key is handled as 64-bit words: masking, hashing, comparing. */
#define FK_WORDS (sizeof(struct flow_key) / sizeof(uint64_t))
_Static_assert(sizeof(struct flow_key) % sizeof(uint64_t) == 0, "flow_key must be whole words");
/* Reading a struct flow_key as words must not fall foul of strict aliasing. */
typedef uint64_t __attribute__((may_alias)) fk_word;

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
	struct cls_bucket *buckets;
	uint8_t word_idx[FK_WORDS]; /* the words the mask touches, in order */
	uint64_t cmask[FK_WORDS];   /* their masks, compacted: cmask[j] for word_idx[j] */
	/* Control path only. */
	uint32_t n_keys;
	uint64_t mask[FK_WORDS];
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
	/* The union of all masks: only these bits can change a lookup's
	 * answer, so the cache keys on them alone. */
	uint64_t union_mask[FK_WORDS];
	uint8_t union_idx[FK_WORDS];
	uint32_t n_union;
};

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

static inline bool
beats(const struct cls_rule *a, const struct cls_rule *b)
{
	return a->priority > b->priority || (a->priority == b->priority && a->seq < b->seq);
}

/* classifier.c: add with a given tie-break sequence number. */
uint32_t cls_add_with_seq(struct classifier *cls, const struct flow_key *key,
			  const struct flow_key *mask, uint32_t priority, uint32_t result,
			  uint64_t seq);

#endif /* ONVM_CLASSIFIER_PRIV_H */
