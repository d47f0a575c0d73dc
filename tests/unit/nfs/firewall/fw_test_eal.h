/* SPDX-License-Identifier: BSD-3-Clause */
/* rte_acl and rte_hash allocate through EAL: bring up a private, hugepage-free EAL. */
#ifndef FW_TEST_EAL_H
#define FW_TEST_EAL_H

#include <stdio.h>

#include <rte_eal.h>

#include "test_eal_cleanup.h"

static inline int
fw_test_eal_init(const char *prefix)
{
	char *argv[] = { "fwtest", "--no-huge", "--no-pci", "--no-shconf", "-l", "0",
			 "--file-prefix", (char *)prefix, "--log-level=error", NULL };

	if (rte_eal_init(9, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return -1;
	}
	return 0;
}

#endif /* FW_TEST_EAL_H */
