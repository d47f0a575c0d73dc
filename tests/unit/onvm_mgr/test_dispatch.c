/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dispatch.h"

#define PORTS_01 0x3u

static const struct onvm_chain chain3 = {
	.name = "c", .num_hops = 3, .hops = { 4, 7, 9 }, .out_port = 1,
};

/* A packet as an NF hands it back: its chain position and the verdict. */
struct returned {
	struct onvm_pkt_meta meta;
	struct onvm_verdict v;
};

static struct returned
meta_at(uint8_t hop, uint8_t action, uint16_t dest)
{
	return (struct returned){ .meta = { .chain_hop = hop, .in_port = 0 },
				  .v = { .action = action, .destination = dest } };
}

static struct dispatch
decide(const struct onvm_chain *chain, struct returned *r, uint32_t port_mask, uint16_t max)
{
	return dispatch_decide(chain, &r->meta, r->v, port_mask, max);
}

static void
next_walks_the_chain_then_leaves(void **state)
{
	struct returned m = meta_at(0, ONVM_ACTION_NEXT, 0);
	struct dispatch d = decide(&chain3, &m, PORTS_01, 16);

	assert_int_equal(d.kind, DISPATCH_SERVICE);
	assert_int_equal(d.target, 7);
	assert_int_equal(m.meta.chain_hop, 1);
	d = decide(&chain3, &m, PORTS_01, 16);
	assert_int_equal(d.target, 9);
	d = decide(&chain3, &m, PORTS_01, 16);
	assert_int_equal(d.kind, DISPATCH_PORT);
	assert_int_equal(d.target, 1);
}

static void
chain_end_without_port_drops(void **state)
{
	struct onvm_chain c = chain3;
	struct returned m = meta_at(2, ONVM_ACTION_NEXT, 0);
	struct dispatch d;

	c.out_port = ONVM_PORT_NONE;
	d = decide(&c, &m, PORTS_01, 16);
	assert_int_equal(d.kind, DISPATCH_DROP);
	assert_int_equal(d.reason, DROP_CHAIN_END);
	c.out_port = 5; /* not a running port */
	m = meta_at(2, ONVM_ACTION_NEXT, 0);
	d = decide(&c, &m, PORTS_01, 16);
	assert_int_equal(d.reason, DROP_BAD_DEST);
}

static void
paired_port(void **state)
{
	struct onvm_chain c = { .num_hops = 1, .hops = { 1 }, .out_port = ONVM_PORT_PAIRED };
	struct returned m = meta_at(0, ONVM_ACTION_NEXT, 0);
	struct dispatch d;

	m.meta.in_port = 0;
	d = decide(&c, &m, PORTS_01, 16);
	assert_int_equal(d.target, 1);
	m = meta_at(0, ONVM_ACTION_NEXT, 0);
	m.meta.in_port = 1;
	d = decide(&c, &m, PORTS_01, 16);
	assert_int_equal(d.target, 0);
	m = meta_at(0, ONVM_ACTION_NEXT, 0);
	m.meta.in_port = 2; /* port 2 alone: its partner 3 is not running, it reflects */
	d = decide(&c, &m, 0x7u, 16);
	assert_int_equal(d.target, 2);
	m = meta_at(0, ONVM_ACTION_NEXT, 0);
	m.meta.in_port = ONVM_PORT_NONE; /* made by an NF: no port to pair with */
	d = decide(&c, &m, PORTS_01, 16);
	assert_int_equal(d.kind, DISPATCH_DROP);
}

static void
to_service_jumps_within_chain(void **state)
{
	struct returned m = meta_at(0, ONVM_ACTION_TONF, 9);
	struct dispatch d = decide(&chain3, &m, PORTS_01, 16);

	assert_int_equal(d.kind, DISPATCH_SERVICE);
	assert_int_equal(d.target, 9);
	assert_int_equal(m.meta.chain_hop, 2); /* NEXT from 9 now leaves the chain */
	m = meta_at(1, ONVM_ACTION_TONF, 12); /* off the chain: position kept */
	d = decide(&chain3, &m, PORTS_01, 16);
	assert_int_equal(d.target, 12);
	assert_int_equal(m.meta.chain_hop, 1);
	m = meta_at(0, ONVM_ACTION_TONF, 0);
	d = decide(&chain3, &m, PORTS_01, 16);
	assert_int_equal(d.reason, DROP_BAD_DEST);
	m = meta_at(0, ONVM_ACTION_TONF, 17);
	d = decide(&chain3, &m, PORTS_01, 16);
	assert_int_equal(d.reason, DROP_BAD_DEST);
}

static void
out_and_drop(void **state)
{
	struct returned m = meta_at(0, ONVM_ACTION_OUT, 1);
	struct dispatch d = decide(&chain3, &m, PORTS_01, 16);

	assert_int_equal(d.kind, DISPATCH_PORT);
	assert_int_equal(d.target, 1);
	m = meta_at(0, ONVM_ACTION_OUT, 4);
	d = decide(&chain3, &m, PORTS_01, 16);
	assert_int_equal(d.reason, DROP_BAD_DEST);
	m = meta_at(0, ONVM_ACTION_DROP, 0);
	d = decide(&chain3, &m, PORTS_01, 16);
	assert_int_equal(d.kind, DISPATCH_DROP);
	assert_int_equal(d.reason, DROP_BY_NF);
	m = meta_at(0, 77, 0); /* garbage action from a buggy NF */
	d = decide(&chain3, &m, PORTS_01, 16);
	assert_int_equal(d.kind, DISPATCH_DROP);
}

/* The NF's TX ring element: pointer and verdict packed into 8 bytes. */
static void
tx_elem_round_trip(void **state)
{
	/* A cache-aligned address high in the 48-bit space, as mbufs are. */
	struct rte_mbuf *pkt = (struct rte_mbuf *)(uintptr_t)UINT64_C(0x7fffdeadbe40);
	struct onvm_verdict in[] = {
		{ .action = ONVM_ACTION_DROP }, { .action = ONVM_ACTION_NEXT },
		{ .action = ONVM_ACTION_TONF, .destination = 64 },
		{ .action = ONVM_ACTION_OUT, .destination = 15 },
		{ .action = ONVM_ACTION_TONF, .destination = ONVM_TX_DEST_MAX },
	};

	for (unsigned int i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		onvm_tx_elem e = onvm_tx_pack(pkt, in[i]);
		struct onvm_verdict out = onvm_tx_verdict(e);

		assert_ptr_equal(onvm_tx_pkt(e), pkt);
		assert_int_equal(out.action, in[i].action);
		assert_int_equal(out.destination, in[i].destination);
	}
}

static void
tx_elem_keeps_bad_verdicts_bad(void **state)
{
	struct rte_mbuf *pkt = (struct rte_mbuf *)(uintptr_t)UINT64_C(0x200000001000);
	struct returned r = meta_at(0, 0, 0);
	onvm_tx_elem e;

	/* A garbage action is a drop, not whatever its low bits say. */
	e = onvm_tx_pack(pkt, (struct onvm_verdict){ .action = 77 });
	assert_int_equal(onvm_tx_verdict(e).action, ONVM_ACTION_DROP);
	/* A destination beyond the field does not wrap onto a real service
	 * or port: it stays out of range and the manager drops it. */
	e = onvm_tx_pack(pkt, (struct onvm_verdict){ .action = ONVM_ACTION_TONF,
						      .destination = 0x4001 });
	assert_ptr_equal(onvm_tx_pkt(e), pkt);
	r.v = onvm_tx_verdict(e);
	assert_int_equal(r.v.destination, ONVM_TX_DEST_MAX);
	assert_int_equal(decide(&chain3, &r, PORTS_01, 64).reason, DROP_BAD_DEST);
	e = onvm_tx_pack(pkt, (struct onvm_verdict){ .action = ONVM_ACTION_OUT,
						      .destination = 0xffff });
	r.v = onvm_tx_verdict(e);
	assert_int_equal(decide(&chain3, &r, 0xffffffffu, 64).reason, DROP_BAD_DEST);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(next_walks_the_chain_then_leaves),
		cmocka_unit_test(chain_end_without_port_drops),
		cmocka_unit_test(paired_port),
		cmocka_unit_test(to_service_jumps_within_chain),
		cmocka_unit_test(out_and_drop),
		cmocka_unit_test(tx_elem_round_trip),
		cmocka_unit_test(tx_elem_keeps_bad_verdicts_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
