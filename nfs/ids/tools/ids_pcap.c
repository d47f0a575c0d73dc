/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_pcap: the ids NF's engine over a capture, without the platform.
 *
 *   ids_pcap -r RULES [-a ALERTS] [-V VARS] [-s] [-W WINDOW] -i IN.pcap [-o OUT.pcap]
 *
 * Alerts go to ALERTS (default stdout); packets the rules let through go to
 * OUT.pcap. Exit 0 when the rules loaded and the capture was read, 1 on a
 * rules error (file:line: reason), 2 on an I/O error. With -c it only checks
 * the rules (and their Hyperscan build), as `suricata -T` does; -v prints
 * alerts per rule at the end.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "ids_engine.h"

static void
usage(void)
{
	fprintf(stderr, "usage: ids_pcap -r RULES [-a ALERTS] [-V VARS] [-s] [-W WINDOW] "
			"[-v] (-c | -i IN.pcap [-o OUT.pcap])\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *rules = NULL, *alerts = NULL, *in = NULL, *out = NULL;
	struct ids_load_opts lo = { 0 };
	struct ids_engine_cfg cfg = { 0 };
	bool check_only = false, verbose = false;
	int opt;

	while ((opt = getopt(argc, argv, "r:a:V:sW:i:o:cv")) != -1) {
		switch (opt) {
		case 'r': rules = optarg; break;
		case 'a': alerts = optarg; break;
		case 'V': lo.vars_path = optarg; break;
		case 's': lo.strict = true; break;
		case 'W':
			cfg.window = (uint32_t)strtoul(optarg, NULL, 10);
			if (cfg.window == 0)
				cfg.window = IDS_WINDOW_NONE;
			break;
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'c': check_only = true; break;
		case 'v': verbose = true; break;
		default: usage();
		}
	}
	if (rules == NULL || (!check_only && in == NULL))
		usage();

	struct ids_ruleset *rs = ids_rules_load(rules, &lo);
	if (rs == NULL)
		return 1;
	unsigned errors = rs->n_errors, n_rules = rs->n_rules;
	FILE *af = stdout;
	if (alerts && (af = fopen(alerts, "w")) == NULL) {
		perror(alerts);
		return 2;
	}
	cfg.alerts = af;
	struct ids_engine *e = ids_engine_new(rs, &cfg, stderr);
	if (e == NULL)
		return 1;
	if (check_only) {
		fprintf(stderr, "%s: %u rules, %u errors\n", rules, n_rules, errors);
		ids_engine_free(e);
		return errors ? 1 : 0;
	}

	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *pin = pcap_open_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (pin == NULL) {
		fprintf(stderr, "%s: %s\n", in, ebuf);
		return 2;
	}
	pcap_dumper_t *pout = NULL;
	if (out != NULL) {
		pout = pcap_dump_open(pin, out);
		if (pout == NULL) {
			fprintf(stderr, "%s: %s\n", out, pcap_geterr(pin));
			return 2;
		}
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	while (pcap_next_ex(pin, &h, &data) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		if (ids_engine_inspect(e, data, h->caplen, ts, 0) == IDS_PASS && pout)
			pcap_dump((u_char *)pout, h, data);
	}
	const struct ids_counters *c = ids_engine_counters(e);
	fprintf(stderr, "packets %lu inspected %lu alerts %lu drops %lu malformed %lu "
			"fragments %lu not_ipv4 %lu\n",
		(unsigned long)c->packets, (unsigned long)c->inspected, (unsigned long)c->alerts,
		(unsigned long)c->drops, (unsigned long)c->malformed, (unsigned long)c->fragments,
		(unsigned long)c->not_ipv4);
	if (verbose)
		ids_engine_print_rule_hits(e, stderr);
	if (pout)
		pcap_dump_close(pout);
	pcap_close(pin);
	ids_engine_free(e);
	if (af != stdout)
		fclose(af);
	return 0;
}
