/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * onvm_runtime: facts about a DPDK file prefix that can be checked before
 * rte_eal_init(), so the manager and NFs fail with one clear line instead of
 * a page of EAL errors (a second manager on the same prefix; an NF with no
 * manager), and the clean-up of what EAL leaves of a prefix after it.
 * Pure C, no DPDK.
 */
#ifndef ONVM_RUNTIME_H
#define ONVM_RUNTIME_H

#include <stddef.h>

/* The --file-prefix among EAL arguments argv[0..argc), or "rte". */
const char *onvm_eal_file_prefix(int argc, char **argv);

/* DPDK's runtime directory for a prefix (as EAL computes it). */
int onvm_runtime_dir(const char *prefix, char *buf, size_t len);

/* 1 when a primary process holds the prefix's config lock, 0 when none. */
int onvm_primary_alive(const char *prefix);

/*
 * Remove what EAL leaves of a prefix once no process uses it: its hugepage
 * files ("<prefix>map_*" on every hugetlbfs mount) and its runtime
 * directory. 0, or -1 when the directory's path does not fit.
 */
int onvm_runtime_remove(const char *prefix);

#endif /* ONVM_RUNTIME_H */
