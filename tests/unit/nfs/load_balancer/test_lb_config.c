/* SPDX-License-Identifier: BSD-3-Clause */
/* Load balancer config: the documented example, defaults, and every mistake by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lb_config.h"

static void
spec_example(void **state)
{
	const char *doc =
		"{ \"services\": [ { \"name\": \"web\", \"vip\": \"10.0.0.100\", \"proto\": \"tcp\", \"port\": 80,\n"
		"  \"backends\": [ { \"ip\": \"10.0.1.11\", \"port\": 8080 }, { \"ip\": \"10.0.1.12\", \"port\": 8080 } ] } ] }\n";
	struct lb_config c;
	char err[512];

	assert_int_equal(lb_config_load_string("lb.json", doc, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_services, 1);
	assert_string_equal(c.services[0].name, "web");
	assert_int_equal(c.services[0].vip, 0x0a000064u);
	assert_int_equal(c.services[0].proto, 6);
	assert_int_equal(c.services[0].port, 80);
	assert_int_equal(c.services[0].n_backends, 2);
	assert_int_equal(c.services[0].backends[1].ip, 0x0a00010cu);
	assert_int_equal(c.services[0].backends[1].port, 8080);
	assert_int_equal(c.table_size, LB_DEFAULT_TABLE_SIZE);
	assert_int_equal(c.max_conns, LB_DEFAULT_MAX_CONNS);
	assert_int_equal(c.tcp_idle_s, LB_DEFAULT_TCP_IDLE_S);
	assert_int_equal(c.udp_idle_s, LB_DEFAULT_UDP_IDLE_S);
	lb_config_free(&c);
}

static void
options_and_udp(void **state)
{
	const char *doc =
		"{ \"table_size\": 251, \"max_conns\": 1000, \"tcp_idle_timeout\": 30,\n"
		"  \"udp_idle_timeout\": \"5\",\n"
		"  \"services\": [ { \"name\": \"dns\", \"vip\": \"10.0.0.53\", \"proto\": \"udp\", \"port\": \"53\",\n"
		"    \"backends\": [ { \"ip\": \"10.0.2.1\", \"port\": 53 } ] },\n"
		"   { \"name\": \"dns-tcp\", \"vip\": \"10.0.0.53\", \"proto\": 6, \"port\": 53,\n"
		"    \"backends\": [ { \"ip\": \"10.0.2.1\", \"port\": 53 } ] } ] }\n";
	struct lb_config c;
	char err[512];

	assert_int_equal(lb_config_load_string("lb.json", doc, &c, err, sizeof(err)), 0);
	assert_int_equal(c.table_size, 251);
	assert_int_equal(c.max_conns, 1000);
	assert_int_equal(c.tcp_idle_s, 30);
	assert_int_equal(c.udp_idle_s, 5);
	assert_int_equal(c.n_services, 2);
	assert_int_equal(c.services[0].proto, 17);
	assert_int_equal(c.services[1].proto, 6);
	lb_config_free(&c);
}

#define SVC_HEAD "{\"services\": [\n"

static void
mistakes(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "{\n}", "lb.json:1: services: missing" },
		{ "{\"services\": {}\n}", "lb.json:1: services: must be a list of up to 256 services" },
		{ SVC_HEAD "  3 ]}", "lb.json:2: service must be an object" },
		{ SVC_HEAD "{\"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80, \"backends\": []}]}",
		  "lb.json:2: name: missing" },
		{ SVC_HEAD "{\"name\": \"w\",\n \"vip\": \"10.0.0.0/24\", \"proto\": \"tcp\", \"port\": 80,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.1\", \"port\": 80}]}]}",
		  "lb.json:3: vip: must be an IPv4 address" },
		{ SVC_HEAD "{\"name\": \"w\", \"vip\": \"10.0.0.1\",\n \"proto\": \"icmp\", \"port\": 80,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.1\", \"port\": 80}]}]}",
		  "lb.json:3: proto: must be \"tcp\" or \"udp\"" },
		{ SVC_HEAD "{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\",\n \"port\": 0,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.1\", \"port\": 80}]}]}",
		  "lb.json:3: port: must be 1-65535" },
		{ SVC_HEAD "{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80,\n"
			   " \"backends\": []}]}",
		  "lb.json:3: backends: must be a list of 1-1024 backends" },
		{ SVC_HEAD "{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.1\", \"port\": 80},\n"
			   "   {\"ip\": \"10.0.1.300\", \"port\": 80}]}]}",
		  "lb.json:4: backend ip: must be an IPv4 address" },
		{ SVC_HEAD "{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.1\"}]}]}",
		  "lb.json:3: backend port: missing" },
		{ SVC_HEAD "{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.1\", \"port\": 80,\n \"weight\": 2}]}]}",
		  "lb.json:4: unknown key \"weight\"" },
		{ SVC_HEAD "{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.1\", \"port\": 80},\n"
			   " {\"ip\": \"10.0.1.1\", \"port\": 80}]}]}",
		  "lb.json:4: backend listed twice (as backend 0 too)" },
		{ SVC_HEAD "{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.1\", \"port\": 80}]},\n"
			   "{\"name\": \"x\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.2\", \"port\": 80}]}]}",
		  "lb.json:4: same vip, proto and port as service \"w\"" },
		{ SVC_HEAD "{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.1\", \"port\": 80}]},\n"
			   "{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 81,\n"
			   " \"backends\": [{\"ip\": \"10.0.1.2\", \"port\": 80}]}]}",
		  "lb.json:4: service name \"w\" used twice" },
		{ "{\"services\": [],\n \"table_size\": 65536}", "lb.json:2: table_size: 65536 is not prime" },
		{ "{\"services\": [],\n \"max_conns\": 0}", "lb.json:2: max_conns: must be a number 8-16777216" },
		{ "{\"services\": [],\n \"timeout\": 5}", "lb.json:2: unknown key \"timeout\"" },
		{ "{\"table_size\": 2, \"services\": [{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80,\n"
		  " \"backends\": [{\"ip\": \"10.0.1.1\", \"port\": 80}]}]}",
		  "lb.json:1: table_size: must be a number 3-16777216" },
		{ "{\"table_size\": 3,\n \"services\": [{\"name\": \"w\", \"vip\": \"10.0.0.1\", \"proto\": \"tcp\", \"port\": 80,\n"
		  " \"backends\": [{\"ip\": \"10.0.1.1\", \"port\": 80}, {\"ip\": \"10.0.1.2\", \"port\": 80},"
		  " {\"ip\": \"10.0.1.3\", \"port\": 80}]}]}",
		  "lb.json:1: table_size 3 must exceed the largest pool (3 backends)" },
		{ "{\"services\": [\n", "lb.json:2: ']' expected near end of file" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lb_config c;
		char err[512] = "";

		if (lb_config_load_string("lb.json", cases[i].text, &c, err, sizeof(err)) != -1 ||
		    strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, cases[i].err, err);
		assert_null(c.services);
	}
}

static void
missing_file(void **state)
{
	struct lb_config c;
	char err[512];

	assert_int_equal(lb_config_load("/nonexistent/lb.json", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/lb.json:0: cannot open: No such file or directory");
}

/* Cut and mutated files: either accepted or "name:line: reason", never a crash. */
static void
mangled_files(void **state)
{
	const char *doc =
		"{ \"table_size\": 251, \"max_conns\": 1000,\n"
		"  \"services\": [ { \"name\": \"dns\", \"vip\": \"10.0.0.53\", \"proto\": \"udp\", \"port\": 53,\n"
		"    \"backends\": [ { \"ip\": \"10.0.2.1\", \"port\": 53 }, { \"ip\": \"10.0.2.2\", \"port\": 53 } ] } ] }\n";
	char buf[512], err[512];

	srand(5);
	for (int i = 0; i < 20000; i++) {
		size_t len = strlen(doc);
		struct lb_config c;

		if (i % 3 == 0)
			len = (size_t)rand() % (len + 1);
		memcpy(buf, doc, len);
		buf[len] = '\0';
		for (int k = rand() % 4; k > 0 && len > 0; k--)
			buf[rand() % len] = (char)(1 + rand() % 255);
		err[0] = '\0';
		if (lb_config_load_string("m.json", buf, &c, err, sizeof(err)) == 0) {
			for (uint32_t s = 0; s < c.n_services; s++)
				assert_true(c.services[s].n_backends >= 1 &&
					    c.services[s].n_backends < c.table_size);
			lb_config_free(&c);
		} else {
			if (strncmp(err, "m.json:", 7) != 0)
				fail_msg("error without file:line: \"%s\"", err);
			assert_null(c.services);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_example),
		cmocka_unit_test(options_and_udp),
		cmocka_unit_test(mistakes),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(mangled_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
