/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_flow: bidirectional lookup, LRU eviction and its counter, removal,
 * and random operations against a brute-force model of the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qoe_flow.h"

static struct pkt_5tuple
tuple(uint32_t n)
{
	return (struct pkt_5tuple){ .src_ip = 0x0a000000u + n, .dst_ip = 0xc0a80001u,
				    .src_port = (uint16_t)(1024 + n), .dst_port = 80,
				    .proto = PKT_PROTO_TCP };
}

static bool
same_tuple(const struct pkt_5tuple *a, const struct pkt_5tuple *b)
{
	return a->src_ip == b->src_ip && a->dst_ip == b->dst_ip && a->src_port == b->src_port &&
	       a->dst_port == b->dst_port && a->proto == b->proto;
}

static struct pkt_5tuple
reversed(struct pkt_5tuple t)
{
	return (struct pkt_5tuple){ .src_ip = t.dst_ip, .dst_ip = t.src_ip, .src_port = t.dst_port,
				    .dst_port = t.src_port, .proto = t.proto };
}

static void
test_both_directions(void **state)
{
	struct qoe_flow_table *t = qoe_flow_table_create(8);
	struct pkt_5tuple a = tuple(1), b = reversed(tuple(1));
	enum qoe_dir dir;

	assert_null(qoe_flow_lookup(t, &a, &dir));
	struct qoe_flow *f = qoe_flow_insert(t, &a, 100, NULL, NULL);
	assert_ptr_equal(qoe_flow_lookup(t, &a, &dir), f);
	assert_int_equal(dir, QOE_DIR_TOSERVER);
	assert_ptr_equal(qoe_flow_lookup(t, &b, &dir), f);
	assert_int_equal(dir, QOE_DIR_TOCLIENT);
	/* same addresses, other protocol: another flow */
	struct pkt_5tuple u = a;
	u.proto = PKT_PROTO_UDP;
	assert_null(qoe_flow_lookup(t, &u, &dir));
	assert_int_equal(f->start_ns, 100);
	assert_int_equal(qoe_flow_count(t), 1);
	qoe_flow_table_destroy(t);
}

static void
test_lru_eviction(void **state)
{
	struct qoe_flow_table *t = qoe_flow_table_create(3);
	struct pkt_5tuple k[5];
	struct qoe_flow gone;
	bool evicted;
	enum qoe_dir dir;

	for (int i = 0; i < 5; i++)
		k[i] = tuple((uint32_t)i);
	for (int i = 0; i < 3; i++) {
		qoe_flow_insert(t, &k[i], (uint64_t)i, &gone, &evicted);
		assert_false(evicted);
	}
	/* flow 0 active again: flow 1 is now the least recently active */
	qoe_flow_touch(t, qoe_flow_lookup(t, &k[0], &dir));
	qoe_flow_insert(t, &k[3], 3, &gone, &evicted);
	assert_true(evicted);
	assert_true(same_tuple(&gone.client, &k[1]));
	assert_null(qoe_flow_lookup(t, &k[1], &dir));
	assert_non_null(qoe_flow_lookup(t, &k[0], &dir));
	assert_int_equal(qoe_flow_evictions(t), 1);
	qoe_flow_insert(t, &k[4], 4, &gone, &evicted);
	assert_true(same_tuple(&gone.client, &k[2]));
	assert_int_equal(qoe_flow_evictions(t), 2);
	assert_int_equal(qoe_flow_count(t), 3);
	/* oldest to newest: 0, 3, 4 */
	struct qoe_flow *f = qoe_flow_oldest(t);
	assert_true(same_tuple(&f->client, &k[0]));
	f = qoe_flow_newer(t, f);
	assert_true(same_tuple(&f->client, &k[3]));
	f = qoe_flow_newer(t, f);
	assert_true(same_tuple(&f->client, &k[4]));
	assert_null(qoe_flow_newer(t, f));
	qoe_flow_table_destroy(t);
}

static void
test_flow_ids_unique(void **state)
{
	struct qoe_flow_table *t = qoe_flow_table_create(2);
	uint64_t ids[10];

	for (uint32_t i = 0; i < 10; i++) {
		struct pkt_5tuple k = tuple(i);
		ids[i] = qoe_flow_insert(t, &k, 0, NULL, NULL)->flow_id;
		for (uint32_t j = 0; j < i; j++)
			assert_true(ids[j] != ids[i]);
	}
	assert_int_equal(qoe_flow_evictions(t), 8);
	qoe_flow_table_destroy(t);
}

static void
test_create_limits(void **state)
{
	assert_null(qoe_flow_table_create(0));
	struct qoe_flow_table *t = qoe_flow_table_create(1);
	assert_non_null(t);
	assert_int_equal(qoe_flow_capacity(t), 1);
	qoe_flow_table_destroy(t);
	qoe_flow_table_destroy(NULL);
}

/*
 * Random inserts, lookups (which touch), removals, against a model: an
 * array of (key, last use) where eviction takes the smallest last use.
 */
static void
test_against_model(void **state)
{
	enum { CAP = 16, KEYS = 40, OPS = 20000 };
	struct qoe_flow_table *t = qoe_flow_table_create(CAP);
	bool present[KEYS] = { false };
	uint64_t last_use[KEYS] = { 0 };
	uint64_t clock = 0, evictions = 0;
	enum qoe_dir dir;

	srand(7);
	for (int op = 0; op < OPS; op++) {
		uint32_t k = (uint32_t)(rand() % KEYS);
		struct pkt_5tuple key = tuple(k);
		struct pkt_5tuple probe = rand() % 2 ? key : reversed(key);
		struct qoe_flow *f = qoe_flow_lookup(t, &probe, &dir);

		clock++;
		assert_int_equal(f != NULL, present[k]);
		if (f) {
			assert_int_equal(dir, probe.src_ip == key.src_ip ? QOE_DIR_TOSERVER
									 : QOE_DIR_TOCLIENT);
			if (rand() % 5 == 0) {
				qoe_flow_remove(t, f);
				present[k] = false;
			} else {
				qoe_flow_touch(t, f);
				last_use[k] = clock;
			}
			continue;
		}
		unsigned int n = 0;
		int victim = -1;
		for (int i = 0; i < KEYS; i++) {
			if (!present[i])
				continue;
			n++;
			if (victim < 0 || last_use[i] < last_use[victim])
				victim = i;
		}
		struct qoe_flow gone;
		bool evicted;
		qoe_flow_insert(t, &key, clock, &gone, &evicted);
		assert_int_equal(evicted, n == CAP);
		if (evicted) {
			struct pkt_5tuple want = tuple((uint32_t)victim);
			assert_true(same_tuple(&gone.client, &want));
			present[victim] = false;
			evictions++;
		}
		present[k] = true;
		last_use[k] = clock;
		unsigned int count = 0;
		for (int i = 0; i < KEYS; i++)
			count += present[i];
		assert_int_equal(qoe_flow_count(t), count);
	}
	assert_int_equal(qoe_flow_evictions(t), evictions);
	assert_true(evictions > 100);
	qoe_flow_table_destroy(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_flow_ids_unique),
		cmocka_unit_test(test_create_limits),
		cmocka_unit_test(test_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
