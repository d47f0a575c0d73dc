/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The whole firewall decision on real frames (parsed by pkt_parse): the
 * order of the checks, stateful replies, malformed frames, non-IP policy,
 * and reloads (bad file changes nothing; a reload from another thread while
 * bursts run).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "byte_order.h"
#include "fw_engine.h"
#include "fw_test_eal.h"

#define S 1000000000ull

struct frame {
	uint8_t b[128];
	uint32_t len;
};

/* Ethernet + IPv4 + TCP or UDP (ports) or ICMP, with no payload. */
static struct frame
ipv4_frame(uint8_t proto, uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport,
	   uint8_t tcp_flags)
{
	struct frame f;
	uint8_t *ip = f.b + 14, *l4 = ip + 20;
	uint32_t l4len = proto == PKT_PROTO_TCP ? 20 : 8;

	memset(&f, 0, sizeof(f));
	f.b[0] = 0x02;
	f.b[6] = 0x02;
	be16_store(f.b + 12, PKT_ETHERTYPE_IPV4);
	ip[0] = 0x45;
	be16_store(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = proto;
	be32_store(ip + 12, sip);
	be32_store(ip + 16, dip);
	if (proto == PKT_PROTO_ICMP) {
		l4[0] = 8;
	} else {
		be16_store(l4, sport);
		be16_store(l4 + 2, dport);
		if (proto == PKT_PROTO_TCP) {
			l4[12] = 0x50;
			l4[13] = tcp_flags;
		} else {
			be16_store(l4 + 4, 8);
		}
	}
	f.len = 14 + 20 + l4len;
	return f;
}

static struct frame
arp_frame(void)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	be16_store(f.b + 12, PKT_ETHERTYPE_ARP);
	f.len = 60;
	return f;
}

/* Decide one burst of frames; returns the verdicts. */
static void
decide(struct fw_engine *e, const struct frame *f, uint16_t n, uint64_t now, uint8_t *v)
{
	struct pkt_info pi[FW_BURST_MAX];
	uint16_t in_port[FW_BURST_MAX] = { 0 };
	uint16_t i;

	for (i = 0; i < n; i++)
		pkt_parse(f[i].b, f[i].len, &pi[i]);
	fw_engine_classify_burst(e, pi, in_port, NULL, n, now, v);
	fw_engine_quiescent(e);
}

static uint8_t
decide1(struct fw_engine *e, struct frame f, uint64_t now)
{
	uint8_t v;

	decide(e, &f, 1, now, &v);
	return v;
}

#define CLIENT 0x0a000001u   /* 10.0.0.1 */
#define SERVER 0xc0a80101u   /* 192.168.1.1 */

static const char stateless_rules[] =
	"{ \"default\": \"deny\", \"rules\": [\n"
	"  { \"name\": \"ssh-block\", \"action\": \"deny\", \"tcp_dst\": 22 },\n"
	"  { \"name\": \"web\", \"action\": \"allow\", \"ipv4_src\": \"10.0.0.0/8\",\n"
	"    \"ipv4_dst\": \"192.168.1.0/24\", \"tcp_dst\": \"80-443\" },\n"
	"  { \"name\": \"icmp\", \"action\": \"allow\", \"ip_proto\": \"icmp\" } ] }\n";

static void
stateless_decisions_and_counters(void **state)
{
	char err[CFG_ERR_LEN] = "";
	struct fw_engine *e = fw_engine_create_string("s.json", stateless_rules, 0, err,
						      sizeof(err));
	const struct fw_engine_counters *c;
	const struct fw_ruleset *rs;

	if (e == NULL)
		fail_msg("%s", err);
	assert_int_equal(decide1(e, ipv4_frame(PKT_PROTO_TCP, CLIENT, 1234, SERVER, 80,
					       PKT_TCP_SYN), 0), FW_V_ALLOW_RULE);
	assert_int_equal(decide1(e, ipv4_frame(PKT_PROTO_TCP, CLIENT, 1234, SERVER, 22,
					       PKT_TCP_SYN), 0), FW_V_DENY_RULE);
	/* Stateless: the reply has no rule of its own. */
	assert_int_equal(decide1(e, ipv4_frame(PKT_PROTO_TCP, SERVER, 80, CLIENT, 1234,
					       PKT_TCP_SYN | PKT_TCP_ACK), 0), FW_V_DEFAULT_DENY);
	assert_int_equal(decide1(e, ipv4_frame(PKT_PROTO_ICMP, SERVER, 0, CLIENT, 0, 0), 0),
			 FW_V_ALLOW_RULE);
	assert_int_equal(decide1(e, arp_frame(), 0), FW_V_NON_IP_ALLOW);

	c = fw_engine_counters(e);
	assert_int_equal(c->verdicts[FW_V_ALLOW_RULE], 2);
	assert_int_equal(c->verdicts[FW_V_DENY_RULE], 1);
	assert_int_equal(c->verdicts[FW_V_DEFAULT_DENY], 1);
	assert_int_equal(c->verdicts[FW_V_NON_IP_ALLOW], 1);
	rs = fw_engine_ruleset(e);
	assert_int_equal(rs->rule_hits[0], 1);
	assert_int_equal(rs->rule_hits[1], 1);
	assert_int_equal(rs->rule_hits[2], 1);
	assert_false(fw_engine_ct_stats(e, &(struct fw_ct_stats){ 0 }));
	fw_engine_free(e, NULL);
}

static void
malformed_and_truncated(void **state)
{
	char err[CFG_ERR_LEN] = "";
	struct fw_engine *e = fw_engine_create_string(
		"m.json",
		"{ \"default\": \"allow\", \"non_ip\": \"deny\", \"rules\": [\n"
		"  { \"action\": \"deny\", \"in_port\": 5 },\n"
		"  { \"action\": \"allow\", \"tcp_dst\": \"0-65535\" },\n"
		"  { \"action\": \"deny\", \"ip_proto\": \"tcp\" } ] }\n", 0, err, sizeof(err));
	struct frame f;
	const struct fw_engine_counters *c;

	if (e == NULL)
		fail_msg("%s", err);
	/* Bad IHL: only rules without IPv4 fields could match; default applies. */
	f = ipv4_frame(PKT_PROTO_TCP, CLIENT, 1, SERVER, 80, PKT_TCP_SYN);
	f.b[14] = 0x43;
	assert_int_equal(decide1(e, f, 0), FW_V_DEFAULT_ALLOW);
	/* Truncated TCP header: the port rule cannot match, the proto rule does. */
	f = ipv4_frame(PKT_PROTO_TCP, CLIENT, 1, SERVER, 80, PKT_TCP_SYN);
	be16_store(f.b + 16, 20 + 10);
	f.len = 14 + 20 + 10;
	assert_int_equal(decide1(e, f, 0), FW_V_DENY_RULE);
	/* A runt that is not even Ethernet. */
	f.len = 9;
	assert_int_equal(decide1(e, f, 0), FW_V_DEFAULT_ALLOW);
	assert_int_equal(decide1(e, arp_frame(), 0), FW_V_NON_IP_DENY);
	c = fw_engine_counters(e);
	assert_int_equal(c->malformed, 2);
	assert_int_equal(c->no_l4, 1);
	assert_int_equal(c->verdicts[FW_V_NON_IP_DENY], 1);
	fw_engine_free(e, NULL);
}

static const char stateful_rules[] =
	"{ \"default\": \"deny\", \"stateful\": true, \"close_timeout_s\": 1,\n"
	"  \"rules\": [ { \"name\": \"out\", \"action\": \"allow\",\n"
	"               \"ipv4_src\": \"10.0.0.0/8\" } ] }\n";

static void
stateful_replies_pass(void **state)
{
	char err[CFG_ERR_LEN] = "";
	struct fw_engine *e = fw_engine_create_string("st.json", stateful_rules, 0, err,
						      sizeof(err));
	struct frame burst[5];
	uint8_t v[5];
	struct fw_ct_stats s;

	if (e == NULL)
		fail_msg("%s", err);
	/* Outsider first: denied. */
	assert_int_equal(decide1(e, ipv4_frame(PKT_PROTO_TCP, SERVER, 80, CLIENT, 1234,
					       PKT_TCP_SYN | PKT_TCP_ACK), 0), FW_V_DEFAULT_DENY);
	/* Request, then its reply in the same burst, an unrelated outsider, a UDP reply. */
	burst[0] = ipv4_frame(PKT_PROTO_TCP, CLIENT, 1234, SERVER, 80, PKT_TCP_SYN);
	burst[1] = ipv4_frame(PKT_PROTO_TCP, SERVER, 80, CLIENT, 1234, PKT_TCP_SYN | PKT_TCP_ACK);
	burst[2] = ipv4_frame(PKT_PROTO_TCP, SERVER, 80, CLIENT, 9999, PKT_TCP_SYN | PKT_TCP_ACK);
	burst[3] = ipv4_frame(PKT_PROTO_UDP, SERVER, 53, CLIENT, 5353, 0);
	burst[4] = ipv4_frame(PKT_PROTO_TCP, CLIENT, 1234, SERVER, 80, PKT_TCP_ACK);
	decide(e, burst, 5, 1 * S, v);
	assert_int_equal(v[0], FW_V_ALLOW_RULE);
	assert_int_equal(v[1], FW_V_ESTABLISHED);
	assert_int_equal(v[2], FW_V_DEFAULT_DENY);
	assert_int_equal(v[3], FW_V_DEFAULT_DENY);
	/* As if one by one: the client's ACK belongs to the connection now. */
	assert_int_equal(v[4], FW_V_ESTABLISHED);
	/* Later replies pass without the rule... */
	assert_int_equal(decide1(e, ipv4_frame(PKT_PROTO_TCP, SERVER, 80, CLIENT, 1234,
					       PKT_TCP_ACK), 2 * S), FW_V_ESTABLISHED);
	/* ...until an RST and its linger end the connection. */
	assert_int_equal(decide1(e, ipv4_frame(PKT_PROTO_TCP, SERVER, 80, CLIENT, 1234,
					       PKT_TCP_RST), 3 * S), FW_V_ESTABLISHED);
	assert_int_equal(decide1(e, ipv4_frame(PKT_PROTO_TCP, SERVER, 80, CLIENT, 1234,
					       PKT_TCP_ACK), 5 * S), FW_V_DEFAULT_DENY);
	assert_true(fw_engine_ct_stats(e, &s));
	assert_int_equal(s.created, 1);
	assert_int_equal(s.closed, 1);
	assert_int_equal(fw_engine_ruleset(e)->rule_hits[0], 1);
	fw_engine_free(e, NULL);
}

static void
reload_bad_file_keeps_old_rules(void **state)
{
	char err[CFG_ERR_LEN] = "";
	struct fw_engine *e = fw_engine_create_string("s.json", stateless_rules, 0, err,
						      sizeof(err));
	struct frame ssh = ipv4_frame(PKT_PROTO_TCP, CLIENT, 1234, SERVER, 22, PKT_TCP_SYN);
	FILE *devnull = fopen("/dev/null", "w");

	if (e == NULL)
		fail_msg("%s", err);
	assert_int_equal(decide1(e, ssh, 0), FW_V_DENY_RULE);
	assert_int_equal(fw_engine_reload(e, "bad.json",
					  "{ \"default\": \"allow\",\n  \"rules\": [ {\"action\": \"allow\","
					  " \"ipv4_src\": \"1.2.3.4/40\"} ] }\n",
					  true, devnull, err, sizeof(err)), -1);
	assert_string_equal(err, "bad.json:2: ipv4_src: expected an IPv4 address or CIDR "
				 "prefix like 10.0.0.0/8");
	assert_int_equal(fw_engine_ruleset(e)->generation, 1);
	assert_int_equal(decide1(e, ssh, 0), FW_V_DENY_RULE);

	assert_int_equal(fw_engine_reload(e, "good.json",
					  "{ \"default\": \"allow\", \"rules\": [] }", true, devnull,
					  err, sizeof(err)), 0);
	assert_int_equal(fw_engine_ruleset(e)->generation, 2);
	assert_int_equal(decide1(e, ssh, 0), FW_V_DEFAULT_ALLOW);

	/* Turning stateful on by reload creates the table then. */
	assert_int_equal(fw_engine_reload(e, "st.json", stateful_rules, true, devnull, err,
					  sizeof(err)), 0);
	assert_int_equal(decide1(e, ipv4_frame(PKT_PROTO_UDP, CLIENT, 1, SERVER, 2, 0), 0),
			 FW_V_ALLOW_RULE);
	assert_int_equal(decide1(e, ipv4_frame(PKT_PROTO_UDP, SERVER, 2, CLIENT, 1, 0), 0),
			 FW_V_ESTABLISHED);
	fclose(devnull);
	fw_engine_free(e, NULL);
}

/* A second thread reloads back and forth while this one runs bursts. */
struct reloader {
	struct fw_engine *e;
	int done;
	int failures;
};

static const char allow_all[] = "{ \"default\": \"allow\", \"rules\": [] }";
static const char deny_all[] = "{ \"default\": \"deny\", \"rules\": [ {\"action\":\"deny\"} ] }";

static void *
reload_loop(void *arg)
{
	struct reloader *r = arg;
	char err[CFG_ERR_LEN];
	int i;

	for (i = 0; i < 20; i++)
		if (fw_engine_reload(r->e, "x.json", (i & 1) ? allow_all : deny_all, false, NULL,
				     err, sizeof(err)) < 0)
			r->failures++;
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
reload_while_running(void **state)
{
	char err[CFG_ERR_LEN] = "";
	struct reloader r = { 0 };
	struct frame f[8];
	uint8_t v[8];
	pthread_t th;
	int i, bursts = 0;

	r.e = fw_engine_create_string("a.json", allow_all, 0, err, sizeof(err));
	assert_non_null(r.e);
	for (i = 0; i < 8; i++)
		f[i] = ipv4_frame(PKT_PROTO_UDP, CLIENT, (uint16_t)i, SERVER, 53, 0);
	assert_int_equal(pthread_create(&th, NULL, reload_loop, &r), 0);
	while (!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE)) {
		decide(r.e, f, 8, 0, v);  /* quiescent after each burst */
		/* One burst sees one rule set: all alike. */
		for (i = 1; i < 8; i++)
			assert_int_equal(v[i], v[0]);
		bursts++;
	}
	pthread_join(th, NULL);
	assert_int_equal(r.failures, 0);
	assert_int_equal(fw_engine_ruleset(r.e)->generation, 21);
	assert_true(bursts > 0);
	/* The last reload (i = 19) installed allow_all. */
	decide(r.e, f, 1, 0, v);
	assert_int_equal(v[0], FW_V_DEFAULT_ALLOW);
	fw_engine_free(r.e, NULL);
}

/* Periodic prints show only the rules with new hits, capped; the final one all hit rules. */
static void
rule_hits_printing(void **state)
{
	char err[CFG_ERR_LEN] = "";
	struct fw_engine *e = fw_engine_create_string("s.json", stateless_rules, 0, err,
						      sizeof(err));
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	assert_non_null(e);
	decide1(e, ipv4_frame(PKT_PROTO_TCP, CLIENT, 1234, SERVER, 80, PKT_TCP_SYN), 0);
	decide1(e, ipv4_frame(PKT_PROTO_TCP, CLIENT, 1234, SERVER, 22, PKT_TCP_SYN), 0);

	out = open_memstream(&buf, &len);
	fw_engine_print_rule_hits(e, out, false, 1);
	fclose(out);
	assert_string_equal(buf,
		"  rule 0 ssh-block                deny  1\n"
		"  ... and 1 more rules with new hits\n");
	free(buf);

	/* Nothing new since: nothing printed. Then one more web hit. */
	out = open_memstream(&buf, &len);
	fw_engine_print_rule_hits(e, out, false, 32);
	fclose(out);
	assert_string_equal(buf, "");
	free(buf);
	decide1(e, ipv4_frame(PKT_PROTO_TCP, CLIENT, 1234, SERVER, 443, PKT_TCP_SYN), 0);
	out = open_memstream(&buf, &len);
	fw_engine_print_rule_hits(e, out, false, 32);
	fclose(out);
	assert_string_equal(buf, "  rule 1 web                      allow 2\n");
	free(buf);

	out = open_memstream(&buf, &len);
	fw_engine_print_rule_hits(e, out, true, UINT32_MAX);
	fclose(out);
	assert_string_equal(buf,
		"  rule 0 ssh-block                deny  1\n"
		"  rule 1 web                      allow 2\n");
	free(buf);
	fw_engine_free(e, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stateless_decisions_and_counters),
		cmocka_unit_test(malformed_and_truncated),
		cmocka_unit_test(stateful_replies_pass),
		cmocka_unit_test(reload_bad_file_keeps_old_rules),
		cmocka_unit_test(reload_while_running),
		cmocka_unit_test(rule_hits_printing),
	};

	if (fw_test_eal_init("fwtest_engine") < 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_eal_cleanup("fwtest_engine");
	return rc;
}
