/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the NF state-import harnesses (fw_state, lb_state, ids_state,
 * qoe_state). An input is one mode byte and a blob:
 *
 *   bit 0  set the header's length field to the blob's length, and bit 2
 *          its flow count to what that length holds (fixed-size records):
 *          mutations then get past the header to the records
 *   bit 1  import into a table that already holds flows (else a fresh one)
 *
 * With ONVM_STATE_FUZZ_SEEDS=DIR in the environment a harness writes its
 * seed corpus there (real exports of its tables) and exits.
 */
#ifndef STATE_FUZZ_H
#define STATE_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_blob.h"

#define STATE_FUZZ_FIX_LENGTH 0x1
#define STATE_FUZZ_WITH_FLOWS 0x2
#define STATE_FUZZ_FIX_COUNT  0x4

struct state_fuzz_input {
	uint8_t *blob;   /* malloc'd copy: exactly len bytes, so ASan sees overreads */
	size_t len;
	bool with_flows;
};

/* Split data into mode and blob; false when there is nothing to try. */
static inline bool
state_fuzz_split(const uint8_t *data, size_t size, size_t rec_len, struct state_fuzz_input *in)
{
	uint8_t mode;

	if (size < 1)
		return false;
	mode = data[0];
	in->len = size - 1;
	in->blob = malloc(in->len ? in->len : 1);
	if (in->blob == NULL)
		return false;
	memcpy(in->blob, data + 1, in->len);
	in->with_flows = mode & STATE_FUZZ_WITH_FLOWS;
	if ((mode & STATE_FUZZ_FIX_LENGTH) && in->len >= STATE_BLOB_HDR_LEN) {
		be32_store(in->blob + 8, (uint32_t)in->len);
		if ((mode & STATE_FUZZ_FIX_COUNT) && rec_len != 0)
			be32_store(in->blob + 12,
				   (uint32_t)((in->len - STATE_BLOB_HDR_LEN) / rec_len));
	}
	return true;
}

/* Write one seed: mode byte, then the blob. */
static inline void
state_fuzz_write_seed(const char *dir, const char *name, uint8_t mode, const uint8_t *blob,
		      size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputc(mode, f);
	fwrite(blob, 1, len, f);
	fclose(f);
}

/* Both exports hold the same fixed-size records, in any order. */
static size_t state_fuzz_cmp_rec_len;

static inline int
state_fuzz_cmp(const void *a, const void *b)
{
	return memcmp(a, b, state_fuzz_cmp_rec_len);
}

static inline bool
state_fuzz_same_records(uint8_t *x, long xlen, uint8_t *y, long ylen, size_t rec_len)
{
	size_t n;

	if (xlen != ylen || xlen < (long)STATE_BLOB_HDR_LEN)
		return false;
	n = ((size_t)xlen - STATE_BLOB_HDR_LEN) / rec_len;
	state_fuzz_cmp_rec_len = rec_len;
	qsort(x + STATE_BLOB_HDR_LEN, n, rec_len, state_fuzz_cmp);
	qsort(y + STATE_BLOB_HDR_LEN, n, rec_len, state_fuzz_cmp);
	return memcmp(x, y, (size_t)xlen) == 0;
}

#endif /* STATE_FUZZ_H */
