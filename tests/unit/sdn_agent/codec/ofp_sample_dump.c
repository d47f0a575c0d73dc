/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofp_sample_dump NAME [XID] [N_TABLES]: print the named sample message as
 * one hex line (for ovs-ofctl ofp-print and the capture listener), or
 * with no argument list the sample names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofp_samples.h"

int
main(int argc, char **argv)
{
	struct ofp_buf b;

	if (argc < 2) {
		for (int i = 0; ofp_sample_names[i]; i++)
			puts(ofp_sample_names[i]);
		return 0;
	}
	ofp_buf_init(&b);
	if (!strcmp(argv[1], "table_features_reply") && argc > 3) {
		struct ofp_table_features_info t = { (uint8_t)atoi(argv[3]), 65536 };
		ofp_encode_table_features_reply(&b, 0, &t);
	} else if (!ofp_sample_build(argv[1], &b)) {
		fprintf(stderr, "no sample called %s\n", argv[1]);
		return 1;
	}
	/* Rewrite the xid of every message so replies match a request. */
	if (argc > 2) {
		uint32_t xid = (uint32_t)strtoul(argv[2], NULL, 0);
		for (size_t off = 0; off + 8 <= b.len; off += be16_load(b.data + off + 2))
			be32_store(b.data + off + 4, xid);
	}
	for (size_t i = 0; i < b.len; i++)
		printf("%02x", b.data[i]);
	putchar('\n');
	ofp_buf_free(&b);
	return 0;
}
