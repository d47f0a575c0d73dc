/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the firewall's state import (fw_ct_state.c): any
 * blob, into a fresh connection table and into one with connections, is
 * either refused with the table unchanged, or taken; then the table's
 * export imports again into a fresh table with the same records, and
 * packets of every imported connection are looked up (FIN/RST handling of
 * imported state). Runs a private EAL (rte_hash). Input layout:
 * tests/fuzz/state_fuzz.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "byte_order.h"
#include "onvm_runtime.h"
#include "fw_conntrack.h"
#include "onvm_nflib_state.h"
#include "state_fuzz.h"

#define REC 28
#define MAX_CONNS 32
#define S 1000000000ull
#define T0 (1700000000ull * S)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct onvm_bucket_set all;
static const struct fw_ct_timeouts to = { .tcp_ns = 600 * S, .udp_ns = 30 * S,
					  .close_ns = 2 * S };

static struct fw_conntrack *
table(uint32_t max, bool with_flows)
{
	struct fw_conntrack *ct = fw_ct_create(max, SOCKET_ID_ANY);

	if (ct == NULL)
		abort();
	for (uint32_t i = 0; with_flows && i < 12; i++) {
		static const uint8_t protos[] = { PKT_PROTO_TCP, PKT_PROTO_UDP, PKT_PROTO_ICMP };
		struct pkt_5tuple t = { .src_ip = 0x0a000001 + i, .dst_ip = 0xc0a80001,
					.proto = protos[i % 3] };

		if (t.proto != PKT_PROTO_ICMP) {
			t.src_port = (uint16_t)(1024 + i);
			t.dst_port = 443;
		}
		fw_ct_track(ct, &t, i % 4 == 0 ? PKT_TCP_FIN : PKT_TCP_SYN,
			    (uint16_t)(i * 91 % 1024),
			    T0 + i * S, &to);
	}
	return ct;
}

static long
export_all(struct fw_conntrack *ct, uint8_t **blob, uint32_t *flows)
{
	size_t cap = STATE_BLOB_HDR_LEN + 4 * MAX_CONNS * REC;
	long n;

	*blob = malloc(cap);
	if (*blob == NULL)
		abort();
	n = fw_ct_export(ct, &all, *blob, cap, flows);
	if (n < 0)
		abort();
	return n;
}

/* A packet each way of every connection in blob: imported state at work. */
static void
replay(struct fw_conntrack *ct, const uint8_t *blob, long len)
{
	for (long off = STATE_BLOB_HDR_LEN; off + REC <= len; off += REC) {
		const uint8_t *r = blob + off;
		struct pkt_5tuple t = { .src_ip = be32_load(r), .dst_ip = be32_load(r + 4),
					.src_port = be16_load(r + 8), .dst_port = be16_load(r + 10),
					.proto = r[12] };
		struct pkt_5tuple back = { .src_ip = t.dst_ip, .dst_ip = t.src_ip,
					   .src_port = t.dst_port, .dst_port = t.src_port,
					   .proto = t.proto };

		fw_ct_lookup(ct, &t, PKT_TCP_FIN | PKT_TCP_ACK, T0 + 100 * S, &to);
		fw_ct_lookup(ct, &back, PKT_TCP_FIN | PKT_TCP_ACK, T0 + 101 * S, &to);
	}
	fw_ct_expire(ct, T0 + 1000 * S, MAX_CONNS * 4);
}

static void
write_seeds(const char *dir)
{
	struct fw_conntrack *ct = table(MAX_CONNS, true);
	uint32_t flows;
	uint8_t *blob;
	long n = export_all(ct, &blob, &flows);

	state_fuzz_write_seed(dir, "all_fresh", 0, blob, (size_t)n);
	state_fuzz_write_seed(dir, "all_into_flows", STATE_FUZZ_WITH_FLOWS, blob, (size_t)n);
	state_fuzz_write_seed(dir, "all_fix", STATE_FUZZ_FIX_LENGTH | STATE_FUZZ_FIX_COUNT, blob,
			      (size_t)n);
	state_fuzz_write_seed(dir, "three_fix", STATE_FUZZ_FIX_LENGTH | STATE_FUZZ_FIX_COUNT |
				  STATE_FUZZ_WITH_FLOWS, blob, STATE_BLOB_HDR_LEN + 3 * REC);
	/* The same connection twice. */
	memcpy(blob + n - REC, blob + STATE_BLOB_HDR_LEN, REC);
	state_fuzz_write_seed(dir, "dup_fix", STATE_FUZZ_FIX_LENGTH | STATE_FUZZ_FIX_COUNT, blob,
			      (size_t)n);
	free(blob);
	fw_ct_free(ct);
	/* More connections than a table with flows has room for. */
	ct = table(2 * MAX_CONNS, false);
	for (uint32_t i = 0; i < 28; i++) {
		struct pkt_5tuple t = { .src_ip = 0x0b000001 + i, .dst_ip = 0xc0a80002,
					.src_port = 999, .dst_port = 22, .proto = PKT_PROTO_TCP };

		fw_ct_track(ct, &t, PKT_TCP_SYN, (uint16_t)i, T0, &to);
	}
	n = export_all(ct, &blob, &flows);
	state_fuzz_write_seed(dir, "many_into_flows", STATE_FUZZ_WITH_FLOWS, blob, (size_t)n);
	free(blob);
	fw_ct_free(ct);
}

/* EAL leaves a runtime directory behind: take it away at exit. */
static void
eal_done(void)
{
	rte_eal_cleanup();
	onvm_runtime_remove("fuzz_fw_state");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { "fuzz_fw_state", "--no-huge", "--no-pci", "--no-shconf", "-l", "0",
			"-m", "256", "--file-prefix", "fuzz_fw_state", "--log-level=error",
			"--no-telemetry", NULL };
	const char *seeds = getenv("ONVM_STATE_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	memset(&all, 0xff, sizeof(all));
	if (rte_eal_init(12, eal) < 0)
		abort();
	atexit(eal_done);
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
	struct fw_conntrack *ct, *again;
	uint8_t *before, *after, *x, *y;
	uint32_t flows, n_before, n_after;
	long before_len, after_len, xlen, ylen;

	if (!state_fuzz_split(data, size, REC, &in))
		return 0;
	ct = table(MAX_CONNS, in.with_flows);
	before_len = export_all(ct, &before, &n_before);
	if (fw_ct_import(ct, in.blob, in.len, T0 + 50 * S, &to, &flows) < 0) {
		after_len = export_all(ct, &after, &n_after);
		if (after_len != before_len || memcmp(before, after, (size_t)before_len) != 0)
			abort(); /* a refused blob changed the table */
		free(after);
	} else {
		xlen = export_all(ct, &x, &n_after);
		if (n_after > n_before + flows || n_after < flows)
			abort();
		/* Twice the room: rte_hash may not place every key of a full table. */
		again = table(2 * MAX_CONNS, false);
		if (fw_ct_import(again, x, (size_t)xlen, T0 + 50 * S, &to, &flows) < 0)
			abort(); /* a table's own export must import */
		ylen = export_all(again, &y, &flows);
		if (!state_fuzz_same_records(x, xlen, y, ylen, REC))
			abort();
		replay(ct, y, ylen);
		free(x);
		free(y);
		fw_ct_free(again);
	}
	free(before);
	free(in.blob);
	fw_ct_free(ct);
	return 0;
}
