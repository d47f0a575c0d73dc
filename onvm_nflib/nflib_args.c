/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Splitting an NF's command line:
 *     nf [EAL options] -- [nflib options] -- [NF options]
 * and completing the EAL part so an NF started by hand needs no DPDK
 * boilerplate: --proc-type=secondary, the manager's --file-prefix from
 * ONVM_FILE_PREFIX, and one lcore when none was given.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nflib_internal.h"

int
onvm_arg_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static bool
has_prefix_opt(int argc, char **argv, const char *const *names)
{
	for (int i = 0; i < argc; i++)
		for (const char *const *n = names; *n; n++)
			if (strncmp(argv[i], *n, strlen(*n)) == 0)
				return true;
	return false;
}

#define FT_EPOCH_MS_DEFAULT 5
#define FT_EPOCH_MS_MAX     1000

enum { OPT_FT = 256, OPT_FT_EPOCH_MS };

static int
parse_nflib_opts(struct onvm_nf_ctx *nf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ft", no_argument, NULL, OPT_FT },
		{ "ft-epoch-ms", required_argument, NULL, OPT_FT_EPOCH_MS },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	unsigned long v;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+r:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_FT:
			if (nf->ft_epoch_ms == 0)
				nf->ft_epoch_ms = FT_EPOCH_MS_DEFAULT;
			break;
		case OPT_FT_EPOCH_MS:
			if (onvm_arg_uint(optarg, 1, FT_EPOCH_MS_MAX, &v) < 0) {
				fprintf(stderr, "%s: --ft-epoch-ms: expected 1-%d\n", nf->name,
					FT_EPOCH_MS_MAX);
				return -1;
			}
			nf->ft_epoch_ms = (uint16_t)v;
			break;
		case 'r':
			if (strlen(optarg) >= sizeof(nf->service_arg) || optarg[0] == '\0') {
				fprintf(stderr, "%s: -r: service name too long or empty\n", nf->name);
				return -1;
			}
			strcpy(nf->service_arg, optarg);
			break;
		case 'n':
			if (onvm_arg_uint(optarg, 0, ONVM_MAX_INSTANCES - 1, &v) < 0) {
				fprintf(stderr, "%s: -n: instance must be 0-%d\n", nf->name,
					ONVM_MAX_INSTANCES - 1);
				return -1;
			}
			nf->instance_hint = (int)v;
			break;
		default:
			fprintf(stderr, "%s: unknown NF library option '%s' (expected -r SERVICE, "
					"-n INSTANCE, --ft, --ft-epoch-ms MS)\n",
				nf->name, argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected NF library argument '%s' (NF options go after a second --)\n",
			nf->name, argv[optind]);
		return -1;
	}
	optind = 1; /* the NF parses its own options with getopt next */
	return 0;
}

int
nflib_split_args(struct onvm_nf_ctx *nf, int argc, char **argv, int *eal_argc, char ***eal_argv)
{
	static const char *const lcore_opts[] = { "-l", "-c", "--lcores", NULL };
	static const char *const ptype_opts[] = { "--proc-type", NULL };
	static const char *const prefix_opts[] = { "--file-prefix", NULL };
	static const char *const pci_opts[] = { "--no-pci", "-a", "-b", "--allow", "--block", NULL };
	int first_sep = argc, second_sep = argc;
	char **eal;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			if (first_sep == argc) {
				first_sep = i;
			} else {
				second_sep = i;
				break;
			}
		}
	}

	/* EAL part + up to 6 added words + NULL */
	eal = calloc((size_t)first_sep + 12, sizeof(char *));
	if (eal == NULL)
		return -1;
	for (int i = 0; i < first_sep; i++)
		eal[n++] = argv[i];
	nf->cpu_given = has_prefix_opt(first_sep - 1, argv + 1, lcore_opts);
	if (!nf->cpu_given) {
		/* One lcore; the manager picks the CPU after registration. */
		eal[n++] = "-l";
		eal[n++] = "0";
	}
	/* The manager drives the devices; an NF never touches them. EAL still
	 * replays the primary's virtual devices in every secondary, and PMDs
	 * such as net_pcap complain that they cannot open the primary's files:
	 * harmless for an NF, so keep those messages out of its output. */
	if (!has_prefix_opt(first_sep - 1, argv + 1, pci_opts))
		eal[n++] = "--no-pci";
	eal[n++] = "--log-level=pmd.net.*:critical";
	eal[n++] = "--log-level=bus.vdev:critical";
	if (!has_prefix_opt(first_sep - 1, argv + 1, ptype_opts))
		eal[n++] = "--proc-type=secondary";
	if (!has_prefix_opt(first_sep - 1, argv + 1, prefix_opts)) {
		const char *prefix = getenv("ONVM_FILE_PREFIX");

		if (prefix && *prefix) {
			static char buf[160];

			snprintf(buf, sizeof(buf), "--file-prefix=%s", prefix);
			eal[n++] = buf;
		}
	}
	eal[n] = NULL;
	*eal_argc = n;
	*eal_argv = eal;

	/* nflib options: between the two separators. getopt wants argv[0]. */
	if (first_sep < argc) {
		int nl = second_sep - first_sep; /* includes the "--" slot as argv[0] */
		char **lib = calloc((size_t)nl + 1, sizeof(char *));

		if (lib == NULL)
			return -1;
		lib[0] = (char *)nf->name;
		for (int i = 1; i < nl; i++)
			lib[i] = argv[first_sep + i];
		int rc = parse_nflib_opts(nf, nl, lib);
		free(lib);
		if (rc < 0)
			return -1;
	}

	/* The NF's own options: argv[0] = its name, then what follows. */
	int na = second_sep < argc ? argc - second_sep : 1;

	nf->app_argv = calloc((size_t)na + 1, sizeof(char *));
	if (nf->app_argv == NULL)
		return -1;
	nf->app_argv[0] = (char *)nf->name;
	for (int i = 1; i < na; i++)
		nf->app_argv[i] = argv[second_sep + i];
	nf->app_argc = na;
	return 0;
}
