/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the firewall rule file loader: any bytes give
 * either a valid rule set or one "fuzz.json:LINE: reason" error, and never
 * a crash, a hang or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char err[CFG_ERR_LEN] = "";
	struct fw_config c;
	struct pkt_info pi;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (fw_config_load_string(&c, "fuzz.json", text, err, sizeof(err)) < 0) {
		/* Every refusal names the file and a line. */
		if (strncmp(err, "fuzz.json:", 10) != 0 || err[10] < '0' || err[10] > '9')
			abort();
		if (c.rules != NULL || c.n_rules != 0)
			abort();
	} else {
		/* The reference classifier runs over whatever was accepted. */
		memset(&pi, 0, sizeof(pi));
		pi.flags = PKT_F_ETH | PKT_F_IPV4 | PKT_F_L4;
		pi.eth_type = PKT_ETHERTYPE_IPV4;
		pi.ip_proto = (uint8_t)(size & 0xff);
		pi.ipv4_src = 0x0a000001;
		pi.dst_port = 80;
		(void)fw_config_first_match(&c, &pi, 0);
		if (c.n_rules > FW_MAX_RULES)
			abort();
		fw_config_free(&c);
	}
	free(text);
	return 0;
}
