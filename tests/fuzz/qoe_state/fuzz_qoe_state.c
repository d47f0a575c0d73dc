/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the QoE monitor's state import (qoe_state.c): any
 * blob, into a fresh engine and into one with flows, is either refused
 * with the engine unchanged, or taken; then the engine's export imports
 * again into a fresh engine with the same records, and packets, ticks and
 * final records run over what was taken (reports of imported analysis
 * state: divisions, jitter, times). Input layout: tests/fuzz/state_fuzz.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byte_order.h"
#include "onvm_nflib_state.h"
#include "qoe_engine.h"
#include "state_fuzz.h"

#define REC 552
#define MAX_FLOWS 32
#define T0 (1700000000ull * 1000000000ull)
#define MS 1000000ull

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;
static struct onvm_bucket_set all;

static uint32_t
frame(uint8_t *f, uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
      uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *payload, uint32_t plen)
{
	uint32_t l4 = proto == 6 ? 20 : 8;

	memset(f, 0, 34 + l4);
	be16_store(f + 12, 0x0800);
	f[14] = 0x45;
	be16_store(f + 16, (uint16_t)(20 + l4 + plen));
	f[22] = 64;
	f[23] = proto;
	be32_store(f + 26, src);
	be32_store(f + 30, dst);
	be16_store(f + 34, sport);
	be16_store(f + 36, dport);
	if (proto == 6) {
		be32_store(f + 38, seq);
		be32_store(f + 42, ack);
		f[46] = 5 << 4;
		f[47] = flags;
		be16_store(f + 48, 1000);
	} else {
		be16_store(f + 38, (uint16_t)(8 + plen));
	}
	if (plen > 0)
		memcpy(f + 34 + l4, payload, plen);
	return 34 + l4 + plen;
}

/* Packets of flows 0..n-1: TCP with data in flight, RTP, plain UDP. */
static void
traffic(struct qoe_engine *e, uint32_t n, uint64_t t, uint32_t clients)
{
	uint8_t f[256], rtp[20] = { 0x80, 0 };

	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = clients + i, s = 0x0a100001;
		uint32_t len;
		uint16_t b = (uint16_t)(i * 37 % 1024);

		switch (i % 3) {
		case 0:
			len = frame(f, 6, c, 40000, s, 80, 0x02, 100, 0, NULL, 0);
			qoe_engine_packet(e, f, len, len, t, b);
			len = frame(f, 6, s, 80, c, 40000, 0x12, 900, 101, NULL, 0);
			qoe_engine_packet(e, f, len, len, t + MS, b);
			len = frame(f, 6, c, 40000, s, 80, 0x18, 101, 901, rtp, 20);
			qoe_engine_packet(e, f, len, len, t + 2 * MS, b);
			len = frame(f, 6, c, 40000, s, 80, 0x18, 161, 901, rtp, 20);
			qoe_engine_packet(e, f, len, len, t + 3 * MS, b);
			break;
		case 1:
			for (uint16_t k = 0; k < 3; k++) {
				be16_store(rtp + 2, (uint16_t)(7 + k * 2));
				be32_store(rtp + 4, 160u * k);
				be32_store(rtp + 8, 0xabcd);
				len = frame(f, 17, c, 30000, s, 5004, 0, 0, 0, rtp, 20);
				qoe_engine_packet(e, f, len, len, t + k * 21 * MS, b);
			}
			break;
		default:
			len = frame(f, 17, c, 53, s, 53, 0, 0, 0, rtp, 3);
			qoe_engine_packet(e, f, len, len, t, b);
		}
	}
}

static struct qoe_engine *
engine(bool with_flows)
{
	struct qoe_config cfg;
	struct qoe_engine *e;

	qoe_config_defaults(&cfg);
	cfg.max_flows = MAX_FLOWS;
	cfg.interval_ns = 1000 * MS;
	e = qoe_engine_create(&cfg, devnull);
	if (e == NULL)
		abort();
	if (with_flows)
		traffic(e, 12, T0, 0x0a000001);
	return e;
}

static long
export_all(struct qoe_engine *e, uint8_t **blob, uint32_t *flows)
{
	size_t cap = STATE_BLOB_HDR_LEN + (size_t)MAX_FLOWS * REC;
	long n;

	*blob = malloc(cap);
	if (*blob == NULL)
		abort();
	n = qoe_engine_export_state(e, &all, *blob, cap, flows);
	if (n < 0)
		abort(); /* the whole table always fits */
	return n;
}

static void
write_seeds(const char *dir)
{
	struct qoe_engine *e = engine(true);
	struct onvm_bucket_set some = { 0 };
	uint32_t flows;
	uint8_t *blob;
	long n = export_all(e, &blob, &flows);

	state_fuzz_write_seed(dir, "all_fresh", 0, blob, (size_t)n);
	state_fuzz_write_seed(dir, "all_fix", STATE_FUZZ_FIX_LENGTH | STATE_FUZZ_FIX_COUNT, blob,
			      (size_t)n);
	free(blob);
	onvm_bucket_set_add(&some, 37);  /* flow 1: RTP */
	onvm_bucket_set_add(&some, 74);  /* flow 2: plain UDP */
	blob = malloc(4 * REC);
	n = qoe_engine_export_state(e, &some, blob, 4 * REC, &flows);
	state_fuzz_write_seed(dir, "udp_into_flows", STATE_FUZZ_WITH_FLOWS, blob, (size_t)n);
	memset(&some, 0, sizeof(some));
	onvm_bucket_set_add(&some, 0);   /* flow 0: TCP, segments in flight */
	n = qoe_engine_export_state(e, &some, blob, 4 * REC, &flows);
	state_fuzz_write_seed(dir, "tcp_fix", STATE_FUZZ_FIX_LENGTH | STATE_FUZZ_FIX_COUNT, blob,
			      (size_t)n);
	/* The same flow twice. */
	free(blob);
	blob = malloc(3 * REC);
	n = qoe_engine_export_state(e, &some, blob, 3 * REC, &flows);
	blob = realloc(blob, (size_t)n + REC);
	memcpy(blob + n, blob + STATE_BLOB_HDR_LEN, REC);
	state_fuzz_write_seed(dir, "dup_fix", STATE_FUZZ_FIX_LENGTH | STATE_FUZZ_FIX_COUNT, blob,
			      (size_t)n + REC);
	free(blob);
	qoe_engine_destroy(e);
	/* Other flows, some older and some newer than those of the engine
	 * they go into: they take their places among its flows. */
	e = engine(false);
	traffic(e, 6, T0 - 5 * MS, 0x0b000001);
	traffic(e, 6, T0 + 30 * MS, 0x0c000001);
	n = export_all(e, &blob, &flows);
	state_fuzz_write_seed(dir, "mixed_into_flows", STATE_FUZZ_WITH_FLOWS, blob, (size_t)n);
	free(blob);
	qoe_engine_destroy(e);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("ONVM_STATE_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	memset(&all, 0xff, sizeof(all));
	devnull = fopen("/dev/null", "w");
	if (devnull == NULL)
		abort();
	if (seeds != NULL) {
		write_seeds(seeds);
		exit(0);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state_fuzz_input in;
	struct qoe_engine *e, *again;
	uint8_t *before, *after, *x, *y;
	uint32_t flows, n_before, n_after;
	long before_len, after_len, xlen, ylen;

	if (!state_fuzz_split(data, size, REC, &in))
		return 0;
	e = engine(in.with_flows);
	before_len = export_all(e, &before, &n_before);
	if (qoe_engine_import_state(e, in.blob, in.len, &flows) < 0) {
		after_len = export_all(e, &after, &n_after);
		if (after_len != before_len || memcmp(before, after, (size_t)before_len) != 0)
			abort(); /* a refused blob changed the engine */
		free(after);
	} else {
		xlen = export_all(e, &x, &n_after);
		if (n_after != n_before + flows)
			abort();
		again = engine(false);
		if (qoe_engine_import_state(again, x, (size_t)xlen, &flows) < 0)
			abort(); /* an engine's own export must import */
		ylen = export_all(again, &y, &flows);
		if (!state_fuzz_same_records(x, xlen, y, ylen, REC))
			abort();
		free(x);
		free(y);
		qoe_engine_destroy(again);
		/* The imported state goes on: packets, intervals, timeouts, records. */
		traffic(e, 12, T0 + 500 * MS, 0x0a000001);
		qoe_engine_tick(e, T0 + 1500 * MS);
		qoe_engine_tick(e, T0 + 100000 * MS);
		qoe_engine_shutdown(e);
	}
	free(before);
	free(in.blob);
	qoe_engine_destroy(e);
	return 0;
}
