/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine on crafted frames: patterns split across TCP segments, holes
 * and retransmissions, IPS drops and their retransmissions, offset/depth in
 * stream coordinates, flow direction, the stream window bound, eve.json
 * output, and malformed packets passing without a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "byte_order.h"
#include "ids_engine.h"

#define CLI 0x0a000001u
#define SRV 0xc0a80101u

/* Ethernet + IPv4 + TCP (+ payload); returns the frame length. */
static uint32_t
tcp_frame(uint8_t *f, uint32_t sip, uint32_t dip, uint16_t sp, uint16_t dp, uint32_t seq,
	  uint8_t flags, const char *payload)
{
	uint32_t plen = payload ? (uint32_t)strlen(payload) : 0;

	memset(f, 0, 54);
	be16_store(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	be16_store(ip + 2, (uint16_t)(20 + 20 + plen));
	ip[8] = 64;
	ip[9] = 6;
	be32_store(ip + 12, sip);
	be32_store(ip + 16, dip);
	uint8_t *tcp = ip + 20;
	be16_store(tcp, sp);
	be16_store(tcp + 2, dp);
	be32_store(tcp + 4, seq);
	be32_store(tcp + 8, 1);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	be16_store(tcp + 14, 65535);
	if (plen)
		memcpy(tcp + 20, payload, plen);
	return 54 + plen;
}

struct fixture {
	struct ids_engine *e;
	FILE *alerts;
	char *text;
	size_t len;
	uint64_t ts;
};

static struct fixture *
setup(const char *rules, uint32_t window)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct ids_load_opts lo = { .strict = true };
	struct ids_ruleset *rs = ids_rules_load_str("t", rules, &lo);

	assert_non_null(rs);
	fx->alerts = open_memstream(&fx->text, &fx->len);
	struct ids_engine_cfg cfg = { .alerts = fx->alerts, .window = window, .max_flows = 64 };
	fx->e = ids_engine_new(rs, &cfg, NULL);
	assert_non_null(fx->e);
	fx->ts = 1700000000ull * 1000000000ull;
	return fx;
}

static void
teardown(struct fixture *fx)
{
	ids_engine_free(fx->e);
	fclose(fx->alerts);
	free(fx->text);
	free(fx);
}

/* Send one segment; returns the verdict. */
static enum ids_verdict
seg(struct fixture *fx, bool from_client, uint32_t seq, uint8_t flags, const char *payload)
{
	uint8_t f[2048];
	uint32_t n = from_client ? tcp_frame(f, CLI, SRV, 40000, 80, seq, flags, payload)
				 : tcp_frame(f, SRV, CLI, 80, 40000, seq, flags, payload);
	fx->ts += 1000;
	return ids_engine_inspect(fx->e, f, n, fx->ts, 0);
}

static uint64_t
alerts(struct fixture *fx)
{
	return ids_engine_counters(fx->e)->alerts;
}

/* Client ISN 1000 (data from 1001), server ISN 5000. */
static void
handshake(struct fixture *fx)
{
	seg(fx, true, 1000, 0x02, NULL);
	seg(fx, false, 5000, 0x12, NULL);
	seg(fx, true, 1001, 0x10, NULL);
}

static void
test_split_in_order(void **state)
{
	struct fixture *fx = setup("alert tcp any any -> any 80 (msg:\"atk\"; flow:to_server,"
				   "established; content:\"ATTACK\"; sid:1; rev:3; "
				   "classtype:attempted-admin;)\n", 0);
	handshake(fx);
	assert_int_equal(seg(fx, true, 1001, 0x18, "xxAT"), IDS_PASS);
	assert_int_equal(alerts(fx), 0);
	assert_int_equal(seg(fx, true, 1005, 0x18, "TA"), IDS_PASS);
	assert_int_equal(alerts(fx), 0);
	assert_int_equal(seg(fx, true, 1007, 0x18, "CKyy"), IDS_PASS);
	assert_int_equal(alerts(fx), 1); /* three segments, one alert */
	assert_int_equal(seg(fx, true, 1011, 0x18, "zz"), IDS_PASS);
	assert_int_equal(alerts(fx), 1); /* not again for old bytes */
	/* A retransmission of the last part alone holds no whole pattern. */
	seg(fx, true, 1007, 0x18, "CKyy");
	assert_int_equal(alerts(fx), 1);
	/* The same bytes from the server: the rule is to_server. */
	seg(fx, false, 5001, 0x18, "ATTACK");
	assert_int_equal(alerts(fx), 1);

	fflush(fx->alerts);
	json_error_t err;
	json_t *ev = json_loads(fx->text, JSON_DISABLE_EOF_CHECK, &err);
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "event_type")), "alert");
	assert_string_equal(json_string_value(json_object_get(ev, "timestamp")),
			    "2023-11-14T22:13:20.000006+0000");
	assert_string_equal(json_string_value(json_object_get(ev, "src_ip")), "10.0.0.1");
	assert_int_equal(json_integer_value(json_object_get(ev, "src_port")), 40000);
	assert_string_equal(json_string_value(json_object_get(ev, "dest_ip")), "192.168.1.1");
	assert_int_equal(json_integer_value(json_object_get(ev, "dest_port")), 80);
	assert_string_equal(json_string_value(json_object_get(ev, "proto")), "TCP");
	assert_true(json_integer_value(json_object_get(ev, "flow_id")) > 0);
	json_t *al = json_object_get(ev, "alert");
	assert_string_equal(json_string_value(json_object_get(al, "action")), "allowed");
	assert_int_equal(json_integer_value(json_object_get(al, "gid")), 1);
	assert_int_equal(json_integer_value(json_object_get(al, "signature_id")), 1);
	assert_int_equal(json_integer_value(json_object_get(al, "rev")), 3);
	assert_string_equal(json_string_value(json_object_get(al, "signature")), "atk");
	assert_string_equal(json_string_value(json_object_get(al, "category")),
			    "Attempted Administrator Privilege Gain");
	assert_int_equal(json_integer_value(json_object_get(al, "severity")), 1);
	json_decref(ev);
	teardown(fx);
}

static void
test_multi_content_across_segments(void **state)
{
	struct fixture *fx = setup("alert tcp any any -> any any (content:\"USER \"; depth:5; "
				   "content:\"root\"; distance:0; within:4; sid:2;)\n", 0);
	handshake(fx);
	seg(fx, true, 1001, 0x18, "USER");
	seg(fx, true, 1005, 0x18, " ro");
	assert_int_equal(alerts(fx), 0);
	seg(fx, true, 1008, 0x18, "ot\r\n");
	assert_int_equal(alerts(fx), 1);
	/* depth counts from the stream start: a second command does not match. */
	seg(fx, true, 1012, 0x18, "USER root\r\n");
	assert_int_equal(alerts(fx), 1);
	teardown(fx);
}

static void
test_holes_and_reordering(void **state)
{
	struct fixture *fx = setup("alert tcp any any -> any any (content:\"EVIL\"; sid:3;)\n", 0);
	handshake(fx);
	/* The second half first: a hole, inspected alone. */
	seg(fx, true, 1003, 0x18, "IL");
	seg(fx, true, 1001, 0x18, "EV");
	/* Documented limit: a pattern split across reordered segments is missed. */
	assert_int_equal(alerts(fx), 0);
	/* After the resync, in-order segments join again. */
	seg(fx, true, 1005, 0x18, "EV");
	seg(fx, true, 1007, 0x18, "IL");
	assert_int_equal(alerts(fx), 1);
	/* Any whole pattern in an out-of-window segment is still found. */
	seg(fx, true, 9000, 0x18, "..EVIL..");
	assert_int_equal(alerts(fx), 2);
	/* A late old segment with a whole pattern too (retransmission with new bytes). */
	seg(fx, true, 1001, 0x18, "EVIL");
	assert_int_equal(alerts(fx), 3);
	teardown(fx);
}

static void
test_ips_drop_and_retransmission(void **state)
{
	struct fixture *fx = setup("drop tcp any any -> any any (msg:\"x\"; content:\"rm -rf\"; "
				   "sid:4;)\n", 0);
	handshake(fx);
	assert_int_equal(seg(fx, true, 1001, 0x18, "do rm "), IDS_PASS);
	assert_int_equal(seg(fx, true, 1007, 0x18, "-rf /"), IDS_DROP);
	/* The receiver never got it: the retransmission is dropped too. */
	assert_int_equal(seg(fx, true, 1007, 0x18, "-rf /"), IDS_DROP);
	/* Benign replacement bytes pass and the stream continues. */
	assert_int_equal(seg(fx, true, 1007, 0x18, "-l /"), IDS_PASS);
	assert_int_equal(seg(fx, true, 1011, 0x18, "ok"), IDS_PASS);
	assert_int_equal(ids_engine_counters(fx->e)->drops, 2);
	fflush(fx->alerts);
	assert_non_null(strstr(fx->text, "\"action\":\"blocked\""));
	assert_null(strstr(fx->text, "\"allowed\""));
	teardown(fx);
}

/* A drop rule after 100 matching alert rules still drops. */
static void
test_drop_after_many_alerts(void **state)
{
	char rules[100 * 80 + 128];
	size_t o = 0;

	for (int i = 1; i <= 100; i++)
		o += (size_t)snprintf(rules + o, sizeof(rules) - o,
				      "alert tcp any any -> any any (content:\"X\"; sid:%d;)\n", i);
	snprintf(rules + o, sizeof(rules) - o,
		 "drop tcp any any -> any any (content:\"X\"; sid:1000;)\n");
	struct fixture *fx = setup(rules, 0);
	handshake(fx);
	assert_int_equal(seg(fx, true, 1001, 0x18, "X"), IDS_DROP);
	assert_int_equal(alerts(fx), 101);
	teardown(fx);
}

static void
test_window_bound(void **state)
{
	struct fixture *fx = setup("alert tcp any any -> any any (content:\"AAAA\"; "
				   "content:\"BBBB\"; distance:0; sid:5;)\n", 16);
	handshake(fx);
	seg(fx, true, 1001, 0x18, "AAAA0123456789");   /* 14 bytes */
	seg(fx, true, 1015, 0x18, "BBBB");            /* AAAA still in the 16-byte window */
	assert_int_equal(alerts(fx), 1);
	seg(fx, true, 1019, 0x18, "AAAA0123456789abcdef"); /* 20 bytes */
	seg(fx, true, 1039, 0x18, "BBBB");            /* this AAAA fell out of the window */
	assert_int_equal(alerts(fx), 1);
	teardown(fx);
}

static void
test_eviction_and_rule_hits(void **state)
{
	struct fixture *fx = setup("alert tcp any any -> any any (content:\"EVIL\"; sid:11;)\n"
				   "alert tcp any any -> any any (content:\"GOOD\"; sid:12;)\n", 0);
	uint8_t f[256];

	/* 64-flow table, 1000 flows each split "EV" | "IL": the oldest go. */
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t n = tcp_frame(f, CLI + i, SRV, (uint16_t)(1000 + i), 80, 5, 0x18, "EV");
		ids_engine_inspect(fx->e, f, n, 1000 + i, 0);
	}
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t n = tcp_frame(f, CLI + i, SRV, (uint16_t)(1000 + i), 80, 7, 0x18, "IL");
		ids_engine_inspect(fx->e, f, n, 5000 + i, 0);
	}
	const char *names[8];
	uint64_t values[8];
	uint32_t k = ids_engine_extra_stats(fx->e, names, values, 8);
	assert_int_equal(k, 5);
	assert_string_equal(names[1], "flow_evicted");
	assert_true(values[1] >= 1000); /* the table never grew */
	/* Evicted flows restart mid-stream: their halves are not joined. */
	assert_true(alerts(fx) < 100);
	assert_int_equal(ids_engine_rule_hits(fx->e)[0], alerts(fx));
	assert_int_equal(ids_engine_rule_hits(fx->e)[1], 0);
	teardown(fx);
}

static void
test_no_window(void **state)
{
	struct fixture *fx = setup("alert tcp any any -> any any (content:\"EVIL\"; sid:10;)\n",
				   IDS_WINDOW_NONE);
	handshake(fx);
	seg(fx, true, 1001, 0x18, "EV");
	seg(fx, true, 1003, 0x18, "IL");
	assert_int_equal(alerts(fx), 0); /* each segment alone */
	seg(fx, true, 1005, 0x18, "xEVILx");
	assert_int_equal(alerts(fx), 1);
	teardown(fx);
}

static void
test_new_connection_on_same_tuple(void **state)
{
	struct fixture *fx = setup("alert tcp any any -> any any (content:\"GET\"; depth:3; "
				   "sid:6;)\n", 0);
	handshake(fx);
	seg(fx, true, 1001, 0x18, "GET /");
	seg(fx, true, 1000000, 0x02, NULL); /* a new SYN reuses the 5-tuple */
	seg(fx, false, 7000, 0x12, NULL);
	seg(fx, true, 1000001, 0x10, NULL);
	seg(fx, true, 1000001, 0x18, "GET /again");
	assert_int_equal(alerts(fx), 2);
	teardown(fx);
}

static void
test_malformed(void **state)
{
	struct fixture *fx = setup("alert ip any any -> any any (sid:7;)\n", 0);
	uint8_t f[128];
	uint32_t n;

	n = tcp_frame(f, CLI, SRV, 1, 2, 0, 0x18, "hello");
	f[14] = 0x43; /* IHL 3 */
	assert_int_equal(ids_engine_inspect(fx->e, f, n, 1, 0), IDS_PASS);
	n = tcp_frame(f, CLI, SRV, 1, 2, 0, 0x18, "hello");
	assert_int_equal(ids_engine_inspect(fx->e, f, 14 + 20 + 10, 1, 0), IDS_PASS); /* short TCP */
	n = tcp_frame(f, CLI, SRV, 1, 2, 0, 0x18, "hello");
	f[14 + 20 + 12] = 15 << 4; /* data offset 60 > what is there */
	assert_int_equal(ids_engine_inspect(fx->e, f, n, 1, 0), IDS_PASS);
	n = tcp_frame(f, CLI, SRV, 1, 2, 0, 0x18, "hello");
	f[14 + 6] = 0x20; /* more fragments */
	assert_int_equal(ids_engine_inspect(fx->e, f, n, 1, 0), IDS_PASS);
	assert_int_equal(ids_engine_inspect(fx->e, f, 10, 1, 0), IDS_PASS); /* runt */
	for (uint32_t len = 0; len < 60; len++) { /* every truncation */
		n = tcp_frame(f, CLI, SRV, 1, 2, 0, 0x18, "hello");
		ids_engine_inspect(fx->e, f, len, 1, 0);
	}
	const struct ids_counters *c = ids_engine_counters(fx->e);
	assert_true(c->malformed >= 3 + 20);
	assert_int_equal(c->fragments, 1);
	assert_int_equal(c->alerts, 1); /* only the one complete frame (len 59) */
	teardown(fx);
}

static void
test_udp_and_icmp(void **state)
{
	struct fixture *fx = setup("alert udp any any -> any 53 (content:\"|07|example\"; "
				   "nocase; sid:8;)\n"
				   "alert icmp any any -> any any (msg:\"ping\"; sid:9;)\n"
				   "alert icmp any any -> any any (content:\"PAY\"; depth:3; sid:10;)\n",
				   0);
	uint8_t f[128];
	uint32_t n = tcp_frame(f, CLI, SRV, 5353, 53, 0, 0, NULL);

	/* Turn it into UDP: 8-byte header + payload. */
	const char *q = "\x07" "EXAMPLE\x03" "com";
	uint8_t *ip = f + 14, *udp = ip + 20;
	ip[9] = 17;
	be16_store(ip + 2, (uint16_t)(20 + 8 + strlen(q)));
	be16_store(udp + 4, (uint16_t)(8 + strlen(q)));
	memcpy(udp + 8, q, strlen(q));
	n = 14 + 20 + 8 + (uint32_t)strlen(q);
	ids_engine_inspect(fx->e, f, n, 1, 0);
	assert_int_equal(alerts(fx), 1);

	ip[9] = 1;
	be16_store(ip + 2, 20 + 8);
	udp[0] = 8; /* echo request */
	udp[1] = 0;
	ids_engine_inspect(fx->e, f, 14 + 28, 2, 0);
	assert_int_equal(alerts(fx), 2);
	/* The payload starts after the 8-byte ICMP header (id and sequence). */
	be16_store(ip + 2, 20 + 8 + 3);
	memcpy(udp + 4, "\0\0\0\0PAY", 7);
	ids_engine_inspect(fx->e, f, 14 + 28 + 3, 3, 0);
	assert_int_equal(alerts(fx), 4); /* sid 9, and sid 10 on the bytes after it */
	memcpy(udp + 4, "PAY\0xyz", 7);
	ids_engine_inspect(fx->e, f, 14 + 28 + 3, 4, 0);
	assert_int_equal(alerts(fx), 5); /* "PAY" inside id/seq is not payload */
	fflush(fx->alerts);
	assert_non_null(strstr(fx->text, "\"proto\":\"ICMP\",\"icmp_type\":8,\"icmp_code\":0"));
	assert_non_null(strstr(fx->text, "\"proto\":\"UDP\""));
	teardown(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_in_order),
		cmocka_unit_test(test_multi_content_across_segments),
		cmocka_unit_test(test_holes_and_reordering),
		cmocka_unit_test(test_ips_drop_and_retransmission),
		cmocka_unit_test(test_drop_after_many_alerts),
		cmocka_unit_test(test_window_bound),
		cmocka_unit_test(test_eviction_and_rule_hits),
		cmocka_unit_test(test_no_window),
		cmocka_unit_test(test_new_connection_on_same_tuple),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_udp_and_icmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
