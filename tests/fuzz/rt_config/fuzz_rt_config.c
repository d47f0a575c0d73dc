/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the router's route file (nfs/router/rt_config.c:
 * JSON and `ip route`-style text) and its per-frame logic (rt_fwd.c).
 *
 * Input: a route file; a NUL byte, if any, ends it and what follows is a
 * frame for rt_fwd_classify(). The port count is 1..8, from the file's
 * length, so "port does not exist" is reached too.
 *
 * Aborts when a refusal does not read "fuzz:LINE: reason", when an
 * accepted route breaks what the loader promises (depth <= 32, host bits
 * zero, port in range, no two routes for one prefix), or when a frame
 * classified routable is rewritten into one whose IPv4 header checksum
 * does not verify.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_parse.h"
#include "rt_config.h"
#include "rt_fwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_routes(const struct rt_config *c, uint16_t n_ports)
{
	for (uint32_t i = 0; i < c->n_routes; i++) {
		const struct rt_route *r = &c->routes[i];

		if (r->depth > 32 || (r->prefix & ~(r->depth ? 0xffffffffu << (32 - r->depth) : 0)) != 0)
			abort();
		if (r->port >= n_ports)
			abort();
		for (uint32_t j = 0; j < i; j++)
			if (c->routes[j].depth == r->depth && c->routes[j].prefix == r->prefix)
				abort();
	}
	if (c->non_ip != RT_NON_IP_PASS && c->non_ip != RT_NON_IP_DROP)
		abort();
}

static void
check_frame(const uint8_t *frame, uint32_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	static const uint8_t hop[6] = { 2, 0, 0, 0, 1, 1 }, self[6] = { 2, 0, 0, 0, 0, 1 };
	uint16_t l3 = 0;
	uint32_t dst = 0;

	if (copy == NULL)
		return;
	memcpy(copy, frame, len);
	if (rt_fwd_classify(copy, len, &l3, &dst) == RT_V_ROUTE) {
		uint8_t ihl = (uint8_t)((copy[l3] & 0x0f) * 4);
		uint8_t ttl = copy[l3 + 8];

		if (ihl < 20 || (uint32_t)l3 + ihl > len || ttl <= 1)
			abort();
		rt_fwd_rewrite(copy, l3, hop, self);
		/* The incremental update must agree with a full recount. */
		if (pkt_csum_fold(pkt_csum_partial(copy + l3, ihl, 0)) != 0xffff ||
		    copy[l3 + 8] != ttl - 1 || memcmp(copy, hop, 6) != 0)
			abort();
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t text_len = nul ? (size_t)(nul - data) : size;
	uint16_t n_ports = (uint16_t)(1 + size % 8);
	char err[256] = "";
	struct rt_config c;
	char *text = malloc(text_len + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, text_len);
	text[text_len] = '\0';
	if (rt_config_load_string("fuzz", text, n_ports, &c, err, sizeof(err)) < 0) {
		if (strncmp(err, "fuzz:", 5) != 0 || err[5] < '0' || err[5] > '9')
			abort();
		if (c.routes != NULL || c.n_routes != 0)
			abort();
	} else {
		check_routes(&c, n_ports);
		rt_config_free(&c);
	}
	free(text);
	if (nul)
		check_frame(nul + 1, (uint32_t)(size - text_len - 1));
	return 0;
}
