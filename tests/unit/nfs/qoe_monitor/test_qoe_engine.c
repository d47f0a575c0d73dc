/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_engine: frames in, records out. Who the client is, when flows end
 * and why, interval records, eviction, and malformed frames that pass
 * through counted and harmless. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "byte_order.h"
#include "qoe_engine.h"
#include "qoe_test_frames.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define T0 (1700000000ull * SEC)
#define CLI 0x0a000001u
#define SRV 0x0a000002u
#define SYN 0x02
#define ACK 0x10
#define FIN 0x01

struct out {
	FILE *f;
	char *buf;
	size_t len;
	struct qoe_engine *e;
};

/* open_memstream keeps &o->buf: `o` must outlive the stream. */
static void
start(struct out *o, uint32_t max_flows, uint64_t interval_ns)
{
	struct qoe_config cfg;

	memset(o, 0, sizeof(*o));
	qoe_config_defaults(&cfg);
	cfg.max_flows = max_flows;
	cfg.interval_ns = interval_ns;
	o->f = open_memstream(&o->buf, &o->len);
	o->e = qoe_engine_create(&cfg, o->f);
	assert_non_null(o->e);
}

/* The records written so far, as a JSON array. */
static json_t *
records(struct out *o)
{
	json_t *a = json_array();

	fflush(o->f);
	for (char *line = o->buf; line && *line;) {
		char *nl = strchr(line, '\n');
		json_error_t err;

		assert_non_null(nl);
		json_t *r = json_loadb(line, (size_t)(nl - line), 0, &err);
		assert_non_null(r);
		json_array_append_new(a, r);
		line = nl + 1;
	}
	return a;
}

static void
finish(struct out *o)
{
	qoe_engine_destroy(o->e);
	fclose(o->f);
	free(o->buf);
}

static const char *
str(json_t *r, const char *obj, const char *key)
{
	return json_string_value(json_object_get(obj ? json_object_get(r, obj) : r, key));
}

static json_int_t
num(json_t *r, const char *obj, const char *key)
{
	return json_integer_value(json_object_get(obj ? json_object_get(r, obj) : r, key));
}

static void
tcp(struct out *o, bool from_client, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len,
    uint64_t t)
{
	uint8_t f[1600];
	uint32_t n = from_client ?
		frame_tcp(f, CLI, 40000, SRV, 80, flags, seq, ack, 1000, len) :
		frame_tcp(f, SRV, 80, CLI, 40000, flags, seq, ack, 1000, len);

	assert_int_equal(qoe_engine_packet(o->e, f, n, n + 4, t, 0), QOE_PKT_FLOW);
}

static void
test_tcp_lifecycle_fin(void **state)
{
	struct out o;

	start(&o, 16, 0);

	tcp(&o, true, SYN, 0, 0, 0, T0);
	tcp(&o, false, SYN | ACK, 0, 1, 0, T0 + 10 * MS);
	tcp(&o, true, ACK, 1, 1, 0, T0 + 11 * MS);
	tcp(&o, true, ACK, 1, 1, 100, T0 + 12 * MS);
	tcp(&o, false, ACK, 1, 101, 1000, T0 + 30 * MS);
	tcp(&o, true, ACK | FIN, 101, 1001, 0, T0 + 40 * MS);
	tcp(&o, false, ACK | FIN, 1001, 102, 0, T0 + 50 * MS);
	tcp(&o, true, ACK, 102, 1002, 0, T0 + 51 * MS);

	/* closed, but a late retransmission still belongs to it */
	qoe_engine_tick(o.e, T0 + 1 * SEC);
	json_t *a = records(&o);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
	tcp(&o, false, ACK | FIN, 1001, 102, 0, T0 + 1500 * MS);
	qoe_engine_tick(o.e, T0 + 3 * SEC);
	a = records(&o);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
	qoe_engine_tick(o.e, T0 + 3500 * MS);
	a = records(&o);
	assert_int_equal(json_array_size(a), 1);
	json_t *r = json_array_get(a, 0);
	assert_string_equal(str(r, "flow", "reason"), "fin");
	assert_string_equal(str(r, "flow", "state"), "closed");
	assert_string_equal(str(r, NULL, "src_ip"), "10.0.0.1");
	assert_int_equal(num(r, NULL, "dest_port"), 80);
	assert_int_equal(num(r, "flow", "pkts_toserver"), 5);
	assert_int_equal(num(r, "flow", "pkts_toclient"), 4);
	/* whole frames as received: 4 more than captured here */
	assert_int_equal(num(r, "flow", "bytes_toserver"), 5 * (54 + 4) + 100);
	assert_int_equal(num(r, "qoe", "retransmissions_toclient"), 1);
	assert_true(json_real_value(json_object_get(json_object_get(r, "qoe"),
						    "rtt_handshake_ms")) == 11.0);
	assert_int_equal(qoe_engine_active_flows(o.e), 0);
	json_decref(a);
	finish(&o);
}

static void
test_client_is_synack_receiver_or_first_sender(void **state)
{
	struct out o;

	start(&o, 16, 0);
	uint8_t f[200];
	uint8_t payload[8] = { 0 };

	/* the SYN was missed: the SYN-ACK's receiver is the client */
	tcp(&o, false, SYN | ACK, 0, 1, 0, T0);
	tcp(&o, true, ACK, 1, 1, 0, T0 + MS);
	/* UDP: the first sender */
	uint32_t n = frame_udp(f, SRV, 53, CLI, 33000, payload, sizeof(payload));
	qoe_engine_packet(o.e, f, n, n, T0 + 2 * MS, 0);
	n = frame_udp(f, CLI, 33000, SRV, 53, payload, sizeof(payload));
	qoe_engine_packet(o.e, f, n, n, T0 + 3 * MS, 0);
	qoe_engine_shutdown(o.e);

	json_t *a = records(&o);
	assert_int_equal(json_array_size(a), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *r = json_array_get(a, i);
		if (strcmp(str(r, NULL, "proto"), "TCP") == 0) {
			assert_string_equal(str(r, NULL, "src_ip"), "10.0.0.1");
			assert_int_equal(num(r, NULL, "src_port"), 40000);
			assert_int_equal(num(r, "flow", "pkts_toclient"), 1);
			/* picked up after the SYN, seen both ways: established */
			assert_string_equal(str(r, "flow", "state"), "established");
		} else {
			assert_string_equal(str(r, NULL, "src_ip"), "10.0.0.2");
			assert_int_equal(num(r, NULL, "src_port"), 53);
			assert_string_equal(str(r, "flow", "state"), "established");
		}
		assert_string_equal(str(r, "flow", "reason"), "shutdown");
	}
	json_decref(a);
	finish(&o);
}

static void
test_idle_timeout_and_interval(void **state)
{
	struct out o;

	start(&o, 16, 1 * SEC);
	uint8_t f[200];
	uint8_t payload[4] = { 0 };

	for (int i = 0; i < 4; i++) {
		uint32_t n = frame_udp(f, CLI, 1000, SRV, 2000, payload, sizeof(payload));
		uint64_t t = T0 + (uint64_t)i * SEC;
		qoe_engine_tick(o.e, t);
		qoe_engine_packet(o.e, f, n, n, t, 0);
	}
	qoe_engine_tick(o.e, T0 + 3500 * MS);
	json_t *a = records(&o);
	/* intervals due at +1 s, +2 s, +3 s, each with new packets */
	assert_int_equal(json_array_size(a), 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(str(json_array_get(a, i), "flow", "reason"), "interval");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(a, 2),
		"flow"), "pkts_toserver")), 3);
	json_decref(a);
	/* quiet from here: no more interval records, then the idle timeout */
	qoe_engine_tick(o.e, T0 + 10 * SEC);
	qoe_engine_tick(o.e, T0 + 62 * SEC);   /* 59 s quiet: not yet */
	a = records(&o);
	assert_int_equal(json_array_size(a), 4);
	json_decref(a);
	qoe_engine_tick(o.e, T0 + 63 * SEC);
	a = records(&o);
	assert_int_equal(json_array_size(a), 5);
	assert_string_equal(str(json_array_get(a, 3), "flow", "reason"), "interval");
	json_t *last = json_array_get(a, 4);
	assert_string_equal(str(last, "flow", "reason"), "timeout");
	assert_int_equal(num(last, "flow", "pkts_toserver"), 4);
	assert_int_equal(num(last, "flow", "age"), 3);
	json_decref(a);
	assert_int_equal(qoe_engine_active_flows(o.e), 0);
	finish(&o);
}

static void
test_eviction_still_reported(void **state)
{
	struct out o;

	start(&o, 2, 0);
	uint8_t f[200];
	uint8_t payload[4] = { 0 };

	for (uint16_t p = 1; p <= 5; p++) {
		uint32_t n = frame_udp(f, CLI, p, SRV, 9, payload, sizeof(payload));
		qoe_engine_packet(o.e, f, n, n, T0 + p * MS, 0);
	}
	assert_int_equal(qoe_engine_stats(o.e)->evicted, 3);
	json_t *a = records(&o);
	assert_int_equal(json_array_size(a), 0);   /* nothing written per packet */
	json_decref(a);
	qoe_engine_tick(o.e, T0 + 10 * MS);
	a = records(&o);
	assert_int_equal(json_array_size(a), 3);
	assert_int_equal(num(json_array_get(a, 0), NULL, "src_port"), 1);
	assert_string_equal(str(json_array_get(a, 0), "flow", "reason"), "timeout");
	json_decref(a);
	qoe_engine_shutdown(o.e);
	a = records(&o);
	assert_int_equal(json_array_size(a), 5);
	assert_int_equal(qoe_engine_stats(o.e)->records, 5);
	json_decref(a);
	finish(&o);
}

/* More evictions between two ticks than the queue holds: none is lost. */
static void
test_eviction_storm(void **state)
{
	struct out o;
	uint8_t f[200];
	uint8_t payload[4] = { 0 };
	const uint32_t flows = QOE_RETIRED_MAX + 100;

	start(&o, 1, 0);
	for (uint32_t i = 0; i < flows; i++) {
		uint32_t n = frame_udp(f, CLI + i, 7, SRV, 9, payload, sizeof(payload));
		qoe_engine_packet(o.e, f, n, n, T0 + i, 0);
	}
	qoe_engine_shutdown(o.e);
	const struct qoe_stats *s = qoe_engine_stats(o.e);
	assert_int_equal(s->evicted, flows - 1);
	assert_int_equal(s->records, flows);
	json_t *a = records(&o);
	assert_int_equal(json_array_size(a), flows);
	json_decref(a);
	finish(&o);
}

static void
test_malformed_frames_counted(void **state)
{
	struct out o;

	start(&o, 16, 0);
	uint8_t f[200];
	uint32_t n;

	n = frame_tcp(f, CLI, 1, SRV, 2, SYN, 0, 0, 100, 0);
	f[14] = 0x43;                                         /* IHL 3 */
	assert_int_equal(qoe_engine_packet(o.e, f, n, n, T0, 0), QOE_PKT_BAD_L3);
	n = frame_tcp(f, CLI, 1, SRV, 2, SYN, 0, 0, 100, 0);
	f[34 + 12] = 0xf0;                                    /* data offset 60 */
	assert_int_equal(qoe_engine_packet(o.e, f, n, n, T0, 0), QOE_PKT_BAD_L4);
	f[34 + 12] = 0x10;                                    /* data offset 4 */
	assert_int_equal(qoe_engine_packet(o.e, f, n, n, T0, 0), QOE_PKT_BAD_L4);
	n = frame_tcp(f, CLI, 1, SRV, 2, SYN, 0, 0, 100, 0);
	assert_int_equal(qoe_engine_packet(o.e, f, 34 + 10, n, T0, 0), QOE_PKT_TRUNCATED);
	be16_store(f + 16, 20 + 10);                               /* IP says 10 bytes of TCP */
	assert_int_equal(qoe_engine_packet(o.e, f, n, n, T0, 0), QOE_PKT_TRUNCATED);
	n = frame_tcp(f, CLI, 1, SRV, 2, SYN, 0, 0, 100, 0);
	be16_store(f + 20, 0x2000);                                /* more fragments */
	assert_int_equal(qoe_engine_packet(o.e, f, n, n, T0, 0), QOE_PKT_FRAGMENT);
	be16_store(f + 20, 0x0010);                                /* a later fragment */
	assert_int_equal(qoe_engine_packet(o.e, f, n, n, T0, 0), QOE_PKT_FRAGMENT);
	be16_store(f + 12, 0x0806);                                /* ARP */
	assert_int_equal(qoe_engine_packet(o.e, f, n, n, T0, 0), QOE_PKT_NOT_IPV4);
	assert_int_equal(qoe_engine_packet(o.e, f, 5, 5, T0, 0), QOE_PKT_TRUNCATED);
	assert_int_equal(qoe_engine_packet(o.e, f, 0, 0, T0, 0), QOE_PKT_TRUNCATED);

	const struct qoe_stats *s = qoe_engine_stats(o.e);
	assert_int_equal(s->packets, 10);
	assert_int_equal(s->by_result[QOE_PKT_BAD_L3], 1);
	assert_int_equal(s->by_result[QOE_PKT_BAD_L4], 2);
	assert_int_equal(s->by_result[QOE_PKT_TRUNCATED], 4);
	assert_int_equal(s->by_result[QOE_PKT_FRAGMENT], 2);
	assert_int_equal(s->by_result[QOE_PKT_NOT_IPV4], 1);
	assert_int_equal(s->flows, 0);
	assert_int_equal(qoe_engine_clock(o.e), 0);           /* no trusted time either */
	finish(&o);
}

/* The same tuple after a close: a new connection, a new flow. */
static void
test_port_reuse_after_close(void **state)
{
	struct out o;

	start(&o, 16, 0);
	for (int conn = 0; conn < 2; conn++) {
		uint64_t t = T0 + (uint64_t)conn * 100 * MS;

		tcp(&o, true, SYN, 0, 0, 0, t);
		tcp(&o, false, SYN | ACK, 0, 1, 0, t + MS);
		tcp(&o, true, ACK, 1, 1, 0, t + 2 * MS);
		tcp(&o, true, ACK | FIN, 1, 1, 0, t + 3 * MS);
		tcp(&o, false, ACK | FIN, 1, 2, 0, t + 4 * MS);
	}
	/* a late FIN retransmission is not a SYN: it stays with the second */
	tcp(&o, false, ACK | FIN, 1, 2, 0, T0 + 200 * MS);
	qoe_engine_shutdown(o.e);
	json_t *a = records(&o);
	assert_int_equal(json_array_size(a), 2);
	assert_true(num(json_array_get(a, 0), NULL, "flow_id") !=
		    num(json_array_get(a, 1), NULL, "flow_id"));
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(str(json_array_get(a, i), "flow", "reason"), "fin");
		assert_int_equal(num(json_array_get(a, i), "flow", "pkts_toserver"), 3);
	}
	assert_int_equal(num(json_array_get(a, 0), "flow", "pkts_toclient"), 2);
	assert_int_equal(num(json_array_get(a, 1), "flow", "pkts_toclient"), 3);
	json_decref(a);
	finish(&o);
}

/* A capture whose clock steps back must not make ages or RTTs negative. */
static void
test_clock_stepping_back(void **state)
{
	struct out o;

	start(&o, 16, 0);

	tcp(&o, true, SYN, 0, 0, 0, T0 + 5 * SEC);
	tcp(&o, false, SYN | ACK, 0, 1, 0, T0 + 1 * SEC);
	tcp(&o, true, ACK, 1, 1, 0, T0 + 2 * SEC);
	qoe_engine_shutdown(o.e);
	json_t *a = records(&o);
	json_t *r = json_array_get(a, 0);
	assert_int_equal(num(r, "flow", "age"), 4);
	assert_true(json_is_null(json_object_get(json_object_get(r, "qoe"), "rtt_handshake_ms")));
	assert_int_equal(num(r, "qoe", "rtt_samples"), 1);    /* SYN-ACK -> ACK: 1 s */
	json_decref(a);
	finish(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_lifecycle_fin),
		cmocka_unit_test(test_client_is_synack_receiver_or_first_sender),
		cmocka_unit_test(test_idle_timeout_and_interval),
		cmocka_unit_test(test_eviction_still_reported),
		cmocka_unit_test(test_eviction_storm),
		cmocka_unit_test(test_malformed_frames_counted),
		cmocka_unit_test(test_clock_stepping_back),
		cmocka_unit_test(test_port_reuse_after_close),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
