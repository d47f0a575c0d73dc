/* SPDX-License-Identifier: BSD-3-Clause */
/* Even shares of a service's buckets with the fewest moves (scale_plan.h). */
#include <stdlib.h>
#include <string.h>

#include "scale_plan.h"

#define PLAN_MAX 64

int
scale_plan(const uint32_t *owned, const bool *leaving, int n, struct scale_move *out, int max)
{
	int order[PLAN_MAX], k = 0, moves = 0;
	int64_t surplus[PLAN_MAX];
	uint64_t total = 0;

	if (n <= 0 || n > PLAN_MAX)
		return -1;
	for (int i = 0; i < n; i++) {
		total += owned[i];
		if (!leaving[i])
			order[k++] = i;
	}
	if (k == 0)
		return -1;
	/* Staying instances by buckets owned, most first (stable): the
	 * remainder of an uneven split goes to them, so they keep it. */
	for (int a = 1; a < k; a++)
		for (int b = a; b > 0 && owned[order[b]] > owned[order[b - 1]]; b--) {
			int t = order[b];
			order[b] = order[b - 1];
			order[b - 1] = t;
		}
	for (int i = 0; i < n; i++)
		surplus[i] = (int64_t)owned[i]; /* leaving: all of it */
	for (int r = 0; r < k; r++)
		surplus[order[r]] -= (int64_t)(total / (uint64_t)k) + (r < (int)(total % (uint64_t)k));
	/* Each surplus goes to the deficits in turn. */
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n && surplus[i] > 0; j++) {
			int64_t c;

			if (surplus[j] >= 0)
				continue;
			c = surplus[i] < -surplus[j] ? surplus[i] : -surplus[j];
			if (moves == max)
				return -1;
			out[moves++] = (struct scale_move){ (uint16_t)i, (uint16_t)j, (uint32_t)c };
			surplus[i] -= c;
			surplus[j] += c;
		}
	return moves;
}
