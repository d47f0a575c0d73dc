/* SPDX-License-Identifier: BSD-3-Clause */
/* cpu_topo_read on made-up sysfs trees (onvm_mgr/cpu_topo.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "cpu_topo.h"

static char root[64];

static void
put(const char *rel, const char *text)
{
	char path[512], dir[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	/* mkdir -p of the file's directory */
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *s = dir + strlen(root) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(dir, 0755);
		*s = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
make_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/onvm_cpu_topo.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int
remove_root(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void
format_is(const struct place_cpuset *s, const char *want)
{
	char buf[128];

	place_cpuset_format(s, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
two_nodes_with_hyperthreads(void **state)
{
	struct place_topo t;

	(void)state;
	put("cpu/online", "0-7\n");
	put("cpu/isolated", "6-7\n");
	put("node/node0/cpulist", "0-1,4-5\n");
	put("node/node1/cpulist", "2-3,6-7\n");
	put("node/possible", "0-1\n"); /* not a node directory: ignored */
	for (unsigned int c = 0; c < 8; c++) {
		char rel[96], sib[16];

		snprintf(rel, sizeof(rel), "cpu/cpu%u/topology/thread_siblings_list", c);
		snprintf(sib, sizeof(sib), "%u,%u\n", c % 4, c % 4 + 4);
		put(rel, sib);
	}
	assert_int_equal(cpu_topo_read(root, &t), 0);
	format_is(&t.online, "0-7");
	format_is(&t.allowed, "0-7");
	format_is(&t.isolated, "6-7");
	assert_int_equal(t.node[0], 0);
	assert_int_equal(t.node[2], 1);
	assert_int_equal(t.node[5], 0);
	assert_int_equal(t.node[7], 1);
	assert_int_equal(t.node[8], -1);
	assert_int_equal(t.core[5], 1); /* CPU 5 is core 1's second thread */
	assert_int_equal(t.core[3], 3);
}

static void
a_bare_tree(void **state)
{
	struct place_topo t;
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", root);
	assert_int_equal(system(cmd), 0);
	/* no online file: nothing to go on */
	assert_int_equal(cpu_topo_read(root, &t), -1);
	/* a kernel without NUMA, without isolcpus, without topology */
	put("cpu/online", "0-1\n");
	put("cpu/isolated", "\n");
	assert_int_equal(cpu_topo_read(root, &t), 0);
	assert_true(place_cpuset_empty(&t.isolated));
	assert_int_equal(t.node[0], 0);
	assert_int_equal(t.node[1], 0);
	assert_int_equal(t.core[1], 1);
}

static void
affinity_of_this_process(void **state)
{
	struct place_topo t;

	(void)state;
	assert_int_equal(cpu_topo_read("/sys/devices/system", &t), 0);
	assert_int_equal(cpu_topo_affinity(&t), 0);
	/* whatever runs the test may use at least the CPU it runs on */
	assert_false(place_cpuset_empty(&t.allowed));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_nodes_with_hyperthreads),
		cmocka_unit_test(a_bare_tree),
		cmocka_unit_test(affinity_of_this_process),
	};
	return cmocka_run_group_tests(tests, make_root, remove_root);
}
