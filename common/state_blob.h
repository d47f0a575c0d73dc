/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * state_blob: the header every NF's state blob begins with (see
 * onvm_nflib_state.h), so that one NF's blob is never read as another's.
 * Pure C, network byte order, no allocation.
 *
 *   offset  size  field
 *        0     4  magic   "ONVS"
 *        4     2  version of the NF's record layout
 *        6     2  kind    which NF wrote it (enum state_blob_kind)
 *        8     4  length  of the whole blob, header included
 *       12     4  flows   records that follow
 *       16     4  param   the NF's own (e.g. the IDS's stream window)
 *       20     4  zero
 *
 * The records follow, in the NF's own layout. state_blob_check() refuses a
 * header that does not describe exactly `len` bytes; the NF then checks
 * its records against the length the header vouched for.
 */
#ifndef ONVM_STATE_BLOB_H
#define ONVM_STATE_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "byte_order.h"

#define STATE_BLOB_MAGIC 0x4f4e5653u /* "ONVS" */
#define STATE_BLOB_HDR_LEN 24u

enum state_blob_kind {
	STATE_BLOB_FIREWALL = 1,
	STATE_BLOB_LOAD_BALANCER = 2,
	STATE_BLOB_IDS = 3,
	STATE_BLOB_QOE = 4,
};

struct state_blob_hdr {
	uint16_t version;
	uint16_t kind;
	uint32_t length;
	uint32_t flows;
	uint32_t param;
};

static inline void
state_blob_put_hdr(uint8_t *p, const struct state_blob_hdr *h)
{
	be32_store(p, STATE_BLOB_MAGIC);
	be16_store(p + 4, h->version);
	be16_store(p + 6, h->kind);
	be32_store(p + 8, h->length);
	be32_store(p + 12, h->flows);
	be32_store(p + 16, h->param);
	be32_store(p + 20, 0);
}

/*
 * Read and check the header of blob[0..len): magic, kind and version as
 * expected, length equal to len, the reserved word zero. 0 and *h filled,
 * or -1.
 */
static inline int
state_blob_check(const uint8_t *blob, size_t len, uint16_t kind, uint16_t version,
		 struct state_blob_hdr *h)
{
	if (blob == NULL || len < STATE_BLOB_HDR_LEN || len > UINT32_MAX)
		return -1;
	if (be32_load(blob) != STATE_BLOB_MAGIC || be32_load(blob + 20) != 0)
		return -1;
	h->version = be16_load(blob + 4);
	h->kind = be16_load(blob + 6);
	h->length = be32_load(blob + 8);
	h->flows = be32_load(blob + 12);
	h->param = be32_load(blob + 16);
	if (h->kind != kind || h->version != version || h->length != len)
		return -1;
	return 0;
}

#endif /* ONVM_STATE_BLOB_H */
