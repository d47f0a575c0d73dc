/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-thread exact-match cache in front of the tuple-space search: a
 * flow's answer keyed by its bits under the union of all masks, valid only
 * while the classifier's generation is the one it was filled under.
 */
#include <stdlib.h>
#include <string.h>

#include "classifier_priv.h"

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
	struct cls_cache_entry entries[]; /* starts one cache line in */
};

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
	/* Two candidate slots per flow: far fewer conflict misses than a
	 * direct-mapped table of the same size, for one more line on a miss. */
	__builtin_prefetch(&cache->entries[p->hash & cache->mask]);
	__builtin_prefetch(&cache->entries[(p->hash >> 20) & cache->mask]);
}

static inline bool
cache_probe_resolve(const struct classifier *cls, struct cls_cache *cache,
		    const struct flow_key *key, const struct cache_probe *p, uint32_t *result)
{
	uint32_t sig = (uint32_t)(p->hash >> 32);
	struct cls_cache_entry *slot[2] = { &cache->entries[p->hash & cache->mask],
					    &cache->entries[(p->hash >> 20) & cache->mask] };

	for (int i = 0; i < 2; i++) {
		const struct cls_cache_entry *e = slot[i];
		if (e->generation == cls->generation && e->signature == sig &&
		    memcmp(e->key, p->key, cls->n_union * sizeof(p->key[0])) == 0) {
			if (e->result == CLS_NO_RULE)
				return false;
			*result = e->result;
			return true;
		}
	}
	uint32_t res = CLS_NO_RULE;
	bool found = classifier_lookup(cls, key, &res);

	/* A rule whose result is CLS_NO_RULE itself is never cached. */
	if (!found || res != CLS_NO_RULE) {
		/* Fill a stale slot first, else evict by a hash bit. */
		struct cls_cache_entry *e = slot[0]->generation != cls->generation ? slot[0]
					    : slot[1]->generation != cls->generation ? slot[1]
					    : slot[(p->hash >> 19) & 1];
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
