/* SPDX-License-Identifier: BSD-3-Clause */
/* Clocks for the micro-benchmarks: wall time, and the CPU time this thread
 * ran (on a shared machine wall time also counts other processes' turns). */
#ifndef ONVM_BENCH_CLOCK_H
#define ONVM_BENCH_CLOCK_H

#include <time.h>

static inline double
bench_clock_s(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline double
bench_wall_s(void)
{
	return bench_clock_s(CLOCK_MONOTONIC);
}

static inline double
bench_cpu_s(void)
{
	return bench_clock_s(CLOCK_THREAD_CPUTIME_ID);
}

#endif /* ONVM_BENCH_CLOCK_H */
