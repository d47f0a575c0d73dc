/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NF placement (onvm_mgr/placement.h) over made-up machines: two NUMA nodes
 * of 16 cores with hyperthreads (64 CPUs), isolated CPUs, a taskset, the
 * 2-CPU virtual machine, shared-core mode, NF core masks; and place_pick
 * against a brute-force reference on random machines and loads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "placement.h"

static struct place_cpuset
list(const char *s)
{
	struct place_cpuset c;

	assert_int_equal(place_cpuset_parse_list(s, &c), 0);
	return c;
}

static void
assert_set(const struct place_cpuset *s, const char *want)
{
	char buf[256];

	place_cpuset_format(s, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* 2 nodes x 16 cores x 2 hyperthreads, numbered as Linux does on such
 * servers: CPUs 0-15 node 0, 16-31 node 1, 32-47 their siblings on node 0,
 * 48-63 on node 1. */
static void
two_socket_64(struct place_topo *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++)
		t->node[c] = t->core[c] = -1;
	for (unsigned int c = 0; c < 64; c++) {
		place_cpuset_set(&t->online, c);
		t->node[c] = (int16_t)((c % 32) < 16 ? 0 : 1);
		t->core[c] = (int16_t)(c % 32);
	}
	t->allowed = t->online;
}

/* The development VM: 2 CPUs, one node, no hyperthreads. */
static void
two_cpus(struct place_topo *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++)
		t->node[c] = t->core[c] = -1;
	for (unsigned int c = 0; c < 2; c++) {
		place_cpuset_set(&t->online, c);
		t->node[c] = 0;
		t->core[c] = (int16_t)c;
	}
	t->allowed = t->online;
}

static struct place_lcores
lcores(unsigned int control, const char *data)
{
	struct place_lcores l = { .control_cpu = control };

	l.data = list(data);
	return l;
}

/* Place n NFs one after another, each counted on its CPU; cpus[i] is
 * where the i-th went. */
static void
place_n(const struct place_plan *p, const struct place_topo *t, unsigned int n, uint16_t *load,
	unsigned int *cpus)
{
	for (unsigned int i = 0; i < n; i++) {
		cpus[i] = place_pick(p, t, load);
		load[cpus[i]]++;
	}
}

static void
cpusets_parse_and_format(void **state)
{
	struct place_cpuset s;

	(void)state;
	s = list("0-3,8,10-11");
	assert_int_equal(place_cpuset_count(&s), 7);
	assert_set(&s, "0-3,8,10-11");
	s = list("5\n"); /* sysfs ends its lists with a newline */
	assert_set(&s, "5");
	s = list("");
	assert_true(place_cpuset_empty(&s));
	assert_set(&s, "none");
	assert_int_equal(place_cpuset_first(&s), -1);
	assert_int_equal(place_cpuset_parse_list("3-1", &s), -1);
	assert_int_equal(place_cpuset_parse_list("a", &s), -1);
	assert_int_equal(place_cpuset_parse_list("1,,2", &s), -1);
	assert_int_equal(place_cpuset_parse_list("1-", &s), -1);
	assert_int_equal(place_cpuset_parse_list("256", &s), -1); /* past PLACE_MAX_CPUS */
	assert_int_equal(place_cpuset_parse_list("255", &s), 0);
	assert_int_equal(place_cpuset_first(&s), 255);

	assert_int_equal(place_cpuset_parse_hex("0xF0", &s), 0);
	assert_set(&s, "4-7");
	assert_int_equal(place_cpuset_parse_hex("f", &s), 0);
	assert_set(&s, "0-3");
	/* wider than 64 bits: CPU 64 */
	assert_int_equal(place_cpuset_parse_hex("0x10000000000000000", &s), 0);
	assert_set(&s, "64");
	assert_int_equal(place_cpuset_parse_hex("0x", &s), -1);
	assert_int_equal(place_cpuset_parse_hex("0xg1", &s), -1);
}

static void
server_first_nf_avoids_control_cpu(void **state)
{
	struct place_topo t;
	struct place_lcores l = lcores(0, "1-3"); /* onvm_mgr -l 0-3 */
	struct place_plan p;
	uint16_t load[PLACE_MAX_CPUS] = { 0 };
	unsigned int cpus[64];
	char err[256];

	(void)state;
	two_socket_64(&t);
	assert_int_equal(place_plan_make(&t, &l, NULL, false, 0, &p, err, sizeof(err)), 0);
	assert_false(p.on_control);
	assert_int_equal(p.num_warnings, 0);
	/* siblings of the data lcores' cores are last on node 0 */
	assert_set(&p.near_lcore, "1-3,33-35");
	place_n(&p, &t, 64, load, cpus);
	/* node 0's free cores first, then its hyperthreads away from the data
	 * lcores, then the data lcores' siblings, then node 1 */
	assert_int_equal(cpus[0], 4);
	assert_int_equal(cpus[11], 15);
	assert_int_equal(cpus[12], 32);
	assert_int_equal(cpus[13], 36);
	assert_int_equal(cpus[24], 47);
	assert_int_equal(cpus[25], 33);
	assert_int_equal(cpus[27], 35);
	assert_int_equal(cpus[28], 16);
	assert_int_equal(cpus[44], 48);
	/* 60 CPUs free: the 61st NF doubles up, on node 0 again */
	assert_int_equal(cpus[59], 63);
	assert_int_equal(cpus[60], 4);
	for (unsigned int i = 0; i < 64; i++) {
		assert_int_not_equal(cpus[i], 0); /* the control CPU */
		assert_true(cpus[i] > 3);         /* the data lcores */
	}
	assert_string_equal(place_note(&p, 4, false), "");
}

static void
ports_on_node_1_pull_nfs_there(void **state)
{
	struct place_topo t;
	struct place_lcores l = lcores(16, "17-18");
	struct place_plan p;
	uint16_t load[PLACE_MAX_CPUS] = { 0 };
	char err[256], line[256];

	(void)state;
	two_socket_64(&t);
	assert_int_equal(place_plan_make(&t, &l, NULL, false, 1, &p, err, sizeof(err)), 0);
	assert_int_equal(place_pick(&p, &t, load), 19);
	place_describe(&p, line, sizeof(line));
	assert_non_null(strstr(line, "NUMA node 1 first"));
	/* data lcores far from the ports are worth a warning */
	l = lcores(0, "1-2");
	assert_int_equal(place_plan_make(&t, &l, NULL, false, 1, &p, err, sizeof(err)), 0);
	assert_int_equal(p.num_warnings, 1);
	assert_non_null(strstr(p.warnings[0], "CPUs 1-2 are not on NUMA node 1"));
}

static void
taskset_is_honoured(void **state)
{
	struct place_topo t;
	struct place_lcores l = lcores(0, "1-3");
	struct place_plan p;
	uint16_t load[PLACE_MAX_CPUS] = { 0 };
	unsigned int cpus[6];
	char err[256];

	(void)state;
	two_socket_64(&t);
	t.allowed = list("0-7"); /* taskset -c 0-7 onvm_mgr -l 0-3 */
	assert_int_equal(place_plan_make(&t, &l, NULL, false, 0, &p, err, sizeof(err)), 0);
	assert_set(&p.nf_cpus, "4-7");
	place_n(&p, &t, 6, load, cpus);
	assert_int_equal(cpus[3], 7);
	assert_int_equal(cpus[4], 4); /* full: the least loaded again, not CPU 8 */
	assert_int_equal(cpus[5], 5);
	/* a mask outside the given CPUs is refused, with the reason */
	struct place_cpuset mask = list("6-9");

	assert_int_equal(place_plan_make(&t, &l, &mask, false, 0, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CPU 8, outside the CPUs this process was given (0-7"));
}

static void
isolated_cpus_only_when_named(void **state)
{
	struct place_topo t;
	struct place_lcores l = lcores(2, "3-5"); /* isolcpus=2-63, onvm_mgr -l 2-5 */
	struct place_plan p;
	uint16_t load[PLACE_MAX_CPUS] = { 0 };
	struct place_cpuset mask = list("6-9");
	char err[256];

	(void)state;
	two_socket_64(&t);
	t.isolated = list("2-63");
	t.allowed = list("0-1"); /* what a shell's children get */
	assert_int_equal(place_plan_make(&t, &l, NULL, false, 0, &p, err, sizeof(err)), 0);
	assert_set(&p.nf_cpus, "0-1");
	assert_int_equal(p.num_warnings, 1);
	assert_non_null(strstr(p.warnings[0], "isolated CPUs 6-63 run no lcore"));
	/* named: the isolated CPUs are the user's to give */
	assert_int_equal(place_plan_make(&t, &l, &mask, false, 0, &p, err, sizeof(err)), 0);
	assert_true(p.masked);
	assert_int_equal(place_pick(&p, &t, load), 6);
	/* lcores outside the given CPUs and not isolated draw a warning */
	t.isolated = list("");
	assert_int_equal(place_plan_make(&t, &l, NULL, false, 0, &p, err, sizeof(err)), 0);
	assert_non_null(strstr(p.warnings[0], "lcores on CPUs 2-5, outside the CPUs"));
}

static void
mask_errors(void **state)
{
	struct place_topo t;
	struct place_lcores l = lcores(0, "1-3");
	struct place_plan p;
	struct place_cpuset mask;
	char err[256];

	(void)state;
	two_socket_64(&t);
	mask = list("60-70");
	assert_int_equal(place_plan_make(&t, &l, &mask, false, 0, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CPU 64, which is not online (0-63 are)"));
	mask = list("3-5");
	assert_int_equal(place_plan_make(&t, &l, &mask, false, 0, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CPU 3, where a data lcore spins"));
	mask = list("");
	assert_int_equal(place_plan_make(&t, &l, &mask, false, 0, &p, err, sizeof(err)), -1);
	/* the control CPU may be named */
	mask = list("0,8");
	assert_int_equal(place_plan_make(&t, &l, &mask, false, 0, &p, err, sizeof(err)), 0);
	assert_string_equal(place_note(&p, 0, false), "the control CPU, as asked");
}

static void
shared_core_mode(void **state)
{
	struct place_topo t;
	struct place_lcores l = lcores(0, "1-3");
	struct place_plan p;
	uint16_t load[PLACE_MAX_CPUS] = { 0 };
	struct place_cpuset mask = list("8-9");
	unsigned int cpus[5];
	char err[256], line[256];

	(void)state;
	two_socket_64(&t);
	/* -c alone: every NF on one CPU, the first free one */
	assert_int_equal(place_plan_make(&t, &l, NULL, true, 0, &p, err, sizeof(err)), 0);
	assert_set(&p.nf_cpus, "4");
	place_n(&p, &t, 5, load, cpus);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(cpus[i], 4);
	place_describe(&p, line, sizeof(line));
	assert_string_equal(line, "NFs share CPU 4 (-c)");
	/* -c with a mask: they share the mask's CPUs, least loaded first */
	memset(load, 0, sizeof(load));
	assert_int_equal(place_plan_make(&t, &l, &mask, true, 0, &p, err, sizeof(err)), 0);
	place_n(&p, &t, 5, load, cpus);
	assert_int_equal(cpus[0], 8);
	assert_int_equal(cpus[1], 9);
	assert_int_equal(cpus[2], 8);
	assert_int_equal(cpus[4], 8);
}

static void
two_cpu_machine(void **state)
{
	struct place_topo t;
	struct place_lcores both = lcores(0, "1"); /* -l 0-1 */
	struct place_lcores one = lcores(0, "0");  /* -l 0: control and data on CPU 0 */
	struct place_plan p;
	uint16_t load[PLACE_MAX_CPUS] = { 0 };
	char err[256], line[256];

	(void)state;
	two_cpus(&t);
	/* nothing free: the control CPU, said so, never the data lcore's */
	assert_int_equal(place_plan_make(&t, &both, NULL, false, 0, &p, err, sizeof(err)), 0);
	assert_true(p.on_control);
	assert_int_equal(place_pick(&p, &t, load), 0);
	load[0] = 3;
	assert_int_equal(place_pick(&p, &t, load), 0);
	assert_string_equal(place_note(&p, 0, false), "the control CPU: no CPU is free of lcores");
	place_describe(&p, line, sizeof(line));
	assert_non_null(strstr(line, "NFs share the control CPU 0"));
	/* -c says so too */
	assert_int_equal(place_plan_make(&t, &both, NULL, true, 0, &p, err, sizeof(err)), 0);
	assert_string_equal(place_note(&p, 0, false),
			    "the control CPU: -c, and no CPU is free of lcores");
	/* go.sh -l names a CPU: taken as asked */
	assert_string_equal(place_note(&p, 1, true), "a data lcore's CPU, as asked");
	assert_string_equal(place_note(&p, 0, true), "the control CPU, as asked");
	/* one lcore: the other CPU is free */
	memset(load, 0, sizeof(load));
	assert_int_equal(place_plan_make(&t, &one, NULL, false, 0, &p, err, sizeof(err)), 0);
	assert_false(p.on_control);
	assert_int_equal(place_pick(&p, &t, load), 1);
	/* a mask naming the data lcore's CPU is refused */
	struct place_cpuset mask = list("1");

	assert_int_equal(place_plan_make(&t, &both, &mask, false, 0, &p, err, sizeof(err)), -1);
}

static void
home_node(void **state)
{
	(void)state;
	assert_int_equal(place_home_node((int[]){ 1, 1, 0 }, 3, 0), 1);
	assert_int_equal(place_home_node((int[]){ 0, 1 }, 2, 5), 0); /* a tie: the lower */
	assert_int_equal(place_home_node((int[]){ 1, 0 }, 2, 5), 0);
	assert_int_equal(place_home_node((int[]){ -1, -1 }, 2, 3), 3); /* virtual ports */
	assert_int_equal(place_home_node((int[]){ -1, 1 }, 2, 0), 1);
	assert_int_equal(place_home_node(NULL, 0, 2), 2);
}

/* The reference: every candidate's key written out, the smallest wins. */
static unsigned int
brute_pick(const struct place_plan *p, const struct place_topo *t, const uint16_t *load)
{
	unsigned long best_key = ~0ul;
	unsigned int best = p->control_cpu;

	for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++) {
		if (!place_cpuset_has(&p->nf_cpus, c))
			continue;
		unsigned long far = p->home_node >= 0 && t->node[c] >= 0 && t->node[c] != p->home_node;
		unsigned long key = (unsigned long)load[c] << 24 | far << 23 |
				    (unsigned long)place_cpuset_has(&p->near_lcore, c) << 22 | c;

		if (key < best_key) {
			best_key = key;
			best = c;
		}
	}
	return best;
}

static void
pick_matches_brute_force(void **state)
{
	(void)state;
	srand(7);
	for (int round = 0; round < 500; round++) {
		struct place_topo t;
		struct place_lcores l = { 0 };
		struct place_plan p;
		uint16_t load[PLACE_MAX_CPUS] = { 0 };
		char err[256];
		unsigned int ncpu = 2 + (unsigned int)rand() % 120;

		memset(&t, 0, sizeof(t));
		for (unsigned int c = 0; c < PLACE_MAX_CPUS; c++)
			t.node[c] = t.core[c] = -1;
		for (unsigned int c = 0; c < ncpu; c++) {
			if (rand() % 10 == 0)
				continue; /* offline */
			place_cpuset_set(&t.online, c);
			t.node[c] = (int16_t)(rand() % 4 == 0 ? -1 : rand() % 2);
			t.core[c] = (int16_t)(c % (ncpu / 2 + 1));
			if (rand() % 5)
				place_cpuset_set(&t.allowed, c);
			if (rand() % 8 == 0)
				place_cpuset_set(&t.isolated, c);
			load[c] = (uint16_t)(rand() % 3);
		}
		int first = place_cpuset_first(&t.online);

		if (first < 0)
			continue;
		l.control_cpu = (unsigned int)first;
		for (unsigned int c = 0; c < ncpu; c++)
			if (place_cpuset_has(&t.online, c) && rand() % 6 == 0)
				place_cpuset_set(&l.data, c);
		bool shared = rand() % 3 == 0;

		assert_int_equal(place_plan_make(&t, &l, NULL, shared, rand() % 3 - 1, &p, err,
						 sizeof(err)),
				 0);
		unsigned int got = place_pick(&p, &t, load);

		assert_int_equal(got, brute_pick(&p, &t, load));
		/* the control CPU only when nothing else is free (it may be a
		 * data CPU too, with one lcore); never another data CPU */
		if (got == l.control_cpu)
			assert_true(p.on_control);
		else
			assert_false(place_cpuset_has(&l.data, got));
		assert_true(place_cpuset_has(&t.allowed, got) || got == l.control_cpu);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpusets_parse_and_format),
		cmocka_unit_test(server_first_nf_avoids_control_cpu),
		cmocka_unit_test(ports_on_node_1_pull_nfs_there),
		cmocka_unit_test(taskset_is_honoured),
		cmocka_unit_test(isolated_cpus_only_when_named),
		cmocka_unit_test(mask_errors),
		cmocka_unit_test(shared_core_mode),
		cmocka_unit_test(two_cpu_machine),
		cmocka_unit_test(home_node),
		cmocka_unit_test(pick_matches_brute_force),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
