/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_dest: where a packet goes next, as a list the data lcore walks
 * after a stage decided (in the spirit of VPP's next-node arrays). The
 * OpenFlow pipeline fills one; the manager's data lcore sends each entry
 * through its one enqueue path, so backpressure and drop counting live
 * in one place.
 */
#ifndef ONVM_PKT_DEST_H
#define ONVM_PKT_DEST_H

#include <stdint.h>

#include "onvm_common.h"

struct rte_mbuf;

enum pkt_dest_kind {
	PKT_TO_PORT = 1, /* target: DPDK port id */
	PKT_TO_SERVICE,  /* target: service id */
	PKT_TO_CHAIN,    /* target: chain id; the packet starts that chain */
};

struct pkt_dest {
	struct rte_mbuf *pkt;
	uint16_t kind;   /* enum pkt_dest_kind */
	uint16_t target;
};

/* Copies (all groups, FLOOD) make a list longer than the packets that
 * went in: a stage given at most PKT_DESTS_MAX / 16 packets at a time has
 * room for 16 destinations each (FLOOD to every port); past the list's
 * end it drops and counts. */
#define PKT_DESTS_MAX (4 * ONVM_BURST)
#define PKT_DESTS_CHUNK (PKT_DESTS_MAX / 16) /* packets a stage takes at once */

struct pkt_dests {
	uint16_t n;
	struct pkt_dest v[PKT_DESTS_MAX];
};

#endif /* ONVM_PKT_DEST_H */
