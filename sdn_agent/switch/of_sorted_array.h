/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's groups and meters are arrays kept sorted by a uint32_t id:
 * where an id is or would go, and room for one more record. Not public.
 */
#ifndef OF_SORTED_ARRAY_H
#define OF_SORTED_ARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static inline uint32_t
ofs_sorted_id_at(const void *v, uint32_t i, size_t size, size_t id_off)
{
	return *(const uint32_t *)((const char *)v + (size_t)i * size + id_off);
}

/*
 * Index of the record with this id in v[0..n), records of `size` bytes
 * with the id at offset `id_off`, or of where it would be inserted;
 * *found tells which.
 */
static inline uint32_t
ofs_sorted_index(const void *v, uint32_t n, size_t size, size_t id_off, uint32_t id,
		 bool *found)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ofs_sorted_id_at(v, mid, size, id_off) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < n && ofs_sorted_id_at(v, lo, size, id_off) == id;
	return lo;
}

/*
 * Room for one more in v, which holds n records of `size` bytes and has
 * room for *cap: v itself, or v grown (doubling, from 16) and maybe moved.
 * NULL when out of memory; v is then untouched.
 */
static inline void *
ofs_array_reserve(void *v, uint32_t n, uint32_t *cap, size_t size)
{
	uint32_t new_cap;

	if (n < *cap)
		return v;
	new_cap = *cap ? *cap * 2 : 16;
	v = realloc(v, new_cap * size);
	if (v != NULL)
		*cap = new_cap;
	return v;
}

#endif /* OF_SORTED_ARRAY_H */
