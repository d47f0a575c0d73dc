/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr_args.h"
#include "web_addr.h"

enum { OPT_OF_LISTEN = 256, OPT_OF_CONTROLLER, OPT_OF_DPID, OPT_WEB, OPT_NF_RING_SIZE,
       OPT_ENTRY_STALL_MS, OPT_RX_LCORES, OPT_NF_CORES };

static const struct option long_opts[] = {
	{ "chains", required_argument, NULL, 'C' },
	{ "of-listen", required_argument, NULL, OPT_OF_LISTEN },
	{ "of-controller", required_argument, NULL, OPT_OF_CONTROLLER },
	{ "of-dpid", required_argument, NULL, OPT_OF_DPID },
	{ "web", optional_argument, NULL, OPT_WEB },
	{ "nf-ring-size", required_argument, NULL, OPT_NF_RING_SIZE },
	{ "entry-stall-ms", required_argument, NULL, OPT_ENTRY_STALL_MS },
	{ "rx-lcores", required_argument, NULL, OPT_RX_LCORES },
	{ "nf-cores", required_argument, NULL, OPT_NF_CORES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void
mgr_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- -p PORTMASK [options]\n"
		"  -p PORTMASK        hex mask of the DPDK ports to use (required)\n"
		"  -r NUM_SERVICES    services to size the table for (default 16)\n"
		"  -d SERVICE         default service (id or name) for packets no chain matches (default 1)\n"
		"  -s OUT             stats to stdout|stderr|none (default stdout), or web: none\n"
		"                     on the terminal, the dashboard on " WEB_DEFAULT_ADDR "\n"
		"  -z SECONDS         stats refresh interval (default 1)\n"
		"  -t SECONDS         exit after this long\n"
		"  -l MILLIONS        exit after this many million packets received\n"
		"  -v                 verbose stats\n"
		"  -c                 shared-core NFs: idle NFs sleep instead of spinning\n"
		"  -j                 jumbo frames (9000 byte MTU)\n"
		"  -w NUM_NFS         start receiving only once NUM_NFS NFs run (replaying captures)\n"
		"  -C, --chains FILE  load service chains from JSON (repeatable)\n"
		"  --of-listen [IP:]PORT, --of-controller IP:PORT, --of-dpid DPID   OpenFlow 1.3 agent\n"
		"  --web [IP:]PORT    HTTP dashboard (/), JSON (/api/stats) and Prometheus metrics\n"
		"                     (/metrics) on IPv4 IP (default 127.0.0.1) and PORT; --web\n"
		"                     alone: " WEB_DEFAULT_ADDR "\n"
		"  --nf-ring-size N   packets each NF ring holds, a power of 2 in 64-16384\n"
		"                     (default 512; 2048 with -c)\n"
		"  --entry-stall-ms MS  drop what waits at a chain's entry after MS ms without\n"
		"                     progress (default 100); 0: never, the port waits (replays\n"
		"                     whose every packet counts, on a busy machine)\n"
		"  --rx-lcores N      data lcores that read the ports, each its own RSS queue of\n"
		"                     every port (default 1; all data lcores: each does RX and TX)\n"
		"  -n NF_COREMASK     hex mask of the CPUs NFs go to (OpenNetVM's)\n"
		"  --nf-cores LIST    the same as a list, e.g. 4-15,20\n",
		prog);
}

int
mgr_parse_portmask(const char *s, uint64_t *mask)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0')
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return -1;
	if (*s == '\0' || strlen(s) > 16)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno || *end != '\0' || v == 0)
		return -1;
	*mask = v;
	return 0;
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg ? arg : "");
	return -1;
}

int
mgr_parse_args(int argc, char **argv, struct mgr_config *cfg, char *err, size_t errlen)
{
	uint64_t v;
	int opt;
	bool have_portmask = false;

	memset(cfg, 0, sizeof(*cfg));
	cfg->num_services = 16;
	cfg->stats_out = STATS_STDOUT;
	cfg->stats_sleep_s = 1;
	cfg->entry_stall_ms = MGR_ENTRY_STALL_MS_DEFAULT;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:r:d:s:z:t:l:vcjw:C:n:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (mgr_parse_portmask(optarg, &cfg->portmask) < 0)
				return fail(err, errlen, "invalid portmask '%s': expected a non-zero hex mask such as 0x3", optarg);
			have_portmask = true;
			break;
		case 'r':
			if (parse_u64(optarg, 64, &v) < 0 || v == 0)
				return fail(err, errlen, "-r '%s': number of services must be 1-64", optarg);
			cfg->num_services = (uint16_t)v;
			break;
		case 'd':
			if (strlen(optarg) == 0 || strlen(optarg) >= sizeof(cfg->default_service))
				return fail(err, errlen, "-d '%s': service name empty or too long", optarg);
			strcpy(cfg->default_service, optarg);
			break;
		case 's':
			if (strcmp(optarg, "stdout") == 0)
				cfg->stats_out = STATS_STDOUT;
			else if (strcmp(optarg, "stderr") == 0)
				cfg->stats_out = STATS_STDERR;
			else if (strcmp(optarg, "web") == 0)
				cfg->stats_out = STATS_WEB;
			else if (strcmp(optarg, "none") == 0)
				cfg->stats_out = STATS_NONE;
			else
				return fail(err, errlen, "-s '%s': expected stdout, stderr, web or none", optarg);
			break;
		case 'z':
			if (parse_u64(optarg, 3600, &v) < 0 || v == 0)
				return fail(err, errlen, "-z '%s': stats interval must be 1-3600 seconds", optarg);
			cfg->stats_sleep_s = (uint32_t)v;
			break;
		case 't':
			if (parse_u64(optarg, UINT32_MAX, &v) < 0)
				return fail(err, errlen, "-t '%s': expected a number of seconds", optarg);
			cfg->ttl_s = (uint32_t)v;
			break;
		case 'l':
			if (parse_u64(optarg, 1000000000, &v) < 0)
				return fail(err, errlen, "-l '%s': expected a number of million packets", optarg);
			cfg->packet_limit = v * 1000000ULL;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 'c':
			cfg->shared_core = true;
			break;
		case 'j':
			cfg->jumbo = true;
			break;
		case 'w':
			if (parse_u64(optarg, 64, &v) < 0)
				return fail(err, errlen, "-w '%s': expected a number of NFs (0-64)", optarg);
			cfg->wait_nfs = (uint16_t)v;
			break;
		case 'C':
			if (cfg->num_chain_files >= MGR_MAX_CHAIN_FILES)
				return fail(err, errlen, "too many -C files (at most 16)%s", NULL);
			cfg->chain_files[cfg->num_chain_files++] = optarg;
			break;
		case OPT_OF_LISTEN:
			cfg->of_listen = optarg;
			break;
		case OPT_OF_CONTROLLER:
			cfg->of_controller = optarg;
			break;
		case OPT_OF_DPID:
			cfg->of_dpid = optarg;
			break;
		case OPT_WEB: {
			struct sockaddr_in sa;
			char why[160];

			/* An optional argument is only taken from "--web=X" by
			 * getopt; "--web X" is what people type. */
			if (optarg == NULL && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			cfg->web = optarg ? optarg : WEB_DEFAULT_ADDR;
			if (web_addr_parse(cfg->web, &sa, why, sizeof(why)) < 0) {
				snprintf(err, errlen, "--web %s", why);
				return -1;
			}
			break;
		}
		case OPT_NF_RING_SIZE:
			if (parse_u64(optarg, 16384, &v) < 0 || v < 64 || (v & (v - 1)) != 0)
				return fail(err, errlen, "--nf-ring-size '%s': expected a power of 2 from 64 to 16384", optarg);
			cfg->nf_ring_size = (unsigned int)v;
			break;
		case OPT_ENTRY_STALL_MS:
			if (parse_u64(optarg, 60000, &v) < 0)
				return fail(err, errlen, "--entry-stall-ms '%s': expected 0 to 60000 ms", optarg);
			cfg->entry_stall_ms = (uint32_t)v;
			break;
		case OPT_RX_LCORES:
			if (parse_u64(optarg, MGR_MAX_RX_LCORES, &v) < 0 || v == 0) {
				snprintf(err, errlen, "--rx-lcores '%s': expected a number of lcores, 1-%d",
					 optarg, MGR_MAX_RX_LCORES);
				return -1;
			}
			cfg->rx_lcores = (unsigned int)v;
			break;
		case 'n':
			if (place_cpuset_parse_hex(optarg, &cfg->nf_cores) < 0 ||
			    place_cpuset_empty(&cfg->nf_cores))
				return fail(err, errlen, "-n '%s': expected a non-zero hex CPU mask such as 0xf0", optarg);
			cfg->nf_cores_given = true;
			break;
		case OPT_NF_CORES:
			if (place_cpuset_parse_list(optarg, &cfg->nf_cores) < 0 ||
			    place_cpuset_empty(&cfg->nf_cores))
				return fail(err, errlen, "--nf-cores '%s': expected a list of CPUs such as 4-15,20", optarg);
			cfg->nf_cores_given = true;
			break;
		case 'h':
			return fail(err, errlen, "help%s", NULL);
		case ':':
			snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (!have_portmask)
		return fail(err, errlen, "missing -p PORTMASK (e.g. -p 0x3 for ports 0 and 1)%s", NULL);
	if (cfg->stats_out == STATS_WEB && cfg->web == NULL)
		cfg->web = WEB_DEFAULT_ADDR;
	return 0;
}

unsigned int
mgr_nf_ring_size(const struct mgr_config *cfg)
{
	if (cfg->nf_ring_size)
		return cfg->nf_ring_size;
	return cfg->shared_core ? ONVM_NF_RING_SIZE_SHARED : ONVM_NF_RING_SIZE;
}
