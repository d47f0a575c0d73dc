/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_args: option parsing shared by the NF and the offline tool. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "qoe_args.h"

#define NS_PER_SEC 1000000000ull

const char qoe_args_usage[] =
	"[-o FLOWS_FILE] [-i INTERVAL_S] [-t IDLE_TIMEOUT_S] [-c CLOSED_TIMEOUT_S] [-m MAX_FLOWS]";

static int
parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	if (!s || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
qoe_args_parse(int argc, char **argv, struct qoe_options *opts, char *err, size_t errlen)
{
	unsigned long v;
	int c;

	qoe_config_defaults(&opts->cfg);
	opts->out_path = NULL;
	/* 0, not 1: glibc then also forgets where it was inside an argument.
	 * A parse that stopped in a cluster ("-xi": an error at x) left that
	 * position behind, and the next parse would have resumed from it, in
	 * memory the caller may have freed since (found by fuzzing). */
	optind = 0;
	opterr = 0;
	while ((c = getopt(argc, argv, "+o:i:t:c:m:")) != -1) {
		switch (c) {
		case 'o':
			opts->out_path = optarg;
			break;
		case 'i':
		case 't':
		case 'c':
			if (parse_uint(optarg, c == 'i' ? 0 : 1, 86400, &v) < 0) {
				snprintf(err, errlen, "-%c: '%s' is not a number of seconds in %d..86400",
					 c, optarg, c == 'i' ? 0 : 1);
				return -1;
			}
			if (c == 'i')
				opts->cfg.interval_ns = v * NS_PER_SEC;
			else if (c == 't')
				opts->cfg.idle_timeout_ns = v * NS_PER_SEC;
			else
				opts->cfg.closed_timeout_ns = v * NS_PER_SEC;
			break;
		case 'm':
			if (parse_uint(optarg, 1, 1u << 24, &v) < 0) {
				snprintf(err, errlen, "-m: '%s' is not a flow count in 1..%u", optarg,
					 1u << 24);
				return -1;
			}
			opts->cfg.max_flows = (uint32_t)v;
			break;
		case ':':
			snprintf(err, errlen, "-%c needs a value", optopt);
			return -1;
		default:
			if (optopt && (optopt == 'o' || optopt == 'i' || optopt == 't' ||
				       optopt == 'c' || optopt == 'm'))
				snprintf(err, errlen, "-%c needs a value", optopt);
			else
				snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	opts->first_operand = optind;
	return 0;
}
