/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bridge: a wire between paired ports. What comes in on port 0 leaves by
 * port 1 and the other way round; in general port p pairs with p ^ 1.
 * A packet whose partner port the manager does not run, or that came in on
 * no port (made by an NF), is dropped and counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "onvm_nflib.h"

#define NO_PARTNER 0xffff

struct bridge {
	uint16_t partner[ONVM_MAX_PORTS]; /* out port for each in port */
	int c_bridged;
	int c_no_partner; /* drop: partner port not running */
	int c_no_in_port; /* drop: the packet entered on no port */
};

static struct bridge br;

static int
handle(struct rte_mbuf *pkt, struct onvm_verdict *v, struct onvm_nf_ctx *nf)
{
	uint16_t in = onvm_nflib_in_port(nf), out;

	(void)pkt; /* a bridge never reads the packet */
	if (in >= ONVM_MAX_PORTS) {
		onvm_nflib_counter_add(nf, br.c_no_in_port, 1);
		return onvm_nf_drop(v);
	}
	out = br.partner[in];
	if (out == NO_PARTNER) {
		onvm_nflib_counter_add(nf, br.c_no_partner, 1);
		return onvm_nf_drop(v);
	}
	onvm_nflib_counter_add(nf, br.c_bridged, 1);
	return onvm_nf_out_port(v, out);
}

/* The manager's ports are fixed for its lifetime: pair them once. */
static void
pair_ports(struct onvm_nf_ctx *nf)
{
	struct rte_ether_addr mac;
	unsigned int pairs = 0;

	for (uint16_t p = 0; p < ONVM_MAX_PORTS; p++) {
		uint16_t q = p ^ 1;

		br.partner[p] = NO_PARTNER;
		if (onvm_nflib_port_mac(nf, p, &mac) == 0 && onvm_nflib_port_mac(nf, q, &mac) == 0) {
			br.partner[p] = q;
			if (p < q) {
				printf("bridge: port %u <-> port %u\n", p, q);
				pairs++;
			}
		}
	}
	if (pairs == 0)
		printf("bridge: warning: no pair of ports (0-1, 2-3, ...) is running; "
		       "every packet will be dropped\n");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "bridge");

	if (getopt(onvm_nflib_app_argc(nf), onvm_nflib_app_argv(nf), "") != -1 ||
	    optind < onvm_nflib_app_argc(nf)) {
		fprintf(stderr, "usage: bridge (no options)\n");
		exit(EXIT_FAILURE);
	}
	pair_ports(nf);
	br.c_bridged = onvm_nflib_counter_register(nf, "bridged");
	br.c_no_partner = onvm_nflib_counter_register(nf, "drop_no_partner");
	br.c_no_in_port = onvm_nflib_counter_register(nf, "drop_no_in_port");
	onvm_nflib_run(nf, handle);
	return onvm_nflib_close(nf);
}
