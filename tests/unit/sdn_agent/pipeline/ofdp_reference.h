/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A reference OpenFlow 1.3 interpreter for the pipeline's tests: one
 * packet at a time, straight from the switch model (ofs_lookup() on each
 * table, the decoded action lists, groups and meters as the switch holds
 * them), with its own frame edits that recompute every checksum from
 * scratch. Slow and simple on purpose: the compiled program and the burst
 * executor must do exactly what it does.
 */
#ifndef OFDP_REFERENCE_H
#define OFDP_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "of_switch.h"
#include "ofdp_compile.h"

#define REF_FRAME_MAX 256
#define REF_MAX_EVENTS 256

enum ref_event_kind {
	REF_TO_PORT = 1,    /* target: DPDK port */
	REF_TO_SERVICE,     /* target: service id */
	REF_TO_CHAIN,       /* target: chain id */
	REF_PACKET_IN,
};

struct ref_event {
	uint8_t kind;
	uint16_t target;
	/* PACKET_IN */
	uint8_t reason;
	uint8_t table_id;
	uint64_t cookie;
	uint16_t total_len;
	/* the frame as it left (PACKET_IN: as cut) */
	uint16_t len;
	uint8_t data[REF_FRAME_MAX];
};

/* What the pipeline's environment says, as the reference sees it. */
struct ref_world {
	struct of_switch *sw;
	const struct ofdp_chain_flow *chains;
	uint32_t n_chains;
	uint32_t port_mask;         /* DPDK ports */
	const uint8_t *port_up;     /* by DPDK port */
	uint16_t num_ports;
	const uint16_t *port_ids;
	uint16_t max_service;
	const uint16_t *instances;  /* by service id */
	uint32_t meter_passes[16];  /* meter id -> packets that still conform */
	uint64_t flow_hits[1024];   /* by flow id: flows run */
	bool trace;                 /* print the way each packet takes */
};

/*
 * Run one frame entering on OpenFlow port in_port through the switch.
 * Writes the packet's destinations and PACKET_INs in the order they
 * happen; returns how many (events past max are dropped: the tests keep
 * far below it).
 */
int ref_run(struct ref_world *w, const uint8_t *frame, uint16_t len, uint32_t in_port,
	    struct ref_event *ev, int max);

/* The RFC 1071 checksum of buf, folded and complemented. */
uint16_t ref_csum(const uint8_t *buf, uint32_t len, uint32_t sum);
/* Recompute the IPv4 header and TCP/UDP checksums of a frame (a UDP
 * checksum of 0, "none", stays 0). */
void ref_fix_checksums(uint8_t *frame, uint16_t len);

#endif /* OFDP_REFERENCE_H */
