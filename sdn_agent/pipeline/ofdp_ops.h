/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofdp_ops: the compiled form of OpenFlow actions (what ofdp_compile.c
 * emits and ofdp_execute.c executes), and the action set (OpenFlow 1.3.5,
 * 5.10) the pipeline keeps for each packet. No DPDK here: the action set
 * rules are unit-tested on their own.
 */
#ifndef ONVM_OF_OPS_H
#define ONVM_OF_OPS_H

#include <stdbool.h>
#include <stdint.h>

enum ofdp_op_kind {
	OFDP_OUT_PORT = 1,   /* arg = DPDK port */
	OFDP_OUT_SERVICE,    /* arg = service id */
	OFDP_OUT_IN_PORT,
	OFDP_OUT_FLOOD,      /* every DPDK port but the one it came in on */
	OFDP_OUT_CONTROLLER, /* arg = max_len */
	OFDP_OUT_TABLE,      /* PACKET_OUT only: run table 0 */
	OFDP_GROUP,          /* arg = group id */
	OFDP_SET_ETH_SRC,
	OFDP_SET_ETH_DST,
	OFDP_SET_IPV4_SRC,   /* arg = address, host order */
	OFDP_SET_IPV4_DST,
	OFDP_SET_TP_SRC,     /* TCP or UDP, arg = port */
	OFDP_SET_TP_DST,
	OFDP_SET_VLAN_VID,
	OFDP_DEC_NW_TTL,
	OFDP_PUSH_VLAN,      /* arg = TPID */
	OFDP_POP_VLAN,
	OFDP_SET_FIELD,      /* any other settable field: field = OXM id, val = value */
	OFDP_PUSH_MPLS,      /* arg = ethertype (0x8847/0x8848) */
	OFDP_POP_MPLS,       /* arg = ethertype of what follows */
	OFDP_SET_MPLS_TTL,   /* arg = TTL */
	OFDP_DEC_MPLS_TTL,
	OFDP_SET_NW_TTL,     /* arg = TTL (IPv4 TTL or IPv6 hop limit) */
	OFDP_COPY_TTL_OUT,
	OFDP_COPY_TTL_IN,
	OFDP_PUSH_PBB,       /* arg = ethertype (0x88e7) */
	OFDP_POP_PBB,
};

struct ofdp_op {
	uint8_t kind;
	uint8_t field;       /* OFDP_SET_FIELD: OFPXMT_OFB_* */
	uint8_t mac[6];
	uint32_t arg;
	uint8_t val[16];     /* OFDP_SET_FIELD: the value in wire order */
};

struct ofdp_prog {
	uint32_t first_op;  /* into ofdp_table.ops */
	uint16_t n_ops;
	uint16_t n_outputs; /* output-like ops: all but the last get a copy */
};

static inline bool
ofdp_is_output(uint8_t kind)
{
	return kind == OFDP_OUT_PORT || kind == OFDP_OUT_SERVICE || kind == OFDP_OUT_IN_PORT ||
	       kind == OFDP_OUT_FLOOD || kind == OFDP_OUT_CONTROLLER || kind == OFDP_GROUP ||
	       kind == OFDP_OUT_TABLE;
}

/*
 * The action set: at most one action of each type (one set-field per
 * field); a later write of a type replaces the earlier one.
 */
#define OFDP_ACTSET_MAX 32

struct ofdp_actset {
	uint16_t n;
	struct ofdp_op ops[OFDP_ACTSET_MAX];
};

/* Merge the n actions at ops (a write-actions instruction) into the set. */
void ofdp_actset_write(struct ofdp_actset *as, const struct ofdp_op *ops, uint16_t n);

/*
 * Put the set in the spec's execution order (copy TTL in, pop, push MPLS,
 * push PBB, push VLAN, copy TTL out, decrement TTL, set, group, output; a group
 * voids the output) and return it as a program over as->ops.
 */
struct ofdp_prog ofdp_actset_program(struct ofdp_actset *as);

#endif /* ONVM_OF_OPS_H */
