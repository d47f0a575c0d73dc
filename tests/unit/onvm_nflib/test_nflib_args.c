/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nflib_internal.h"

/* nflib_args.c reports through nflib_die only in other files. */
void
nflib_die(const char *fmt, ...)
{
	abort();
}

static bool
has(char **argv, int argc, const char *word)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], word) == 0)
			return true;
	return false;
}

static void
three_parts(void **state)
{
	char *argv[] = { "fw", "-l", "1", "--", "-r", "firewall", "-n", "2", "--", "-f", "rules.json", NULL };
	struct onvm_nf_ctx nf = { .name = "fw", .instance_hint = -1 };
	char **eal;
	int eal_argc;

	unsetenv("ONVM_FILE_PREFIX");
	assert_int_equal(nflib_split_args(&nf, 11, argv, &eal_argc, &eal), 0);
	assert_true(nf.cpu_given);
	assert_string_equal(nf.service_arg, "firewall");
	assert_int_equal(nf.instance_hint, 2);
	assert_int_equal(nf.app_argc, 3);
	assert_string_equal(nf.app_argv[0], "fw");
	assert_string_equal(nf.app_argv[1], "-f");
	assert_string_equal(nf.app_argv[2], "rules.json");
	assert_true(has(eal, eal_argc, "--proc-type=secondary"));
	assert_true(has(eal, eal_argc, "--no-pci"));
	assert_false(has(eal, eal_argc, "0")); /* the user's -l 1 stays alone */
	free(eal);
	free(nf.app_argv);
}

static void
defaults_are_filled_in(void **state)
{
	char *argv[] = { "sf", NULL };
	struct onvm_nf_ctx nf = { .name = "sf", .instance_hint = -1 };
	char **eal;
	int eal_argc;

	setenv("ONVM_FILE_PREFIX", "lab1", 1);
	assert_int_equal(nflib_split_args(&nf, 1, argv, &eal_argc, &eal), 0);
	assert_false(nf.cpu_given);
	assert_true(has(eal, eal_argc, "-l"));
	assert_true(has(eal, eal_argc, "--file-prefix=lab1"));
	assert_string_equal(nf.service_arg, "");
	assert_int_equal(nf.app_argc, 1);
	free(eal);
	free(nf.app_argv);
	unsetenv("ONVM_FILE_PREFIX");
}

static void
explicit_eal_options_win(void **state)
{
	char *argv[] = { "sf", "--file-prefix", "x", "--proc-type=auto", "-a", "0000:01:00.0", "--", NULL };
	struct onvm_nf_ctx nf = { .name = "sf", .instance_hint = -1 };
	char **eal;
	int eal_argc;

	setenv("ONVM_FILE_PREFIX", "other", 1);
	assert_int_equal(nflib_split_args(&nf, 7, argv, &eal_argc, &eal), 0);
	assert_false(has(eal, eal_argc, "--file-prefix=other"));
	assert_false(has(eal, eal_argc, "--proc-type=secondary"));
	assert_false(has(eal, eal_argc, "--no-pci"));
	free(eal);
	free(nf.app_argv);
	unsetenv("ONVM_FILE_PREFIX");
}

static void
bad_nflib_options(void **state)
{
	struct onvm_nf_ctx nf = { .name = "sf", .instance_hint = -1 };
	char **eal;
	int eal_argc;
	char *unknown[] = { "sf", "--", "-x", NULL };
	char *bad_instance[] = { "sf", "--", "-n", "99", NULL };
	char *stray[] = { "sf", "--", "-r", "a", "extra", NULL };

	assert_int_equal(nflib_split_args(&nf, 3, unknown, &eal_argc, &eal), -1);
	free(eal);
	assert_int_equal(nflib_split_args(&nf, 4, bad_instance, &eal_argc, &eal), -1);
	free(eal);
	assert_int_equal(nflib_split_args(&nf, 5, stray, &eal_argc, &eal), -1);
	free(eal);
}

static void
numbers(void **state)
{
	unsigned long v;

	assert_int_equal(onvm_arg_uint("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(onvm_arg_uint("0x10", 0, 100, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(onvm_arg_uint("101", 0, 100, &v), -1);
	assert_int_equal(onvm_arg_uint("-1", 0, 100, &v), -1);
	assert_int_equal(onvm_arg_uint("4x", 0, 100, &v), -1);
	assert_int_equal(onvm_arg_uint("", 0, 100, &v), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(three_parts),
		cmocka_unit_test(defaults_are_filled_in),
		cmocka_unit_test(explicit_eal_options_win),
		cmocka_unit_test(bad_nflib_options),
		cmocka_unit_test(numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
