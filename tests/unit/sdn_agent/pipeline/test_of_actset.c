/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OpenFlow action set (1.3.5, 5.10): one action per type, later
 * writes replace earlier ones, set-fields are per field, execution order
 * is the spec's whatever the write order, and a group voids the output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ofdp_ops.h"

static struct ofdp_op
op(uint8_t kind, uint32_t arg)
{
	struct ofdp_op o;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.arg = arg;
	return o;
}

static struct ofdp_op
set_field(uint8_t field, uint8_t v)
{
	struct ofdp_op o = op(OFDP_SET_FIELD, 0);

	o.field = field;
	o.val[0] = v;
	return o;
}

static void
test_later_write_replaces_same_type(void **state)
{
	(void)state;
	struct ofdp_actset as = { 0 };
	struct ofdp_op w1[] = { op(OFDP_OUT_PORT, 1), set_field(8, 0x11) };
	struct ofdp_op w2[] = { op(OFDP_OUT_SERVICE, 3), set_field(8, 0x22), set_field(9, 0x33) };

	ofdp_actset_write(&as, w1, 2);
	ofdp_actset_write(&as, w2, 3);
	assert_int_equal(as.n, 3);
	struct ofdp_prog p = ofdp_actset_program(&as);
	assert_int_equal(p.n_ops, 3);
	assert_int_equal(p.n_outputs, 1);
	/* set-fields first (in write order among themselves), output last */
	assert_int_equal(as.ops[0].kind, OFDP_SET_FIELD);
	assert_int_equal(as.ops[0].field, 8);
	assert_int_equal(as.ops[0].val[0], 0x22);
	assert_int_equal(as.ops[1].field, 9);
	assert_int_equal(as.ops[2].kind, OFDP_OUT_SERVICE);
	assert_int_equal(as.ops[2].arg, 3);
}

static void
test_spec_order(void **state)
{
	(void)state;
	struct ofdp_actset as = { 0 };
	/* written backwards */
	struct ofdp_op w[] = { op(OFDP_OUT_PORT, 2), op(OFDP_SET_ETH_DST, 0),
			       op(OFDP_DEC_NW_TTL, 0), op(OFDP_COPY_TTL_OUT, 0),
			       op(OFDP_PUSH_VLAN, 0x8100), op(OFDP_PUSH_PBB, 0x88e7),
			       op(OFDP_PUSH_MPLS, 0x8847), op(OFDP_POP_PBB, 0),
			       op(OFDP_POP_VLAN, 0), op(OFDP_COPY_TTL_IN, 0) };
	const uint8_t want[] = { OFDP_COPY_TTL_IN, OFDP_POP_PBB, OFDP_POP_VLAN, OFDP_PUSH_MPLS,
				 OFDP_PUSH_PBB, OFDP_PUSH_VLAN, OFDP_COPY_TTL_OUT,
				 OFDP_DEC_NW_TTL, OFDP_SET_ETH_DST, OFDP_OUT_PORT };

	ofdp_actset_write(&as, w, 10);
	struct ofdp_prog p = ofdp_actset_program(&as);
	assert_int_equal(p.n_ops, 10);
	for (unsigned int i = 0; i < 10; i++)
		assert_int_equal(as.ops[i].kind, want[i]);
}

static void
test_group_voids_output(void **state)
{
	(void)state;
	struct ofdp_actset as = { 0 };
	struct ofdp_op w[] = { op(OFDP_OUT_PORT, 2), op(OFDP_GROUP, 7), op(OFDP_SET_TP_DST, 80) };

	ofdp_actset_write(&as, w, 3);
	struct ofdp_prog p = ofdp_actset_program(&as);
	assert_int_equal(p.n_ops, 2);
	assert_int_equal(p.n_outputs, 1);
	assert_int_equal(as.ops[0].kind, OFDP_SET_TP_DST);
	assert_int_equal(as.ops[1].kind, OFDP_GROUP);
	assert_int_equal(as.ops[1].arg, 7);
}

static void
test_output_kinds_are_one_type(void **state)
{
	(void)state;
	struct ofdp_actset as = { 0 };
	struct ofdp_op w[] = { op(OFDP_OUT_PORT, 2), op(OFDP_OUT_CONTROLLER, 128),
			       op(OFDP_OUT_IN_PORT, 0) };

	ofdp_actset_write(&as, w, 3);
	assert_int_equal(as.n, 1);
	assert_int_equal(as.ops[0].kind, OFDP_OUT_IN_PORT);
}

static void
test_empty_and_full(void **state)
{
	(void)state;
	struct ofdp_actset as = { 0 };
	struct ofdp_prog p = ofdp_actset_program(&as);

	assert_int_equal(p.n_ops, 0);
	/* More distinct set-fields than the set holds: the rest are ignored,
	 * never written past the array. */
	for (unsigned int f = 0; f < 2 * OFDP_ACTSET_MAX; f++) {
		struct ofdp_op o = set_field((uint8_t)f, 1);
		ofdp_actset_write(&as, &o, 1);
	}
	assert_int_equal(as.n, OFDP_ACTSET_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_later_write_replaces_same_type),
		cmocka_unit_test(test_spec_order),
		cmocka_unit_test(test_group_voids_output),
		cmocka_unit_test(test_output_kinds_are_one_type),
		cmocka_unit_test(test_empty_and_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
