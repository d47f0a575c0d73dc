/* SPDX-License-Identifier: BSD-3-Clause */
/* The firewall rule file: what it accepts, and the exact line and reason of
 * every mistake it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fw_config.h"

static void
spec_example_parses(void **state)
{
	static const char doc[] =
		"{ \"default\": \"deny\", \"stateful\": false,\n"
		"  \"rules\": [ { \"name\": \"web\", \"action\": \"allow\", \"ip_proto\": \"tcp\",\n"
		"               \"ipv4_src\": \"10.0.0.0/8\", \"ipv4_dst\": \"192.168.1.0/24\","
		" \"tcp_dst\": \"80-443\" } ] }\n";
	struct fw_config c;
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(fw_config_load_string(&c, "fw.json", doc, err, sizeof(err)), 0);
	assert_int_equal(c.default_action, FW_DENY);
	assert_false(c.stateful);
	assert_int_equal(c.non_ip, FW_ALLOW);
	assert_int_equal(c.n_rules, 1);
	assert_string_equal(c.rules[0].name, "web");
	assert_int_equal(c.rules[0].action, FW_ALLOW);
	assert_int_equal(c.rules[0].match.fields,
			 M_IP_PROTO | M_IPV4_SRC | M_IPV4_DST | M_L4_DST);
	assert_int_equal(c.rules[0].match.ip_proto, PKT_PROTO_TCP);
	assert_int_equal(c.rules[0].match.ipv4_src, 0x0a000000);
	assert_int_equal(c.rules[0].match.ipv4_src_len, 8);
	assert_int_equal(c.rules[0].match.ipv4_dst, 0xc0a80100);
	assert_int_equal(c.rules[0].match.l4_dst_lo, 80);
	assert_int_equal(c.rules[0].match.l4_dst_hi, 443);
	fw_config_free(&c);
}

static void
options_and_defaults(void **state)
{
	static const char doc[] =
		"{ \"default\": \"allow\", \"stateful\": true, \"non_ip\": \"deny\",\n"
		"  \"max_conns\": 1024, \"conn_timeout_s\": 60, \"udp_timeout_s\": \"5\",\n"
		"  \"close_timeout_s\": 0,\n"
		"  \"rules\": [ { \"action\": \"deny\", \"udp_src\": 53, \"in_port\": 1 },\n"
		"             { \"action\": \"allow\", \"eth_type\": 2048 },\n"
		"             { \"action\": \"deny\" } ] }\n";
	struct fw_config c;
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(fw_config_load_string(&c, "o.json", doc, err, sizeof(err)), 0);
	assert_int_equal(c.default_action, FW_ALLOW);
	assert_true(c.stateful);
	assert_int_equal(c.non_ip, FW_DENY);
	assert_int_equal(c.max_conns, 1024);
	assert_int_equal(c.tcp_timeout_s, 60);
	assert_int_equal(c.udp_timeout_s, 5);
	assert_int_equal(c.close_timeout_s, 0);
	assert_int_equal(c.n_rules, 3);
	assert_string_equal(c.rules[0].name, "rule0");
	assert_string_equal(c.rules[2].name, "rule2");
	assert_int_equal(c.rules[0].match.fields, M_IP_PROTO | M_L4_SRC | M_IN_PORT);
	assert_int_equal(c.rules[0].match.ip_proto, PKT_PROTO_UDP);
	assert_int_equal(c.rules[2].match.fields, 0);
	fw_config_free(&c);

	assert_int_equal(fw_config_load_string(&c, "d.json", "{\"default\":\"deny\",\"rules\":[]}",
					       err, sizeof(err)), 0);
	assert_int_equal(c.n_rules, 0);
	assert_false(c.stateful);
	assert_int_equal(c.max_conns, FW_DEFAULT_MAX_CONNS);
	assert_int_equal(c.tcp_timeout_s, FW_DEFAULT_TCP_TIMEOUT);
	fw_config_free(&c);
}

/* A mistake on line 3 (of a document whose first two lines are fine). */
struct bad_case {
	const char *line3;      /* the third line of the file */
	const char *expect;     /* the whole error message */
};

static const struct bad_case bad_cases[] = {
	{ "  { \"action\": \"reject\" }",
	  "bad.json:3: unknown action 'reject' (expected allow or deny)" },
	{ "  { \"action\": 1 }", "bad.json:3: expected \"allow\" or \"deny\"" },
	{ "  { \"name\": \"x\" }", "bad.json:3: rule 0 has no \"action\"" },
	{ "  { \"action\": \"allow\", \"ipv4_src\": \"10.0.0.0/33\" }",
	  "bad.json:3: ipv4_src: expected an IPv4 address or CIDR prefix like 10.0.0.0/8" },
	{ "  { \"action\": \"allow\", \"ipv4_dst\": \"10.0.0.256\" }",
	  "bad.json:3: ipv4_dst: expected an IPv4 address or CIDR prefix like 10.0.0.0/8" },
	{ "  { \"action\": \"allow\", \"tcp_dst\": \"443-80\" }",
	  "bad.json:3: tcp_dst: a port must be 0-65535 or a range \"lo-hi\"" },
	{ "  { \"action\": \"allow\", \"udp_dst\": 70000 }",
	  "bad.json:3: udp_dst: a port must be 0-65535 or a range \"lo-hi\"" },
	{ "  { \"action\": \"allow\", \"ip_proto\": \"udp\", \"tcp_dst\": 80 }",
	  "bad.json:3: tcp_dst: port field conflicts with ip_proto" },
	{ "  { \"action\": \"allow\", \"ip_proto\": \"gre\" }",
	  "bad.json:3: ip_proto: ip_proto must be 0-255 or tcp/udp/icmp/sctp" },
	{ "  { \"action\": \"allow\", \"tcp_port\": 80 }", "bad.json:3: unknown field 'tcp_port'" },
	{ "  { \"action\": \"allow\", \"eth_src\": \"02:00:00:00:00:01\" }",
	  "bad.json:3: firewall rules cannot match eth_src, eth_dst or vlan_vid "
	  "(5-tuple and in_port only; steer on those with a chain)" },
	{ "  { \"action\": \"allow\", \"vlan_vid\": 10 }",
	  "bad.json:3: firewall rules cannot match eth_src, eth_dst or vlan_vid "
	  "(5-tuple and in_port only; steer on those with a chain)" },
	{ "  { \"action\": \"allow\", \"eth_type\": 2054 }",
	  "bad.json:3: firewall rules apply to IPv4 only: eth_type must be 0x0800 "
	  "(use \"non_ip\" for other ethertypes)" },
	{ "  { \"action\": \"allow\", \"name\": 7 }",
	  "bad.json:3: name must be a string of 1-47 characters" },
	{ "  \"allow\"", "bad.json:3: a rule must be an object" },
};

static void
bad_rules_name_line_and_reason(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char doc[512], err[CFG_ERR_LEN] = "";
		struct fw_config c;

		snprintf(doc, sizeof(doc), "{ \"default\": \"deny\",\n  \"rules\": [\n%s\n] }\n",
			 bad_cases[i].line3);
		assert_int_equal(fw_config_load_string(&c, "bad.json", doc, err, sizeof(err)), -1);
		if (strcmp(err, bad_cases[i].expect) != 0)
			fail_msg("case %zu: got \"%s\"\nwant \"%s\"", i, err, bad_cases[i].expect);
		assert_null(c.rules);
	}
}

static void
bad_top_level(void **state)
{
	static const struct {
		const char *doc;
		const char *expect;
	} cases[] = {
		{ "{\n \"rules\": []\n}", "t.json:1: missing \"default\" (\"allow\" or \"deny\")" },
		{ "{\n \"default\": \"drop\",\n \"rules\": []\n}",
		  "t.json:2: unknown action 'drop' (expected allow or deny)" },
		{ "{\n \"default\": \"deny\"\n}",
		  "t.json:1: missing \"rules\" (an array, may be empty)" },
		{ "{\n \"default\": \"deny\",\n \"rules\": {}\n}",
		  "t.json:3: \"rules\" must be an array" },
		{ "{\n \"default\": \"deny\",\n \"rules\": [],\n \"stateful\": \"yes\"\n}",
		  "t.json:4: stateful must be true or false" },
		{ "{\n \"default\": \"deny\",\n \"rules\": [],\n \"non_ip\": \"maybe\"\n}",
		  "t.json:4: unknown action 'maybe' (expected allow or deny)" },
		{ "{\n \"default\": \"deny\",\n \"rules\": [],\n \"polciy\": 1\n}",
		  "t.json:4: unknown key 'polciy'" },
		{ "{\n \"default\": \"deny\",\n \"rules\": [],\n \"max_conns\": 0\n}",
		  "t.json:4: max_conns must be a whole number 16-67108864" },
		{ "{\n \"default\": \"deny\",\n \"rules\": [],\n \"conn_timeout_s\": -1\n}",
		  "t.json:4: conn_timeout_s must be a whole number 1-864000" },
		{ "[\n]", "t.json:1: the rule file must be a JSON object" },
		{ "{\n \"default\": \"deny\",\n \"rules\": [\n", NULL /* syntax: any line */ },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[CFG_ERR_LEN] = "";
		struct fw_config c;

		assert_int_equal(fw_config_load_string(&c, "t.json", cases[i].doc, err,
						       sizeof(err)), -1);
		if (cases[i].expect == NULL)
			assert_int_equal(strncmp(err, "t.json:", 7), 0);
		else if (strcmp(err, cases[i].expect) != 0)
			fail_msg("case %zu: got \"%s\"\nwant \"%s\"", i, err, cases[i].expect);
	}
}

static void
error_in_a_later_rule_points_at_its_line(void **state)
{
	static const char doc[] =
		"{\n"                                                   /* 1 */
		"  \"default\": \"allow\",\n"                           /* 2 */
		"  \"rules\": [\n"                                      /* 3 */
		"    { \"name\": \"a\", \"action\": \"allow\" },\n"     /* 4 */
		"    { \"name\": \"b\",\n"                              /* 5 */
		"      \"action\": \"deny\",\n"                         /* 6 */
		"      \"tcp_src\": \"1-2-3\" }\n"                      /* 7 */
		"  ]\n"
		"}\n";
	char err[CFG_ERR_LEN] = "";
	struct fw_config c;

	assert_int_equal(fw_config_load_string(&c, "l.json", doc, err, sizeof(err)), -1);
	assert_string_equal(err, "l.json:7: tcp_src: a port must be 0-65535 or a range \"lo-hi\"");
}

static void
too_many_rules(void **state)
{
	static const char rule[] = "{\"action\":\"deny\"},";
	size_t n = FW_MAX_RULES + 1, len = 64 + n * (sizeof(rule) - 1);
	char *doc = malloc(len), *p = doc, err[CFG_ERR_LEN] = "";
	struct fw_config c;
	size_t i;

	assert_non_null(doc);
	p += sprintf(p, "{ \"default\": \"deny\",\n  \"rules\": [");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s", rule);
	strcpy(p - 1, "] }\n"); /* over the last comma */
	assert_int_equal(fw_config_load_string(&c, "big.json", doc, err, sizeof(err)), -1);
	assert_string_equal(err, "big.json:2: too many rules (100001 > 100000)");
	free(doc);
}

static void
missing_file_is_an_error(void **state)
{
	char err[CFG_ERR_LEN] = "";
	struct fw_config c;

	assert_int_equal(fw_config_load(&c, "does-not-exist.json", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does-not-exist.json"));
}

static void
reference_first_match_wins(void **state)
{
	static const char doc[] =
		"{ \"default\": \"deny\", \"rules\": [\n"
		" { \"action\": \"deny\",  \"ipv4_src\": \"10.0.0.1\", \"tcp_dst\": 22 },\n"
		" { \"action\": \"allow\", \"ipv4_src\": \"10.0.0.0/8\", \"tcp_dst\": \"1-1024\" },\n"
		" { \"action\": \"deny\",  \"ip_proto\": 6 } ] }\n";
	struct fw_config c;
	struct pkt_info pi = { 0 };
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(fw_config_load_string(&c, "r.json", doc, err, sizeof(err)), 0);
	pi.flags = PKT_F_ETH | PKT_F_IPV4 | PKT_F_L4;
	pi.eth_type = PKT_ETHERTYPE_IPV4;
	pi.ip_proto = PKT_PROTO_TCP;
	pi.ipv4_src = 0x0a000001;
	pi.dst_port = 22;
	assert_int_equal(fw_config_first_match(&c, &pi, 0), 0);
	pi.ipv4_src = 0x0a000002;
	assert_int_equal(fw_config_first_match(&c, &pi, 0), 1);
	pi.dst_port = 2000;
	assert_int_equal(fw_config_first_match(&c, &pi, 0), 2);
	pi.flags &= ~PKT_F_L4; /* a fragment: port rules cannot match */
	pi.dst_port = 22;
	assert_int_equal(fw_config_first_match(&c, &pi, 0), 2);
	pi.ip_proto = PKT_PROTO_UDP;
	assert_int_equal(fw_config_first_match(&c, &pi, 0), -1);
	fw_config_free(&c);
}

/* The shipped example rule files (paths from the command line) all load. */
static int n_examples;
static char **examples;

static void
examples_load(void **state)
{
	int i;

	assert_true(n_examples > 0);
	for (i = 0; i < n_examples; i++) {
		char err[CFG_ERR_LEN] = "";
		struct fw_config c;

		if (fw_config_load(&c, examples[i], err, sizeof(err)) < 0)
			fail_msg("%s", err);
		fw_config_free(&c);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_example_parses),
		cmocka_unit_test(options_and_defaults),
		cmocka_unit_test(bad_rules_name_line_and_reason),
		cmocka_unit_test(bad_top_level),
		cmocka_unit_test(error_in_a_later_rule_points_at_its_line),
		cmocka_unit_test(too_many_rules),
		cmocka_unit_test(missing_file_is_an_error),
		cmocka_unit_test(reference_first_match_wins),
		cmocka_unit_test(examples_load),
	};

	n_examples = argc - 1;
	examples = argv + 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
