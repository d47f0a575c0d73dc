/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_acl, compiled from random rule sets, must give exactly what the
 * linear first-match reference (onvm_match_packet over the rules in order)
 * gives, on thousands of random packets, up to 10,000 rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fw_acl.h"
#include "fw_randgen.h"
#include "fw_test_eal.h"

#define BURST 32

/* Classify n_pkts random packets in bursts and compare each with the reference. */
static void
check_against_reference(const struct fw_config *c, struct fw_rng *rng, uint32_t n_pkts)
{
	char err[CFG_ERR_LEN] = "";
	struct fw_acl *acl = fw_acl_build(c, 0, err, sizeof(err));
	struct pkt_info pi[BURST];
	uint16_t in_port[BURST];
	struct fw_acl_key keys[BURST];
	const struct fw_acl_key *kp[BURST];
	uint32_t results[BURST], done, i, hits = 0;

	if (acl == NULL)
		fail_msg("build of %u rules failed: %s", c->n_rules, err);
	for (done = 0; done < n_pkts; done += BURST) {
		for (i = 0; i < BURST; i++) {
			fw_randgen_packet(c, rng, &pi[i], &in_port[i]);
			fw_acl_key_from_pkt(&keys[i], &pi[i], in_port[i]);
			kp[i] = &keys[i];
		}
		fw_acl_classify(acl, kp, results, BURST);
		for (i = 0; i < BURST; i++) {
			int want = fw_config_first_match(c, &pi[i], in_port[i]);

			if ((int)results[i] - 1 != want)
				fail_msg("%u rules, packet %u (proto %u %08x:%u -> %08x:%u in %u "
					 "flags %x): acl rule %d, reference rule %d",
					 c->n_rules, done + i, pi[i].ip_proto, pi[i].ipv4_src,
					 pi[i].src_port, pi[i].ipv4_dst, pi[i].dst_port, in_port[i],
					 pi[i].flags, (int)results[i] - 1, want);
			hits += want >= 0;
		}
	}
	/* The generator aims half the packets at rules: most must hit something,
	 * or this test would prove little. */
	if (c->n_rules >= 10)
		assert_true(hits > n_pkts / 4);
	fw_acl_free(acl);
}

static void
random_sets_match_reference(void **state)
{
	static const uint32_t sizes[] = { 1, 2, 10, 50, 200, 1000 };
	struct fw_rng rng = { .s = 42 };
	size_t s;
	int round;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (round = 0; round < 3; round++) {
			struct fw_config c;

			assert_int_equal(fw_randgen_rules(&c, sizes[s], &rng), 0);
			check_against_reference(&c, &rng, 4096);
			fw_config_free(&c);
		}
	}
}

static void
ten_thousand_rules_match_reference(void **state)
{
	struct fw_rng rng = { .s = 10000 };
	struct fw_config c;

	assert_int_equal(fw_randgen_rules(&c, 10000, &rng), 0);
	check_against_reference(&c, &rng, 8192);
	fw_config_free(&c);
}

static void
empty_rule_set_matches_nothing(void **state)
{
	struct fw_config c = { 0 };
	struct fw_rng rng = { .s = 7 };
	char err[CFG_ERR_LEN];
	struct fw_acl *acl = fw_acl_build(&c, 0, err, sizeof(err));
	struct pkt_info pi;
	uint16_t in_port;
	struct fw_acl_key k;
	const struct fw_acl_key *kp = &k;
	uint32_t result = 99;

	assert_non_null(acl);
	fw_randgen_packet(&c, &rng, &pi, &in_port);
	fw_acl_key_from_pkt(&k, &pi, in_port);
	fw_acl_classify(acl, &kp, &result, 1);
	assert_int_equal(result, 0);
	fw_acl_free(acl);
}

/* Hand-made edges: first match over a later more specific rule, the flag
 * bits, in_port, /0 and /32, range ends. */
static void
edges(void **state)
{
	static const char doc[] =
		"{ \"default\": \"deny\", \"rules\": [\n"
		" { \"action\": \"allow\", \"ipv4_src\": \"0.0.0.0/0\", \"tcp_dst\": \"1000-2000\" },\n"
		" { \"action\": \"deny\",  \"ipv4_src\": \"10.1.2.3/32\", \"tcp_dst\": 1500 },\n"
		" { \"action\": \"allow\", \"in_port\": 2, \"ip_proto\": \"udp\" },\n"
		" { \"action\": \"deny\",  \"ip_proto\": \"tcp\" },\n"
		" { \"action\": \"allow\", \"in_port\": 3 },\n"
		" { \"action\": \"deny\",  \"ipv4_dst\": \"192.168.0.0/16\" } ] }\n";
	struct fw_config c;
	char err[CFG_ERR_LEN] = "";
	struct fw_acl *acl;
	struct pkt_info pi = { 0 };
	struct fw_acl_key k;
	const struct fw_acl_key *kp = &k;
	uint32_t r;

	assert_int_equal(fw_config_load_string(&c, "e.json", doc, err, sizeof(err)), 0);
	acl = fw_acl_build(&c, 0, err, sizeof(err));
	assert_non_null(acl);

#define CLASSIFY(port) (fw_acl_key_from_pkt(&k, &pi, (port)), fw_acl_classify(acl, &kp, &r, 1), \
			assert_int_equal((int)r - 1, fw_config_first_match(&c, &pi, (port))), (int)r - 1)

	pi.flags = PKT_F_ETH | PKT_F_IPV4 | PKT_F_L4;
	pi.eth_type = PKT_ETHERTYPE_IPV4;
	pi.ip_proto = PKT_PROTO_TCP;
	pi.ipv4_src = 0x0a010203;
	pi.ipv4_dst = 0xc0a80001;
	pi.dst_port = 1500;
	assert_int_equal(CLASSIFY(0), 0);       /* first match, not the more specific */
	pi.dst_port = 2000;
	assert_int_equal(CLASSIFY(0), 0);       /* range end */
	pi.dst_port = 2001;
	assert_int_equal(CLASSIFY(0), 3);
	pi.dst_port = 999;
	assert_int_equal(CLASSIFY(0), 3);
	pi.flags &= ~PKT_F_L4;                  /* no L4: port rules cannot match */
	pi.dst_port = 1500;
	assert_int_equal(CLASSIFY(0), 3);
	pi.ip_proto = PKT_PROTO_UDP;
	pi.flags |= PKT_F_L4;
	assert_int_equal(CLASSIFY(2), 2);       /* in_port */
	assert_int_equal(CLASSIFY(1), 5);
	assert_int_equal(CLASSIFY(3), 4);
	pi.ipv4_dst = 0xc0a90001;               /* 192.169.0.1: outside /16 */
	assert_int_equal(CLASSIFY(1), -1);
	pi.flags = PKT_F_ETH | PKT_F_BAD_L3;    /* broken IPv4: only field-less rules */
	pi.ipv4_dst = 0xc0a80001;
	assert_int_equal(CLASSIFY(0), -1);
	assert_int_equal(CLASSIFY(3), 4);
	assert_int_equal(CLASSIFY(2), -1);      /* rule 2 names ip_proto */
	fw_acl_free(acl);
	fw_config_free(&c);

	/* A port rule covering every port still needs the port to be there. */
	assert_int_equal(fw_config_load_string(&c, "p.json",
		"{\"default\":\"deny\",\"rules\":[{\"action\":\"allow\",\"tcp_src\":\"0-65535\"}]}",
		err, sizeof(err)), 0);
	acl = fw_acl_build(&c, 0, err, sizeof(err));
	assert_non_null(acl);
	pi.flags = PKT_F_ETH | PKT_F_IPV4 | PKT_F_L4;
	pi.ip_proto = PKT_PROTO_TCP;
	pi.src_port = 0;
	assert_int_equal(CLASSIFY(0), 0);
	pi.flags = PKT_F_ETH | PKT_F_IPV4 | PKT_F_FRAGMENT;
	assert_int_equal(CLASSIFY(0), -1);
#undef CLASSIFY
	fw_acl_free(acl);
	fw_config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edges),
		cmocka_unit_test(empty_rule_set_matches_nothing),
		cmocka_unit_test(random_sets_match_reference),
		cmocka_unit_test(ten_thousand_rules_match_reference),
	};

	if (fw_test_eal_init("fwtest_acl") < 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_eal_cleanup("fwtest_acl");
	return rc;
}
