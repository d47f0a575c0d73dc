/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "lb_maglev.h"

bool
lb_is_prime(uint32_t n)
{
	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (uint32_t d = 3; (uint64_t)d * d <= n; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

/*
 * FNV-1a over the name from a seed, then the murmur3 64-bit finaliser so
 * that names differing in one character land far apart. Two seeds give the
 * two independent hashes the paper asks for.
 */
static uint64_t
name_hash(const char *s, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

#define SEED_OFFSET 0x6d61676c65762d6full /* "maglev-o" */
#define SEED_SKIP   0x6d61676c65762d73ull /* "maglev-s" */

int
lb_maglev_build(struct lb_maglev *m, uint32_t size, const char *const *names, uint16_t n)
{
	uint32_t *pos = NULL, *skip = NULL, filled = 0;

	memset(m, 0, sizeof(*m));
	if (n == 0 || size <= n || !lb_is_prime(size))
		return -1;
	m->slot = malloc(sizeof(*m->slot) * size);
	pos = malloc(sizeof(*pos) * n);
	skip = malloc(sizeof(*skip) * n);
	if (m->slot == NULL || pos == NULL || skip == NULL) {
		free(pos);
		free(skip);
		lb_maglev_free(m);
		return -1;
	}
	m->size = size;
	/* permutation[i][j] = (offset + j * skip) mod M: because M is prime and
	 * 0 < skip < M, it visits every slot once; pos[i] walks it. */
	for (uint16_t i = 0; i < n; i++) {
		pos[i] = (uint32_t)(name_hash(names[i], SEED_OFFSET) % size);
		skip[i] = (uint32_t)(name_hash(names[i], SEED_SKIP) % (size - 1)) + 1;
	}
	memset(m->slot, 0xff, sizeof(*m->slot) * size);
	while (filled < size) {
		for (uint16_t i = 0; i < n && filled < size; i++) {
			while (m->slot[pos[i]] != UINT16_MAX)
				pos[i] = (uint32_t)(((uint64_t)pos[i] + skip[i]) % size);
			m->slot[pos[i]] = i;
			pos[i] = (uint32_t)(((uint64_t)pos[i] + skip[i]) % size);
			filled++;
		}
	}
	free(pos);
	free(skip);
	return 0;
}

void
lb_maglev_free(struct lb_maglev *m)
{
	free(m->slot);
	m->slot = NULL;
	m->size = 0;
}
