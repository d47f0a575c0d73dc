/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lcore_plan: what each of EAL's lcores does, and how many queues each port
 * needs for that. Pure, so that every layout is tested.
 *
 *   1 lcore    everything on it: RX queue 0 of every port, TX, control
 *   2+         the main lcore does control work; the others are data lcores:
 *              the first R of them (--rx-lcores R, default 1) read the
 *              ports, RX lcore i from RX queue i of every port that has
 *              one (RSS spreads flows over the queues: mgr_ports.c); the
 *              rest move packets from NFs on (TX lcores, NFs split by id).
 *              When R is every data lcore, each does both (with 2 lcores
 *              the one data lcore always does).
 *
 * Every lcore that may send to a port has a TX queue of its own on every
 * port: TX lcores always; RX-only lcores only when an OpenFlow flow can
 * send a packet straight out of a port from table 0, or a controller's
 * PACKET_OUT can (the first RX lcore polls those); without OpenFlow they
 * never send and need none.
 */
#ifndef ONVM_LCORE_PLAN_H
#define ONVM_LCORE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum data_role {
	ROLE_RX = 1,  /* poll ports, classify, enqueue to first hops */
	ROLE_TX = 2,  /* poll NF TX rings, dispatch by action */
};

#define LCORE_PLAN_MAX   16
#define LCORE_PLAN_NO_RX 0xffffu

struct lcore_plan_entry {
	unsigned int role;   /* enum data_role bits */
	uint16_t rx_queue;   /* its RX queue on every port, or LCORE_PLAN_NO_RX */
	uint16_t tx_queue;   /* its TX queue on every port (meaningful if it sends) */
	uint16_t tx_index;   /* among the TX lcores: which NFs are its own */
};

struct lcore_plan {
	unsigned int num_data; /* data lcores; 0: all work on the main lcore */
	unsigned int num_rx;   /* RX lcores: each port gets up to this many RX queues */
	unsigned int num_tx;   /* TX lcores */
	unsigned int unused;   /* EAL lcores beyond what the manager runs */
	uint16_t tx_queues;    /* TX queues each port needs */
	struct lcore_plan_entry lc[LCORE_PLAN_MAX]; /* [0] is the main lcore's when num_data == 0 */
};

/*
 * eal_lcores: EAL's lcore count (main included); max_data: the most data
 * lcores the manager runs; rx_lcores: --rx-lcores (0: the default, 1);
 * rx_sends: RX lcores may send to ports (OpenFlow). 0, or -1 with a reason.
 */
int lcore_plan_make(unsigned int eal_lcores, unsigned int max_data, unsigned int rx_lcores,
		    bool rx_sends, struct lcore_plan *p, char *err, size_t errlen);

#endif /* ONVM_LCORE_PLAN_H */
