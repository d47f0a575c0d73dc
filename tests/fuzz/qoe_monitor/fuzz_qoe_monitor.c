/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the QoE monitor: its options (qoe_args.c) and the
 * engine it runs over every frame it sees (qoe_engine.c and the TCP and
 * RTP analysis behind it). The monitor has no configuration file; what
 * comes from outside is its command line and, above all, the packets.
 *
 * Input: when it starts with '-', its first line is the command line
 * (split at spaces). The rest is a sequence of records
 *     u16 caplen (little endian), u8 milliseconds since the previous frame,
 *     caplen bytes of frame
 * run through an engine with a table of four flows (so eviction is
 * reached) and one-second timeouts.
 *
 * Aborts when the engine's counts do not add up: packets = the sum over
 * results, active flows <= the table size, and after shutdown no active
 * flow and one final record for every flow created (no interval records
 * are asked for).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qoe_args.h"
#include "qoe_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_ARGS 16

static FILE *sink;

static size_t
parse_args(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t line = nl ? (size_t)(nl - data) : size;
	char *copy = malloc(line + 1);
	char *argv[FUZZ_MAX_ARGS + 2];
	int argc = 0;
	struct qoe_options o;
	char err[128];

	if (copy == NULL)
		return size;
	memcpy(copy, data, line);
	copy[line] = '\0';
	argv[argc++] = "qoe";
	for (char *save = NULL, *tok = strtok_r(copy, " ", &save); tok && argc <= FUZZ_MAX_ARGS;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (qoe_args_parse(argc, argv, &o, err, sizeof(err)) == 0) {
		if (o.cfg.max_flows == 0 || o.cfg.max_flows > (1u << 24) ||
		    o.first_operand < 1 || o.first_operand > argc)
			abort();
	} else if (err[0] == '\0') {
		abort();
	}
	free(copy);
	return nl ? line + 1 : size;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qoe_config cfg;
	struct qoe_engine *e;
	size_t off = 0;
	uint64_t now = 1000000000ull;

	if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
		abort();
	if (size > 0 && data[0] == '-')
		off = parse_args(data, size);

	qoe_config_defaults(&cfg);
	cfg.max_flows = 4;
	cfg.idle_timeout_ns = 1000000000ull;
	cfg.closed_timeout_ns = 1000000000ull;
	cfg.interval_ns = 0;
	e = qoe_engine_create(&cfg, sink);
	if (e == NULL)
		return 0;
	while (size - off >= 3) {
		uint32_t caplen = (uint32_t)data[off] | (uint32_t)data[off + 1] << 8;
		now += (uint64_t)data[off + 2] * 1000000ull;
		off += 3;
		if (caplen > size - off)
			caplen = (uint32_t)(size - off);
		/* In a buffer of its own size, so ASan sees a read past it. */
		uint8_t *frame = malloc(caplen ? caplen : 1);
		if (frame == NULL)
			break;
		memcpy(frame, data + off, caplen);
		enum qoe_pkt_result r = qoe_engine_packet(e, frame, caplen, caplen + (caplen & 1) * 4,
							  now, (uint16_t)(off % 1024));
		free(frame);
		if ((unsigned)r >= QOE_PKT_RESULTS)
			abort();
		off += caplen;
		if (data[off - caplen - 1] & 0x80)
			qoe_engine_tick(e, now);
		if (qoe_engine_active_flows(e) > cfg.max_flows)
			abort();
	}
	const struct qoe_stats *st = qoe_engine_stats(e);
	uint64_t sum = 0;
	for (unsigned r = 0; r < QOE_PKT_RESULTS; r++)
		sum += st->by_result[r];
	if (sum != st->packets)
		abort();
	qoe_engine_shutdown(e);
	if (qoe_engine_active_flows(e) != 0)
		abort();
	if (st->write_errors == 0 && st->records != st->flows)
		abort();
	qoe_engine_destroy(e);
	return 0;
}
