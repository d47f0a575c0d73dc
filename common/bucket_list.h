/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bucket_list: which slots of a flow table are in which flow-hash bucket,
 * as one doubly linked list per bucket threaded through arrays indexed by
 * slot. A stateful NF links a flow when it creates it (or its bucket
 * changes) and unlinks it when it frees it, so exporting or dropping the
 * flows of a set of buckets (a checkpoint's dirty buckets, a move) walks
 * those flows only, never the whole table.
 *
 * O(1) link, unlink and relink; no allocation after bucket_list_create.
 * Pure C, no DPDK: tested against a brute-force reference in
 * tests/unit/common/test_bucket_list.c. Single-threaded: the NF's thread.
 */
#ifndef ONVM_BUCKET_LIST_H
#define ONVM_BUCKET_LIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define BUCKET_LIST_END UINT32_MAX
#define BUCKET_LIST_UNLINKED UINT16_MAX

struct bucket_list {
	uint32_t nslots;
	uint16_t nbuckets;
	uint32_t *head;    /* by bucket: its first slot, or BUCKET_LIST_END */
	uint32_t *next;    /* by slot */
	uint32_t *prev;    /* by slot; BUCKET_LIST_END for a list's first */
	uint16_t *bucket;  /* by slot: its list, or BUCKET_LIST_UNLINKED */
};

static inline void
bucket_list_free(struct bucket_list *l)
{
	if (l == NULL)
		return;
	free(l->head);
	free(l->next);
	free(l->prev);
	free(l->bucket);
	free(l);
}

/* nslots slots, all unlinked, and nbuckets (< BUCKET_LIST_UNLINKED) empty
 * lists; NULL when out of memory. */
static inline struct bucket_list *
bucket_list_create(uint32_t nslots, uint16_t nbuckets)
{
	struct bucket_list *l = (struct bucket_list *)calloc(1, sizeof(*l));

	if (l == NULL || nbuckets == BUCKET_LIST_UNLINKED)
		goto fail;
	l->nslots = nslots;
	l->nbuckets = nbuckets;
	l->head = (uint32_t *)malloc(sizeof(uint32_t) * nbuckets);
	l->next = (uint32_t *)malloc(sizeof(uint32_t) * (nslots ? nslots : 1));
	l->prev = (uint32_t *)malloc(sizeof(uint32_t) * (nslots ? nslots : 1));
	l->bucket = (uint16_t *)malloc(sizeof(uint16_t) * (nslots ? nslots : 1));
	if (l->head == NULL || l->next == NULL || l->prev == NULL || l->bucket == NULL)
		goto fail;
	for (uint32_t b = 0; b < nbuckets; b++)
		l->head[b] = BUCKET_LIST_END;
	for (uint32_t s = 0; s < nslots; s++)
		l->bucket[s] = BUCKET_LIST_UNLINKED;
	return l;
fail:
	bucket_list_free(l);
	return NULL;
}

/* Take slot off its list, if it is on one. */
static inline void
bucket_list_unlink(struct bucket_list *l, uint32_t slot)
{
	uint16_t b = l->bucket[slot];

	if (b == BUCKET_LIST_UNLINKED)
		return;
	if (l->prev[slot] == BUCKET_LIST_END)
		l->head[b] = l->next[slot];
	else
		l->next[l->prev[slot]] = l->next[slot];
	if (l->next[slot] != BUCKET_LIST_END)
		l->prev[l->next[slot]] = l->prev[slot];
	l->bucket[slot] = BUCKET_LIST_UNLINKED;
}

/* Put slot on bucket's list (off the one it was on, if another). */
static inline void
bucket_list_link(struct bucket_list *l, uint32_t slot, uint16_t bucket)
{
	if (l->bucket[slot] == bucket)
		return;
	bucket_list_unlink(l, slot);
	l->bucket[slot] = bucket;
	l->prev[slot] = BUCKET_LIST_END;
	l->next[slot] = l->head[bucket];
	if (l->head[bucket] != BUCKET_LIST_END)
		l->prev[l->head[bucket]] = slot;
	l->head[bucket] = slot;
}

static inline bool
bucket_list_linked(const struct bucket_list *l, uint32_t slot)
{
	return l->bucket[slot] != BUCKET_LIST_UNLINKED;
}

/* Walk a bucket: for (s = first(l, b); s != BUCKET_LIST_END; s = next(l, s)).
 * To unlink s while walking, read next(l, s) first. */
static inline uint32_t
bucket_list_first(const struct bucket_list *l, uint16_t bucket)
{
	return l->head[bucket];
}

static inline uint32_t
bucket_list_next(const struct bucket_list *l, uint32_t slot)
{
	return l->next[slot];
}

/*
 * The buckets of a set given as 64-bit words (bit b of word b / 64), in
 * ascending order: start with *word = 0, *bits = words[0]; returns the
 * next bucket, or -1 after the last. Skips empty words in one step, so a
 * sparse set costs its words plus its members.
 */
static inline int
bucket_set_next(const uint64_t *words, unsigned int nwords, unsigned int *word, uint64_t *bits)
{
	while (*bits == 0) {
		if (++*word >= nwords)
			return -1;
		*bits = words[*word];
	}
	int b = (int)(*word * 64 + (unsigned int)__builtin_ctzll(*bits));

	*bits &= *bits - 1;
	return b;
}

#endif /* ONVM_BUCKET_LIST_H */
