/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters that never go down (counter_keeper.h): an open-addressing hash
 * table of series keyed by "family\0labels", never shrinking (series stay
 * for the life of the manager), sized for max_series at a load of 1/2.
 */
#include <stdlib.h>
#include <string.h>

#include "counter_keeper.h"

struct ckeep_series {
	char *family;      /* NULL: the slot is empty */
	char *labels;
	uint64_t base;     /* what earlier sources counted */
	uint64_t last;     /* the current source's last raw value */
	uint64_t src;
	bool has_src;      /* false: the next observation starts a source */
	uint32_t round;    /* the round it was last observed in */
};

struct ckeep {
	struct ckeep_series *slots;
	uint32_t mask;     /* slots - 1 (a power of two) */
	uint32_t count, max;
	uint32_t round;
	uint64_t unkept;
};

struct ckeep *
ckeep_create(uint32_t max_series)
{
	struct ckeep *k = calloc(1, sizeof(*k));
	uint32_t n = 16;

	if (k == NULL)
		return NULL;
	while (n < 2 * (uint64_t)max_series && n < (1u << 30))
		n *= 2;
	k->slots = calloc(n, sizeof(*k->slots));
	if (k->slots == NULL) {
		free(k);
		return NULL;
	}
	k->mask = n - 1;
	k->max = max_series < n / 2 ? max_series : n / 2;
	k->round = 1;
	return k;
}

void
ckeep_free(struct ckeep *k)
{
	if (k == NULL)
		return;
	for (uint32_t i = 0; i <= k->mask; i++) {
		free(k->slots[i].family);
		free(k->slots[i].labels);
	}
	free(k->slots);
	free(k);
}

/* FNV-1a over family, a NUL, and labels. */
static uint32_t
series_hash(const char *family, const char *labels)
{
	uint32_t h = 2166136261u;

	for (const char *p = family; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h *= 16777619u;
	for (const char *p = labels; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

/* The series' slot, or the empty slot where it would go. */
static struct ckeep_series *
series_slot(struct ckeep *k, const char *family, const char *labels)
{
	for (uint32_t i = series_hash(family, labels) & k->mask;; i = (i + 1) & k->mask) {
		struct ckeep_series *s = &k->slots[i];

		if (s->family == NULL ||
		    (strcmp(s->family, family) == 0 && strcmp(s->labels, labels) == 0))
			return s;
	}
}

void
ckeep_begin(struct ckeep *k)
{
	k->round++;
}

uint64_t
ckeep_observe(struct ckeep *k, const char *family, const char *labels, uint64_t src, uint64_t raw)
{
	struct ckeep_series *s = series_slot(k, family, labels);

	if (s->family == NULL) {
		if (k->count >= k->max) {
			k->unkept++;
			return raw;
		}
		s->family = strdup(family);
		s->labels = strdup(labels);
		if (s->family == NULL || s->labels == NULL) {
			free(s->family);
			free(s->labels);
			s->family = s->labels = NULL;
			k->unkept++;
			return raw;
		}
		k->count++;
	} else if (!s->has_src || s->src != src || raw < s->last) {
		/* Another source, or this one started again. */
		s->base += s->last;
		s->last = 0;
	}
	s->src = src;
	s->has_src = true;
	s->last = raw;
	s->round = k->round;
	return s->base + s->last;
}

void
ckeep_foreach_missing(struct ckeep *k, const char *family,
		      void (*fn)(const char *labels, uint64_t value, void *arg), void *arg)
{
	for (uint32_t i = 0; i <= k->mask; i++) {
		const struct ckeep_series *s = &k->slots[i];

		if (s->family != NULL && s->round != k->round && strcmp(s->family, family) == 0)
			fn(s->labels, s->base + s->last, arg);
	}
}

void
ckeep_end(struct ckeep *k)
{
	for (uint32_t i = 0; i <= k->mask; i++) {
		struct ckeep_series *s = &k->slots[i];

		if (s->family != NULL && s->round != k->round && s->has_src) {
			s->base += s->last;
			s->last = 0;
			s->has_src = false;
		}
	}
}

uint32_t
ckeep_count(const struct ckeep *k)
{
	return k->count;
}

uint64_t
ckeep_unkept(const struct ckeep *k)
{
	return k->unkept;
}
