/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cfg_file.h"
#include "match.h"

static const char doc[] =
	"{\n"
	"  \"chains\": [\n"
	"    { \"name\": \"a\", \"match\": {} },\n"
	"    {\n"
	"      \"name\": \"b\",\n"
	"      \"match\": { \"tcp_dst\": \"80-443\",\n"
	"                 \"ipv4_dst\": \"10.0.2.0/33\" }\n"
	"    }\n"
	"  ],\n"
	"  \"x\": \"a/b~c\"\n"
	"}\n";

static void
line_of_pointer(void **state)
{
	assert_int_equal(cfg_line_of(doc, ""), 1);
	assert_int_equal(cfg_line_of(doc, "/chains"), 2);
	assert_int_equal(cfg_line_of(doc, "/chains/0"), 3);
	assert_int_equal(cfg_line_of(doc, "/chains/1"), 4);
	assert_int_equal(cfg_line_of(doc, "/chains/1/name"), 5);
	assert_int_equal(cfg_line_of(doc, "/chains/1/match/ipv4_dst"), 7);
	assert_int_equal(cfg_line_of(doc, "/x"), 10);
	assert_int_equal(cfg_line_of(doc, "/chains/2"), 0);
	assert_int_equal(cfg_line_of(doc, "/nope"), 0);
}

static void
match_errors_name_line_and_field(void **state)
{
	struct cfg_file f;
	struct onvm_match m;
	char err[CFG_ERR_LEN];

	assert_int_equal(cfg_file_load_string(&f, "c.json", doc, err, sizeof(err)), 0);
	json_t *obj = json_object_get(json_array_get(json_object_get(f.root, "chains"), 1), "match");
	assert_int_equal(onvm_match_from_json(&f, obj, "/chains/1/match", NULL, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "c.json:7: ipv4_dst"));
	cfg_file_free(&f);
}

static void
syntax_error_has_line(void **state)
{
	struct cfg_file f;
	char err[CFG_ERR_LEN];

	assert_int_equal(cfg_file_load_string(&f, "bad.json", "{\n \"a\": 1,\n \"a\": 2\n}", err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "bad.json:3:"));
}

static void
match_semantics(void **state)
{
	struct cfg_file f;
	struct onvm_match m;
	struct pkt_info pi;
	char err[CFG_ERR_LEN];

	assert_int_equal(cfg_file_load_string(&f, "m.json",
		"{\"in_port\":0,\"ipv4_dst\":\"10.0.2.0/24\",\"tcp_dst\":\"80-443\"}", err, sizeof(err)), 0);
	assert_int_equal(onvm_match_from_json(&f, f.root, "", NULL, &m, err, sizeof(err)), 0);
	memset(&pi, 0, sizeof(pi));
	pi.flags = PKT_F_ETH | PKT_F_IPV4 | PKT_F_L4;
	pi.eth_type = PKT_ETHERTYPE_IPV4;
	pi.ip_proto = PKT_PROTO_TCP;
	pi.ipv4_dst = 0x0a000205;
	pi.dst_port = 443;
	assert_true(onvm_match_packet(&m, &pi, 0));
	assert_false(onvm_match_packet(&m, &pi, 1));
	pi.dst_port = 444;
	assert_false(onvm_match_packet(&m, &pi, 0));
	pi.dst_port = 80;
	pi.ip_proto = PKT_PROTO_UDP;
	assert_false(onvm_match_packet(&m, &pi, 0));
	cfg_file_free(&f);

	assert_int_equal(cfg_file_load_string(&f, "m.json", "{\"ip_proto\":\"udp\",\"tcp_dst\":1}",
					      err, sizeof(err)), 0);
	assert_int_equal(onvm_match_from_json(&f, f.root, "", NULL, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "conflicts"));
	cfg_file_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_of_pointer),
		cmocka_unit_test(match_errors_name_line_and_field),
		cmocka_unit_test(syntax_error_has_line),
		cmocka_unit_test(match_semantics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
