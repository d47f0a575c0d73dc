/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RSS plan (onvm_mgr/port_rss.h): which PMD gets what, and that the key
 * it programs makes Toeplitz symmetric, checked with a plain Toeplitz
 * written here from its definition (and checked itself against the
 * verification example of Microsoft's RSS specification).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "port_rss.h"

/* Hash types as DPDK numbers them (only their being distinct matters). */
#define HF_IPV4     (1ULL << 2)
#define HF_IPV4_TCP (1ULL << 4)
#define HF_IPV4_UDP (1ULL << 5)
#define WANT        (HF_IPV4 | HF_IPV4_TCP | HF_IPV4_UDP)

/* Toeplitz: for each set bit i of the input (most significant first), XOR
 * in the 32 bits of the key starting at bit i. */
static uint32_t
toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len)
{
	uint32_t h = 0;

	for (size_t i = 0; i < len * 8; i++) {
		if (!(in[i / 8] >> (7 - i % 8) & 1))
			continue;
		uint32_t window = 0;

		for (size_t b = 0; b < 32; b++) {
			size_t k = i + b;
			uint32_t bit = k < key_len * 8 ? key[k / 8] >> (7 - k % 8) & 1 : 0;

			window = window << 1 | bit;
		}
		h ^= window;
	}
	return h;
}

/* The NIC's input for IPv4 TCP/UDP: source and destination address, then
 * source and destination port, in network order. */
static uint32_t
hash_v4(const uint8_t *key, size_t key_len, uint32_t sa, uint32_t da, uint16_t sp, uint16_t dp)
{
	uint8_t in[12] = { sa >> 24, sa >> 16, sa >> 8, sa, da >> 24, da >> 16, da >> 8, da,
			   sp >> 8, sp, dp >> 8, dp };

	return toeplitz(key, key_len, in, sizeof(in));
}

static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static void
reference_toeplitz_is_right(void **state)
{
	(void)state;
	/* 66.9.149.187:2794 -> 161.142.100.80:1766, the specification's first example */
	assert_int_equal(hash_v4(ms_key, 40, 0x420995bb, 0xa18e6450, 2794, 1766), 0x51ccc178);
}

static void
symmetric_key_is_symmetric(void **state)
{
	uint8_t key[52];
	unsigned int asym = 0;

	(void)state;
	port_rss_symmetric_key(key, sizeof(key));
	assert_int_equal(key[0], 0x6d);
	assert_int_equal(key[1], 0x5a);
	assert_int_equal(key[51], 0x5a);
	srand(3);
	for (int i = 0; i < 10000; i++) {
		uint32_t a = (uint32_t)rand() << 1 ^ (uint32_t)rand(), b = (uint32_t)rand() * 7u;
		uint16_t p = (uint16_t)rand(), q = (uint16_t)rand();

		assert_int_equal(hash_v4(key, sizeof(key), a, b, p, q), hash_v4(key, sizeof(key), b, a, q, p));
		asym += hash_v4(ms_key, 40, a, b, p, q) != hash_v4(ms_key, 40, b, a, q, p);
	}
	/* the usual key is not: the two directions of a flow part ways */
	assert_true(asym > 9900);
}

/*
 * What the symmetric key gives up: with a period of 16 bits, the hash is a
 * function of the XOR of the tuple's 16-bit halves. Flows that differ in
 * one field spread evenly, as real clients' addresses and ports do; flows
 * whose address and port step together (a traffic generator's ranges
 * both incrementing) cancel out in that XOR and pile up on a few queues.
 */
static void
symmetric_key_spreads_flows(void **state)
{
	uint8_t key[40];
	unsigned int port_only[4] = { 0 }, addr_only[4] = { 0 }, random[4] = { 0 }, lockstep[4] = { 0 };

	(void)state;
	port_rss_symmetric_key(key, sizeof(key));
	srand(5);
	for (uint32_t f = 0; f < 4000; f++) {
		port_only[hash_v4(key, 40, 0x0a000001, 0x0a010001, (uint16_t)(1024 + f), 80) % 4]++;
		addr_only[hash_v4(key, 40, 0x0a000001 + f, 0x0a010001, 1024, 80) % 4]++;
		random[hash_v4(key, 40, (uint32_t)rand() * 3u, (uint32_t)rand() * 5u, (uint16_t)rand(),
			       (uint16_t)rand()) % 4]++;
		lockstep[hash_v4(key, 40, 0x0a000001 + f, 0x0a010001, (uint16_t)(1024 + f), 80) % 4]++;
	}
	unsigned int least = 4000, most = 0;

	for (unsigned int q = 0; q < 4; q++) {
		assert_true(port_only[q] > 900 && port_only[q] < 1100);
		assert_true(addr_only[q] > 900 && addr_only[q] < 1100);
		assert_true(random[q] > 900 && random[q] < 1100);
		least = lockstep[q] < least ? lockstep[q] : least;
		most = lockstep[q] > most ? lockstep[q] : most;
	}
	assert_true(most > 3 * least); /* docs/real-nics.md says so: vary one field */
}

static void
plans(void **state)
{
	struct port_rss_plan p;
	struct port_rss_caps nic = { .max_rx_queues = 64, .rss_offloads = WANT, .key_size = 52 };
	struct port_rss_caps afp = { .max_rx_queues = 2 }; /* net_af_packet, qpairs=2 */
	struct port_rss_caps pcap = { .max_rx_queues = 1 };

	(void)state;
	/* one RX lcore: one queue, nothing configured */
	port_rss_plan_make(&nic, 1, WANT, &p);
	assert_int_equal(p.nb_rxq, 1);
	assert_int_equal(p.how, PORT_RSS_ONE_QUEUE);
	assert_int_equal(p.rss_hf, 0);
	/* a NIC: the symmetric key, as long as the PMD's */
	port_rss_plan_make(&nic, 4, WANT, &p);
	assert_int_equal(p.nb_rxq, 4);
	assert_int_equal(p.how, PORT_RSS_SYMMETRIC_KEY);
	assert_int_equal(p.key_len, 52);
	assert_int_equal(p.key[2], 0x6d);
	assert_int_equal(p.rss_hf, WANT);
	/* only the hash types the PMD has */
	nic.rss_offloads = HF_IPV4_TCP | (1ULL << 40);
	port_rss_plan_make(&nic, 4, WANT, &p);
	assert_int_equal(p.rss_hf, HF_IPV4_TCP);
	/* DPDK 23.11+ with the symmetric function: the PMD's key */
	nic.symmetric_func = true;
	port_rss_plan_make(&nic, 4, WANT, &p);
	assert_int_equal(p.how, PORT_RSS_SYMMETRIC_FUNC);
	assert_int_equal(p.key_len, 0);
	/* no key size reported: its own key, said to be not known symmetric */
	nic.symmetric_func = false;
	nic.key_size = 0;
	port_rss_plan_make(&nic, 4, WANT, &p);
	assert_int_equal(p.how, PORT_RSS_DEFAULT_KEY);
	assert_non_null(strstr(port_rss_how_name(p.how), "may reach different RX lcores"));
	/* af_packet: queues but no RSS: it spreads by itself */
	port_rss_plan_make(&afp, 2, WANT, &p);
	assert_int_equal(p.nb_rxq, 2);
	assert_int_equal(p.how, PORT_RSS_PMD_SPREADS);
	assert_int_equal(p.rss_hf, 0);
	/* fewer queues than RX lcores: as many as it has */
	port_rss_plan_make(&afp, 4, WANT, &p);
	assert_int_equal(p.nb_rxq, 2);
	/* one queue: as before, the first RX lcore reads it all */
	port_rss_plan_make(&pcap, 4, WANT, &p);
	assert_int_equal(p.nb_rxq, 1);
	assert_int_equal(p.how, PORT_RSS_ONE_QUEUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_toeplitz_is_right),
		cmocka_unit_test(symmetric_key_is_symmetric),
		cmocka_unit_test(symmetric_key_spreads_flows),
		cmocka_unit_test(plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
