/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: arbitrary bytes as a .rules file. The parser must never
 * crash, leak or hang; every rule it accepts is then confirmed against a
 * fixed payload (the exact-match search under its step budget).
 *
 * Built with clang (-Dfuzz=true): see README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "ids_match.h"
#include "ids_rules.h"

static const char payload[] = "GET /etc/passwd HTTP/1.1\r\nHost: a\r\nUser-Agent: x\r\n\r\n"
			      "\x00\x01\xde\xad\xbe\xef cmd.exe USER root";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	FILE *devnull = fopen("/dev/null", "w");

	if (text == NULL || devnull == NULL) {
		free(text);
		if (devnull)
			fclose(devnull);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0'; /* a NUL inside ends the text, as a C string */
	struct ids_load_opts o = { .err = devnull };
	struct ids_ruleset *rs = ids_rules_load_str("fuzz", text, &o);
	if (rs != NULL) {
		pcre2_match_data *md = pcre2_match_data_create(32, NULL);
		struct ids_pkt p = {
			.proto = 6, .flow = IDS_FLOW_TO_SERVER | IDS_FLOW_ESTABLISHED,
			.src_ip = 0x0a000001, .dst_ip = 0xc0a80101, .src_port = 1234, .dst_port = 80,
			.data = (const uint8_t *)payload, .len = sizeof(payload) - 1,
			.new_start = 10, .stream_off = 3,
		};
		for (uint32_t i = 0; i < rs->n_rules; i++) {
			uint32_t budget = IDS_CONFIRM_BUDGET;
			if (ids_rule_header_match(&rs->rules[i], &p))
				ids_rule_payload_match(&rs->rules[i], &p, md, &budget);
		}
		pcre2_match_data_free(md);
	}
	ids_rules_free(rs);
	fclose(devnull);
	free(text);
	return 0;
}
