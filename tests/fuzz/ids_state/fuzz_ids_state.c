/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the IDS's state import (ids_flow_state.c): any
 * blob, into a fresh flow table and into one with flows (and stream
 * windows), is either refused with the table unchanged, or taken; then the
 * table's export imports again into a fresh table of the same shape, and
 * segments continue every imported stream (window copies, stream offsets).
 * Input layout: tests/fuzz/state_fuzz.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byte_order.h"
#include "ids_flow.h"
#include "onvm_nflib_state.h"
#include "state_fuzz.h"

#define MAX_FLOWS 32   /* 4 sets of 8 ways */
#define WINDOW 48
#define IDLE_NS 1000000000ull
#define BLOB_CAP (STATE_BLOB_HDR_LEN + MAX_FLOWS * (60 + 2 * WINDOW)) /* a full table */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct onvm_bucket_set all;
static uint8_t *scratch; /* a window and a payload */

static void
segment(struct ids_flow_table *t, uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
	uint16_t dport, uint8_t flags, uint32_t seq, uint32_t len, uint64_t now)
{
	static const uint8_t payload[64] = "bytes that make up a stream of TCP payload, 64 long";
	struct pkt_info pi = { 0 };
	uint32_t n, start;
	uint64_t off;
	bool to_server;

	pi.flags = PKT_F_ETH | PKT_F_IPV4 | PKT_F_L4;
	pi.ip_proto = proto;
	pi.ipv4_src = src;
	pi.ipv4_dst = dst;
	pi.src_port = sport;
	pi.dst_port = dport;
	pi.tcp_flags = flags;
	pi.tcp_seq = seq;
	pi.payload_len = len;
	struct ids_flow *f = ids_flow_lookup(t, &pi, now, (uint16_t)(src * 7 % 1024), &to_server);
	if (proto == PKT_PROTO_TCP && len > 0 &&
	    ids_stream_prepare(t, f, to_server, &pi, payload, scratch, &n, &start, &off))
		ids_stream_commit(t, f, to_server, &pi, scratch, n, start);
}

/* Flows with handshakes and windows both ways, mid-stream pick-ups, UDP, ICMP. */
static void
traffic(struct ids_flow_table *t, uint32_t nflows, uint64_t now)
{
	for (uint32_t i = 0; i < nflows; i++) {
		uint32_t c = 0x0a000001 + i, s = 0xc0a80001;

		switch (i % 4) {
		case 0:
			segment(t, 6, c, 40000, s, 80, 0x02, 1000, 0, now);
			segment(t, 6, s, 80, c, 40000, 0x12, 5000, 0, now + 1);
			segment(t, 6, c, 40000, s, 80, 0x18, 1001, 30, now + 2);
			segment(t, 6, c, 40000, s, 80, 0x18, 1031, 40, now + 3);
			segment(t, 6, s, 80, c, 40000, 0x18, 5001, 64, now + 4);
			break;
		case 1:
			segment(t, 6, c, 40001, s, 443, 0x18, 77, 20, now); /* mid-stream */
			break;
		case 2:
			segment(t, 17, c, 5353, s, 53, 0, 0, 10, now);
			segment(t, 17, s, 53, c, 5353, 0, 0, 10, now + 1);
			break;
		default:
			segment(t, 1, c, 0, s, 0, 0, 0, 8, now);
		}
	}
}

static struct ids_flow_table *
table(bool with_flows)
{
	struct ids_flow_table *t = ids_flow_table_new(MAX_FLOWS, WINDOW, IDLE_NS);

	if (t == NULL)
		abort();
	if (with_flows)
		traffic(t, 14, 5 * IDLE_NS);
	return t;
}

static long
export_all(struct ids_flow_table *t, uint8_t **blob, uint32_t *flows)
{
	long n;

	*blob = malloc(BLOB_CAP);
	if (*blob == NULL)
		abort();
	n = ids_flow_export(t, &all, *blob, BLOB_CAP, flows);
	if (n < 0)
		abort();
	return n;
}

static void
write_seeds(const char *dir)
{
	struct ids_flow_table *t = table(true);
	struct onvm_bucket_set some = { 0 };
	uint32_t flows;
	uint8_t *blob;
	long n = export_all(t, &blob, &flows);

	state_fuzz_write_seed(dir, "all_fresh", 0, blob, (size_t)n);
	state_fuzz_write_seed(dir, "all_into_flows", STATE_FUZZ_WITH_FLOWS, blob, (size_t)n);
	state_fuzz_write_seed(dir, "all_fix", STATE_FUZZ_FIX_LENGTH, blob, (size_t)n);
	/* One stream with windows both ways (flow 0, client 10.0.0.1). */
	onvm_bucket_set_add(&some, (uint16_t)(0x0a000001u * 7 % 1024));
	n = ids_flow_export(t, &some, blob, BLOB_CAP, &flows);
	state_fuzz_write_seed(dir, "one_stream", STATE_FUZZ_FIX_LENGTH, blob, (size_t)n);
	/* The same flow twice. */
	size_t rec = (size_t)n - STATE_BLOB_HDR_LEN;
	uint8_t *two = malloc(STATE_BLOB_HDR_LEN + 2 * rec);
	memcpy(two, blob, (size_t)n);
	memcpy(two + n, blob + STATE_BLOB_HDR_LEN, rec);
	be32_store(two + 12, 2);
	state_fuzz_write_seed(dir, "dup_fix", STATE_FUZZ_FIX_LENGTH, two, (size_t)n + rec);
	free(two);
	free(blob);
	ids_flow_table_free(t);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("ONVM_STATE_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	memset(&all, 0xff, sizeof(all));
	scratch = malloc(WINDOW + 65536);
	if (scratch == NULL)
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
	struct ids_flow_table *t, *again;
	uint8_t *before, *after, *x, *y;
	uint32_t flows, n_before, n_after;
	long before_len, after_len, xlen, ylen;
	/* The table's packet clock: past the idle time of the flows it has. */
	uint64_t now = (size & 1) ? 7 * IDLE_NS : 5 * IDLE_NS + 10;

	if (!state_fuzz_split(data, size, 0, &in))
		return 0;
	t = table(in.with_flows);
	before_len = export_all(t, &before, &n_before);
	if (ids_flow_import(t, in.blob, in.len, now, &flows) < 0) {
		after_len = export_all(t, &after, &n_after);
		if (after_len != before_len || memcmp(before, after, (size_t)before_len) != 0)
			abort(); /* a refused blob changed the table */
		free(after);
	} else {
		xlen = export_all(t, &x, &n_after);
		if (n_after > n_before + flows || n_after < flows)
			abort();
		again = table(false);
		if (ids_flow_import(again, x, (size_t)xlen, 0, &flows) < 0 || flows != n_after)
			abort(); /* a table's own export must import into its shape */
		ylen = export_all(again, &y, &flows);
		if (ylen != xlen || flows != n_after)
			abort();
		free(x);
		free(y);
		ids_flow_table_free(again);
		/* Imported streams go on. */
		traffic(t, 14, now + 20);
	}
	free(before);
	free(in.blob);
	ids_flow_table_free(t);
	return 0;
}
