/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* First, so chain_config.h checks its limits against the shared ones. */
#include "onvm_common.h"
#include "chain_config.h"

#define GOOD(f) CHAINS_SRC_DIR "/chains/" f
#define BAD(f)  CHAINS_SRC_DIR "/tests/unit/onvm_mgr/bad_chains/" f

/* ---- resolvers ---- */

static const char *const known_services[] = { NULL, "firewall", "router", "ids",
					      "load_balancer", "simple_forward",
					      "basic_monitor", "arp_responder" };
#define N_KNOWN (sizeof(known_services) / sizeof(known_services[0]))

struct table_ctx {
	unsigned int calls;
};

/* A fixed table: names above, or an id 1-64 as decimal text. */
static int
resolve_table(void *ctx, const char *name, uint16_t *id, char *why, size_t whylen)
{
	struct table_ctx *t = ctx;
	char *end;
	unsigned long n;

	if (t)
		t->calls++;
	for (size_t i = 1; i < N_KNOWN; i++) {
		if (strcmp(name, known_services[i]) == 0) {
			*id = (uint16_t)i;
			return 0;
		}
	}
	n = strtoul(name, &end, 10);
	if (*name && *end == '\0' && n >= 1 && n <= 64) {
		*id = (uint16_t)n;
		return 0;
	}
	snprintf(why, whylen, "not a known service");
	return -1;
}

/* Like the manager: an unknown name gets the next free id. */
struct assign_ctx {
	char names[16][CHAIN_NAME_LEN];
	unsigned int n;
};

static int
resolve_assign(void *ctx, const char *name, uint16_t *id, char *why, size_t whylen)
{
	struct assign_ctx *a = ctx;

	for (unsigned int i = 0; i < a->n; i++) {
		if (strcmp(a->names[i], name) == 0) {
			*id = (uint16_t)(i + 1);
			return 0;
		}
	}
	if (a->n == 16) {
		snprintf(why, whylen, "no free service id");
		return -1;
	}
	snprintf(a->names[a->n], CHAIN_NAME_LEN, "%s", name);
	*id = (uint16_t)++a->n;
	return 0;
}

/* ---- good files ---- */

static void
load_ok(struct chain_set *set, const char *path)
{
	char err[CFG_ERR_LEN] = "";

	if (chain_set_load(set, path, resolve_table, NULL, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void
single_nf_chain(void **state)
{
	struct chain_set set;

	chain_set_init(&set);
	load_ok(&set, GOOD("single.json"));
	assert_int_equal(set.num_chains, 1);
	const struct chain_def *c = &set.chains[0];
	assert_string_equal(c->name, "forward");
	assert_int_equal(c->priority, 0); /* the default */
	assert_int_equal(c->match.fields, 0);
	assert_int_equal(c->num_hops, 1);
	assert_int_equal(c->hops[0], 5);
	assert_string_equal(c->hop_names[0], "simple_forward");
	assert_int_equal(c->out_port, 1);
	assert_int_equal(c->line, 3); /* the chain object opens there */
	chain_set_free(&set);
}

static void
firewall_router_chains(void **state)
{
	struct chain_set set;

	chain_set_init(&set);
	load_ok(&set, GOOD("firewall_router.json"));
	assert_int_equal(set.num_chains, 3);
	const struct chain_def *c = chain_set_find(&set, "wan-in");
	assert_non_null(c);
	assert_int_equal(c->priority, 10);
	assert_int_equal(c->match.fields, M_IN_PORT | M_ETH_TYPE);
	assert_int_equal(c->match.in_port, 1);
	assert_int_equal(c->match.eth_type, 0x0800);
	assert_int_equal(c->num_hops, 2);
	assert_int_equal(c->hops[0], 1);
	assert_int_equal(c->hops[1], 2);
	assert_int_equal(c->out_port, CHAIN_PORT_NONE);
	assert_null(chain_set_find(&set, "nope"));
	chain_set_free(&set);
}

static void
load_balancer_chain(void **state)
{
	struct chain_set set;

	chain_set_init(&set);
	load_ok(&set, GOOD("lb.json"));
	assert_int_equal(set.num_chains, 3);
	const struct chain_def *c = &set.chains[0];
	assert_string_equal(c->name, "web-vip");
	assert_int_equal(c->priority, 100);
	assert_int_equal(c->match.fields, M_IP_PROTO | M_IPV4_DST | M_L4_DST);
	assert_int_equal(c->match.ip_proto, 6);
	assert_int_equal(c->match.ipv4_dst, 0x0a000064);
	assert_int_equal(c->match.ipv4_dst_len, 32);
	assert_int_equal(c->match.l4_dst_lo, 80);
	assert_int_equal(c->match.l4_dst_hi, 80);
	assert_int_equal(c->hops[0], 4);
	assert_int_equal(c->hops[1], 2);
	c = &set.chains[1];
	assert_int_equal(c->match.ipv4_src, 0x0a000100);
	assert_int_equal(c->match.ipv4_src_len, 24);
	assert_int_equal(c->match.l4_src_lo, 8080);
	chain_set_free(&set);
}

static void
per_port_chains(void **state)
{
	struct chain_set set;

	chain_set_init(&set);
	load_ok(&set, GOOD("per_port.json"));
	assert_int_equal(set.num_chains, 3);
	assert_int_equal(set.chains[0].num_hops, 3);
	assert_int_equal(set.chains[0].hops[2], 6);
	assert_int_equal(set.chains[0].match.l4_dst_lo, 80);
	assert_int_equal(set.chains[0].match.l4_dst_hi, 443);
	assert_int_equal(set.chains[1].out_port, 1);
	assert_int_equal(set.chains[2].out_port, 0);
	assert_int_equal(set.chains[2].match.in_port, 1);
	chain_set_free(&set);
}

/* -C a -C b: one set, in order; a name clash across files is an error that
 * names both places and leaves the set as it was. */
static void
several_files_make_one_set(void **state)
{
	struct chain_set set;
	char err[CFG_ERR_LEN];
	char expect[CFG_ERR_LEN];

	chain_set_init(&set);
	load_ok(&set, GOOD("single.json"));
	load_ok(&set, GOOD("firewall_router.json"));
	load_ok(&set, GOOD("lb.json"));
	load_ok(&set, GOOD("per_port.json"));
	assert_int_equal(set.num_chains, 10);
	assert_string_equal(set.chains[0].name, "forward");
	assert_string_equal(set.chains[1].name, "lan-out");
	assert_string_equal(set.chains[4].name, "web-vip");
	assert_string_equal(set.chains[9].name, "port1");
	assert_string_equal(set.chains[9].file, GOOD("per_port.json"));

	assert_int_equal(chain_set_load(&set, GOOD("lb.json"), resolve_table, NULL, err,
					sizeof(err)), -1);
	snprintf(expect, sizeof(expect),
		 "%s:4: duplicate chain name 'web-vip' (first defined at %s:3)", GOOD("lb.json"),
		 GOOD("lb.json"));
	assert_string_equal(err, expect);
	assert_int_equal(set.num_chains, 10);
	chain_set_free(&set);
}

/* ---- bad files: each mistake names its exact line and reason ---- */

struct bad_case {
	const char *file;
	unsigned int line;
	const char *reason; /* NULL: only the line is ours (jansson's text) */
};

static const struct bad_case bad_cases[] = {
	{ "unknown_top_key.json", 3, "unknown top-level key 'chianz' (expected \"chains\")" },
	{ "unknown_chain_key.json", 7,
	  "unknown key 'outport' in a chain (expected name, priority, match, hops, out_port)" },
	{ "empty_hops.json", 6, "hops is empty: a chain needs at least one service" },
	{ "too_many_hops.json", 6, "9 hops, at most 8" },
	{ "bad_cidr.json", 7, "ipv4_dst: expected an IPv4 address or CIDR prefix like 10.0.0.0/8" },
	{ "bad_port_range.json", 6, "tcp_dst: a port must be 0-65535 or a range \"lo-hi\"" },
	{ "bad_out_port.json", 7, "out_port must be a port number 0-15" },
	{ "priority_type.json", 5, "priority must be an integer 0-65535" },
	{ "unknown_service.json", 8,
	  "chain 'typo' hop 2: service 'ruoter': not a known service" },
	{ "hop_type.json", 6, "hop 2 must be a service name or a service id" },
	{ "missing_match.json", 3,
	  "chain 'nomatch' has no \"match\" (use {} to match every packet)" },
	{ "proto_conflict.json", 6, "tcp_dst: port field conflicts with ip_proto" },
	{ "syntax.json", 7, NULL },
};

static void
bad_files_report_line_and_reason(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		char path[512], err[CFG_ERR_LEN] = "", expect[CFG_ERR_LEN];
		struct chain_set set;

		snprintf(path, sizeof(path), "%s", BAD("") );
		strncat(path, b->file, sizeof(path) - strlen(path) - 1);
		chain_set_init(&set);
		assert_int_equal(chain_set_load(&set, path, resolve_table, NULL, err, sizeof(err)),
				 -1);
		if (b->reason)
			snprintf(expect, sizeof(expect), "%s:%u: %s", path, b->line, b->reason);
		else
			snprintf(expect, sizeof(expect), "%s:%u: ", path, b->line);
		if (b->reason ? strcmp(err, expect) != 0 : strncmp(err, expect, strlen(expect)) != 0)
			fail_msg("%s\n  got:    %s\n  wanted: %s", b->file, err, expect);
		assert_int_equal(set.num_chains, 0);
		chain_set_free(&set);
	}
}

static void
missing_file_is_an_error(void **state)
{
	struct chain_set set;
	char err[CFG_ERR_LEN];

	chain_set_init(&set);
	assert_int_equal(chain_set_load(&set, BAD("no_such_file.json"), resolve_table, NULL, err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "no_such_file.json:0: cannot open"));
	chain_set_free(&set);
}

/* ---- documents in memory ---- */

static int
load_text(struct chain_set *set, const char *text, chain_resolve_fn fn, void *ctx, char *err)
{
	struct cfg_file f;
	int rc;

	if (cfg_file_load_string(&f, "t.json", text, err, CFG_ERR_LEN) < 0)
		return -1;
	rc = chain_set_load_cfg(set, &f, fn, ctx, err, CFG_ERR_LEN);
	cfg_file_free(&f);
	return rc;
}

static void
expect_error(const char *text, const char *message)
{
	struct chain_set set;
	char err[CFG_ERR_LEN] = "";
	struct table_ctx t = { 0 };

	chain_set_init(&set);
	assert_int_equal(load_text(&set, text, resolve_table, &t, err), -1);
	assert_string_equal(err, message);
	assert_int_equal(set.num_chains, 0);
	chain_set_free(&set);
}

static void
structural_errors(void **state)
{
	expect_error("[]", "t.json:1: expected an object with a \"chains\" list");
	expect_error("{}", "t.json:1: missing \"chains\" list");
	/* Keys with JSON-pointer escapes still find their line. */
	expect_error("{\"chains\": [],\n\"a/b~c\": 1}",
		     "t.json:2: unknown top-level key 'a/b~c' (expected \"chains\")");
	expect_error("{\"chains\": [{\"name\": \"a\", \"match\": {}, \"hops\": [1],\n"
		     "\"~/x\": 1}]}",
		     "t.json:2: unknown key '~/x' in a chain (expected name, priority, match, hops, "
		     "out_port)");
	expect_error("{\n\"chains\": {}}", "t.json:2: \"chains\" must be a list");
	expect_error("{\"chains\": [\n 7]}", "t.json:2: a chain must be an object");
	expect_error("{\"chains\": [\n{\"match\": {}, \"hops\": [1]}]}",
		     "t.json:2: chain has no \"name\"");
	expect_error("{\"chains\": [{\n\"name\": \"\", \"match\": {}, \"hops\": [1]}]}",
		     "t.json:2: name must be a non-empty string");
	expect_error("{\"chains\": [{\"name\": \"a\", \"match\": {},\n \"hops\": [0]}]}",
		     "t.json:2: hop 1: service id 0 out of range (ids start at 1)");
	expect_error("{\"chains\": [{\"name\": \"a\", \"match\": {}}]}",
		     "t.json:1: chain 'a' has no \"hops\"");
	expect_error("{\"chains\": [{\"name\": \"a\", \"match\": {}, \"hops\": \"firewall\"}]}",
		     "t.json:1: hops must be a list of services");
	expect_error("{\"chains\": [{\"name\": \"a\", \"match\": {}, \"hops\": [1],\n"
		     "\"out_port\": 16}]}",
		     "t.json:2: out_port must be a port number 0-15");
	expect_error("{\"chains\": [{\"name\": \"a\", \"match\": {}, \"hops\": [1],\n"
		     "\"priority\": 65536}]}",
		     "t.json:2: priority must be an integer 0-65535");
	expect_error("{\"chains\": [{\"name\": \"a\", \"match\": [], \"hops\": [1]}]}",
		     "t.json:1: expected an object of match fields");
	expect_error("{\"chains\": [{\"name\": \"a\", \"hops\": [1],\n"
		     "\"match\": {\"tcp_dst\": 70000}}]}",
		     "t.json:2: tcp_dst: a port must be 0-65535 or a range \"lo-hi\"");
	expect_error("{\"chains\": [{\"name\": \"a\", \"hops\": [1],\n"
		     "\"match\": {\"ipv4_src\": \"10.0.0.0/33\"}}]}",
		     "t.json:2: ipv4_src: expected an IPv4 address or CIDR prefix like 10.0.0.0/8");
	expect_error("{\"chains\": [{\"name\": \"a\", \"hops\": [1],\n"
		     "\"match\": {\"tos\": 1}}]}",
		     "t.json:2: unknown field 'tos'");
	expect_error("{\"chains\": [{\"name\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", "
		     "\"match\": {}, \"hops\": [1]}]}",
		     "t.json:1: name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is longer than 31 "
		     "characters");
}

/* Services are resolved only once the rest of the file is valid, so a
 * resolver that assigns ids is not called for a file that fails early. */
static void
resolver_not_called_for_invalid_file(void **state)
{
	struct chain_set set;
	char err[CFG_ERR_LEN];
	struct table_ctx t = { 0 };

	chain_set_init(&set);
	assert_int_equal(load_text(&set,
				   "{\"chains\": [{\"name\": \"a\", \"match\": {}, \"hops\": [\"firewall\"]},\n"
				   "{\"name\": \"b\", \"match\": {}, \"hops\": []}]}",
				   resolve_table, &t, err), -1);
	assert_string_equal(err, "t.json:2: hops is empty: a chain needs at least one service");
	assert_int_equal(t.calls, 0);
	chain_set_free(&set);
}

static void
ids_and_names_resolve(void **state)
{
	struct chain_set set;
	char err[CFG_ERR_LEN];
	struct assign_ctx a = { .n = 0 };

	chain_set_init(&set);
	assert_int_equal(load_text(&set,
				   "{\"chains\": [{\"name\": \"a\", \"match\": {}, "
				   "\"hops\": [\"nat\", \"dpi\", \"nat\"]},"
				   "{\"name\": \"b\", \"priority\": 7, \"match\": {}, "
				   "\"hops\": [\"dpi\", \"shaper\"]}]}",
				   resolve_assign, &a, err), 0);
	assert_int_equal(a.n, 3);
	assert_int_equal(set.chains[0].hops[0], 1);
	assert_int_equal(set.chains[0].hops[1], 2);
	assert_int_equal(set.chains[0].hops[2], 1);
	assert_int_equal(set.chains[1].hops[0], 2);
	assert_int_equal(set.chains[1].hops[1], 3);
	assert_int_equal(set.chains[1].priority, 7);
	chain_set_free(&set);

	/* Numeric hops: an integer or its text reach the resolver as text. */
	chain_set_init(&set);
	assert_int_equal(load_text(&set,
				   "{\"chains\": [{\"name\": \"n\", \"match\": {}, "
				   "\"hops\": [3, \"12\", \"router\"]}]}",
				   resolve_table, NULL, err), 0);
	assert_int_equal(set.chains[0].hops[0], 3);
	assert_int_equal(set.chains[0].hops[1], 12);
	assert_int_equal(set.chains[0].hops[2], 2);
	assert_string_equal(set.chains[0].hop_names[0], "3");
	chain_set_free(&set);
}

static char *
many_chains(unsigned int n, const char *prefix)
{
	size_t cap = 64 + (size_t)n * 80;
	char *doc = malloc(cap);
	size_t len = (size_t)snprintf(doc, cap, "{\"chains\": [");

	for (unsigned int i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len,
					"%s\n{\"name\": \"%s%u\", \"match\": {}, \"hops\": [1]}",
					i ? "," : "", prefix, i);
	snprintf(doc + len, cap - len, "]}");
	return doc;
}

/* The limit counts every file of the set. */
static void
chain_count_limit(void **state)
{
	struct chain_set set;
	char err[CFG_ERR_LEN];
	char *a = many_chains(1000, "a"), *b = many_chains(24, "b"), *c = many_chains(23, "c");

	chain_set_init(&set);
	assert_int_equal(load_text(&set, a, resolve_table, NULL, err), 0);
	assert_int_equal(load_text(&set, b, resolve_table, NULL, err), -1);
	assert_string_equal(err, "t.json:1: too many chains: 24 here, 1000 loaded before, at most 1023");
	assert_int_equal(set.num_chains, 1000);
	assert_int_equal(load_text(&set, c, resolve_table, NULL, err), 0);
	assert_int_equal(set.num_chains, CHAIN_MAX_CHAINS);
	assert_string_equal(set.chains[1022].name, "c22");
	assert_int_equal(set.chains[1022].line, 24);
	chain_set_free(&set);
	free(a);
	free(b);
	free(c);
}

static void
empty_chain_list_is_valid(void **state)
{
	struct chain_set set;
	char err[CFG_ERR_LEN];

	chain_set_init(&set);
	assert_int_equal(load_text(&set, "{\"chains\": []}", resolve_table, NULL, err), 0);
	assert_int_equal(set.num_chains, 0);
	chain_set_free(&set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_nf_chain),
		cmocka_unit_test(firewall_router_chains),
		cmocka_unit_test(load_balancer_chain),
		cmocka_unit_test(per_port_chains),
		cmocka_unit_test(several_files_make_one_set),
		cmocka_unit_test(bad_files_report_line_and_reason),
		cmocka_unit_test(missing_file_is_an_error),
		cmocka_unit_test(structural_errors),
		cmocka_unit_test(resolver_not_called_for_invalid_file),
		cmocka_unit_test(ids_and_names_resolve),
		cmocka_unit_test(empty_chain_list_is_valid),
		cmocka_unit_test(chain_count_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
