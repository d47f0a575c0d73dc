/* SPDX-License-Identifier: BSD-3-Clause */
/* The control commands' options: move SERVICE --from I --to J [--share F]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_args.h"

static int
parse(struct ctl_move_args *a, char *err, int n, ...)
{
	const char *args[16];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		args[i] = va_arg(ap, const char *);
	va_end(ap);
	err[0] = '\0';
	return ctl_move_parse(args, n, a, err, CTL_ERR_LEN);
}

static void
move_options_in_any_order_and_both_spellings(void **state)
{
	struct ctl_move_args a;
	char err[CTL_ERR_LEN];

	(void)state;
	assert_int_equal(parse(&a, err, 5, "firewall", "--from", "0", "--to", "1"), 0);
	assert_string_equal(a.service, "firewall");
	assert_int_equal(a.from, 0);
	assert_int_equal(a.to, 1);
	assert_true(a.share == 1.0);

	assert_int_equal(parse(&a, err, 4, "3", "--share=0.5", "--to=0", "--from=2"), 0);
	assert_string_equal(a.service, "3");
	assert_int_equal(a.from, 2);
	assert_int_equal(a.to, 0);
	assert_true(a.share == 0.5);

	assert_int_equal(parse(&a, err, 7, "lb", "--to", "7", "--share", "1", "--from", "65534"), 0);
	assert_int_equal(a.from, 65534);
}

/* Refused with a one-line reason that says `why`. */
static void
refused(const char *why, int rc, const char *err)
{
	assert_int_equal(rc, -1);
	if (strstr(err, why) == NULL)
		fail_msg("reason '%s' does not say '%s'", err, why);
	assert_null(strchr(err, '\n'));
}

static void
bad_moves_are_refused_with_a_reason(void **state)
{
	struct ctl_move_args a;
	char err[CTL_ERR_LEN];

	(void)state;
	refused("the service comes first", parse(&a, err, 4, "--from", "0", "--to", "1"), err);
	refused("needs --from I and --to J", parse(&a, err, 3, "fw", "--from", "0"), err);
	refused("needs --from I and --to J", parse(&a, err, 1, "fw"), err);
	refused("same instance", parse(&a, err, 5, "fw", "--from", "1", "--to", "1"), err);
	refused("--from given twice", parse(&a, err, 7, "fw", "--from", "1", "--from", "2", "--to", "0"),
		err);
	refused("unknown option '--form'", parse(&a, err, 5, "fw", "--form", "0", "--to", "1"), err);
	refused("unknown option 'extra'", parse(&a, err, 6, "fw", "--from", "0", "--to", "1", "extra"),
		err);
	refused("--to needs a value", parse(&a, err, 4, "fw", "--from", "0", "--to"), err);
	refused("not an instance number", parse(&a, err, 5, "fw", "--from", "-1", "--to", "1"), err);
	refused("not an instance number", parse(&a, err, 5, "fw", "--from", "1x", "--to", "1"), err);
	refused("not an instance number", parse(&a, err, 5, "fw", "--from", "65535", "--to", "1"), err);
	refused("not an instance number", parse(&a, err, 5, "fw", "--from", "", "--to", "1"), err);
	for (const char *const *f = (const char *const[]){ "0", "1.5", "-0.5", "nan", "half", "", NULL };
	     *f; f++)
		refused("not a fraction in (0, 1]",
			parse(&a, err, 7, "fw", "--from", "0", "--to", "1", "--share", *f), err);
}

static void
check_values_applies_to_move_only(void **state)
{
	const char *bad[] = { "fw", "--from", "0" };
	char err[CTL_ERR_LEN];

	(void)state;
	assert_int_equal(ctl_command_check_values(CTL_CMD_MOVE, bad, 3, err, sizeof(err)), -1);
	assert_int_equal(ctl_command_check_values(CTL_CMD_NFS, NULL, 0, err, sizeof(err)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(move_options_in_any_order_and_both_spellings),
		cmocka_unit_test(bad_moves_are_refused_with_a_reason),
		cmocka_unit_test(check_values_applies_to_move_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
