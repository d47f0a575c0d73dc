/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cls_trie: a binary trie of IPv4 prefixes counting the rules that end at
 * each one, for the classifier's prefix tracking (classifier.h): walked
 * along a packet's address it tells which prefix lengths some rule has
 * there, so subtables of the other lengths need not be probed. Pure C.
 * Written by the control thread, read by lookups (the classifier's
 * threading contract covers it: a trie belongs to one classifier).
 */
#ifndef ONVM_CLS_TRIE_H
#define ONVM_CLS_TRIE_H

#include <stdint.h>

/* The bit cls_trie_lengths() always sets for masks that are no prefix. */
#define CLS_TRIE_ANY 33

struct cls_trie_node {
	uint32_t child[2];     /* 0: none (the root is no one's child) */
	uint32_t n_rules;      /* rules whose prefix ends here */
};

struct cls_trie {
	struct cls_trie_node *nodes; /* nodes[0] is the root (length 0) */
	uint32_t n_nodes, cap_nodes;
	uint32_t free_head;          /* freed nodes chained through child[0] */
};

/* Count one more rule ending at prefix addr/len (len 1..32): 0, or -1
 * when out of memory (the counts unchanged). */
int cls_trie_add(struct cls_trie *t, uint32_t addr, uint8_t len);

/* One rule fewer at addr/len (added before); nodes left empty are freed. */
void cls_trie_del(struct cls_trie *t, uint32_t addr, uint8_t len);

void cls_trie_free(struct cls_trie *t);

/* Bit L set: a subtable with prefix length L on this field may match. */
static inline uint64_t
cls_trie_lengths(const struct cls_trie *t, uint32_t addr)
{
	uint64_t ok = 1 | (1ULL << CLS_TRIE_ANY);
	uint32_t n = 0;

	if (t->n_nodes == 0)
		return ok;
	for (unsigned int d = 0; d < 32; d++) {
		n = t->nodes[n].child[(addr >> (31 - d)) & 1];
		if (n == 0)
			break;
		if (t->nodes[n].n_rules)
			ok |= 1ULL << (d + 1);
	}
	return ok;
}

#endif /* ONVM_CLS_TRIE_H */
