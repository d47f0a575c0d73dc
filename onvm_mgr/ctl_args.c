/* SPDX-License-Identifier: BSD-3-Clause */
/* The control commands' options (ctl_args.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_args.h"

/* A whole decimal number in [0, max]. */
static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max ? 0 : -1;
}

/*
 * The option at args[*i] ("--name VALUE" or "--name=VALUE") if it is one
 * of `names`: its index in names, *value pointing at its value, *i past
 * it. -1 with err when it is not an option we know or lacks its value.
 */
static int
take_option(const char *const *args, int nargs, int *i, const char *const *names, int nnames,
	    const char *cmd, const char **value, char *err, size_t errlen)
{
	const char *a = args[*i];

	for (int k = 0; k < nnames; k++) {
		size_t len = strlen(names[k]);

		if (strncmp(a, names[k], len) != 0)
			continue;
		if (a[len] == '=') {
			*value = a + len + 1;
			(*i)++;
			return k;
		}
		if (a[len] != '\0')
			continue;
		if (*i + 1 >= nargs) {
			snprintf(err, errlen, "%s: %s needs a value", cmd, names[k]);
			return -1;
		}
		*value = args[*i + 1];
		*i += 2;
		return k;
	}
	snprintf(err, errlen, "%s: unknown option '%.40s'", cmd, a);
	return -1;
}

int
ctl_move_parse(const char *const *args, int nargs, struct ctl_move_args *out, char *err,
	       size_t errlen)
{
	static const char *const names[] = { "--from", "--to", "--share" };
	bool seen[3] = { false, false, false };
	unsigned long v;

	memset(out, 0, sizeof(*out));
	out->share = 1.0;
	if (nargs < 1 || args[0][0] == '-' || args[0][0] == '\0') {
		snprintf(err, errlen, "move: the service comes first: move SERVICE --from I --to J "
				      "[--share F]");
		return -1;
	}
	snprintf(out->service, sizeof(out->service), "%s", args[0]);
	for (int i = 1; i < nargs;) {
		const char *value;
		int k = take_option(args, nargs, &i, names, 3, "move", &value, err, errlen);

		if (k < 0)
			return -1;
		if (seen[k]) {
			snprintf(err, errlen, "move: %s given twice", names[k]);
			return -1;
		}
		seen[k] = true;
		if (k < 2) {
			if (parse_uint(value, UINT16_MAX - 1, &v) < 0) {
				snprintf(err, errlen, "move: %s '%.20s' is not an instance number",
					 names[k], value);
				return -1;
			}
			*(k == 0 ? &out->from : &out->to) = (uint16_t)v;
		} else {
			char *end;

			errno = 0;
			out->share = strtod(value, &end);
			if (errno || end == value || *end != '\0' || !(out->share > 0) ||
			    out->share > 1) {
				snprintf(err, errlen, "move: --share '%.20s' is not a fraction in (0, 1]",
					 value);
				return -1;
			}
		}
	}
	if (!seen[0] || !seen[1]) {
		snprintf(err, errlen, "move: needs --from I and --to J (instance numbers)");
		return -1;
	}
	if (out->from == out->to) {
		snprintf(err, errlen, "move: --from and --to are the same instance (%u)", out->from);
		return -1;
	}
	return 0;
}

/* The service, first and not an option. */
static int
take_service(const char *cmd, const char *usage, const char *const *args, int nargs, char *out,
	     char *err, size_t errlen)
{
	if (nargs < 1 || args[0][0] == '-' || args[0][0] == '\0') {
		snprintf(err, errlen, "%s: the service comes first: %s %s", cmd, cmd, usage);
		return -1;
	}
	snprintf(out, CTL_ARG_LEN, "%s", args[0]);
	return 0;
}

int
ctl_scale_parse(const char *const *args, int nargs, struct ctl_scale_args *out, char *err,
		size_t errlen)
{
	unsigned long v;

	memset(out, 0, sizeof(*out));
	if (take_service("scale", "SERVICE N", args, nargs, out->service, err, errlen) < 0)
		return -1;
	if (nargs != 2) {
		snprintf(err, errlen, "scale: needs the number of instances: scale SERVICE N");
		return -1;
	}
	if (parse_uint(args[1], UINT16_MAX, &v) < 0 || v == 0) {
		snprintf(err, errlen, "scale: '%.20s' is not a number of instances (1 or more)",
			 args[1]);
		return -1;
	}
	out->instances = (uint16_t)v;
	return 0;
}

int
ctl_autoscale_parse(const char *const *args, int nargs, struct ctl_autoscale_args *out,
		    char *err, size_t errlen)
{
	static const char *const names[] = { "--max", "--min" };
	bool seen[2] = { false, false };
	unsigned long v;

	memset(out, 0, sizeof(*out));
	out->min = 1;
	if (take_service("autoscale", "SERVICE --max N [--min M] | SERVICE off", args, nargs,
			 out->service, err, errlen) < 0)
		return -1;
	if (nargs == 2 && strcmp(args[1], "off") == 0)
		return 0;
	for (int i = 1; i < nargs;) {
		const char *value;
		int k = take_option(args, nargs, &i, names, 2, "autoscale", &value, err, errlen);

		if (k < 0)
			return -1;
		if (seen[k]) {
			snprintf(err, errlen, "autoscale: %s given twice", names[k]);
			return -1;
		}
		seen[k] = true;
		if (parse_uint(value, UINT16_MAX, &v) < 0 || v == 0) {
			snprintf(err, errlen, "autoscale: %s '%.20s' is not a number of instances "
					      "(1 or more)", names[k], value);
			return -1;
		}
		*(k == 0 ? &out->max : &out->min) = (uint16_t)v;
	}
	if (!seen[0]) {
		snprintf(err, errlen, "autoscale: needs --max N (or 'off')");
		return -1;
	}
	if (out->min > out->max) {
		snprintf(err, errlen, "autoscale: --min %u is above --max %u", out->min, out->max);
		return -1;
	}
	return 0;
}

int
ctl_command_check_values(int cmd, const char *const *args, int nargs, char *err, size_t errlen)
{
	struct ctl_move_args mv;
	struct ctl_scale_args sc;
	struct ctl_autoscale_args as;

	if (cmd == CTL_CMD_MOVE)
		return ctl_move_parse(args, nargs, &mv, err, errlen);
	if (cmd == CTL_CMD_SCALE)
		return ctl_scale_parse(args, nargs, &sc, err, errlen);
	if (cmd == CTL_CMD_AUTOSCALE)
		return ctl_autoscale_parse(args, nargs, &as, err, errlen);
	return 0;
}
