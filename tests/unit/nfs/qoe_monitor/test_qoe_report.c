/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_report: the documented field names (nfs/qoe_monitor/README.md), null for what cannot be known and 0
 * for what is known to be zero, Suricata's timestamp format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qoe_report.h"

#define MS 1000000ull
#define SEC 1000000000ull

static const char *const top_fields[] = { "event_type", "flow_id", "src_ip", "src_port",
	"dest_ip", "dest_port", "proto", "flow", "qoe", NULL };
static const char *const flow_fields[] = { "pkts_toserver", "pkts_toclient", "bytes_toserver",
	"bytes_toclient", "start", "end", "age", "state", "reason", NULL };
static const char *const qoe_fields[] = { "rtt_handshake_ms", "rtt_min_ms", "rtt_avg_ms",
	"rtt_max_ms", "rtt_samples", "retransmissions_toserver", "retransmissions_toclient",
	"out_of_order", "zero_window", "throughput_bps_toserver", "throughput_bps_toclient",
	"jitter_ms", "lost", NULL };

/* Exactly these keys, in this order. */
static void
assert_keys(json_t *o, const char *const *names)
{
	const char *key;
	json_t *v;
	size_t i = 0;

	json_object_foreach(o, key, v) {
		assert_non_null(names[i]);
		assert_string_equal(key, names[i]);
		i++;
	}
	assert_null(names[i]);
}

static struct qoe_flow
tcp_flow(void)
{
	struct qoe_flow f;

	memset(&f, 0, sizeof(f));
	f.client = (struct pkt_5tuple){ .src_ip = 0x0a000001, .dst_ip = 0x0a000002,
					.src_port = 40000, .dst_port = 80, .proto = PKT_PROTO_TCP };
	f.flow_id = 42;
	f.start_ns = 1504657383ull * SEC + 661249000ull;
	f.last_ns = f.start_ns + 2 * SEC + 500 * MS;
	f.pkts[0] = 3;
	f.pkts[1] = 5;
	f.bytes[0] = 250;
	f.bytes[1] = 5000;
	f.state = QOE_STATE_ESTABLISHED;
	qoe_tcp_init(&f.tcp);
	return f;
}

static void
test_fields_and_values(void **state)
{
	struct qoe_flow f = tcp_flow();

	f.tcp.handshake = QOE_HS_DONE;
	f.tcp.handshake_known = true;
	f.tcp.handshake_ns = 1597000;
	f.tcp.rtt_samples = 2;
	f.tcp.rtt_min_ns = 585000;
	f.tcp.rtt_max_ns = 4708000;
	f.tcp.rtt_sum_ns = 585000 + 4708000;
	f.tcp.dir[1].retransmissions = 7;
	f.tcp.dir[0].out_of_order = 1;
	f.tcp.dir[1].out_of_order = 2;
	f.tcp.dir[0].zero_window = 4;

	json_t *o = qoe_report_json(&f, QOE_REASON_INTERVAL);
	assert_keys(o, top_fields);
	assert_keys(json_object_get(o, "flow"), flow_fields);
	assert_keys(json_object_get(o, "qoe"), qoe_fields);

	assert_string_equal(json_string_value(json_object_get(o, "event_type")), "qoe");
	assert_int_equal(json_integer_value(json_object_get(o, "flow_id")), 42);
	assert_string_equal(json_string_value(json_object_get(o, "src_ip")), "10.0.0.1");
	assert_int_equal(json_integer_value(json_object_get(o, "src_port")), 40000);
	assert_string_equal(json_string_value(json_object_get(o, "dest_ip")), "10.0.0.2");
	assert_string_equal(json_string_value(json_object_get(o, "proto")), "TCP");

	json_t *fl = json_object_get(o, "flow");
	assert_int_equal(json_integer_value(json_object_get(fl, "bytes_toclient")), 5000);
	assert_string_equal(json_string_value(json_object_get(fl, "start")),
			    "2017-09-06T00:23:03.661249+0000");
	assert_string_equal(json_string_value(json_object_get(fl, "end")),
			    "2017-09-06T00:23:06.161249+0000");
	assert_int_equal(json_integer_value(json_object_get(fl, "age")), 3); /* 03 -> 06 */
	assert_string_equal(json_string_value(json_object_get(fl, "state")), "established");
	assert_string_equal(json_string_value(json_object_get(fl, "reason")), "interval");

	json_t *q = json_object_get(o, "qoe");
	assert_true(json_real_value(json_object_get(q, "rtt_handshake_ms")) == 1.597);
	assert_true(json_real_value(json_object_get(q, "rtt_min_ms")) == 0.585);
	assert_true(json_real_value(json_object_get(q, "rtt_avg_ms")) == 2.6465);
	assert_true(json_real_value(json_object_get(q, "rtt_max_ms")) == 4.708);
	assert_int_equal(json_integer_value(json_object_get(q, "rtt_samples")), 2);
	assert_true(json_is_integer(json_object_get(q, "retransmissions_toserver")));
	assert_int_equal(json_integer_value(json_object_get(q, "retransmissions_toserver")), 0);
	assert_int_equal(json_integer_value(json_object_get(q, "retransmissions_toclient")), 7);
	assert_int_equal(json_integer_value(json_object_get(q, "out_of_order")), 3);
	assert_int_equal(json_integer_value(json_object_get(q, "zero_window")), 4);
	/* 250 bytes in 2.5 s = 800 bit/s; 5000 bytes = 16000 bit/s */
	assert_int_equal(json_integer_value(json_object_get(q, "throughput_bps_toserver")), 800);
	assert_int_equal(json_integer_value(json_object_get(q, "throughput_bps_toclient")), 16000);
	assert_true(json_is_null(json_object_get(q, "jitter_ms")));
	assert_true(json_is_null(json_object_get(q, "lost")));
	json_decref(o);
}

static void
test_tcp_unknowns_are_null_zeros_are_zero(void **state)
{
	struct qoe_flow f = tcp_flow();

	f.last_ns = f.start_ns;   /* one instant */
	json_t *o = qoe_report_json(&f, QOE_REASON_TIMEOUT);
	json_t *q = json_object_get(o, "qoe");

	assert_true(json_is_null(json_object_get(q, "rtt_handshake_ms")));
	assert_true(json_is_null(json_object_get(q, "rtt_min_ms")));
	assert_true(json_is_null(json_object_get(q, "rtt_avg_ms")));
	assert_true(json_is_null(json_object_get(q, "rtt_max_ms")));
	assert_true(json_is_integer(json_object_get(q, "rtt_samples")));
	assert_int_equal(json_integer_value(json_object_get(q, "rtt_samples")), 0);
	assert_true(json_is_integer(json_object_get(q, "out_of_order")));
	assert_true(json_is_null(json_object_get(q, "throughput_bps_toserver")));
	assert_true(json_is_null(json_object_get(q, "throughput_bps_toclient")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "flow"), "age")), 0);
	json_decref(o);

	/* A handshake whose ACK came "before" the SYN (clock stepped back). */
	f = tcp_flow();
	f.tcp.handshake = QOE_HS_DONE;
	f.tcp.handshake_known = false;
	o = qoe_report_json(&f, QOE_REASON_TIMEOUT);
	assert_true(json_is_null(json_object_get(json_object_get(o, "qoe"), "rtt_handshake_ms")));
	json_decref(o);
}

static void
test_udp_rtp_and_not(void **state)
{
	struct qoe_flow f = tcp_flow();
	uint8_t p[12] = { 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9 };

	f.client.proto = PKT_PROTO_UDP;
	qoe_rtp_init(&f.rtp[0]);
	qoe_rtp_init(&f.rtp[1]);
	json_t *o = qoe_report_json(&f, QOE_REASON_SHUTDOWN);
	json_t *q = json_object_get(o, "qoe");
	assert_keys(q, qoe_fields);
	for (int i = 0; i < 9; i++)   /* every TCP figure */
		assert_true(json_is_null(json_object_get(q, qoe_fields[i])));
	assert_true(json_is_null(json_object_get(q, "jitter_ms")));
	assert_true(json_is_null(json_object_get(q, "lost")));
	assert_string_equal(json_string_value(json_object_get(o, "proto")), "UDP");
	json_decref(o);

	/* a perfect RTP stream: jitter 0.0 and lost 0, known, not null */
	qoe_rtp_packet(&f.rtp[0], p, sizeof(p), 0);
	p[3] = 2;
	p[7] = 160;
	qoe_rtp_packet(&f.rtp[0], p, sizeof(p), 20 * MS);
	o = qoe_report_json(&f, QOE_REASON_SHUTDOWN);
	q = json_object_get(o, "qoe");
	assert_true(json_is_real(json_object_get(q, "jitter_ms")));
	assert_true(json_real_value(json_object_get(q, "jitter_ms")) == 0.0);
	assert_true(json_is_integer(json_object_get(q, "lost")));
	assert_int_equal(json_integer_value(json_object_get(q, "lost")), 0);
	json_decref(o);

	/* the other direction is not RTP: neither is the flow */
	uint8_t junk[4] = { 1, 2, 3, 4 };
	qoe_rtp_packet(&f.rtp[1], junk, sizeof(junk), 30 * MS);
	o = qoe_report_json(&f, QOE_REASON_SHUTDOWN);
	assert_true(json_is_null(json_object_get(json_object_get(o, "qoe"), "jitter_ms")));
	json_decref(o);
}

static void
test_no_ports_and_reasons(void **state)
{
	struct qoe_flow f = tcp_flow();

	f.client.proto = PKT_PROTO_ICMP;
	f.state = QOE_STATE_CLOSED;
	json_t *o = qoe_report_json(&f, QOE_REASON_FIN);
	assert_true(json_is_null(json_object_get(o, "src_port")));
	assert_true(json_is_null(json_object_get(o, "dest_port")));
	assert_string_equal(json_string_value(json_object_get(o, "proto")), "ICMP");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "flow"), "state")),
			    "closed");
	json_decref(o);
	f.client.proto = 47;
	o = qoe_report_json(&f, QOE_REASON_RST);
	assert_string_equal(json_string_value(json_object_get(o, "proto")), "47");
	json_decref(o);
	assert_string_equal(qoe_reason_name(QOE_REASON_INTERVAL), "interval");
	assert_string_equal(qoe_reason_name(QOE_REASON_FIN), "fin");
	assert_string_equal(qoe_reason_name(QOE_REASON_RST), "rst");
	assert_string_equal(qoe_reason_name(QOE_REASON_TIMEOUT), "timeout");
	assert_string_equal(qoe_reason_name(QOE_REASON_SHUTDOWN), "shutdown");
	assert_string_equal(qoe_state_name(QOE_STATE_NEW), "new");
}

static void
test_one_line_per_record(void **state)
{
	struct qoe_flow f = tcp_flow();
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_int_equal(qoe_report_write(m, &f, QOE_REASON_FIN), 0);
	assert_int_equal(qoe_report_write(m, &f, QOE_REASON_FIN), 0);
	fclose(m);
	char *nl = strchr(buf, '\n');
	assert_non_null(nl);
	assert_non_null(strchr(nl + 1, '\n'));
	assert_int_equal(buf[len - 1], '\n');
	json_error_t err;
	json_t *o = json_loadb(buf, (size_t)(nl - buf), 0, &err);
	assert_non_null(o);
	json_decref(o);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_values),
		cmocka_unit_test(test_tcp_unknowns_are_null_zeros_are_zero),
		cmocka_unit_test(test_udp_rtp_and_not),
		cmocka_unit_test(test_no_ports_and_reasons),
		cmocka_unit_test(test_one_line_per_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
