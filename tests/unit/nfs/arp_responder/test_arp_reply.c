/* SPDX-License-Identifier: BSD-3-Clause */
/* arp_responder's pure part: the address table and the in-place reply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "byte_order.h"
#include "arp_reply.h"

static const uint8_t asker_mac[6] = { 0x02, 0xaa, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac0[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x10 };
static const uint8_t mac1[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x11 };

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))

/* An Ethernet/IPv4 ARP frame, built by hand (independently of the code under test). */
static uint32_t
make_arp(uint8_t *f, int vlan, uint16_t op, const uint8_t sha[6], uint32_t spa, uint32_t tpa)
{
	uint32_t off = vlan >= 0 ? 18 : 14;

	memset(f, 0, 64);
	memset(f, 0xff, 6);
	memcpy(f + 6, sha, 6);
	if (vlan >= 0) {
		f[12] = 0x81, f[13] = 0x00, f[14] = (uint8_t)(vlan >> 8), f[15] = (uint8_t)vlan;
	}
	f[off - 2] = 0x08, f[off - 1] = 0x06;
	uint8_t *a = f + off;
	a[1] = 1;          /* Ethernet */
	a[2] = 0x08;       /* IPv4 */
	a[4] = 6, a[5] = 4;
	a[7] = (uint8_t)op;
	memcpy(a + 8, sha, 6);
	be32_store(a + 14, spa);
	memset(a + 18, 0, 6);
	be32_store(a + 24, tpa);
	for (uint32_t i = off + 28; i < 60; i++)
		f[i] = (uint8_t)(0xe0 + i); /* padding the reply must keep */
	return 60;
}

/* What the reply to `req` must be, field by field. */
static void
expected_reply(const uint8_t *req, uint8_t *exp, uint32_t len, const uint8_t mac[6])
{
	uint32_t off = req[12] == 0x81 ? 18 : 14;
	const uint8_t *a = req + off;
	uint8_t *e = exp + off;

	memcpy(exp, req, len);
	memcpy(exp, req + 6, 6);
	memcpy(exp + 6, mac, 6);
	e[6] = 0, e[7] = 2;
	memcpy(e + 8, mac, 6);
	memcpy(e + 14, a + 24, 4);
	memcpy(e + 18, a + 8, 6);
	memcpy(e + 24, a + 14, 4);
}

static void
table_two_ports(struct arp_table *t)
{
	char err[128];

	memset(t, 0, sizeof(*t));
	assert_int_equal(arp_table_add_per_port(t, "10.0.0.1,10.0.0.2", err, sizeof(err)), 0);
}

static void
answers_a_request_for_its_address(void **state)
{
	struct arp_table t;
	uint8_t f[64], exp[64];
	uint32_t len = make_arp(f, -1, 1, asker_mac, IP(10, 0, 0, 99), IP(10, 0, 0, 1));

	table_two_ports(&t);
	expected_reply(f, exp, len, mac0);
	assert_int_equal(arp_answer(f, len, &t, 0, mac0), ARP_REPLIED);
	assert_memory_equal(f, exp, len);
	/* and the opcode really is 2, the addresses swapped */
	assert_int_equal(f[21], 2);
	assert_memory_equal(f + 22, mac0, 6);
	assert_memory_equal(f + 32, asker_mac, 6);
	assert_memory_equal(f, asker_mac, 6);
}

static void
keeps_the_vlan_tag(void **state)
{
	struct arp_table t;
	uint8_t f[64], exp[64];
	uint32_t len = make_arp(f, 0x123, 1, asker_mac, IP(10, 0, 1, 50), IP(10, 0, 0, 2));

	table_two_ports(&t);
	expected_reply(f, exp, len, mac1);
	assert_int_equal(arp_answer(f, len, &t, 1, mac1), ARP_REPLIED);
	assert_memory_equal(f, exp, len);
	assert_int_equal(f[14], 0x01);
	assert_int_equal(f[15], 0x23);
}

static void
answers_only_on_the_owning_port(void **state)
{
	struct arp_table t;
	uint8_t f[64], copy[64];
	uint32_t len = make_arp(f, -1, 1, asker_mac, IP(10, 0, 0, 99), IP(10, 0, 0, 2));

	table_two_ports(&t);
	memcpy(copy, f, len);
	assert_int_equal(arp_answer(f, len, &t, 0, mac0), ARP_NOT_OURS);
	assert_memory_equal(f, copy, len);
	make_arp(f, -1, 1, asker_mac, IP(10, 0, 0, 99), IP(10, 0, 0, 3));
	memcpy(copy, f, len);
	assert_int_equal(arp_answer(f, len, &t, 0, mac0), ARP_NOT_OURS);
	assert_memory_equal(f, copy, len);
}

static void
leaves_replies_and_other_packets_alone(void **state)
{
	struct arp_table t;
	uint8_t f[64], copy[64];
	uint32_t len = make_arp(f, -1, 2, asker_mac, IP(10, 0, 0, 99), IP(10, 0, 0, 1));

	table_two_ports(&t);
	memcpy(copy, f, len);
	assert_int_equal(arp_answer(f, len, &t, 0, mac0), ARP_NOT_REQUEST);
	assert_memory_equal(f, copy, len);

	/* the same bytes as IPv4 are not ARP */
	f[12] = 0x08, f[13] = 0x00;
	memcpy(copy, f, len);
	assert_int_equal(arp_answer(f, len, &t, 0, mac0), ARP_NOT_ARP);
	assert_memory_equal(f, copy, len);

	/* ARP over something else than Ethernet/IPv4 */
	make_arp(f, -1, 1, asker_mac, IP(10, 0, 0, 99), IP(10, 0, 0, 1));
	f[14 + 5] = 16;
	memcpy(copy, f, len);
	assert_int_equal(arp_answer(f, len, &t, 0, mac0), ARP_NOT_ARP);
	assert_memory_equal(f, copy, len);
}

/* Every truncation of a valid request, tagged or not: never answered, never touched. */
static void
truncated_requests_are_not_answered(void **state)
{
	struct arp_table t;
	uint8_t f[64], copy[64];

	table_two_ports(&t);
	for (int vlan = -1; vlan <= 5; vlan += 6) {
		uint32_t need = (vlan >= 0 ? 18 : 14) + 28;

		for (uint32_t len = 0; len < need; len++) {
			make_arp(f, vlan, 1, asker_mac, IP(10, 0, 0, 99), IP(10, 0, 0, 1));
			memcpy(copy, f, sizeof(f));
			assert_int_equal(arp_answer(f, len, &t, 0, mac0), ARP_NOT_ARP);
			assert_memory_equal(f, copy, sizeof(f));
		}
		make_arp(f, vlan, 1, asker_mac, IP(10, 0, 0, 99), IP(10, 0, 0, 1));
		assert_int_equal(arp_answer(f, need, &t, 0, mac0), ARP_REPLIED);
	}
}

static void
per_port_list(void **state)
{
	struct arp_table t = { 0 };
	char err[128];

	assert_int_equal(arp_table_add_per_port(&t, "0.0.0.0,10.0.0.2,192.168.1.1", err, sizeof(err)), 0);
	assert_int_equal(t.n, 2);
	assert_false(arp_table_owns(&t, 0, 0));
	assert_true(arp_table_owns(&t, IP(10, 0, 0, 2), 1));
	assert_true(arp_table_owns(&t, IP(192, 168, 1, 1), 2));
	assert_false(arp_table_owns(&t, IP(10, 0, 0, 2), 2));
}

static void
per_port_list_errors(void **state)
{
	static const char *bad[] = { "", ",", "10.0.0.1,", ",10.0.0.1", "10.0.0.1,,10.0.0.2",
				     "1.2.3", "256.0.0.1", "10.0.0.1 ", "ten", "10.0.0.1@0",
				     /* 17 ports: 0-16 */
				     "1.0.0.0,1.0.0.1,1.0.0.2,1.0.0.3,1.0.0.4,1.0.0.5,1.0.0.6,1.0.0.7,"
				     "1.0.0.8,1.0.0.9,1.0.0.10,1.0.0.11,1.0.0.12,1.0.0.13,1.0.0.14,"
				     "1.0.0.15,1.0.0.16" };
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct arp_table t = { 0 };

		err[0] = '\0';
		assert_int_equal(arp_table_add_per_port(&t, bad[i], err, sizeof(err)), -1);
		assert_true(strlen(err) > 0);
	}
}

static void
pairs_list(void **state)
{
	struct arp_table t = { 0 };
	char err[128];

	assert_int_equal(arp_table_add_pairs(&t, "10.0.0.1@0,10.0.0.3@0,10.0.0.1@1", err,
					     sizeof(err)), 0);
	assert_int_equal(t.n, 3);
	assert_true(arp_table_owns(&t, IP(10, 0, 0, 1), 0));
	assert_true(arp_table_owns(&t, IP(10, 0, 0, 3), 0));
	assert_true(arp_table_owns(&t, IP(10, 0, 0, 1), 1));
	assert_false(arp_table_owns(&t, IP(10, 0, 0, 3), 1));
	/* -s and -a add to one table */
	assert_int_equal(arp_table_add_per_port(&t, "0.0.0.0,10.0.0.9", err, sizeof(err)), 0);
	assert_true(arp_table_owns(&t, IP(10, 0, 0, 9), 1));
	/* the same address twice on one port is a mistake */
	assert_int_equal(arp_table_add_pairs(&t, "10.0.0.3@0", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "twice"));
}

static void
pairs_list_errors(void **state)
{
	static const char *bad[] = { "10.0.0.1", "10.0.0.1@", "10.0.0.1@x", "10.0.0.1@16",
				     "10.0.0.1@-1", "@0", "10.0.0.1@0,", "10.0.0.1@1@2",
				     "10.0.0.1@0,10.0.0.1@0" };
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct arp_table t = { 0 };

		assert_int_equal(arp_table_add_pairs(&t, bad[i], err, sizeof(err)), -1);
	}
}

static void
table_is_bounded(void **state)
{
	struct arp_table t = { 0 };
	char err[128], item[32];

	for (int i = 0; i < ARP_MAX_ADDRS; i++) {
		snprintf(item, sizeof(item), "10.1.0.%d@%d", i, i % 4);
		assert_int_equal(arp_table_add_pairs(&t, item, err, sizeof(err)), 0);
	}
	assert_int_equal(arp_table_add_pairs(&t, "10.2.0.0@0", err, sizeof(err)), -1);
	assert_int_equal(t.n, ARP_MAX_ADDRS);
}

/* Random tables and requests against the reference: answered exactly when owned. */
static void
random_requests_match_reference(void **state)
{
	srand(7);
	for (int round = 0; round < 200; round++) {
		struct arp_table t = { 0 };
		uint32_t ips[8];
		uint16_t ports[8];
		int n = 1 + rand() % 8;
		char err[128], item[40];

		for (int i = 0; i < n; i++) {
			ips[i] = IP(10, 0, rand() % 2, rand() % 4);
			ports[i] = (uint16_t)(rand() % 3);
			snprintf(item, sizeof(item), "10.0.%u.%u@%u", (ips[i] >> 8) & 0xff, ips[i] & 0xff,
				 ports[i]);
			if (arp_table_add_pairs(&t, item, err, sizeof(err)) < 0)
				ips[i] = 0; /* a duplicate: the first one stands */
		}
		for (int q = 0; q < 20; q++) {
			uint32_t tpa = IP(10, 0, rand() % 2, rand() % 4);
			uint16_t port = (uint16_t)(rand() % 3);
			int vlan = rand() % 2 ? -1 : rand() % 4096;
			uint8_t f[64], exp[64];
			uint32_t len = make_arp(f, vlan, 1, asker_mac, IP(172, 16, 0, rand() % 256), tpa);
			bool owned = false;

			for (int i = 0; i < n; i++)
				owned |= ips[i] == tpa && ports[i] == port;
			if (owned)
				expected_reply(f, exp, len, mac1);
			else
				memcpy(exp, f, len);
			assert_int_equal(arp_answer(f, len, &t, port, mac1),
					 owned ? ARP_REPLIED : ARP_NOT_OURS);
			assert_memory_equal(f, exp, len);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers_a_request_for_its_address),
		cmocka_unit_test(keeps_the_vlan_tag),
		cmocka_unit_test(answers_only_on_the_owning_port),
		cmocka_unit_test(leaves_replies_and_other_packets_alone),
		cmocka_unit_test(truncated_requests_are_not_answered),
		cmocka_unit_test(per_port_list),
		cmocka_unit_test(per_port_list_errors),
		cmocka_unit_test(pairs_list),
		cmocka_unit_test(pairs_list_errors),
		cmocka_unit_test(table_is_bounded),
		cmocka_unit_test(random_requests_match_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
