/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * For unit tests that bring up a private EAL (--no-huge --no-shconf): EAL
 * still makes a runtime directory for its telemetry socket and leaves it
 * behind. test_eal_cleanup() shuts EAL down and removes it, as the manager
 * does for its own prefix.
 */
#ifndef TEST_EAL_CLEANUP_H
#define TEST_EAL_CLEANUP_H

#include <rte_eal.h>

#include "onvm_runtime.h"

static inline void
test_eal_cleanup(const char *prefix)
{
	rte_eal_cleanup();
	onvm_runtime_remove(prefix);
}

#endif /* TEST_EAL_CLEANUP_H */
