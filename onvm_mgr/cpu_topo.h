/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpu_topo: the machine as placement.h needs it, from Linux's sysfs and
 * the process's affinity. No DPDK: read it before EAL starts, because EAL
 * pins the main thread to the main lcore and its affinity is then gone.
 */
#ifndef ONVM_CPU_TOPO_H
#define ONVM_CPU_TOPO_H

#include "placement.h"

/*
 * Fill t from a sysfs tree rooted at `root` ("/sys/devices/system" on a
 * real machine): cpu/online, cpu/isolated, node/node*\/cpulist and
 * cpu/cpuN/topology/thread_siblings_list. What a tree lacks is filled in
 * as a machine without it would be: no NUMA nodes means node 0 for every
 * CPU, no siblings means one CPU per core, no isolated file means none.
 * t->allowed is set to every online CPU; cpu_topo_affinity() narrows it.
 * 0, or -1 when cpu/online cannot be read.
 */
int cpu_topo_read(const char *root, struct place_topo *t);

/* t->allowed = the calling thread's affinity (taskset, cgroup cpuset). */
int cpu_topo_affinity(struct place_topo *t);

#endif /* ONVM_CPU_TOPO_H */
