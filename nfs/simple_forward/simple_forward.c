/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * simple_forward: pass every packet on. With -d SERVICE it sends to that
 * service; without, to the next hop of the packet's chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "onvm_nflib.h"

static uint16_t dest_service; /* 0: next hop */

static int
forward(struct rte_mbuf *pkt, struct onvm_verdict *v, struct onvm_nf_ctx *nf)
{
	if (dest_service)
		return onvm_nf_to_service(v, dest_service);
	return onvm_nf_next(v);
}

static void
parse_args(struct onvm_nf_ctx *nf)
{
	int argc = onvm_nflib_app_argc(nf);
	char **argv = onvm_nflib_app_argv(nf);
	int opt;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd') {
			fprintf(stderr, "usage: simple_forward [-d SERVICE]\n");
			exit(EXIT_FAILURE);
		}
		dest_service = onvm_nflib_service_lookup(nf, optarg);
		if (dest_service == 0) {
			fprintf(stderr, "simple_forward: -d %s: unknown service\n", optarg);
			exit(EXIT_FAILURE);
		}
	}
}

int
main(int argc, char **argv)
{
	struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "simple_forward");

	parse_args(nf);
	onvm_nflib_run(nf, forward);
	return onvm_nflib_close(nf);
}
