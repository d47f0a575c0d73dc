/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Moving the firewall's connections between instances: export -> import
 * into a fresh engine gives the same entries (every field of every record)
 * and the same decisions (a moved connection's reply passes a default-deny
 * policy on the importing engine, and not on one that never saw it); a
 * bucket subset exports and drops exactly its connections; every kind of
 * damaged or hostile blob is refused and changes nothing; 10,000
 * connections export in well under 10 ms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "byte_order.h"
#include "fw_engine.h"
#include "fw_test_eal.h"
#include "onvm_nflib_state.h"
#include "state_blob.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)
#define REC 28
#define HDR STATE_BLOB_HDR_LEN

#define CLIENT_NET 0x0a000000u /* 10.0.0.0/8: allowed out on port 1 */
#define SERVER 0xc0a80a01u


/* "Well under 10 ms" is for real builds; sanitizers slow everything several fold. */
#ifdef __SANITIZE_ADDRESS__
#define EXPORT_BOUND_NS 100000000ull
#else
#define EXPORT_BOUND_NS 10000000ull
#endif
static const char *const rules_fmt =
	"{ \"default\": \"deny\", \"stateful\": true, \"max_conns\": %u,"
	"  \"conn_timeout_s\": 600, \"udp_timeout_s\": 30, \"close_timeout_s\": 2,"
	"  \"rules\": [ { \"name\": \"out\", \"action\": \"allow\", \"in_port\": 1,"
	"                 \"ipv4_src\": \"10.0.0.0/8\" } ] }";

static struct fw_engine *
engine(uint32_t max_conns)
{
	char text[512], err[256];
	struct fw_engine *e;

	snprintf(text, sizeof(text), rules_fmt, max_conns);
	e = fw_engine_create_string("t.json", text, 0, err, sizeof(err));
	if (e == NULL)
		fprintf(stderr, "%s\n", err);
	assert_non_null(e);
	return e;
}

struct conn {
	uint8_t proto;
	uint32_t cip, sip;
	uint16_t cport, sport;
	uint16_t bucket;
};

/* Ethernet + IPv4 + TCP/UDP/ICMP frame of c, from the client or the server. */
static uint32_t
frame(uint8_t *b, const struct conn *c, bool from_client, uint8_t tcp_flags)
{
	uint8_t *ip = b + 14, *l4 = ip + 20;
	uint32_t l4len = c->proto == PKT_PROTO_TCP ? 20 : 8;

	memset(b, 0, 64);
	be16_store(b + 12, PKT_ETHERTYPE_IPV4);
	ip[0] = 0x45;
	be16_store(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = c->proto;
	be32_store(ip + 12, from_client ? c->cip : c->sip);
	be32_store(ip + 16, from_client ? c->sip : c->cip);
	if (c->proto == PKT_PROTO_ICMP) {
		l4[0] = from_client ? 8 : 0;
	} else {
		be16_store(l4, from_client ? c->cport : c->sport);
		be16_store(l4 + 2, from_client ? c->sport : c->cport);
		if (c->proto == PKT_PROTO_TCP) {
			l4[12] = 0x50;
			l4[13] = tcp_flags;
		} else {
			be16_store(l4 + 4, 8);
		}
	}
	return 14 + 20 + l4len;
}

/* One packet of c through e: its verdict. */
static uint8_t
send_one(struct fw_engine *e, const struct conn *c, bool from_client, uint8_t flags,
	 uint64_t now)
{
	uint8_t b[64], v;
	uint16_t port = from_client ? 1 : 2;
	struct pkt_info pi;

	pkt_parse(b, frame(b, c, from_client, flags), &pi);
	fw_engine_classify_burst(e, &pi, &port, &c->bucket, 1, now, &v);
	fw_engine_quiescent(e);
	return v;
}

/* The i-th test connection: TCP, UDP and ICMP in turn, bucket i % 1024. */
static struct conn
conn_no(uint32_t i)
{
	static const uint8_t protos[] = { PKT_PROTO_TCP, PKT_PROTO_UDP, PKT_PROTO_ICMP };
	struct conn c = { .proto = protos[i % 3], .cip = CLIENT_NET | (i + 1), .sip = SERVER,
			  .bucket = (uint16_t)(i % ONVM_STATE_BUCKETS) };

	if (c.proto != PKT_PROTO_ICMP) {
		c.cport = (uint16_t)(1024 + i % 50000);
		c.sport = 443;
	}
	return c;
}

/* Open connections 0..n-1 in bursts (the client speaks first). */
static void
open_conns(struct fw_engine *e, uint32_t first, uint32_t n, uint64_t now)
{
	static uint8_t frames[FW_BURST_MAX][64];
	struct pkt_info pi[FW_BURST_MAX];
	uint16_t port[FW_BURST_MAX], bucket[FW_BURST_MAX];
	uint8_t v[FW_BURST_MAX];
	uint32_t i = 0;

	while (i < n) {
		uint16_t k = 0;

		for (; k < FW_BURST_MAX && i < n; k++, i++) {
			struct conn c = conn_no(first + i);

			pkt_parse(frames[k], frame(frames[k], &c, true, PKT_TCP_SYN), &pi[k]);
			port[k] = 1;
			bucket[k] = c.bucket;
		}
		fw_engine_classify_burst(e, pi, port, bucket, k, now, v);
		for (uint16_t j = 0; j < k; j++)
			assert_int_equal(v[j], FW_V_ALLOW_RULE);
	}
	fw_engine_quiescent(e);
}

static struct onvm_bucket_set
all_buckets(void)
{
	struct onvm_bucket_set s;

	memset(&s, 0xff, sizeof(s));
	return s;
}

static uint8_t *
export_all(struct fw_engine *e, const struct onvm_bucket_set *b, long *len, uint32_t *flows)
{
	size_t cap = HDR + 20000 * REC;
	/* One buffer for every export: meson test fills each malloc with
	 * MALLOC_PERTURB_, which would make thousands of big ones slow. */
	static uint8_t *scratch;
	uint8_t *blob;

	if (scratch == NULL)
		scratch = malloc(cap);
	assert_non_null(scratch);
	*len = fw_engine_export_state(e, b, scratch, cap, flows);
	assert_true(*len >= (long)HDR);
	blob = malloc((size_t)*len);
	assert_non_null(blob);
	memcpy(blob, scratch, (size_t)*len);
	return blob;
}

static int
cmp_rec(const void *a, const void *b)
{
	return memcmp(a, b, REC);
}

/* The engine's connections as sorted records: equal sets mean equal entries. */
static uint8_t *
snapshot(struct fw_engine *e, uint32_t *flows)
{
	struct onvm_bucket_set all = all_buckets();
	long len;
	uint8_t *blob = export_all(e, &all, &len, flows);

	assert_int_equal(len, HDR + (size_t)*flows * REC);
	qsort(blob + HDR, *flows, REC, cmp_rec);
	return blob;
}

static void
assert_same_state(struct fw_engine *a, struct fw_engine *b)
{
	uint32_t na, nb;
	uint8_t *sa = snapshot(a, &na), *sb = snapshot(b, &nb);

	assert_int_equal(na, nb);
	assert_memory_equal(sa + HDR, sb + HDR, (size_t)na * REC);
	free(sa);
	free(sb);
}

static uint32_t
in_use(struct fw_engine *e)
{
	struct fw_ct_stats s;

	assert_true(fw_engine_ct_stats(e, &s));
	return s.in_use;
}

static void
moved_connections_keep_passing(void **state)
{
	struct fw_engine *a = engine(4096), *b = engine(4096), *fresh = engine(4096);
	struct onvm_bucket_set all = all_buckets();
	uint32_t flows, imported, i;
	long len;
	uint8_t *blob;
	(void)state;

	open_conns(a, 0, 300, T0);
	/* Connection 0 (TCP) half-closed by its client: the FIN state moves too. */
	struct conn c0 = conn_no(0);
	assert_int_equal(send_one(a, &c0, true, PKT_TCP_FIN | PKT_TCP_ACK, T0 + S),
			 FW_V_ESTABLISHED);
	blob = export_all(a, &all, &len, &flows);
	assert_int_equal(flows, 300);
	assert_int_equal(be16_load(blob + 6), STATE_BLOB_FIREWALL);
	assert_int_equal(fw_engine_import_state(b, blob, (size_t)len, T0 + 2 * S, &imported), 0);
	assert_int_equal(imported, 300);
	assert_int_equal(in_use(b), 300);
	assert_same_state(a, b);

	for (i = 1; i < 300; i++) {
		struct conn c = conn_no(i);

		assert_int_equal(send_one(b, &c, false, PKT_TCP_ACK, T0 + 3 * S),
				 FW_V_ESTABLISHED);
		assert_int_equal(send_one(fresh, &c, false, PKT_TCP_ACK, T0 + 3 * S),
				 FW_V_DEFAULT_DENY);
	}
	/* The server's FIN completes the close begun on the other instance:
	 * the entry lingers close_timeout_s (2 s), then the reply is denied. */
	assert_int_equal(send_one(b, &c0, false, PKT_TCP_FIN | PKT_TCP_ACK, T0 + 3 * S),
			 FW_V_ESTABLISHED);
	assert_int_equal(send_one(b, &c0, false, PKT_TCP_ACK, T0 + 6 * S), FW_V_DEFAULT_DENY);
	free(blob);
	fw_engine_free(a, NULL);
	fw_engine_free(b, NULL);
	fw_engine_free(fresh, NULL);
}

static void
subset_export_and_drop(void **state)
{
	struct fw_engine *a = engine(8192);
	struct onvm_bucket_set some = { 0 };
	uint32_t flows, i, expect = 0;
	long len;
	uint8_t *blob;
	(void)state;

	open_conns(a, 0, 3000, T0);
	onvm_bucket_set_add(&some, 3);
	onvm_bucket_set_add(&some, 700);
	onvm_bucket_set_add(&some, 1023);
	for (i = 0; i < 3000; i++)
		expect += onvm_bucket_set_has(&some, conn_no(i).bucket);
	blob = export_all(a, &some, &len, &flows);
	assert_int_equal(flows, expect);
	assert_int_equal(len, HDR + (size_t)expect * REC);
	for (i = 0; i < flows; i++)
		assert_true(onvm_bucket_set_has(&some, be16_load(blob + HDR + i * REC + 16)));

	fw_engine_drop_state(a, &some);
	assert_int_equal(in_use(a), 3000 - expect);
	for (i = 0; i < 3000; i++) {
		struct conn c = conn_no(i);

		assert_int_equal(send_one(a, &c, false, PKT_TCP_ACK, T0 + S),
				 onvm_bucket_set_has(&some, c.bucket) ? FW_V_DEFAULT_DENY
								       : FW_V_ESTABLISHED);
	}
	free(blob);
	blob = export_all(a, &some, &len, &flows);
	assert_int_equal(flows, 0);
	free(blob);
	fw_engine_free(a, NULL);
}

/* The per-bucket lists follow every change: after drops, imports (new
 * entries and replaced ones) and re-drops, an export of any set finds
 * exactly the connections of its buckets, counted by brute force. */
static void
bucket_lists_follow_changes(void **state)
{
	struct fw_engine *a = engine(8192), *b = engine(8192);
	struct onvm_bucket_set some = { 0 }, all, rest = { 0 };
	uint32_t flows, expect = 0, i;
	long len;
	uint8_t *blob;
	(void)state;

	memset(&all, 0xff, sizeof(all));
	open_conns(a, 0, 3000, T0);
	for (i = 0; i < 1024; i += 7)
		onvm_bucket_set_add(&some, (uint16_t)i);
	for (i = 0; i < 3000; i++)
		expect += onvm_bucket_set_has(&some, conn_no(i).bucket);
	for (i = 0; i < 1024; i++)
		if (!onvm_bucket_set_has(&some, (uint16_t)i))
			onvm_bucket_set_add(&rest, (uint16_t)i);
	/* b: a's connections of `some`, imported twice (the second replaces). */
	blob = export_all(a, &some, &len, &flows);
	assert_int_equal(flows, expect);
	assert_int_equal(fw_engine_import_state(b, blob, (size_t)len, T0, &flows), 0);
	assert_int_equal(fw_engine_import_state(b, blob, (size_t)len, T0, &flows), 0);
	free(blob);
	blob = export_all(b, &all, &len, &flows);
	assert_int_equal(flows, expect);
	free(blob);
	blob = export_all(b, &rest, &len, &flows);
	assert_int_equal(flows, 0);
	free(blob);
	/* a drops them, takes them back, drops the others. */
	fw_engine_drop_state(a, &some);
	blob = export_all(b, &some, &len, &flows);
	assert_int_equal(fw_engine_import_state(a, blob, (size_t)len, T0, &flows), 0);
	free(blob);
	blob = export_all(a, &all, &len, &flows);
	assert_int_equal(flows, 3000);
	free(blob);
	fw_engine_drop_state(a, &rest);
	blob = export_all(a, &all, &len, &flows);
	assert_int_equal(flows, expect);
	for (i = 0; i < flows; i++)
		assert_true(onvm_bucket_set_has(&some, be16_load(blob + HDR + i * REC + 16)));
	free(blob);
	assert_int_equal(in_use(a), expect);
	fw_engine_free(a, NULL);
	fw_engine_free(b, NULL);
}

/* Import must refuse blob[0..len) and leave e exactly as it was. */
static void
assert_refused(struct fw_engine *e, const uint8_t *blob, size_t len)
{
	uint32_t before_n, after_n, flows = 12345;
	uint8_t *before = snapshot(e, &before_n), *after;

	assert_int_equal(fw_engine_import_state(e, blob, len, T0, &flows), -1);
	after = snapshot(e, &after_n);
	assert_int_equal(before_n, after_n);
	assert_memory_equal(before + HDR, after + HDR, (size_t)before_n * REC);
	free(before);
	free(after);
}

static void
damaged_blobs_change_nothing(void **state)
{
	struct fw_engine *a = engine(1024), *b = engine(1024);
	struct onvm_bucket_set all = all_buckets();
	uint32_t flows;
	size_t n, off;
	long len;
	uint8_t *blob, *bad;
	(void)state;

	open_conns(a, 0, 30, T0);
	open_conns(b, 1000, 5, T0); /* the target has connections of its own */
	blob = export_all(a, &all, &len, &flows);
	bad = malloc((size_t)len + 64);

	/* Cut short at every length, and one byte too many. */
	for (n = 0; n < (size_t)len; n++)
		assert_refused(b, blob, n);
	memcpy(bad, blob, (size_t)len);
	bad[len] = 0;
	assert_refused(b, bad, (size_t)len + 1);
	be32_store(bad + 8, (uint32_t)len + 1);
	assert_refused(b, bad, (size_t)len + 1);
	assert_refused(b, NULL, 0);

	/* Header fields, one at a time. */
	struct { size_t off; uint32_t width, value; } hdr_bad[] = {
		{ 0, 4, 0x4f4e5654 },             /* magic */
		{ 4, 2, 2 },                      /* version */
		{ 6, 2, STATE_BLOB_LOAD_BALANCER }, /* kind */
		{ 8, 4, 0xffffffff },             /* length */
		{ 12, 4, 0xffffffff },            /* a hostile count */
		{ 12, 4, 31 },                    /* one more than there is */
		{ 12, 4, 29 },
		{ 12, 4, 0x80000000u + 30 },      /* count * record size wraps to the truth */
		{ 20, 4, 1 },                     /* reserved */
	};
	for (size_t k = 0; k < sizeof(hdr_bad) / sizeof(hdr_bad[0]); k++) {
		memcpy(bad, blob, (size_t)len);
		if (hdr_bad[k].width == 4)
			be32_store(bad + hdr_bad[k].off, hdr_bad[k].value);
		else
			be16_store(bad + hdr_bad[k].off, (uint16_t)hdr_bad[k].value);
		assert_refused(b, bad, (size_t)len);
	}

	/* Each record field out of range, in the last record (the ones before
	 * are fine and must not be left behind). Record 29 is ICMP (29 % 3 == 2),
	 * record 28 is UDP, record 27 TCP. */
	struct { uint32_t rec; size_t off; uint8_t width; uint32_t value; } rec_bad[] = {
		{ 29, 13, 1, 0 },       /* state free */
		{ 29, 13, 1, 3 },       /* state unknown */
		{ 27, 14, 1, 4 },       /* fins */
		{ 28, 14, 1, 1 },       /* a FIN on UDP */
		{ 29, 15, 1, 2 },       /* orig */
		{ 29, 16, 2, 1024 },    /* bucket */
		{ 29, 16, 2, 0xffff },
		{ 29, 18, 2, 1 },       /* zero field */
		{ 29, 8, 2, 7 },        /* ports on ICMP */
		{ 29, 0, 4, 0xffffffff }, /* ip_lo above ip_hi: not normalized */
	};
	for (size_t k = 0; k < sizeof(rec_bad) / sizeof(rec_bad[0]); k++) {
		memcpy(bad, blob, (size_t)len);
		/* Find the record of connection rec_bad[k].rec (export order is the table's). */
		uint32_t want_ip = CLIENT_NET | (rec_bad[k].rec + 1);
		for (off = HDR; off < (size_t)len; off += REC)
			if (be32_load(bad + off) == want_ip)
				break;
		assert_true(off < (size_t)len);
		/* Move it to the end so every other record comes before it. */
		uint8_t tmp[REC];
		memcpy(tmp, bad + off, REC);
		memmove(bad + off, bad + off + REC, (size_t)len - off - REC);
		memcpy(bad + len - REC, tmp, REC);
		off = (size_t)len - REC + rec_bad[k].off;
		if (rec_bad[k].width == 4)
			be32_store(bad + off, rec_bad[k].value);
		else if (rec_bad[k].width == 2)
			be16_store(bad + off, (uint16_t)rec_bad[k].value);
		else
			bad[off] = (uint8_t)rec_bad[k].value;
		assert_refused(b, bad, (size_t)len);
	}

	/* The same connection twice: the first copy must not stay behind. */
	memcpy(bad, blob, (size_t)len);
	memcpy(bad + len - REC, bad + HDR, REC);
	assert_refused(b, bad, (size_t)len);

	/* The original is still fine after all that. */
	assert_int_equal(fw_engine_import_state(b, blob, (size_t)len, T0, &flows), 0);
	assert_int_equal(flows, 30);
	assert_int_equal(in_use(b), 35);
	free(bad);
	free(blob);
	fw_engine_free(a, NULL);
	fw_engine_free(b, NULL);
}

static void
full_table_refuses_whole_blob(void **state)
{
	struct fw_engine *a = engine(64), *small = engine(16);
	struct onvm_bucket_set all = all_buckets(), some = { 0 };
	uint32_t flows;
	long len;
	uint8_t *blob;
	(void)state;

	open_conns(a, 0, 20, T0);
	open_conns(small, 100, 13, T0);
	blob = export_all(a, &all, &len, &flows);
	assert_int_equal(flows, 20);
	assert_refused(small, blob, (size_t)len); /* more than the whole table */
	free(blob);
	/* Four do not fit beside 13 in 16: three go in, the fourth finds
	 * the table full, and the three are taken out again. */
	for (uint16_t k = 0; k < 4; k++)
		onvm_bucket_set_add(&some, k);
	blob = export_all(a, &some, &len, &flows);
	assert_int_equal(flows, 4);
	assert_refused(small, blob, (size_t)len);
	assert_int_equal(in_use(small), 13);
	free(blob);

	/* Three fit. */
	memset(&some, 0, sizeof(some));
	onvm_bucket_set_add(&some, 0);
	onvm_bucket_set_add(&some, 1);
	onvm_bucket_set_add(&some, 2);
	blob = export_all(a, &some, &len, &flows);
	assert_int_equal(flows, 3);
	assert_int_equal(fw_engine_import_state(small, blob, (size_t)len, T0, &flows), 0);
	assert_int_equal(in_use(small), 16);
	/* The same again: those entries are replaced, not added. */
	assert_int_equal(fw_engine_import_state(small, blob, (size_t)len, T0, &flows), 0);
	assert_int_equal(in_use(small), 16);
	free(blob);
	fw_engine_free(a, NULL);
	fw_engine_free(small, NULL);
}

static void
expiry_capped_by_importer_timeouts(void **state)
{
	struct fw_engine *a = engine(64), *b = engine(64);
	struct onvm_bucket_set all = all_buckets();
	uint32_t flows;
	long len;
	uint8_t *blob, *snap;
	(void)state;

	open_conns(a, 0, 2, T0); /* TCP and UDP */
	blob = export_all(a, &all, &len, &flows);
	for (uint32_t i = 0; i < flows; i++)
		be64_store(blob + HDR + i * REC + 20, UINT64_MAX);
	assert_int_equal(fw_engine_import_state(b, blob, (size_t)len, T0, &flows), 0);
	snap = snapshot(b, &flows);
	for (uint32_t i = 0; i < flows; i++) {
		const uint8_t *r = snap + HDR + i * REC;

		assert_int_equal(be64_load(r + 20),
				 T0 + (r[12] == PKT_PROTO_TCP ? 600 : 30) * S);
	}
	free(snap);
	free(blob);
	fw_engine_free(a, NULL);
	fw_engine_free(b, NULL);
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

static void
export_of_10000_is_fast(void **state)
{
	struct fw_engine *a = engine(16384);
	struct onvm_bucket_set half = { 0 };
	size_t cap = HDR + 10000 * REC;
	uint8_t *blob = malloc(cap);
	uint64_t best = UINT64_MAX;
	uint32_t flows;
	(void)state;

	open_conns(a, 0, 10000, T0);
	for (uint16_t b = 0; b < ONVM_STATE_BUCKETS; b += 2)
		onvm_bucket_set_add(&half, b);
	for (int run = 0; run < 20; run++) { /* the best of 20: the machine is shared */
		uint64_t t = mono_ns();
		struct onvm_bucket_set all = all_buckets();

		assert_int_equal(fw_engine_export_state(a, &all, blob, cap, &flows),
				 (long)cap);
		t = mono_ns() - t;
		best = t < best ? t : best;
	}
	assert_int_equal(flows, 10000);
	printf("firewall: export of 10000 connections: %.3f ms\n", best / 1e6);
	assert_true(best < EXPORT_BOUND_NS);
	/* One byte short: -1, for the library to retry with more room. */
	assert_int_equal(fw_engine_export_state(a, &half, blob, HDR + 4999 * REC, &flows), -1);
	free(blob);
	fw_engine_free(a, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(moved_connections_keep_passing),
		cmocka_unit_test(subset_export_and_drop),
		cmocka_unit_test(bucket_lists_follow_changes),
		cmocka_unit_test(damaged_blobs_change_nothing),
		cmocka_unit_test(full_table_refuses_whole_blob),
		cmocka_unit_test(expiry_capped_by_importer_timeouts),
		cmocka_unit_test(export_of_10000_is_fast),
	};
	int rc;

	if (fw_test_eal_init("fw_state_test") < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_eal_cleanup("fw_state_test");
	return rc;
}
