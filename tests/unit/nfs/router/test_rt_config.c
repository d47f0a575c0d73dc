/* SPDX-License-Identifier: BSD-3-Clause */
/* Route config: both formats, and the exact "file:line: reason" of mistakes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "rt_config.h"

static void
json_good(void **state)
{
	struct rt_config c;
	char err[512];
	const char *doc = "{ \"routes\": [\n"
			  "  { \"prefix\": \"192.168.0.0/16\", \"port\": 1,\n"
			  "    \"next_hop_mac\": \"02:00:00:00:01:01\" },\n"
			  "  { \"prefix\": \"10.1.2.3\", \"port\": \"0\", \"next_hop_mac\": \"aa:bb:cc:dd:ee:ff\" },\n"
			  "  { \"prefix\": \"0.0.0.0/0\", \"port\": 0, \"next_hop_mac\": \"02:00:00:00:00:09\" }\n"
			  "] }\n";

	assert_int_equal(rt_config_load_string("r.json", doc, 2, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_routes, 3);
	assert_int_equal(c.non_ip, RT_NON_IP_PASS);
	assert_int_equal(c.routes[0].prefix, 0xc0a80000u);
	assert_int_equal(c.routes[0].depth, 16);
	assert_int_equal(c.routes[0].port, 1);
	assert_memory_equal(c.routes[0].mac, ((uint8_t[6]){ 2, 0, 0, 0, 1, 1 }), 6);
	assert_int_equal(c.routes[1].prefix, 0x0a010203u);
	assert_int_equal(c.routes[1].depth, 32);
	assert_memory_equal(c.routes[1].mac, ((uint8_t[6]){ 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff }),
			    6);
	assert_int_equal(c.routes[2].depth, 0);
	rt_config_free(&c);

	assert_int_equal(rt_config_load_string("r.json", "  \n{\"non_ip\": \"drop\", \"routes\": []}",
					       2, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_routes, 0);
	assert_int_equal(c.non_ip, RT_NON_IP_DROP);
	rt_config_free(&c);
}

static void
text_good(void **state)
{
	struct rt_config c;
	char err[512];
	const char *doc = "# core routes\n"
			  "\n"
			  "192.168.0.0/16 port 1 via-mac 02:00:00:00:01:01\n"
			  "  10.0.0.0/8\tvia-mac 02:00:00:00:01:02 port 0   # order free\n"
			  "default port 1 via-mac 02:00:00:00:01:03\n"
			  "non_ip drop\n";

	assert_int_equal(rt_config_load_string("r.txt", doc, 2, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_routes, 3);
	assert_int_equal(c.non_ip, RT_NON_IP_DROP);
	assert_int_equal(c.routes[1].prefix, 0x0a000000u);
	assert_int_equal(c.routes[1].depth, 8);
	assert_int_equal(c.routes[1].port, 0);
	assert_int_equal(c.routes[1].mac[5], 2);
	assert_int_equal(c.routes[2].prefix, 0);
	assert_int_equal(c.routes[2].depth, 0);
	rt_config_free(&c);
}

struct bad_case {
	const char *text;
	uint16_t n_ports;
	const char *err;
};

static void
expect_errors(const char *name, const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct rt_config c;
		char err[512] = "";

		if (rt_config_load_string(name, cases[i].text, cases[i].n_ports, &c, err,
					  sizeof(err)) != -1 ||
		    strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, cases[i].err, err);
		assert_null(c.routes);
		assert_int_equal(c.n_routes, 0);
	}
}

static void
json_bad(void **state)
{
	static const struct bad_case cases[] = {
		{ "{\n \"routes\": [\n  { \"prefix\": \"10.0.0.0/33\", \"port\": 1, \"next_hop_mac\": \"02:00:00:00:00:01\" }\n ]\n}",
		  2, "r.json:3: prefix: invalid prefix \"10.0.0.0/33\"" },
		{ "{\"routes\": [\n{ \"prefix\": \"10.0.0.1/8\", \"port\": 1, \"next_hop_mac\": \"02:00:00:00:00:01\" }]}",
		  2, "r.json:2: prefix: prefix has host bits set \"10.0.0.1/8\"" },
		{ "{\"routes\": [\n{ \"prefix\": \"10.0.0.0/8\",\n \"port\": 7, \"next_hop_mac\": \"02:00:00:00:00:01\" }]}",
		  2, "r.json:3: port 7 does not exist (2 ports)" },
		{ "{\"routes\": [\n{ \"prefix\": \"10.0.0.0/8\", \"port\": -1, \"next_hop_mac\": \"02:00:00:00:00:01\" }]}",
		  2, "r.json:2: port: must be a number 0-65535" },
		{ "{\"routes\": [\n{ \"prefix\": \"10.0.0.0/8\", \"port\": 1,\n\n \"next_hop_mac\": \"02:00:00:00:00\" }]}",
		  2, "r.json:4: next_hop_mac: invalid MAC address" },
		{ "{\"routes\": [\n{ \"prefix\": \"10.0.0.0/8\", \"port\": 1 }]}",
		  2, "r.json:2: next_hop_mac: missing" },
		{ "{\"routes\": [\n{ \"prefix\": \"10.0.0.0/8\", \"port\": 1, \"next_hop_mac\": \"02:00:00:00:00:01\",\n \"metric\": 5 }]}",
		  2, "r.json:3: unknown key \"metric\"" },
		{ "{\"routes\": [\n  7\n]}", 2, "r.json:2: route must be an object" },
		{ "{\n\"route\": []}", 2, "r.json:2: unknown key \"route\"" },
		{ "{\n}", 2, "r.json:1: routes: missing" },
		{ "{\n\"routes\": {}}", 2, "r.json:2: routes: must be an array" },
		{ "{\"routes\": [],\n \"non_ip\": \"deny\"}", 2,
		  "r.json:2: non_ip: must be \"pass\" or \"drop\"" },
		{ "{\"routes\": [\n{ \"prefix\": \"10.0.0.0/8\", \"port\": 1 ", 2,
		  "r.json:2: '}' expected near end of file" },
		/* the second entry for a prefix is the one reported */
		{ "{\"routes\": [\n"
		  "{ \"prefix\": \"10.0.0.0/8\", \"port\": 1, \"next_hop_mac\": \"02:00:00:00:00:01\" },\n"
		  "{ \"prefix\": \"10.0.0.0/9\", \"port\": 1, \"next_hop_mac\": \"02:00:00:00:00:01\" },\n"
		  "{ \"prefix\": \"10.0.0.0/8\", \"port\": 0, \"next_hop_mac\": \"02:00:00:00:00:02\" }]}",
		  2, "r.json:4: duplicate route for 10.0.0.0/8 (first at line 2)" },
	};

	expect_errors("r.json", cases, sizeof(cases) / sizeof(cases[0]));
}

static void
text_bad(void **state)
{
	static const struct bad_case cases[] = {
		{ "# x\n10.0.0.0/33 port 1 via-mac 02:00:00:00:00:01\n", 2,
		  "r.txt:2: invalid prefix \"10.0.0.0/33\"" },
		{ "\n\n10.0.0.0/8 port 1\n", 2, "r.txt:3: missing \"via-mac MAC\"" },
		{ "10.0.0.0/8 via-mac 02:00:00:00:00:01\n", 2, "r.txt:1: missing \"port N\"" },
		{ "10.0.0.0/8 port x via-mac 02:00:00:00:00:01\n", 2, "r.txt:1: invalid port \"x\"" },
		{ "10.0.0.0/8 port 2 via-mac 02:00:00:00:00:01\n", 2,
		  "r.txt:1: port 2 does not exist (2 ports)" },
		{ "10.0.0.0/8 port 1 via-mac 02:00:00:00:00:0g\n", 2,
		  "r.txt:1: invalid MAC address \"02:00:00:00:00:0g\"" },
		{ "10.0.0.0/8 port 1 via-mac 02:00:00:00:00:01 metric 5\n", 2,
		  "r.txt:1: unexpected \"metric\"" },
		{ "10.0.0.0/8 port 1 via-mac 02:00:00:00:00:01 port 0\n", 2,
		  "r.txt:1: unexpected \"port\"" },
		{ "10.0.0.0/8 port 1 via-mac\n", 2, "r.txt:1: \"via-mac\" needs a value" },
		{ "10.0.0.5/24 port 1 via-mac 02:00:00:00:00:01\n", 2,
		  "r.txt:1: prefix has host bits set \"10.0.0.5/24\"" },
		{ "non_ip maybe\n", 2, "r.txt:1: expected \"non_ip pass\" or \"non_ip drop\"" },
		{ "10.0.0.0/8 port 1 via-mac 02:00:00:00:00:01\n"
		  "# again\n"
		  "10.0.0.0/8 port 0 via-mac 02:00:00:00:00:02\n", 2,
		  "r.txt:3: duplicate route for 10.0.0.0/8 (first at line 1)" },
	};

	expect_errors("r.txt", cases, sizeof(cases) / sizeof(cases[0]));
}

static void
from_file(void **state)
{
	char path[] = "/tmp/rt_config_test_XXXXXX";
	int fd = mkstemp(path);
	const char *text = "172.16.0.0/12 port 3 via-mac 02:00:00:00:00:03\n";
	struct rt_config c;
	char err[512];

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	assert_int_equal(rt_config_load(path, RT_ANY_PORT_COUNT, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_routes, 1);
	assert_int_equal(c.routes[0].port, 3);
	rt_config_free(&c);
	unlink(path);

	assert_int_equal(rt_config_load(path, 2, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":0: cannot open: No such file or directory"));
}

/* Cut and mutated files: either accepted or "name:line: reason", never a crash. */
static void
mangled_files(void **state)
{
	static const char *const docs[] = {
		"{ \"non_ip\": \"drop\", \"routes\": [\n"
		"  { \"prefix\": \"192.168.0.0/16\", \"port\": 1, \"next_hop_mac\": \"02:00:00:00:01:01\" },\n"
		"  { \"prefix\": \"10.0.0.0/8\", \"port\": 0, \"next_hop_mac\": \"02:00:00:00:01:02\" } ] }\n",
		"# routes\n192.168.0.0/16 port 1 via-mac 02:00:00:00:01:01\n"
		"10.0.0.0/8 via-mac 02:00:00:00:01:02 port 0\ndefault port 1 via-mac 02:00:00:00:01:03\n"
		"non_ip drop\n",
	};
	char buf[512], err[512];

	srand(3);
	for (int i = 0; i < 20000; i++) {
		const char *d = docs[i % 2];
		size_t len = strlen(d);
		struct rt_config c;

		if (i % 3 == 0)
			len = (size_t)rand() % (len + 1);
		memcpy(buf, d, len);
		buf[len] = '\0';
		for (int k = rand() % 4; k > 0 && len > 0; k--)
			buf[rand() % len] = (char)(1 + rand() % 255);
		err[0] = '\0';
		if (rt_config_load_string("m.cfg", buf, 2, &c, err, sizeof(err)) == 0) {
			for (uint32_t r = 0; r < c.n_routes; r++)
				assert_true(c.routes[r].port < 2 && c.routes[r].depth <= 32);
			rt_config_free(&c);
		} else {
			if (strncmp(err, "m.cfg:", 6) != 0)
				fail_msg("error without file:line: \"%s\"", err);
			assert_null(c.routes);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_good), cmocka_unit_test(text_good),
		cmocka_unit_test(json_bad),  cmocka_unit_test(text_bad),
		cmocka_unit_test(from_file),
		cmocka_unit_test(mangled_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
