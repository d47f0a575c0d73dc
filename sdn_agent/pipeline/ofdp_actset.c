/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The action set (OpenFlow 1.3.5, 5.10): what write-actions collect along
 * the pipeline and the order it runs in when the pipeline ends, whatever
 * order the actions were written in. See ofdp_ops.h.
 */
#include "ofdp_ops.h"

/* The spec's execution order; 0 for what the data path never compiles. */
static unsigned int
actset_rank(const struct ofdp_op *op)
{
	switch (op->kind) {
	case OFDP_COPY_TTL_IN: return 1;
	case OFDP_POP_VLAN: case OFDP_POP_MPLS: case OFDP_POP_PBB: return 2;
	case OFDP_PUSH_MPLS: return 3;
	case OFDP_PUSH_PBB: return 4;
	case OFDP_PUSH_VLAN: return 5;
	case OFDP_COPY_TTL_OUT: return 6;
	case OFDP_DEC_NW_TTL: case OFDP_DEC_MPLS_TTL: return 7;
	case OFDP_GROUP: return 10;
	case OFDP_OUT_PORT: case OFDP_OUT_SERVICE: case OFDP_OUT_IN_PORT:
	case OFDP_OUT_FLOOD: case OFDP_OUT_CONTROLLER: case OFDP_OUT_TABLE: return 11;
	default: return 8; /* set-field, set TTLs */
	}
}

/* Two actions of one type replace each other. */
static bool
actset_same_type(const struct ofdp_op *a, const struct ofdp_op *b)
{
	unsigned int r = actset_rank(a);

	if (r != actset_rank(b))
		return false;
	if (r == 8)
		return a->kind == b->kind && (a->kind != OFDP_SET_FIELD || a->field == b->field);
	if (r == 2 || r == 7)
		return a->kind == b->kind;
	return true;
}

void
ofdp_actset_write(struct ofdp_actset *as, const struct ofdp_op *ops, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		const struct ofdp_op *op = &ops[i];
		uint16_t j = 0;

		while (j < as->n && !actset_same_type(&as->ops[j], op))
			j++;
		if (j < as->n)
			as->ops[j] = *op;
		else if (as->n < OFDP_ACTSET_MAX)
			as->ops[as->n++] = *op;
	}
}

/* Order the set for execution; a group makes the output void (5.10). */
struct ofdp_prog
ofdp_actset_program(struct ofdp_actset *as)
{
	struct ofdp_prog p = { 0, 0, 0 };
	bool group = false;

	for (uint16_t i = 1; i < as->n; i++) {
		struct ofdp_op op = as->ops[i];
		uint16_t j = i;

		while (j > 0 && actset_rank(&as->ops[j - 1]) > actset_rank(&op)) {
			as->ops[j] = as->ops[j - 1];
			j--;
		}
		as->ops[j] = op;
	}
	for (uint16_t i = 0; i < as->n; i++)
		group |= as->ops[i].kind == OFDP_GROUP;
	for (uint16_t i = 0; i < as->n; i++) {
		if (group && actset_rank(&as->ops[i]) == 11)
			continue;
		as->ops[p.n_ops++] = as->ops[i];
		if (ofdp_is_output(as->ops[i].kind))
			p.n_outputs++;
	}
	return p;
}

