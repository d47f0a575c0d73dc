/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nflib_dirty: the buckets a stateful NF handled packets of since its last
 * checkpoint (fault tolerance, docs/fault-tolerance.md). Bucket-granular:
 * one bit per flow-hash bucket, set for each packet received, so the
 * checkpoint exports the flows of those buckets and no others. Pure, no
 * DPDK: tested in tests/unit/onvm_nflib/test_nflib_dirty.c.
 */
#ifndef ONVM_NFLIB_DIRTY_H
#define ONVM_NFLIB_DIRTY_H

#include <stdint.h>
#include <string.h>

#include "onvm_nflib_state.h"

/* A burst's packets are about to be handled: their buckets are dirty. */
static inline void
nflib_dirty_mark(struct onvm_bucket_set *dirty, const uint16_t *buckets, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		onvm_bucket_set_add(dirty, buckets[i] & (ONVM_STATE_BUCKETS - 1));
}

/*
 * What a checkpoint exports: the buckets the manager asked for (all of
 * them for a standby's first checkpoint) and the dirty ones. The dirty set
 * is cleared only once the export succeeded (nflib_dirty_clear): an export
 * retried with a larger blob must cover the same buckets.
 */
static inline void
nflib_dirty_export_set(const struct onvm_bucket_set *dirty, const struct onvm_bucket_set *asked,
		       struct onvm_bucket_set *out)
{
	*out = *asked;
	onvm_bucket_set_merge(out, dirty);
}

static inline void
nflib_dirty_clear(struct onvm_bucket_set *dirty)
{
	memset(dirty->bits, 0, sizeof(dirty->bits));
}

#endif /* ONVM_NFLIB_DIRTY_H */
