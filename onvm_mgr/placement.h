/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * placement: which CPU an NF runs on, and which NUMA node the packet pool
 * and the rings live on. Pure: the machine is described to it (cpu_topo.c
 * reads the real one), so that any topology can be tested.
 *
 * The rules (docs/real-nics.md, "Choosing lcores"):
 *   - NFs go to the NF CPUs: the NF core mask (-n / --nf-cores) when one
 *     is given, else every CPU the manager may use (its affinity when it
 *     started: taskset, a cgroup's cpuset; isolcpus= takes CPUs out of it)
 *     that runs no lcore of the manager.
 *   - Without -c each NF gets the least loaded of them; among equals one on
 *     the ports' NUMA node, then one whose physical core runs no data lcore
 *     (a hyperthread sibling of a busy-polling lcore halves it), then the
 *     lowest number.
 *   - With -c (idle NFs sleep) NFs share: without a mask all of them share
 *     one CPU, the first of the NF CPUs in that order; with a mask they
 *     share the mask's CPUs, the least loaded first.
 *   - Never the control CPU (the control loop, telemetry, the OpenFlow and
 *     onvmctl threads) unless told: in the mask, by go.sh -l, or when no
 *     CPU is left at all (every CPU runs an lcore, e.g. -l 0-1 on a 2-CPU
 *     machine), which the plan says so that the manager can announce it.
 *   - Never a data lcore's CPU, unless go.sh -l names it.
 */
#ifndef ONVM_PLACEMENT_H
#define ONVM_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLACE_MAX_CPUS 256

struct place_cpuset {
	uint64_t w[PLACE_MAX_CPUS / 64];
};

static inline void
place_cpuset_set(struct place_cpuset *s, unsigned int cpu)
{
	if (cpu < PLACE_MAX_CPUS)
		s->w[cpu / 64] |= 1ULL << (cpu % 64);
}

static inline void
place_cpuset_clear(struct place_cpuset *s, unsigned int cpu)
{
	if (cpu < PLACE_MAX_CPUS)
		s->w[cpu / 64] &= ~(1ULL << (cpu % 64));
}

static inline bool
place_cpuset_has(const struct place_cpuset *s, unsigned int cpu)
{
	return cpu < PLACE_MAX_CPUS && (s->w[cpu / 64] >> (cpu % 64) & 1);
}

unsigned int place_cpuset_count(const struct place_cpuset *s);
bool place_cpuset_empty(const struct place_cpuset *s);
/* The lowest CPU in s, or -1. */
int place_cpuset_first(const struct place_cpuset *s);
/* a &= b; a |= b; a &= ~b */
void place_cpuset_and(struct place_cpuset *a, const struct place_cpuset *b);
void place_cpuset_or(struct place_cpuset *a, const struct place_cpuset *b);
void place_cpuset_andnot(struct place_cpuset *a, const struct place_cpuset *b);

/* "0-3,8,10-11" (the kernel's cpulist format, as taskset -c and EAL -l
 * take it). 0, or -1 on anything else; an empty string is the empty set. */
int place_cpuset_parse_list(const char *s, struct place_cpuset *out);
/* A hex mask ("0xf0", "F0"), OpenNetVM's NF core mask. 0 or -1. */
int place_cpuset_parse_hex(const char *s, struct place_cpuset *out);
/* s as a cpulist ("2-15,32"), "none" when empty; truncated to len. */
void place_cpuset_format(const struct place_cpuset *s, char *buf, size_t len);

/* The machine, as cpu_topo.c reads it (or a test makes it up). */
struct place_topo {
	struct place_cpuset online;
	struct place_cpuset allowed;  /* the manager's affinity at start */
	struct place_cpuset isolated; /* isolcpus=: outside every default affinity */
	int16_t node[PLACE_MAX_CPUS]; /* NUMA node (DPDK's socket id), -1 unknown */
	int16_t core[PLACE_MAX_CPUS]; /* physical core: its first hyperthread's CPU */
};

/* The manager's own lcores. */
struct place_lcores {
	unsigned int control_cpu;
	struct place_cpuset data; /* CPUs the data lcores spin on */
};

#define PLACE_MAX_WARNINGS 4
#define PLACE_WARNING_LEN  200

struct place_plan {
	struct place_cpuset nf_cpus; /* where NFs go */
	struct place_cpuset near_lcore; /* CPUs whose physical core runs a data lcore */
	struct place_cpuset data;
	unsigned int control_cpu;
	int home_node;         /* the ports' NUMA node; -1 unknown */
	bool shared;           /* -c: NFs sleep when idle and share CPUs */
	bool masked;           /* nf_cpus is the NF core mask */
	bool on_control;       /* no CPU left: NFs share the control CPU */
	unsigned int num_warnings;
	char warnings[PLACE_MAX_WARNINGS][PLACE_WARNING_LEN];
};

/*
 * Decide where NFs go. nf_mask: the NF core mask, or NULL. 0, or -1 with a
 * reason in err for a mask that names a CPU that is offline, outside the
 * manager's CPUs (and not isolated), or a data lcore's. Warnings about the
 * lcores (an lcore outside the manager's CPUs, a data lcore on another
 * NUMA node than the ports) land in p->warnings.
 */
int place_plan_make(const struct place_topo *t, const struct place_lcores *l,
		    const struct place_cpuset *nf_mask, bool shared, int home_node,
		    struct place_plan *p, char *err, size_t errlen);

/* The CPU for the next NF; load[cpu] is how many NFs run on each CPU
 * (PLACE_MAX_CPUS entries). */
unsigned int place_pick(const struct place_plan *p, const struct place_topo *t,
			const uint16_t *load);

/* Why an NF is on `cpu` (`given`: go.sh -l named it), for the line that
 * announces it: "" when place_pick chose it among the NF CPUs as usual,
 * else e.g. "the control CPU: no CPU is free of lcores". */
const char *place_note(const struct place_plan *p, unsigned int cpu, bool given);

/* One line: where NFs go ("NFs go to CPUs 4-15 (node 0 first), one each"). */
void place_describe(const struct place_plan *p, char *buf, size_t len);

/*
 * The NUMA node most of the ports sit on (entries < 0, unknown, are
 * skipped; ties go to the lowest node), or `fallback` when none is known.
 * The packet pool and the rings go there: the NICs write packets into the
 * pool, and the data lcores should run on that node too.
 */
int place_home_node(const int *port_node, unsigned int n, int fallback);

#endif /* ONVM_PLACEMENT_H */
