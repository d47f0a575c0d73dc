/* SPDX-License-Identifier: BSD-3-Clause */
/* The .rules parser: every keyword, and exact "FILE:LINE: reason" errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ids_rules.h"

/* Load `text`, returning the rule set and the error output in *errs. */
static struct ids_ruleset *
load(const char *text, bool strict, char **errs)
{
	size_t n;
	FILE *err = open_memstream(errs, &n);
	struct ids_load_opts o = { .strict = strict, .err = err };
	struct ids_ruleset *rs = ids_rules_load_str("t.rules", text, &o);

	fclose(err);
	return rs;
}

static void
test_full_rule(void **state)
{
	char *errs;
	struct ids_ruleset *rs = load(
		"# a comment\n"
		"\n"
		"var HOME_NET [10.0.0.0/8,192.168.0.0/16]\n"
		"var EXTERNAL_NET !$HOME_NET\n"
		"portvar HTTP_PORTS [80,8000:8080]\n"
		"drop tcp $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (msg:\"a \\\"quoted\\\" \\; msg\"; "
		"flow:to_server,established; content:\"GET|20|/\"; nocase; offset:0; depth:10; "
		"content:\"|0d 0a|\"; distance:2; within:100; pcre:\"/x[0-9]+y/iR\"; "
		"classtype:web-application-attack; sid:1000001; rev:7; "
		"reference:url,example.org; metadata:created 2024;)\n",
		false, &errs);

	assert_non_null(rs);
	assert_string_equal(errs, "");
	assert_int_equal(rs->n_rules, 1);
	const struct ids_rule *r = &rs->rules[0];
	assert_int_equal(r->line, 6);
	assert_int_equal(r->action, IDS_ACTION_DROP);
	assert_int_equal(r->proto, IDS_PROTO_TCP);
	assert_false(r->bidir);
	assert_string_equal(r->msg, "a \"quoted\" ; msg");
	assert_int_equal(r->flow, IDS_FLOW_TO_SERVER | IDS_FLOW_ESTABLISHED);
	assert_int_equal(r->sid, 1000001);
	assert_int_equal(r->rev, 7);
	assert_string_equal(r->classtype, "web-application-attack");
	assert_string_equal(r->category, "Web Application Attack");
	assert_int_equal(r->severity, 1);
	assert_int_equal(r->n_elems, 3);
	assert_int_equal(r->elems[0].len, 5);
	assert_memory_equal(r->elems[0].bytes, "GET /", 5);
	assert_true(r->elems[0].nocase);
	assert_true(r->elems[0].has_offset && r->elems[0].has_depth);
	assert_int_equal(r->elems[0].depth, 10);
	assert_false(r->elems[0].relative);
	assert_memory_equal(r->elems[1].bytes, "\r\n", 2);
	assert_true(r->elems[1].relative);
	assert_int_equal(r->elems[1].distance, 2);
	assert_int_equal(r->elems[1].within, 100);
	assert_int_equal(r->elems[2].kind, IDS_ELEM_PCRE);
	assert_true(r->elems[2].relative);
	assert_string_equal(r->elems[2].re_src, "x[0-9]+y");
	/* Addresses: the external net is the complement of the home net. */
	assert_true(ids_set_contains(&r->src_addr, 0x08080808));
	assert_false(ids_set_contains(&r->src_addr, 0x0a010203));
	assert_true(ids_set_contains(&r->dst_addr, 0xc0a80101));
	assert_false(ids_set_contains(&r->dst_addr, 0xac100001));
	assert_true(ids_set_contains(&r->dst_port, 80));
	assert_true(ids_set_contains(&r->dst_port, 8000));
	assert_true(ids_set_contains(&r->dst_port, 8080));
	assert_false(ids_set_contains(&r->dst_port, 81));
	assert_false(ids_set_contains(&r->dst_port, 8081));
	free(errs);
	ids_rules_free(rs);
}

static void
test_protocols_and_direction(void **state)
{
	char *errs;
	struct ids_ruleset *rs = load(
		"alert ip any any -> any any (sid:1;)\n"
		"alert udp 1.2.3.4 53 <> any any (sid:2; priority:2;)\n"
		"alert icmp any any -> 10.0.0.1 any (sid:3; flow:stateless;)\n",
		false, &errs);

	assert_string_equal(errs, "");
	assert_int_equal(rs->n_rules, 3);
	assert_int_equal(rs->rules[0].proto, IDS_PROTO_IP);
	assert_int_equal(rs->rules[1].proto, IDS_PROTO_UDP);
	assert_true(rs->rules[1].bidir);
	assert_int_equal(rs->rules[1].severity, 2);
	assert_int_equal(rs->rules[2].proto, IDS_PROTO_ICMP);
	assert_int_equal(rs->rules[2].flow, IDS_FLOW_STATELESS);
	assert_int_equal(rs->rules[0].severity, 3); /* default */
	free(errs);
	ids_rules_free(rs);
}

static void
test_hints_and_priority(void **state)
{
	char *errs;
	struct ids_ruleset *rs = load(
		"alert tcp any any -> any any (content:\"abc\"; fast_pattern; "
		"priority:4; classtype:trojan-activity; sid:1;)\n"
		"alert tcp any any -> any any (classtype:trojan-activity; sid:2; msg:\"a\\\\b\";)\n"
		"ipvar NET 10.0.0.0/8\n"
		"alert tcp $NET any -> any any (sid:3;)\n",
		false, &errs);

	assert_string_equal(errs, "");
	assert_int_equal(rs->n_rules, 3);
	assert_true(rs->rules[0].elems[0].fast_pattern);
	assert_int_equal(rs->rules[0].severity, 4); /* priority wins, in either order */
	assert_string_equal(rs->rules[0].category, "A Network Trojan was detected");
	assert_int_equal(rs->rules[1].severity, 1);
	assert_string_equal(rs->rules[1].msg, "a\\b");
	assert_true(ids_set_contains(&rs->rules[2].src_addr, 0x0a000001));
	free(errs);
	ids_rules_free(rs);
}

static void
test_continuation_lines(void **state)
{
	char *errs;
	struct ids_ruleset *rs = load("\n"
				      "alert tcp any any -> any any \\\n"
				      "  (msg:\"two lines\"; \\\n"
				      "   sid:9;)\n"
				      "alert tcp any any -> any any (sid:9;)\n",
				      false, &errs);

	assert_int_equal(rs->n_rules, 1);
	assert_int_equal(rs->rules[0].line, 2);
	assert_string_equal(rs->rules[0].msg, "two lines");
	/* The duplicate is reported at its own first line. */
	assert_string_equal(errs, "t.rules:5: duplicate sid 9 (first at line 2)\n");
	free(errs);
	ids_rules_free(rs);
}

/* Each bad rule on line 2 (line 1 is good) and the exact message it gets. */
static const struct {
	const char *rule;
	const char *error;
} bad_rules[] = {
	{ "pass tcp any any -> any any (sid:2;)", "unsupported action 'pass'" },
	{ "alert http any any -> any any (sid:2;)", "unsupported protocol 'http'" },
	{ "alert tcp any any => any any (sid:2;)", "bad direction '=>' (-> or <>)" },
	{ "alert tcp any any -> any", "incomplete rule header" },
	{ "alert tcp any any -> any any sid:2;", "expected '(' after the rule header" },
	{ "alert tcp any any -> any any (sid:2;", "missing ')' at the end of the rule" },
	{ "alert tcp any any -> any any (sid:2;) x", "text after ')'" },
	{ "alert tcp any any -> any any (msg:\"x\";)", "rule has no sid" },
	{ "alert tcp any any -> any any (sid:2; foo:bar;)", "unsupported keyword 'foo'" },
	{ "alert tcp any any -> any any (sid:2; flowbits:set,x;)", "unsupported keyword 'flowbits'" },
	{ "alert tcp any any -> any any (sid:2; http_uri;)", "unsupported keyword 'http_uri'" },
	{ "alert tcp any any -> any any (sid:x;)", "sid needs a number in 1..4294967295" },
	{ "alert tcp any any -> any any (sid:2; sid:3;)", "duplicate sid" },
	{ "alert tcp any any -> any any (sid:2; rev:-1;)", "rev needs a number in 0..4294967295" },
	{ "alert tcp any any -> any any (sid:2; msg:x;)", "value must be in double quotes" },
	{ "alert tcp any any -> any any (sid:2; msg:\"\xff\";)", "msg is not valid UTF-8" },
	{ "alert tcp any any -> any any (sid:2; msg:\"\xc3\";)", "msg is not valid UTF-8" },
	{ "alert tcp any any -> any any (sid:2; msg:\"caf\xc3\xa9 \xe2\x82\xac\";)", NULL },
	{ "alert tcp any any -> any any (sid:2; content:\"\";)", "empty content" },
	{ "alert tcp any any -> any any (sid:2; content:\"|4|\";)",
	  "odd number of hex digits in content" },
	{ "alert tcp any any -> any any (sid:2; content:\"|4g|\";)", "bad hex digit 'g' in content" },
	{ "alert tcp any any -> any any (sid:2; content:\"|41\";)", "unterminated '|' in content" },
	{ "alert tcp any any -> any any (sid:2; content:!\"a\";)",
	  "negated content is not supported" },
	{ "alert tcp any any -> any any (sid:2; nocase;)", "'nocase' without a preceding content" },
	{ "alert tcp any any -> any any (sid:2; content:\"a\"; nocase; nocase;)", "duplicate nocase" },
	{ "alert tcp any any -> any any (sid:2; content:\"abc\"; depth:2;)",
	  "depth 2 is shorter than the content (3)" },
	{ "alert tcp any any -> any any (sid:2; content:\"a\"; offset:x;)", "offset needs a number" },
	{ "alert tcp any any -> any any (sid:2; content:\"a\"; distance:1;)",
	  "distance needs a content or pcre before its content" },
	{ "alert tcp any any -> any any (sid:2; content:\"a\"; content:\"bc\"; within:1;)",
	  "within 1 is shorter than the content (2)" },
	{ "alert tcp any any -> any any (sid:2; content:\"a\"; content:\"b\"; offset:1; distance:1;)",
	  "offset/depth cannot be mixed with distance/within" },
	{ "alert tcp any any -> any any (sid:2; pcre:\"abc\";)",
	  "pcre must look like \"/regex/flags\"" },
	{ "alert tcp any any -> any any (sid:2; pcre:\"/a/U\";)", "unsupported pcre modifier 'U'" },
	{ "alert tcp any any -> any any (sid:2; pcre:\"/a/R\";)",
	  "pcre /R needs a content or pcre before it" },
	{ "alert tcp any any -> any any (sid:2; pcre:\"/a(/\";)",
	  "pcre: missing closing parenthesis at offset 2" },
	{ "alert tcp any any -> any any (sid:2; flow:to_server,to_client;)",
	  "flow cannot be both to_server and to_client" },
	{ "alert tcp any any -> any any (sid:2; flow:only_stream;)",
	  "unsupported flow option 'only_stream'" },
	{ "alert tcp any any -> any any (sid:2; classtype:nope;)", "unknown classtype 'nope'" },
	{ "alert icmp any any -> any 80 (sid:2;)", "ports must be 'any' for protocol icmp" },
	{ "alert udp any any -> any any (sid:2; flow:established;)", NULL },
	{ "alert tcp 10.0.0.256 any -> any any (sid:2;)", "bad address '10.0.0.256'" },
	{ "alert tcp 10.0.0.1/8 any -> any any (sid:2;)", "address '10.0.0.1/8' has host bits set" },
	{ "alert tcp 10.0.0.0/33 any -> any any (sid:2;)", "bad address '10.0.0.0/33'" },
	{ "alert tcp any 70000 -> any any (sid:2;)", "bad port '70000'" },
	{ "alert tcp any 90:80 -> any any (sid:2;)", "port range '90:80' is empty" },
	{ "alert tcp any : -> any any (sid:2;)", "bad port range ':'" },
	{ "alert tcp $NOPE any -> any any (sid:2;)", "undefined variable $NOPE" },
	{ "alert tcp [1.1.1.1,2.2.2.2 any -> any any (sid:2;)",
	  "unterminated '[' in the rule header" },
	{ "alert tcp !any any -> any any (sid:2;)", "address '!any' matches nothing" },
	{ "alert tcp [1.1.1.1,!1.1.1.1] any -> any any (sid:2;)",
	  "address '[1.1.1.1,!1.1.1.1]' matches nothing" },
	{ "alert tcp any [80;81] -> any any (sid:2;)", "unexpected ';' in list" },
};

static void
test_bad_rules(void **state)
{
	for (size_t i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++) {
		char text[512], want[512], *errs;
		snprintf(text, sizeof(text), "alert tcp any any -> any any (sid:1;)\n%s\n",
			 bad_rules[i].rule);
		struct ids_ruleset *rs = load(text, false, &errs);
		assert_non_null(rs);
		if (bad_rules[i].error == NULL) { /* valid: checks a false positive */
			assert_string_equal(errs, "");
			assert_int_equal(rs->n_rules, 2);
		} else {
			snprintf(want, sizeof(want), "t.rules:2: %s\n", bad_rules[i].error);
			if (strcmp(errs, want) != 0)
				print_error("rule %zu: %s\n", i, bad_rules[i].rule);
			assert_string_equal(errs, want);
			assert_int_equal(rs->n_rules, 1); /* the bad one is skipped */
			assert_int_equal(rs->n_errors, 1);
		}
		free(errs);
		ids_rules_free(rs);

		/* Strict mode refuses the whole file. */
		if (bad_rules[i].error != NULL) {
			rs = load(text, true, &errs);
			assert_null(rs);
			free(errs);
		}
	}
}

static void
test_variables(void **state)
{
	char *errs;
	struct ids_ruleset *rs = load("var A 10.0.0.0/24\n"
				      "var B [$A,!10.0.0.128/25]\n"
				      "var LOOP $LOOP\n"
				      "var BAD 1.2.3\n"
				      "portvar P [1:1024,!22]\n"
				      "alert tcp $B $P -> any any (sid:1;)\n",
				      false, &errs);

	assert_string_equal(errs, "t.rules:3: variable LOOP: undefined variable $LOOP\n"
				  "t.rules:4: variable BAD: bad address '1.2.3'\n");
	assert_int_equal(rs->n_rules, 1);
	const struct ids_rule *r = &rs->rules[0];
	assert_true(ids_set_contains(&r->src_addr, 0x0a00007f));
	assert_false(ids_set_contains(&r->src_addr, 0x0a000080));
	assert_true(ids_set_contains(&r->src_port, 21));
	assert_false(ids_set_contains(&r->src_port, 22));
	assert_false(ids_set_contains(&r->src_port, 1025));
	free(errs);
	ids_rules_free(rs);
}

/* Duplicate sids across a set large enough to grow the sid index. */
static void
test_long_header_field(void **state)
{
	char text[4096] = "alert tcp [", *errs;

	for (int i = 0; i < 120; i++) /* 1,080 bytes */
		strcat(text, "10.0.0.1,");
	strcat(text, "10.0.0.2] any -> any any (sid:1;)\n");
	struct ids_ruleset *rs = load(text, false, &errs);
	assert_string_equal(errs, "t.rules:1: rule header field longer than 1023 bytes "
				  "(use a variable)\n");
	assert_int_equal(rs->n_rules, 0);
	free(errs);
	ids_rules_free(rs);
}

static void
test_many_sids(void **state)
{
	size_t cap = 3000 * 64, o = 0;
	char *text = malloc(cap), *errs;

	for (int i = 0; i < 3000; i++) /* sids 1..2500, then 1..500 again */
		o += (size_t)snprintf(text + o, cap - o, "alert tcp any any -> any any (sid:%d;)\n",
				      i < 2500 ? i + 1 : i - 2499);
	struct ids_ruleset *rs = load(text, false, &errs);
	assert_int_equal(rs->n_rules, 2500);
	assert_int_equal(rs->n_errors, 500);
	assert_non_null(strstr(errs, "t.rules:2501: duplicate sid 1 (first at line 1)\n"));
	assert_non_null(strstr(errs, "t.rules:3000: duplicate sid 500 (first at line 500)\n"));
	for (uint32_t i = 0; i < rs->n_rules; i++)
		assert_int_equal(rs->rules[i].sid, i + 1);
	free(errs);
	free(text);
	ids_rules_free(rs);
}

static void
test_vars_file(void **state)
{
	char path[] = "/tmp/ids_vars_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs("var HOME_NET 192.168.0.0/16\nalert tcp any any -> any any (sid:1;)\n", f);
	fclose(f);

	char *errs;
	size_t n;
	FILE *err = open_memstream(&errs, &n);
	struct ids_load_opts o = { .vars_path = path, .err = err };
	struct ids_ruleset *rs = ids_rules_load_str(
		"t.rules", "alert tcp any any -> $HOME_NET any (sid:5;)\n", &o);
	fclose(err);
	unlink(path);

	char want[256];
	snprintf(want, sizeof(want), "%s:2: a vars file holds only var/ipvar/portvar lines\n", path);
	assert_string_equal(errs, want);
	assert_int_equal(rs->n_rules, 1);
	assert_true(ids_set_contains(&rs->rules[0].dst_addr, 0xc0a80001));
	assert_false(ids_set_contains(&rs->rules[0].dst_addr, 0x0a000001));
	free(errs);
	ids_rules_free(rs);
}

static void
test_missing_file(void **state)
{
	char *errs;
	size_t n;
	FILE *err = open_memstream(&errs, &n);
	struct ids_load_opts o = { .err = err };

	assert_null(ids_rules_load("/nonexistent/x.rules", &o));
	fclose(err);
	assert_string_equal(errs, "/nonexistent/x.rules:0: cannot open: No such file or directory\n");
	free(errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_rule),
		cmocka_unit_test(test_protocols_and_direction),
		cmocka_unit_test(test_hints_and_priority),
		cmocka_unit_test(test_continuation_lines),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_long_header_field),
		cmocka_unit_test(test_many_sids),
		cmocka_unit_test(test_vars_file),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
