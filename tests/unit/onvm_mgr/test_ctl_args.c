/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control commands' options: move SERVICE --from I --to J [--share F],
 * scale SERVICE N, autoscale SERVICE --max N [--min M] | SERVICE off.
 */
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

static int
parse_scale(struct ctl_scale_args *a, char *err, int n, ...)
{
	const char *args[16];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		args[i] = va_arg(ap, const char *);
	va_end(ap);
	err[0] = '\0';
	return ctl_scale_parse(args, n, a, err, CTL_ERR_LEN);
}

static int
parse_autoscale(struct ctl_autoscale_args *a, char *err, int n, ...)
{
	const char *args[16];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		args[i] = va_arg(ap, const char *);
	va_end(ap);
	err[0] = '\0';
	return ctl_autoscale_parse(args, n, a, err, CTL_ERR_LEN);
}

static void
scale_takes_a_service_and_a_count(void **state)
{
	struct ctl_scale_args a;
	char err[CTL_ERR_LEN];

	(void)state;
	assert_int_equal(parse_scale(&a, err, 2, "firewall", "3"), 0);
	assert_string_equal(a.service, "firewall");
	assert_int_equal(a.instances, 3);
	assert_int_equal(parse_scale(&a, err, 2, "2", "1"), 0);
	assert_string_equal(a.service, "2");
	assert_int_equal(a.instances, 1);
	/* The parser takes any count a uint16_t holds: the manager knows the
	 * instance limit and says so. */
	assert_int_equal(parse_scale(&a, err, 2, "fw", "65535"), 0);
	assert_int_equal(a.instances, 65535);
}

static void
bad_scales_are_refused_with_a_reason(void **state)
{
	struct ctl_scale_args a;
	char err[CTL_ERR_LEN];

	(void)state;
	refused("the service comes first", parse_scale(&a, err, 0), err);
	refused("the service comes first", parse_scale(&a, err, 2, "--n", "2"), err);
	refused("the service comes first", parse_scale(&a, err, 1, "-3"), err);
	refused("the service comes first", parse_scale(&a, err, 2, "", "2"), err);
	refused("needs the number of instances", parse_scale(&a, err, 1, "fw"), err);
	refused("one number after the service, not '3'", parse_scale(&a, err, 3, "fw", "2", "3"), err);
	refused("not '--now'", parse_scale(&a, err, 3, "fw", "2", "--now"), err);
	for (const char *const *n = (const char *const[]){ "0", "-1", "+2", " 2", "2 ", "2.0", "1e2",
							   "0x3", "two", "", "65536",
							   "99999999999999999999", NULL };
	     *n; n++)
		refused("is not a number of instances", parse_scale(&a, err, 2, "fw", *n), err);
}

static void
autoscale_takes_max_min_or_off(void **state)
{
	struct ctl_autoscale_args a;
	char err[CTL_ERR_LEN];

	(void)state;
	assert_int_equal(parse_autoscale(&a, err, 3, "firewall", "--max", "4"), 0);
	assert_string_equal(a.service, "firewall");
	assert_int_equal(a.max, 4);
	assert_int_equal(a.min, 1); /* not given: 1 */
	assert_int_equal(parse_autoscale(&a, err, 3, "fw", "--min=2", "--max=3"), 0);
	assert_int_equal(a.min, 2);
	assert_int_equal(a.max, 3);
	assert_int_equal(parse_autoscale(&a, err, 5, "fw", "--max", "2", "--min", "2"), 0);
	assert_int_equal(a.min, 2);
	assert_int_equal(a.max, 2);
	assert_int_equal(parse_autoscale(&a, err, 2, "fw", "off"), 0);
	assert_int_equal(a.max, 0); /* off */
}

static void
bad_autoscales_are_refused_with_a_reason(void **state)
{
	struct ctl_autoscale_args a;
	char err[CTL_ERR_LEN];

	(void)state;
	refused("the service comes first", parse_autoscale(&a, err, 0), err);
	refused("the service comes first", parse_autoscale(&a, err, 2, "--max", "2"), err);
	refused("needs --max N (or 'off')", parse_autoscale(&a, err, 1, "off"), err);
	refused("needs --max N (or 'off')", parse_autoscale(&a, err, 1, "fw"), err);
	refused("needs --max N (or 'off')", parse_autoscale(&a, err, 3, "fw", "--min", "2"), err);
	refused("unknown option 'on'", parse_autoscale(&a, err, 2, "fw", "on"), err);
	refused("unknown option 'off'", parse_autoscale(&a, err, 3, "fw", "off", "now"), err);
	refused("unknown option 'off'", parse_autoscale(&a, err, 4, "fw", "--max", "2", "off"), err);
	refused("unknown option '--maximum'", parse_autoscale(&a, err, 3, "fw", "--maximum", "2"),
		err);
	refused("unknown option '--max3'", parse_autoscale(&a, err, 2, "fw", "--max3"), err);
	refused("--max needs a value", parse_autoscale(&a, err, 2, "fw", "--max"), err);
	refused("--min needs a value", parse_autoscale(&a, err, 4, "fw", "--max", "2", "--min"), err);
	refused("--max given twice", parse_autoscale(&a, err, 5, "fw", "--max", "2", "--max", "3"),
		err);
	refused("--min given twice",
		parse_autoscale(&a, err, 7, "fw", "--min", "1", "--max", "3", "--min", "2"), err);
	refused("--min 3 is above --max 2",
		parse_autoscale(&a, err, 5, "fw", "--max", "2", "--min", "3"), err);
	for (const char *const *n = (const char *const[]){ "0", "-1", "+2", "2.5", "x", "", "65536",
							   NULL };
	     *n; n++) {
		refused("--max", parse_autoscale(&a, err, 3, "fw", "--max", *n), err);
		refused("is not a number of instances", parse_autoscale(&a, err, 3, "fw", "--max", *n),
			err);
		refused("--min", parse_autoscale(&a, err, 5, "fw", "--max", "2", "--min", *n), err);
		refused("is not a number of instances",
			parse_autoscale(&a, err, 5, "fw", "--max", "2", "--min", *n), err);
	}
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

static void
check_values_applies_to_scale_and_autoscale(void **state)
{
	const char *bad_scale[] = { "fw", "0" }, *good_scale[] = { "fw", "2" };
	const char *bad_auto[] = { "fw", "--min", "2" }, *good_auto[] = { "fw", "off" };
	char err[CTL_ERR_LEN];

	(void)state;
	assert_int_equal(ctl_command_check_values(CTL_CMD_SCALE, bad_scale, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "scale:"));
	assert_int_equal(ctl_command_check_values(CTL_CMD_SCALE, good_scale, 2, err, sizeof(err)), 0);
	assert_int_equal(ctl_command_check_values(CTL_CMD_AUTOSCALE, bad_auto, 3, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "autoscale:"));
	assert_int_equal(ctl_command_check_values(CTL_CMD_AUTOSCALE, good_auto, 2, err, sizeof(err)),
			 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(move_options_in_any_order_and_both_spellings),
		cmocka_unit_test(bad_moves_are_refused_with_a_reason),
		cmocka_unit_test(check_values_applies_to_move_only),
		cmocka_unit_test(scale_takes_a_service_and_a_count),
		cmocka_unit_test(bad_scales_are_refused_with_a_reason),
		cmocka_unit_test(autoscale_takes_max_min_or_off),
		cmocka_unit_test(bad_autoscales_are_refused_with_a_reason),
		cmocka_unit_test(check_values_applies_to_scale_and_autoscale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
