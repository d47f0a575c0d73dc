/* SPDX-License-Identifier: BSD-3-Clause */
/* Where NFs run, and which NUMA node the pool goes on (placement.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "placement.h"

static void
warn(struct place_plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->num_warnings == PLACE_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(p->warnings[p->num_warnings++], PLACE_WARNING_LEN, fmt, ap);
	va_end(ap);
}

/* Whether CPU a is a better place for an NF than CPU b: fewer NFs, then
 * the ports' node, then a physical core no data lcore spins on, then the
 * lower number. */
static bool
better(const struct place_plan *p, const struct place_topo *t, const uint16_t *load,
       unsigned int a, unsigned int b)
{
	if (load != NULL && load[a] != load[b])
		return load[a] < load[b];
	if (p->home_node >= 0) {
		bool a_far = t->node[a] >= 0 && t->node[a] != p->home_node;
		bool b_far = t->node[b] >= 0 && t->node[b] != p->home_node;

		if (a_far != b_far)
			return !a_far;
	}
	bool a_near = place_cpuset_has(&p->near_lcore, a), b_near = place_cpuset_has(&p->near_lcore, b);

	if (a_near != b_near)
		return !a_near;
	return a < b;
}

static int
best_of(const struct place_plan *p, const struct place_topo *t, const struct place_cpuset *s,
	const uint16_t *load)
{
	int best = -1;

	for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++)
		if (place_cpuset_has(s, c) && (best < 0 || better(p, t, load, c, (unsigned int)best)))
			best = (int)c;
	return best;
}

static void
mark_siblings(struct place_plan *p, const struct place_topo *t)
{
	for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++) {
		if (!place_cpuset_has(&t->online, c) || t->core[c] < 0)
			continue;
		for (unsigned int d = 0; d < PLACE_MAX_CPUS; d++)
			if (place_cpuset_has(&p->data, d) && t->core[d] == t->core[c])
				place_cpuset_set(&p->near_lcore, c);
	}
}

static void
check_lcores(struct place_plan *p, const struct place_topo *t, const struct place_cpuset *usable)
{
	char list[64];
	struct place_cpuset lc = p->data, outside;

	place_cpuset_set(&lc, p->control_cpu);
	outside = lc;
	place_cpuset_andnot(&outside, usable);
	if (!place_cpuset_empty(&outside)) {
		char mine[64];

		place_cpuset_format(&outside, list, sizeof(list));
		place_cpuset_format(&t->allowed, mine, sizeof(mine));
		warn(p, "lcores on CPUs %s, outside the CPUs this process was given (%s) and not "
			"isolated: EAL pinned them there anyway", list, mine);
	}
	if (p->home_node < 0)
		return;
	struct place_cpuset far = { { 0 } };

	for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++)
		if (place_cpuset_has(&p->data, c) && t->node[c] >= 0 && t->node[c] != p->home_node)
			place_cpuset_set(&far, c);
	if (!place_cpuset_empty(&far)) {
		place_cpuset_format(&far, list, sizeof(list));
		warn(p, "data lcores on CPUs %s are not on NUMA node %d, where the ports and the packet "
			"pool are: every packet crosses between the nodes", list, p->home_node);
	}
}

static int
check_mask(const struct place_topo *t, const struct place_plan *p, const struct place_cpuset *mask,
	   const struct place_cpuset *usable, char *err, size_t errlen)
{
	char list[64];

	if (place_cpuset_empty(mask)) {
		snprintf(err, errlen, "the NF core mask names no CPU");
		return -1;
	}
	for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++) {
		if (!place_cpuset_has(mask, c))
			continue;
		if (!place_cpuset_has(&t->online, c)) {
			place_cpuset_format(&t->online, list, sizeof(list));
			snprintf(err, errlen, "the NF core mask names CPU %u, which is not online (%s are)",
				 c, list);
			return -1;
		}
		if (!place_cpuset_has(usable, c)) {
			place_cpuset_format(&t->allowed, list, sizeof(list));
			snprintf(err, errlen, "the NF core mask names CPU %u, outside the CPUs this "
				 "process was given (%s: taskset or a cgroup) and not isolated", c, list);
			return -1;
		}
		if (place_cpuset_has(&p->data, c)) {
			snprintf(err, errlen, "the NF core mask names CPU %u, where a data lcore spins: "
				 "an NF there would starve it", c);
			return -1;
		}
	}
	return 0;
}

int
place_plan_make(const struct place_topo *t, const struct place_lcores *l,
		const struct place_cpuset *nf_mask, bool shared, int home_node,
		struct place_plan *p, char *err, size_t errlen)
{
	struct place_cpuset usable = t->allowed, free_cpus = t->allowed, idle_isolated = t->isolated;

	memset(p, 0, sizeof(*p));
	p->data = l->data;
	p->control_cpu = l->control_cpu;
	p->home_node = home_node;
	p->shared = shared;
	mark_siblings(p, t);
	place_cpuset_or(&usable, &t->isolated);
	place_cpuset_and(&usable, &t->online);
	check_lcores(p, t, &usable);

	if (nf_mask != NULL) {
		if (check_mask(t, p, nf_mask, &usable, err, errlen) < 0)
			return -1;
		p->nf_cpus = *nf_mask;
		p->masked = true;
		return 0;
	}
	place_cpuset_and(&free_cpus, &t->online);
	place_cpuset_andnot(&free_cpus, &l->data);
	place_cpuset_clear(&free_cpus, l->control_cpu);

	/* isolcpus= keeps CPUs out of every default affinity: they are for
	 * what is named onto them, so NFs use them only through the mask. */
	place_cpuset_andnot(&idle_isolated, &l->data);
	place_cpuset_clear(&idle_isolated, l->control_cpu);
	place_cpuset_andnot(&idle_isolated, &t->allowed);
	if (!place_cpuset_empty(&idle_isolated)) {
		char list[64];

		place_cpuset_format(&idle_isolated, list, sizeof(list));
		warn(p, "isolated CPUs %s run no lcore: NFs go there only when named (--nf-cores %s)",
		     list, list);
	}
	if (place_cpuset_empty(&free_cpus)) {
		place_cpuset_set(&p->nf_cpus, l->control_cpu);
		p->on_control = true;
		return 0;
	}
	if (shared) {
		place_cpuset_set(&p->nf_cpus, (unsigned int)best_of(p, t, &free_cpus, NULL));
		return 0;
	}
	p->nf_cpus = free_cpus;
	return 0;
}

unsigned int
place_pick(const struct place_plan *p, const struct place_topo *t, const uint16_t *load)
{
	int best = best_of(p, t, &p->nf_cpus, load);

	return best < 0 ? p->control_cpu : (unsigned int)best;
}

const char *
place_note(const struct place_plan *p, unsigned int cpu, bool given)
{
	if (cpu == p->control_cpu) {
		if (given || p->masked)
			return "the control CPU, as asked";
		return p->shared ? "the control CPU: -c, and no CPU is free of lcores"
				 : "the control CPU: no CPU is free of lcores";
	}
	if (place_cpuset_has(&p->data, cpu))
		return "a data lcore's CPU, as asked";
	if (given)
		return "as asked";
	return "";
}

void
place_describe(const struct place_plan *p, char *buf, size_t len)
{
	char list[96], node[32] = "";
	const char *cpus = place_cpuset_count(&p->nf_cpus) == 1 ? "CPU" : "CPUs";

	place_cpuset_format(&p->nf_cpus, list, sizeof(list));
	if (p->home_node >= 0)
		snprintf(node, sizeof(node), ", NUMA node %d first", p->home_node);
	if (p->masked)
		snprintf(buf, len, "NFs go to %s %s (NF core mask), %s%s", cpus, list,
			 p->shared ? "sharing them (-c)" : "the least loaded first", node);
	else if (p->on_control)
		snprintf(buf, len, "no CPU is free of lcores: NFs share the control CPU %u "
			 "(give --nf-cores, or fewer lcores)", p->control_cpu);
	else if (p->shared)
		snprintf(buf, len, "NFs share CPU %s (-c)", list);
	else
		snprintf(buf, len, "NFs go to %s %s, the least loaded first%s", cpus, list, node);
}

int
place_home_node(const int *port_node, unsigned int n, int fallback)
{
	unsigned int count[PLACE_MAX_CPUS] = { 0 };
	int best = -1;

	for (unsigned int i = 0; i < n; i++) {
		int s = port_node[i];

		if (s < 0 || s >= PLACE_MAX_CPUS)
			continue;
		count[s]++;
		if (best < 0 || count[s] > count[best] || (count[s] == count[best] && s < best))
			best = s;
	}
	return best < 0 ? fallback : best;
}
