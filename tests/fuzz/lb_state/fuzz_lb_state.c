/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the load balancer's state import (lb_state.c): any
 * blob, into a fresh connection table and into one with connections, is
 * either refused with the table unchanged, or taken; then the table's
 * export imports again into a fresh table with the same records, both keys
 * of every imported connection are found, and expiry runs over them. Runs a
 * private EAL (rte_hash). Input layout: tests/fuzz/state_fuzz.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "byte_order.h"
#include "onvm_runtime.h"
#include "lb_state.h"
#include "onvm_nflib_state.h"
#include "state_fuzz.h"

#define REC 32
#define MAX_CONNS 32
#define S 1000000000ull
#define NOW (5000 * S)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const services =
	"{ \"services\": [\n"
	"  { \"name\": \"web\", \"vip\": \"10.0.0.100\", \"proto\": \"tcp\", \"port\": 80,\n"
	"    \"backends\": [ { \"ip\": \"10.0.1.1\", \"port\": 8080 }, { \"ip\": \"10.0.1.2\", \"port\": 8080 } ] },\n"
	"  { \"name\": \"dns\", \"vip\": \"10.0.0.100\", \"proto\": \"udp\", \"port\": 53,\n"
	"    \"backends\": [ { \"ip\": \"10.0.2.1\", \"port\": 53 } ] } ] }\n";

static struct onvm_bucket_set all;
static struct lb_vips vips;
static unsigned int generation;

static struct lb_fwd
lb(bool with_flows)
{
	struct lb_fwd f = { .vips = vips,
			    .timeouts = { .tcp = 300 * S, .udp = 60 * S, .closing = 10 * S } };
	char name[32];

	snprintf(name, sizeof(name), "fuzz_lb_%u", generation++);
	f.conns = lb_conn_create(name, MAX_CONNS, SOCKET_ID_ANY);
	if (f.conns == NULL)
		abort();
	for (uint32_t i = 0; with_flows && i < 10; i++) {
		struct lb_conn c = { .client_ip = 0xc0a80001 + i,
				     .client_port = (uint16_t)(20000 + i),
				     .vip = 0x0a000064, .vport = i % 3 ? 80 : 53,
				     .proto = i % 3 ? 6 : 17,
				     .backend_ip = i % 3 ? 0x0a000101 + i % 2 : 0x0a000201,
				     .backend_port = i % 3 ? 8080 : 53,
				     .flags = i % 4 == 0 ? LB_CONN_F_CLOSING : 0,
				     .bucket_in = (uint16_t)(i * 100),
				     .bucket_reply = (uint16_t)(i * 7),
				     .last_seen = NOW - i * S };

		if (lb_conn_add(f.conns, &c) != LB_CONN_ADDED)
			abort();
	}
	return f;
}

static long
export_all(struct lb_fwd *f, uint8_t **blob, uint32_t *flows)
{
	size_t cap = STATE_BLOB_HDR_LEN + MAX_CONNS * REC;
	long n;

	*blob = malloc(cap);
	if (*blob == NULL)
		abort();
	n = lb_state_export(f, &all, NOW, *blob, cap, flows);
	if (n < 0)
		abort();
	return n;
}

static void
write_seeds(const char *dir)
{
	struct lb_fwd f = lb(true);
	uint32_t flows;
	uint8_t *blob;
	long n = export_all(&f, &blob, &flows);

	state_fuzz_write_seed(dir, "all_fresh", 0, blob, (size_t)n);
	state_fuzz_write_seed(dir, "all_into_flows", STATE_FUZZ_WITH_FLOWS, blob, (size_t)n);
	state_fuzz_write_seed(dir, "all_fix", STATE_FUZZ_FIX_LENGTH | STATE_FUZZ_FIX_COUNT, blob,
			      (size_t)n);
	state_fuzz_write_seed(dir, "two_fix", STATE_FUZZ_FIX_LENGTH | STATE_FUZZ_FIX_COUNT,
			      blob, STATE_BLOB_HDR_LEN + 2 * REC);
	/* The same connection twice. */
	memcpy(blob + n - REC, blob + STATE_BLOB_HDR_LEN, REC);
	state_fuzz_write_seed(dir, "dup_fix", STATE_FUZZ_FIX_LENGTH | STATE_FUZZ_FIX_COUNT, blob,
			      (size_t)n);
	free(blob);
	lb_conn_free(f.conns);
	/* More connections than a table with flows has room for. */
	f = lb(false);
	for (uint32_t i = 0; i < 28; i++) {
		struct lb_conn c = { .client_ip = 0xc0b00001 + i, .client_port = 999,
				     .vip = 0x0a000064, .vport = 80, .proto = 6,
				     .backend_ip = 0x0a000102, .backend_port = 8080,
				     .bucket_in = (uint16_t)i, .bucket_reply = 1000,
				     .last_seen = NOW };

		lb_conn_add(f.conns, &c);
	}
	n = export_all(&f, &blob, &flows);
	state_fuzz_write_seed(dir, "many_into_flows", STATE_FUZZ_WITH_FLOWS, blob, (size_t)n);
	free(blob);
	lb_conn_free(f.conns);
}

/* EAL leaves a runtime directory behind: take it away at exit. */
static void
eal_done(void)
{
	rte_eal_cleanup();
	onvm_runtime_remove("fuzz_lb_state");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { "fuzz_lb_state", "--no-huge", "--no-pci", "--no-shconf", "-l", "0",
			"-m", "256", "--file-prefix", "fuzz_lb_state", "--log-level=error",
			"--no-telemetry", NULL };
	const char *seeds = getenv("ONVM_STATE_FUZZ_SEEDS");
	struct lb_config cfg;
	char err[256];

	(void)argc;
	(void)argv;
	memset(&all, 0xff, sizeof(all));
	if (rte_eal_init(12, eal) < 0)
		abort();
	atexit(eal_done);
	if (lb_config_load_string("fuzz.json", services, &cfg, err, sizeof(err)) < 0 ||
	    lb_vips_build(&vips, &cfg) < 0)
		abort();
	lb_config_free(&cfg);
	if (seeds != NULL) {
		write_seeds(seeds);
		exit(0);
	}
	return 0;
}

/* Both keys of every connection in blob lead to one entry. */
static void
check_keys(struct lb_fwd *f, const uint8_t *blob, long len)
{
	for (long off = STATE_BLOB_HDR_LEN; off + REC <= len; off += REC) {
		const uint8_t *r = blob + off;
		struct lb_conn *in = lb_conn_find_inbound(f->conns, be32_load(r),
							  be16_load(r + 12), be32_load(r + 4),
							  be16_load(r + 14), r[18]);
		struct lb_conn *out = lb_conn_find_reply(f->conns, be32_load(r + 8),
							 be16_load(r + 16), be32_load(r),
							 be16_load(r + 12), r[18]);

		if (in == NULL || in != out)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state_fuzz_input in;
	struct lb_fwd f, again;
	uint8_t *before, *after, *x, *y;
	uint32_t flows, n_before, n_after;
	long before_len, after_len, xlen, ylen;

	if (!state_fuzz_split(data, size, REC, &in))
		return 0;
	f = lb(in.with_flows);
	before_len = export_all(&f, &before, &n_before);
	if (lb_state_import(&f, in.blob, in.len, NOW, &flows) < 0) {
		after_len = export_all(&f, &after, &n_after);
		if (after_len != before_len || memcmp(before, after, (size_t)before_len) != 0)
			abort(); /* a refused blob changed the table */
		free(after);
	} else {
		xlen = export_all(&f, &x, &n_after);
		if (n_after > n_before + flows || n_after < flows)
			abort();
		check_keys(&f, x, xlen);
		again = lb(false);
		if (lb_state_import(&again, x, (size_t)xlen, NOW, &flows) < 0)
			abort(); /* a table's own export must import */
		ylen = export_all(&again, &y, &flows);
		if (!state_fuzz_same_records(x, xlen, y, ylen, REC))
			abort();
		lb_conn_expire(again.conns, NOW + 100 * S, &again.timeouts, MAX_CONNS);
		lb_state_drop(&again, &all);
		if (lb_conn_count(again.conns) != 0)
			abort();
		free(x);
		free(y);
		lb_conn_free(again.conns);
	}
	free(before);
	free(in.blob);
	lb_conn_free(f.conns);
	return 0;
}
