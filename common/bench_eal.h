/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL for the micro-benchmarks. Run without arguments, a benchmark starts
 * EAL with its own defaults (its own --file-prefix among them) and, at
 * exit, removes what EAL leaves of that prefix; run with EAL arguments, it
 * uses those and leaves the prefix alone (it may be someone else's).
 */
#ifndef ONVM_BENCH_EAL_H
#define ONVM_BENCH_EAL_H

#include <stdio.h>

#include <rte_eal.h>

#include "onvm_runtime.h"

/* The prefix to remove at exit, or NULL when the caller chose it. */
static const char *bench_eal_own_prefix;

/*
 * rte_eal_init() with argv, or with defaults[0..n_defaults) when argv has
 * no arguments. Returns how many of argv's arguments EAL took (0 with the
 * defaults), or -1 after printing why.
 */
static inline int
bench_eal_init(const char *name, int argc, char **argv, char **defaults, int n_defaults)
{
	int used;

	if (argc > 1) {
		used = rte_eal_init(argc, argv);
	} else {
		/* Read before EAL's getopt reorders the array. */
		const char *prefix = onvm_eal_file_prefix(n_defaults, defaults);

		used = rte_eal_init(n_defaults, defaults) < 0 ? -1 : 0;
		if (used == 0)
			bench_eal_own_prefix = prefix;
	}
	if (used < 0)
		fprintf(stderr, "%s: EAL init failed\n", name);
	return used;
}

static inline void
bench_eal_exit(void)
{
	rte_eal_cleanup();
	if (bench_eal_own_prefix != NULL)
		onvm_runtime_remove(bench_eal_own_prefix);
}

#endif /* ONVM_BENCH_EAL_H */
