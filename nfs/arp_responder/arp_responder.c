/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arp_responder: answer ARP requests for the addresses given to each port,
 * by turning the request into its reply in place and sending it back out of
 * the port it came in on. Everything else passes on (next hop, or -d).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "arp_reply.h"
#include "onvm_nflib.h"

struct arp_responder {
	struct arp_table table;
	struct rte_ether_addr port_mac[ONVM_MAX_PORTS];
	uint16_t dest_service; /* 0: next hop */
	bool print;
	int c_replies;    /* requests answered */
	int c_not_ours;   /* requests for an address the port does not own */
	int c_passed;     /* everything else, passed on */
};

static struct arp_responder st;

static int
pass_on(struct onvm_verdict *v)
{
	if (st.dest_service)
		return onvm_nf_to_service(v, st.dest_service);
	return onvm_nf_next(v);
}

static int
handle(struct rte_mbuf *pkt, struct onvm_verdict *v, struct onvm_nf_ctx *nf)
{
	uint16_t port = onvm_nflib_in_port(nf);
	enum arp_verdict answer;

	/* Packets made by NFs came in on no port: nobody to answer. */
	if (port >= ONVM_MAX_PORTS) {
		onvm_nflib_counter_add(nf, st.c_passed, 1);
		return pass_on(v);
	}
	answer = arp_answer(rte_pktmbuf_mtod(pkt, uint8_t *), rte_pktmbuf_data_len(pkt), &st.table,
			    port, st.port_mac[port].addr_bytes);
	if (answer == ARP_REPLIED) {
		onvm_nflib_counter_add(nf, st.c_replies, 1);
		if (st.print)
			printf("arp_responder: answered a request on port %u\n", port);
		return onvm_nf_out_port(v, port);
	}
	onvm_nflib_counter_add(nf, answer == ARP_NOT_OURS ? st.c_not_ours : st.c_passed, 1);
	return pass_on(v);
}

static void
usage_exit(void)
{
	fprintf(stderr, "usage: arp_responder -s IP[,IP...] | -a IP@PORT[,IP@PORT...] "
			"[-d SERVICE] [-p]\n"
			"  -s  one address per port, in port order (0.0.0.0 skips a port)\n"
			"  -a  addresses with their ports, any number per port\n"
			"  -d  where packets other than answered requests go (default: next hop)\n"
			"  -p  print a line for every answer\n");
	exit(EXIT_FAILURE);
}

static void
parse_args(struct onvm_nf_ctx *nf)
{
	int argc = onvm_nflib_app_argc(nf);
	char **argv = onvm_nflib_app_argv(nf);
	char err[160];
	int opt, rc;

	while ((opt = getopt(argc, argv, "s:a:d:p")) != -1) {
		switch (opt) {
		case 's':
		case 'a':
			rc = opt == 's' ? arp_table_add_per_port(&st.table, optarg, err, sizeof(err))
					: arp_table_add_pairs(&st.table, optarg, err, sizeof(err));
			if (rc < 0) {
				fprintf(stderr, "arp_responder: -%c %s: %s\n", opt, optarg, err);
				exit(EXIT_FAILURE);
			}
			break;
		case 'd':
			st.dest_service = onvm_nflib_service_lookup(nf, optarg);
			if (st.dest_service == 0) {
				fprintf(stderr, "arp_responder: -d %s: unknown service\n", optarg);
				exit(EXIT_FAILURE);
			}
			break;
		case 'p':
			st.print = true;
			break;
		default:
			usage_exit();
		}
	}
	if (optind < argc || st.table.n == 0)
		usage_exit();
}

/* Every address needs a port the manager runs, and that port's MAC. */
static void
load_port_macs(struct onvm_nf_ctx *nf)
{
	for (unsigned int i = 0; i < st.table.n; i++) {
		const struct arp_addr *a = &st.table.addrs[i];
		struct in_addr ip = { .s_addr = htonl(a->ip) };
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		if (onvm_nflib_port_mac(nf, a->port, &st.port_mac[a->port]) < 0) {
			fprintf(stderr, "arp_responder: %s: port %u is not one of the manager's ports\n",
				inet_ntoa(ip), a->port);
			exit(EXIT_FAILURE);
		}
		rte_ether_format_addr(mac, sizeof(mac), &st.port_mac[a->port]);
		printf("arp_responder: port %u answers for %s with %s\n", a->port, inet_ntoa(ip), mac);
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "arp_responder");

	parse_args(nf);
	load_port_macs(nf);
	st.c_replies = onvm_nflib_counter_register(nf, "replies");
	st.c_not_ours = onvm_nflib_counter_register(nf, "not_ours");
	st.c_passed = onvm_nflib_counter_register(nf, "passed");
	onvm_nflib_run(nf, handle);
	return onvm_nflib_close(nf);
}
