/* SPDX-License-Identifier: BSD-3-Clause */
/* Binary tries of IPv4 prefixes (cls_trie.h). */
#include <stdlib.h>
#include <string.h>

#include "cls_trie.h"

static uint32_t
trie_new_node(struct cls_trie *t)
{
	uint32_t n;

	if (t->free_head != 0) {
		n = t->free_head;
		t->free_head = t->nodes[n].child[0];
	} else {
		if (t->n_nodes == t->cap_nodes) {
			uint32_t cap = t->cap_nodes ? t->cap_nodes * 2 : 64;
			struct cls_trie_node *v = realloc(t->nodes, cap * sizeof(*v));
			if (v == NULL)
				return 0;
			t->nodes = v;
			t->cap_nodes = cap;
		}
		n = t->n_nodes++;
	}
	memset(&t->nodes[n], 0, sizeof(t->nodes[n]));
	return n;
}

/* Count one more rule ending at prefix addr/len (1..32). */
int
cls_trie_add(struct cls_trie *t, uint32_t addr, uint8_t len)
{
	uint32_t n;

	if (t->n_nodes == 0) {
		/* The root, node 0: trie_new_node's 0 means failure. */
		t->nodes = malloc(64 * sizeof(*t->nodes));
		if (t->nodes == NULL)
			return -1;
		t->cap_nodes = 64;
		t->n_nodes = 1;
		memset(&t->nodes[0], 0, sizeof(t->nodes[0]));
	}
	n = 0;
	for (uint8_t d = 0; d < len; d++) {
		unsigned int bit = (addr >> (31 - d)) & 1;
		uint32_t c = t->nodes[n].child[bit];

		if (c == 0) {
			c = trie_new_node(t);
			if (c == 0)
				return -1;
			t->nodes[n].child[bit] = c;
		}
		n = c;
	}
	t->nodes[n].n_rules++;
	return 0;
}

/* One rule fewer at addr/len; nodes left with nothing below go. */
void
cls_trie_del(struct cls_trie *t, uint32_t addr, uint8_t len)
{
	uint32_t path[33];
	uint32_t n = 0;

	path[0] = 0;
	for (uint8_t d = 0; d < len; d++) {
		n = t->nodes[n].child[(addr >> (31 - d)) & 1];
		path[d + 1] = n;
	}
	t->nodes[n].n_rules--;
	for (uint8_t d = len; d > 0; d--) {
		struct cls_trie_node *node = &t->nodes[path[d]];

		if (node->n_rules || node->child[0] || node->child[1])
			break;
		t->nodes[path[d - 1]].child[(addr >> (32 - d)) & 1] = 0;
		node->child[0] = t->free_head;
		t->free_head = path[d];
	}
}

void
cls_trie_free(struct cls_trie *t)
{
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}
