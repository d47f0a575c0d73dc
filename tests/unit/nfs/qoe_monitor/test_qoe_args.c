/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_args: the QoE monitor's options, parsed more than once in a process
 * (the fuzzer does; so could any tool that reads several command lines).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "qoe_args.h"

static int
parse(struct qoe_options *o, char *err, int argc, ...)
{
	char *argv[8];
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return qoe_args_parse(argc, argv, o, err, 128);
}

static void
options_and_defaults(void **state)
{
	struct qoe_options o;
	char err[128];

	(void)state;
	assert_int_equal(parse(&o, err, 1, "qoe"), 0);
	assert_int_equal(o.cfg.max_flows, QOE_DEFAULT_MAX_FLOWS);
	assert_null(o.out_path);
	assert_int_equal(parse(&o, err, 6, "qoe", "-i", "2", "-m", "10", "x.pcap"), 0);
	assert_int_equal(o.cfg.interval_ns, 2000000000ull);
	assert_int_equal(o.cfg.max_flows, 10);
	assert_int_equal(o.first_operand, 5);
	assert_int_equal(parse(&o, err, 3, "qoe", "-m", "0"), -1);
	assert_non_null(strstr(err, "-m"));
	assert_int_equal(parse(&o, err, 2, "qoe", "-t"), -1);
	assert_non_null(strstr(err, "-t needs a value"));
}

/*
 * Found by tests/fuzz/qoe_monitor: a parse that failed inside a cluster of
 * options ("-qi": q is unknown) left getopt's position in that argument,
 * and the next parse resumed there, reading "i" from the old, freed
 * argument vector and taking "-t" for its value.
 */
static void
a_failed_parse_leaves_nothing_behind(void **state)
{
	struct qoe_options o;
	char err[128];
	char *first = strdup("-qi");

	(void)state;
	assert_int_equal(parse(&o, err, 2, "qoe", first), -1);
	memset(first, 'Z', 3);
	free(first);
	assert_int_equal(parse(&o, err, 3, "qoe", "-t", "5"), 0);
	assert_int_equal(o.cfg.idle_timeout_ns, 5000000000ull);
	assert_int_equal(o.first_operand, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_and_defaults),
		cmocka_unit_test(a_failed_parse_leaves_nothing_behind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
