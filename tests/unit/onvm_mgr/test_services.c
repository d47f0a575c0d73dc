/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pkt_parse.h"
#include "services.h"

static struct onvm_service svcs[ONVM_MAX_SERVICES + 1];

static int
setup(void **state)
{
	svc_table_init(svcs, 16);
	return 0;
}

static void
names_get_lowest_free_ids(void **state)
{
	const char *why;
	uint16_t id;

	assert_int_equal(svc_resolve(svcs, 16, "firewall", &id, &why), 0);
	assert_int_equal(id, 1);
	assert_int_equal(svc_resolve(svcs, 16, "router", &id, &why), 0);
	assert_int_equal(id, 2);
	assert_int_equal(svc_resolve(svcs, 16, "firewall", &id, &why), 0);
	assert_int_equal(id, 1);
	assert_int_equal(svc_find(svcs, 16, "router"), 2);
	/* A number refers to that id and does not reserve it from names. */
	assert_int_equal(svc_resolve(svcs, 16, "5", &id, &why), 0);
	assert_int_equal(id, 5);
	assert_int_equal(svc_resolve(svcs, 16, "ids", &id, &why), 0);
	assert_int_equal(id, 3);
	assert_int_equal(svc_resolve(svcs, 16, "17", &id, &why), -1);
	assert_int_equal(svc_resolve(svcs, 16, "0", &id, &why), -1);
}

static void
table_full_is_an_error(void **state)
{
	const char *why = NULL;
	char name[16];
	uint16_t id;

	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		assert_int_equal(svc_resolve(svcs, 16, name, &id, &why), 0);
	}
	assert_int_equal(svc_resolve(svcs, 16, "one-too-many", &id, &why), -1);
	assert_non_null(strstr(why, "no free service id"));
}

static void
instances_get_lowest_free_numbers(void **state)
{
	struct onvm_service *s = &svcs[1];
	uint16_t num;

	for (uint16_t nf = 10; nf < 13; nf++) {
		assert_int_equal(svc_add_instance(s, nf, ONVM_INSTANCE_ANY, &num), 0);
		assert_int_equal(num, nf - 10);
	}
	assert_int_equal(svc_remove_instance(s, 11), 0);
	assert_int_equal(s->num_instances, 2);
	assert_int_equal(svc_remove_instance(s, 11), -1);
	assert_int_equal(svc_add_instance(s, 20, ONVM_INSTANCE_ANY, &num), 0);
	assert_int_equal(num, 1); /* the number NF 11 had */
	for (uint16_t i = 0; i < s->num_instances; i++)
		assert_true(s->instances[i] == 10 || s->instances[i] == 12 || s->instances[i] == 20);
}

/* go.sh -n: an NF asks for an instance number; a taken or out-of-range one
 * is refused and leaves the service as it was. */
static void
instances_asked_for_by_number(void **state)
{
	struct onvm_service *s = &svcs[3];
	uint16_t num = 99;

	assert_int_equal(svc_add_instance(s, 30, 5, &num), 0);
	assert_int_equal(num, 5);
	assert_int_equal(svc_add_instance(s, 31, 5, &num), SVC_ERR_TAKEN);
	assert_int_equal(svc_add_instance(s, 31, ONVM_MAX_INSTANCES, &num), SVC_ERR_RANGE);
	assert_int_equal(s->num_instances, 1);
	/* Without -n the lowest free number, around the one taken. */
	for (uint16_t nf = 31; nf < 37; nf++)
		assert_int_equal(svc_add_instance(s, nf, ONVM_INSTANCE_ANY, &num), 0);
	assert_int_equal(num, 6);
	assert_int_equal(svc_remove_instance(s, 30), 0);
	assert_int_equal(svc_add_instance(s, 40, 5, &num), 0);
	assert_int_equal(num, 5);
	for (uint16_t nf = 41; s->num_instances < ONVM_MAX_INSTANCES; nf++)
		assert_int_equal(svc_add_instance(s, nf, ONVM_INSTANCE_ANY, &num), 0);
	assert_int_equal(svc_add_instance(s, 60, ONVM_INSTANCE_ANY, &num), SVC_ERR_FULL);
}

static void
pick_spreads_flows_evenly_and_stably(void **state)
{
	struct onvm_service *s = &svcs[2];
	unsigned int hits[4] = { 0 };
	uint16_t num;

	assert_int_equal(svc_pick_instance(s, 123), 0); /* nobody runs it */
	for (uint16_t nf = 1; nf <= 4; nf++)
		svc_add_instance(s, nf, ONVM_INSTANCE_ANY, &num);
	svc_rebalance(s);
	/* 40,000 random flows: each instance within 5% of a quarter, and a
	 * flow and its reply always meet the same instance. */
	uint32_t x = 12345;
	for (int i = 0; i < 40000; i++) {
		struct pkt_5tuple t, r;

		x = x * 1103515245 + 12345;
		t.src_ip = x;
		x = x * 1103515245 + 12345;
		t.dst_ip = x;
		t.src_port = (uint16_t)(x >> 7);
		t.dst_port = 80;
		t.proto = 6;
		r = (struct pkt_5tuple){ t.dst_ip, t.src_ip, t.dst_port, t.src_port, 6 };
		uint16_t a = svc_pick_instance(s, pkt_5tuple_hash_symmetric(&t));
		uint16_t b = svc_pick_instance(s, pkt_5tuple_hash_symmetric(&r));
		assert_int_equal(a, b);
		hits[a - 1]++;
	}
	for (int i = 0; i < 4; i++)
		assert_in_range(hits[i], 9500, 10500);
}

/* Bucket owners of a service, as instance NF ids, for comparisons. */
static void
owners(const struct onvm_service *s, uint16_t *out)
{
	memcpy(out, s->bucket_nf, sizeof(s->bucket_nf));
}

static unsigned int
moved(const uint16_t *before, const struct onvm_service *s)
{
	unsigned int n = 0;

	for (uint16_t b = 0; b < ONVM_BUCKETS; b++)
		n += before[b] != s->bucket_nf[b];
	return n;
}

/* Even shares, and adding or removing an instance moves only what must
 * move: the new instance's share, or the leaver's buckets. */
static void
buckets_spread_and_move_little(void **state)
{
	struct onvm_service *s = &svcs[3];
	uint16_t before[ONVM_BUCKETS], num;

	(void)state;
	svc_add_instance(s, 7, ONVM_INSTANCE_ANY, &num);
	svc_rebalance(s);
	assert_int_equal(svc_bucket_count(s, 7), ONVM_BUCKETS);
	for (uint16_t nf = 8; nf <= 9; nf++) {
		owners(s, before);
		svc_add_instance(s, nf, ONVM_INSTANCE_ANY, &num);
		svc_rebalance(s);
		/* Only the newcomer's share moved, all of it to the newcomer. */
		assert_int_equal(moved(before, s), svc_bucket_count(s, nf));
	}
	assert_in_range(svc_bucket_count(s, 7), 341, 342);
	assert_in_range(svc_bucket_count(s, 8), 341, 342);
	assert_in_range(svc_bucket_count(s, 9), 341, 342);
	/* 8 leaves: only its buckets move, spread over 7 and 9. */
	owners(s, before);
	uint16_t had = svc_bucket_count(s, 8);
	svc_remove_instance(s, 8);
	svc_give_orphans(s, 8);
	assert_int_equal(moved(before, s), had);
	assert_int_equal(svc_bucket_count(s, 8), 0);
	assert_in_range(svc_bucket_count(s, 7), 511, 513);
	/* Nobody left: nobody owns anything. */
	svc_remove_instance(s, 7);
	svc_give_orphans(s, 7);
	svc_remove_instance(s, 9);
	svc_give_orphans(s, 9);
	assert_int_equal(svc_bucket_count(s, 0), ONVM_BUCKETS);
}

/* A held bucket keeps its marker through a rebalance. */
static void
held_buckets_stay_held(void **state)
{
	struct onvm_service *s = &svcs[4];
	uint16_t num;

	(void)state;
	svc_add_instance(s, 11, ONVM_INSTANCE_ANY, &num);
	svc_add_instance(s, 12, ONVM_INSTANCE_ANY, &num);
	svc_rebalance(s);
	s->bucket_nf[5] = ONVM_BUCKET_HELD;
	svc_add_instance(s, 13, ONVM_INSTANCE_ANY, &num);
	svc_rebalance(s);
	assert_int_equal(s->bucket_nf[5], ONVM_BUCKET_HELD);
	assert_int_equal(svc_pick_instance(s, 5), ONVM_BUCKET_HELD);
	assert_int_equal(svc_pick_instance(s, 5 + ONVM_BUCKETS), ONVM_BUCKET_HELD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(names_get_lowest_free_ids, setup),
		cmocka_unit_test_setup(table_full_is_an_error, setup),
		cmocka_unit_test_setup(instances_get_lowest_free_numbers, setup),
		cmocka_unit_test_setup(instances_asked_for_by_number, setup),
		cmocka_unit_test_setup(pick_spreads_flows_evenly_and_stably, setup),
		cmocka_unit_test_setup(buckets_spread_and_move_little, setup),
		cmocka_unit_test_setup(held_buckets_stay_held, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
