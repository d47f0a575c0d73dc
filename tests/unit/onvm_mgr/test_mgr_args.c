/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "mgr_args.h"
#include "web_addr.h"

#define ARGV(...) ((char *[]){ "onvm_mgr", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "onvm_mgr", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(cfg, err, ...) mgr_parse_args(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), cfg, err, sizeof(err))

static void
portmask_forms(void **state)
{
	uint64_t m;

	assert_int_equal(mgr_parse_portmask("0x3", &m), 0);
	assert_int_equal(m, 3);
	assert_int_equal(mgr_parse_portmask("f", &m), 0);
	assert_int_equal(m, 15);
	assert_int_equal(mgr_parse_portmask("0X10", &m), 0);
	assert_int_equal(m, 16);
	assert_int_equal(mgr_parse_portmask("0", &m), -1);     /* no ports */
	assert_int_equal(mgr_parse_portmask("0x", &m), -1);
	assert_int_equal(mgr_parse_portmask("3g", &m), -1);
	assert_int_equal(mgr_parse_portmask("-1", &m), -1);
	assert_int_equal(mgr_parse_portmask("", &m), -1);
	assert_int_equal(mgr_parse_portmask("11111111111111111", &m), -1); /* > 64 bits */
}

static void
full_command_line(void **state)
{
	struct mgr_config c;
	char err[256];

	assert_int_equal(PARSE(&c, err, "-p", "0x3", "-r", "8", "-d", "firewall", "-s", "stderr", "-z",
			       "2", "-t", "30", "-l", "5", "-v", "-c", "-j", "-C", "a.json",
			       "--chains", "b.json", "--of-listen", "6653", "--web=0.0.0.0:9000"),
			 0);
	assert_int_equal(c.portmask, 3);
	assert_int_equal(c.num_services, 8);
	assert_string_equal(c.default_service, "firewall");
	assert_int_equal(c.stats_out, STATS_STDERR);
	assert_int_equal(c.stats_sleep_s, 2);
	assert_int_equal(c.ttl_s, 30);
	assert_int_equal(c.packet_limit, 5000000);
	assert_true(c.verbose && c.shared_core && c.jumbo);
	assert_int_equal(c.num_chain_files, 2);
	assert_string_equal(c.chain_files[1], "b.json");
	assert_string_equal(c.of_listen, "6653");
	assert_string_equal(c.web, "0.0.0.0:9000");
}

static void
defaults(void **state)
{
	struct mgr_config c;
	char err[256];

	assert_int_equal(PARSE(&c, err, "-p", "1"), 0);
	assert_int_equal(c.num_services, 16);
	assert_int_equal(c.stats_out, STATS_STDOUT);
	assert_int_equal(c.stats_sleep_s, 1);
	assert_null(c.web);
	assert_int_equal(c.nf_ring_size, 0);
	assert_int_equal(mgr_nf_ring_size(&c), ONVM_NF_RING_SIZE);
	assert_int_equal(PARSE(&c, err, "-p", "1", "-s", "web"), 0);
	assert_string_equal(c.web, "127.0.0.1:8080");
}

static void
nf_ring_size_is_a_power_of_two_in_range(void **state)
{
	struct mgr_config c;
	char err[256];

	assert_int_equal(PARSE(&c, err, "-p", "1", "--nf-ring-size", "64"), 0);
	assert_int_equal(c.nf_ring_size, 64);
	assert_int_equal(mgr_nf_ring_size(&c), 64);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--nf-ring-size=16384"), 0);
	assert_int_equal(c.nf_ring_size, 16384);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--nf-ring-size", "1000"), -1);
	assert_non_null(strstr(err, "--nf-ring-size '1000': expected a power of 2"));
	assert_int_equal(PARSE(&c, err, "-p", "1", "--nf-ring-size", "32"), -1);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--nf-ring-size", "32768"), -1);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--nf-ring-size", "0"), -1);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--nf-ring-size", "-512"), -1);
}

static void
entry_stall_defaults_to_100_ms_and_0_means_never(void **state)
{
	struct mgr_config c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "-p", "1"), 0);
	assert_int_equal(c.entry_stall_ms, 100);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--entry-stall-ms", "0"), 0);
	assert_int_equal(c.entry_stall_ms, 0);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--entry-stall-ms=60000"), 0);
	assert_int_equal(c.entry_stall_ms, 60000);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--entry-stall-ms", "60001"), -1);
	assert_non_null(strstr(err, "--entry-stall-ms '60001': expected 0 to 60000 ms"));
	assert_int_equal(PARSE(&c, err, "-p", "1", "--entry-stall-ms", "-1"), -1);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--entry-stall-ms", "1s"), -1);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--entry-stall-ms"), -1);
}

static void
errors_are_one_clear_line(void **state)
{
	struct mgr_config c;
	char err[256];

	assert_int_equal(PARSE(&c, err, "-r", "4"), -1);
	assert_non_null(strstr(err, "missing -p PORTMASK"));
	assert_int_equal(PARSE(&c, err, "-p", "zz"), -1);
	assert_non_null(strstr(err, "invalid portmask 'zz'"));
	assert_int_equal(PARSE(&c, err, "-p", "1", "-s", "html"), -1);
	assert_non_null(strstr(err, "-s 'html'"));
	assert_int_equal(PARSE(&c, err, "-p", "1", "-r", "0"), -1);
	assert_int_equal(PARSE(&c, err, "-p", "1", "-z", "x"), -1);
	assert_int_equal(PARSE(&c, err, "-p", "1", "-q"), -1);
	assert_non_null(strstr(err, "unknown option '-q'"));
	assert_int_equal(PARSE(&c, err, "-p", "1", "-d"), -1);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(PARSE(&c, err, "-p", "1", "stray"), -1);
	assert_null(strchr(err, '\n'));
}

static void
shared_core_gets_deeper_rings_unless_set(void **state)
{
	struct mgr_config c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "-p", "1", "-c"), 0);
	assert_int_equal(mgr_nf_ring_size(&c), ONVM_NF_RING_SIZE_SHARED);
	assert_int_equal(PARSE(&c, err, "-p", "1", "-c", "--nf-ring-size", "256"), 0);
	assert_int_equal(mgr_nf_ring_size(&c), 256);
}

static void
web_address_forms(void **state)
{
	struct mgr_config c;
	char err[256];
	struct sockaddr_in sa;

	/* "--web X" as people type it, "--web=X", and --web alone. */
	assert_int_equal(PARSE(&c, err, "-p", "1", "--web", "9090"), 0);
	assert_string_equal(c.web, "9090");
	assert_int_equal(PARSE(&c, err, "--web", "0.0.0.0:9000", "-p", "1"), 0);
	assert_string_equal(c.web, "0.0.0.0:9000");
	assert_int_equal(PARSE(&c, err, "-p", "1", "--web"), 0);
	assert_string_equal(c.web, "127.0.0.1:8080");
	assert_int_equal(PARSE(&c, err, "--web", "-p", "1"), 0);
	assert_string_equal(c.web, "127.0.0.1:8080");
	assert_int_equal(PARSE(&c, err, "-p", "1", "-s", "web", "--web=8081"), 0);
	assert_string_equal(c.web, "8081");

	assert_int_equal(web_addr_parse("8080", &sa, err, sizeof(err)), 0);
	assert_int_equal(ntohs(sa.sin_port), 8080);
	assert_int_equal(ntohl(sa.sin_addr.s_addr), 0x7f000001);
	assert_int_equal(web_addr_parse("10.1.2.3:1", &sa, err, sizeof(err)), 0);
	assert_int_equal(ntohl(sa.sin_addr.s_addr), 0x0a010203);

	assert_int_equal(PARSE(&c, err, "-p", "1", "--web", "1.2.3.400:80"), -1);
	assert_string_equal(err, "--web '1.2.3.400:80': '1.2.3.400' is not an IPv4 address");
	assert_int_equal(PARSE(&c, err, "-p", "1", "--web=localhost:80"), -1);
	assert_string_equal(err, "--web 'localhost:80': 'localhost' is not an IPv4 address");
	assert_int_equal(PARSE(&c, err, "-p", "1", "--web=70000"), -1);
	assert_string_equal(err, "--web '70000': the port must be a number from 1 to 65535");
	assert_int_equal(PARSE(&c, err, "-p", "1", "--web=0"), -1);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--web=:80"), -1);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--web=1.2.3.4:"), -1);
	assert_string_equal(err, "--web '1.2.3.4:': expected [IP:]PORT, and '' is not a port");
	assert_int_equal(PARSE(&c, err, "-p", "1", "--web=80x"), -1);
}

static void
rx_lcores_and_nf_cores(void **state)
{
	struct mgr_config c;
	char err[256], list[64];

	(void)state;
	assert_int_equal(PARSE(&c, err, "-p", "1"), 0);
	assert_int_equal(c.rx_lcores, 0); /* the default: lcore_plan.h */
	assert_false(c.nf_cores_given);
	assert_int_equal(PARSE(&c, err, "-p", "1", "--rx-lcores", "4", "-n", "0xf0"), 0);
	assert_int_equal(c.rx_lcores, 4);
	assert_true(c.nf_cores_given);
	place_cpuset_format(&c.nf_cores, list, sizeof(list));
	assert_string_equal(list, "4-7");
	assert_int_equal(PARSE(&c, err, "-p", "1", "--nf-cores", "4-15,20"), 0);
	place_cpuset_format(&c.nf_cores, list, sizeof(list));
	assert_string_equal(list, "4-15,20");
	assert_int_equal(PARSE(&c, err, "-p", "1", "--rx-lcores", "0"), -1);
	assert_non_null(strstr(err, "--rx-lcores '0'"));
	assert_int_equal(PARSE(&c, err, "-p", "1", "--rx-lcores", "9"), -1);
	assert_int_equal(PARSE(&c, err, "-p", "1", "-n", "0"), -1);
	assert_non_null(strstr(err, "-n '0'"));
	assert_int_equal(PARSE(&c, err, "-p", "1", "--nf-cores", "4-"), -1);
	assert_non_null(strstr(err, "--nf-cores '4-'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(portmask_forms),
		cmocka_unit_test(full_command_line),
		cmocka_unit_test(defaults),
		cmocka_unit_test(nf_ring_size_is_a_power_of_two_in_range),
		cmocka_unit_test(shared_core_gets_deeper_rings_unless_set),
		cmocka_unit_test(entry_stall_defaults_to_100_ms_and_0_means_never),
		cmocka_unit_test(errors_are_one_clear_line),
		cmocka_unit_test(web_address_forms),
		cmocka_unit_test(rx_lcores_and_nf_cores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
