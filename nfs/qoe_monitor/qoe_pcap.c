/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_pcap: the QoE monitor run over a capture file instead of the
 * platform, with the capture's timestamps as arrival times. Same engine,
 * same records as the NF: what tests compare against other tools.
 *
 *   qoe_pcap [-o FLOWS_FILE] [-i S] [-t S] [-c S] [-m FLOWS] CAPTURE.pcap
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "qoe_args.h"
#include "qoe_engine.h"

#define NS_PER_SEC 1000000000ull

static void
print_summary(FILE *to, const struct qoe_engine *e)
{
	const struct qoe_stats *s = qoe_engine_stats(e);

	fprintf(to, "qoe_pcap: %llu packets, %llu flows, %llu records, %llu evicted",
		(unsigned long long)s->packets, (unsigned long long)s->flows,
		(unsigned long long)s->records, (unsigned long long)s->evicted);
	if (s->write_errors)
		fprintf(to, ", %llu records NOT written", (unsigned long long)s->write_errors);
	for (int r = 1; r < QOE_PKT_RESULTS; r++)
		fprintf(to, ", %s %llu", qoe_pkt_result_name(r),
			(unsigned long long)s->by_result[r]);
	fprintf(to, "\n");
}

int
main(int argc, char **argv)
{
	struct qoe_options opts;
	char err[PCAP_ERRBUF_SIZE + 256];

	int prc = qoe_args_parse(argc, argv, &opts, err, sizeof(err));

	if (prc == 0 && opts.first_operand != argc - 1) {
		snprintf(err, sizeof(err), "one capture file expected");
		prc = -1;
	}
	if (prc < 0) {
		fprintf(stderr, "qoe_pcap: %s\nusage: qoe_pcap %s CAPTURE.pcap\n", err,
			qoe_args_usage);
		return 2;
	}
	const char *path = argv[opts.first_operand];
	/* Nanosecond precision: libpcap scales microsecond files for us. */
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!pc) {
		fprintf(stderr, "qoe_pcap: %s\n", err);
		return 1;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "qoe_pcap: %s: link type %s, only Ethernet is supported\n", path,
			pcap_datalink_val_to_name(pcap_datalink(pc)));
		pcap_close(pc);
		return 1;
	}
	FILE *out = stdout;
	if (opts.out_path && !(out = fopen(opts.out_path, "w"))) {
		fprintf(stderr, "qoe_pcap: %s: cannot write: %m\n", opts.out_path);
		pcap_close(pc);
		return 1;
	}
	struct qoe_engine *e = qoe_engine_create(&opts.cfg, out);
	if (!e) {
		fprintf(stderr, "qoe_pcap: no memory for %u flows\n", opts.cfg.max_flows);
		return 1;
	}
	/* Timeouts are checked every second of capture time (or every
	 * interval, when shorter), as the NF's tick does in real time. */
	uint64_t tick_ns = NS_PER_SEC;
	if (opts.cfg.interval_ns && opts.cfg.interval_ns < tick_ns)
		tick_ns = opts.cfg.interval_ns;
	uint64_t next_tick = 0;
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		uint64_t t = (uint64_t)h->ts.tv_sec * NS_PER_SEC + (uint64_t)h->ts.tv_usec;

		if (next_tick == 0)
			next_tick = t + tick_ns;
		if (t >= next_tick) {
			qoe_engine_tick(e, t);
			next_tick = t + tick_ns;
		}
		qoe_engine_packet(e, data, h->caplen, h->len, t, 0);
	}
	int status = 0;
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "qoe_pcap: %s: %s\n", path, pcap_geterr(pc));
		status = 1;
	}
	/* Flows idle past the timeout at the capture's end time out; the
	 * rest end with the capture ("shutdown"). */
	qoe_engine_tick(e, qoe_engine_clock(e));
	qoe_engine_shutdown(e);
	print_summary(stderr, e);
	if (qoe_engine_stats(e)->write_errors)
		status = 1;
	qoe_engine_destroy(e);
	pcap_close(pc);
	if (out != stdout && fclose(out) != 0)
		status = 1;
	return status;
}
