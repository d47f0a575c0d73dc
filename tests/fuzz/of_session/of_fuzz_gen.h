/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_fuzz_gen: fuzzer bytes turned into a controller's conversation with
 * the switch, for the of_session and ofdp_compile harnesses.
 *
 * Most messages are built with the codec's own encoders from small value
 * sets (ports 1-3 and 1001-1002, groups 1-4, meters 1-4, tables 0-7), so
 * they decode, and flows, groups and meters name each other: a flow
 * outputs to a group that chains to another, a flow uses a meter that a
 * later METER_MOD deletes. One message in 32 is raw bytes with a valid
 * header, for the decoder's refusals; one in 32 moves the clock so idle
 * and hard timeouts expire.
 */
#ifndef OF_FUZZ_GEN_H
#define OF_FUZZ_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "of_session.h"
#include "ofdp.h"

/* The fuzzer's bytes, read front to back; zeros once they run out. */
struct ofz_in {
	const uint8_t *p;
	size_t n, off;
};

static inline bool
ofz_more(const struct ofz_in *in)
{
	return in->off < in->n;
}

uint8_t ofz_u8(struct ofz_in *in);

/* What the generator asked, for the harness's checks of the reply. */
struct ofz_sent {
	uint8_t type;        /* OFPT_* of the message, 0xff for a clock step */
	uint32_t xid;
	bool raw;            /* raw bytes, not an encoder's output */
	uint16_t mp_type;    /* MULTIPART_REQUEST: its type */
	bool mp_all_flows;   /* FLOW/AGGREGATE over every flow, no filter */
	uint64_t advance_ms; /* clock step */
};

/* Append the next message to out (or return a clock step in *sent). */
void ofz_next(struct ofz_in *in, uint32_t xid, struct ofp_buf *out, struct ofz_sent *sent);

/* The switch, its session and the stubs behind them. */
#define OFZ_TABLES     OFDP_N_TABLES
#define OFZ_MAX_FLOWS  48  /* per table: TABLE_FULL is reached */
#define OFZ_MAX_GROUPS 6
#define OFZ_MAX_METERS 6

struct ofz_world {
	struct of_switch sw;
	struct of_session s;
	struct of_datapath_ops ops;
	struct ofdp_env env;
	struct onvm_service services[4];
	uint16_t port_ids[3];
	uint64_t now_ms;
	uint64_t n_sync, n_packet_out, n_removed;
	uint64_t last_generation;
};

/* check_with_pipeline: FLOW_MODs and GROUP_MODs also pass the pipeline's
 * checks (ofdp_check_flow/group), as in the manager's agent. */
void ofz_world_init(struct ofz_world *w, bool check_with_pipeline);
void ofz_world_destroy(struct ofz_world *w);

/* Abort unless the switch is consistent: counts within limits, flow ids
 * unique, every group and meter a flow or a bucket names exists, groups
 * and meters sorted, the generation never going back. Returns the number
 * of flows. */
uint32_t ofz_check_switch(struct ofz_world *w);

#endif /* OF_FUZZ_GEN_H */
