/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the IDS's per-packet path (nfs/ids/ids_engine.c
 * and the flow and TCP stream tracking behind it, ids_flow.c): frames
 * from the fuzzer through an engine with a handful of rules (content,
 * nocase, depth/distance, pcre, flow direction, a drop rule), a table of
 * four flows (so eviction is reached) and a 64-byte stream window (so
 * segments slide through it and gaps are met).
 *
 * Input: records of u16 caplen (little endian), u8 milliseconds since the
 * previous frame, caplen bytes of frame. The first byte also picks the
 * window (64 bytes, or every segment alone).
 *
 * Aborts when a verdict is neither pass nor drop, when the engine's counts
 * do not add up (every frame is inspected, malformed, a fragment or not
 * IPv4; drops never exceed inspected frames), or when a drop verdict is
 * not counted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids_engine.h"
#include "ids_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
	"var HOME_NET [10.0.0.0/8]\n"
	"portvar HTTP_PORTS [80,8000:8080]\n"
	"alert tcp any any -> $HOME_NET $HTTP_PORTS (msg:\"passwd\"; flow:to_server,established; "
	"content:\"/etc/passwd\"; sid:1; rev:1;)\n"
	"drop tcp any any -> $HOME_NET $HTTP_PORTS (msg:\"cmd\"; flow:to_server,established; "
	"content:\"cmd.exe\"; nocase; sid:2; rev:1;)\n"
	"alert tcp any any -> $HOME_NET $HTTP_PORTS (msg:\"union\"; content:\"GET \"; depth:4; "
	"pcre:\"/union\\s+select/iR\"; sid:3; rev:1;)\n"
	"alert tcp $HOME_NET $HTTP_PORTS -> any any (msg:\"listing\"; flow:to_client; "
	"content:\"200\"; depth:12; content:\"Index of\"; distance:0; sid:4; rev:1;)\n"
	"alert udp any any -> any 53 (msg:\"dns\"; content:\"|07|example\"; sid:5; rev:1;)\n"
	"alert icmp any any -> any any (msg:\"ping\"; content:\"ABCD\"; sid:6; rev:1;)\n";

static FILE *sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ids_load_opts o;
	struct ids_engine_cfg cfg;
	struct ids_ruleset *rs;
	struct ids_engine *e;
	uint64_t now = 1000000000ull, drops = 0;
	size_t off = 1;

	if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
		abort();
	if (size < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.err = sink;
	o.strict = true;
	rs = ids_rules_load_str("fuzz.rules", rules, &o);
	if (rs == NULL)
		abort(); /* the harness's own rules must load */
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_flows = 4;
	cfg.window = data[0] & 1 ? IDS_WINDOW_NONE : 64;
	cfg.idle_ns = 2000000000ull;
	cfg.alerts = sink;
	e = ids_engine_new(rs, &cfg, sink);
	if (e == NULL)
		abort();
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
		enum ids_verdict v = ids_engine_inspect(e, frame, caplen, now, (uint16_t)(caplen % 1024));
		free(frame);
		if (v != IDS_PASS && v != IDS_DROP)
			abort();
		drops += v == IDS_DROP;
		off += caplen;
	}
	const struct ids_counters *c = ids_engine_counters(e);
	if (c->inspected + c->malformed + c->fragments + c->not_ipv4 != c->packets ||
	    c->drops != drops || c->drops > c->inspected || c->alert_write_errors != 0)
		abort();
	ids_engine_free(e);
	return 0;
}
