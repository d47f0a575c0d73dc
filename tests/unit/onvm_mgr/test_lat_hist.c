/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lat_hist: bucket boundaries are contiguous and ordered over the whole
 * range, and percentiles of random samples (uniform, and log-spread as
 * latencies are) are within 12.5% of the exact ones from sorted samples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lat_hist.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
boundaries(void **state)
{
	(void)state;
	for (unsigned int i = 0; i + 1 < LAT_HIST_N; i++) {
		assert_true(lat_hist_low(i) < lat_hist_low(i + 1));
		assert_int_equal(lat_hist_index(lat_hist_low(i)), i);
		assert_int_equal(lat_hist_index(lat_hist_low(i + 1) - 1), i);
	}
	assert_int_equal(lat_hist_index(UINT64_MAX), LAT_HIST_N - 1);
	for (int k = 0; k < 100000; k++) {
		uint64_t v = rnd() >> (rnd() % 64);
		unsigned int i = lat_hist_index(v);

		assert_true(i < LAT_HIST_N);
		assert_true(lat_hist_low(i) <= v);
		if (i + 1 < LAT_HIST_N)
			assert_true(v < lat_hist_low(i + 1));
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
check_percentiles(const uint64_t *v, size_t n)
{
	static struct lat_hist h;
	uint64_t *sorted = malloc(n * sizeof(*sorted));
	static const unsigned int pm[] = { 1, 100, 500, 900, 990, 999, 1000 };

	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < n; i++)
		lat_hist_add(&h, v[i], 1);
	memcpy(sorted, v, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	assert_int_equal(h.total, n);
	assert_int_equal(h.max, sorted[n - 1]);
	for (size_t k = 0; k < sizeof(pm) / sizeof(pm[0]); k++) {
		size_t rank = (n * pm[k] + 999) / 1000;
		uint64_t exact = sorted[rank ? rank - 1 : 0];
		uint64_t got = lat_hist_percentile(&h, pm[k]);
		double err = exact ? ((double)got - (double)exact) / (double)exact : (double)got;

		assert_true(err <= 0.125 && err >= -0.125);
	}
	free(sorted);
}

static void
percentiles(void **state)
{
	enum { N = 50000 };
	uint64_t *v = malloc(N * sizeof(*v));
	static struct lat_hist empty;

	(void)state;
	assert_int_equal(lat_hist_percentile(&empty, 500), 0);
	for (size_t i = 0; i < N; i++)
		v[i] = 1000 + rnd() % 1000000;
	check_percentiles(v, N);
	for (size_t i = 0; i < N; i++)
		v[i] = (rnd() % 1000000) >> (rnd() % 20);
	check_percentiles(v, N);
	v[0] = 42;
	check_percentiles(v, 1);
	free(v);
}

/* Weighted samples count as that many. */
static void
weights(void **state)
{
	static struct lat_hist h;

	(void)state;
	lat_hist_add(&h, 100, 99);
	lat_hist_add(&h, 100000, 1);
	assert_int_equal(h.total, 100);
	assert_true(lat_hist_percentile(&h, 500) <= 112 && lat_hist_percentile(&h, 500) >= 88);
	assert_true(lat_hist_percentile(&h, 1000) >= 88000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boundaries),
		cmocka_unit_test(percentiles),
		cmocka_unit_test(weights),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
