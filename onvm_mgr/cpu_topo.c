/* SPDX-License-Identifier: BSD-3-Clause */
/* The machine's CPUs, NUMA nodes and hyperthreads from sysfs (cpu_topo.h). */
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_topo.h"

/* A cpulist file into s; -1 when it cannot be read or parsed. */
static int
read_list(const char *path, struct place_cpuset *s)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	int rc = -1;

	if (f == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) != NULL)
		rc = place_cpuset_parse_list(line, s);
	else
		rc = place_cpuset_parse_list("", s); /* an empty file: no CPU */
	fclose(f);
	return rc;
}

static void
read_nodes(const char *root, struct place_topo *t)
{
	char path[512];
	struct dirent *e;
	DIR *dir;
	bool any = false;

	snprintf(path, sizeof(path), "%s/node", root);
	dir = opendir(path);
	while (dir != NULL && (e = readdir(dir)) != NULL) {
		struct place_cpuset cpus;
		char *end;
		long node;

		if (strncmp(e->d_name, "node", 4) != 0)
			continue;
		node = strtol(e->d_name + 4, &end, 10);
		if (end == e->d_name + 4 || *end != '\0' || node < 0 || node > INT16_MAX)
			continue;
		snprintf(path, sizeof(path), "%s/node/%s/cpulist", root, e->d_name);
		if (read_list(path, &cpus) < 0)
			continue;
		for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++)
			if (place_cpuset_has(&cpus, c))
				t->node[c] = (int16_t)node;
		any = true;
	}
	if (dir != NULL)
		closedir(dir);
	if (!any) /* a kernel without NUMA: one node */
		for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++)
			if (place_cpuset_has(&t->online, c))
				t->node[c] = 0;
}

static void
read_cores(const char *root, struct place_topo *t)
{
	char path[512];

	for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++) {
		struct place_cpuset sib;

		if (!place_cpuset_has(&t->online, c))
			continue;
		snprintf(path, sizeof(path), "%s/cpu/cpu%u/topology/thread_siblings_list", root, c);
		if (read_list(path, &sib) < 0 || place_cpuset_empty(&sib))
			t->core[c] = (int16_t)c;
		else
			t->core[c] = (int16_t)place_cpuset_first(&sib);
	}
}

int
cpu_topo_read(const char *root, struct place_topo *t)
{
	char path[512];

	memset(t, 0, sizeof(*t));
	for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++)
		t->node[c] = t->core[c] = -1;
	snprintf(path, sizeof(path), "%s/cpu/online", root);
	if (read_list(path, &t->online) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/cpu/isolated", root);
	if (read_list(path, &t->isolated) < 0)
		memset(&t->isolated, 0, sizeof(t->isolated));
	t->allowed = t->online;
	read_nodes(root, t);
	read_cores(root, t);
	return 0;
}

int
cpu_topo_affinity(struct place_topo *t)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -1;
	memset(&t->allowed, 0, sizeof(t->allowed));
	for (unsigned int c = 0; c < PLACE_MAX_CPUS && c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			place_cpuset_set(&t->allowed, c);
	return 0;
}
