/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-flow state that can move between instances of a service (see
 * docs/elastic.md).
 *
 * The manager spreads a service's flows over its instances by flow-hash
 * bucket: ONVM_STATE_BUCKETS buckets, each owned by one instance. Every
 * packet an NF receives comes with its bucket (onvm_nflib_bucket() in a
 * per-packet handler, onvm_nflib_burst_buckets() in a burst handler): the
 * symmetric 5-tuple hash of the packet as it entered the platform, so a
 * connection's two directions share it unless an NF upstream rewrote
 * addresses in between. An NF that keeps per-flow state records the bucket
 * of each flow it creates, and hands the library three callbacks:
 *
 *   export  write the state of every flow in a set of buckets into a blob
 *   import  take such a blob (from another instance of the same NF)
 *   drop    forget the flows of a set of buckets (they moved away)
 *
 * The blob is the NF's own format. It must begin with a version the NF
 * checks on import, and import must validate everything it reads: a
 * truncated, oversized or hostile blob is refused (-1) and changes
 * nothing. The library counts refusals under "state_refused".
 *
 * The callbacks run on the NF's own thread, between bursts, never beside
 * the packet handler: no locking is needed.
 *
 * Fault tolerance (docs/fault-tolerance.md) uses the same callbacks: the
 * library notes the bucket of every packet the NF handles (its dirty
 * set), and at each checkpoint exports the flows of those buckets only;
 * the standby drops its copy of those buckets and imports the blob. A
 * stateful NF is protected by running it with --ft; it needs nothing more
 * than the three callbacks, as long as its per-flow state changes only
 * when it handles a packet of that flow's bucket (a flow that merely
 * times out on the active may live on, a while longer, in the standby).
 */
#ifndef ONVM_NFLIB_STATE_H
#define ONVM_NFLIB_STATE_H

#include <stddef.h>
#include <stdint.h>

struct onvm_nf_ctx;

#define ONVM_STATE_BUCKETS 1024
#define ONVM_STATE_BUCKET_WORDS (ONVM_STATE_BUCKETS / 64)

/* A set of buckets: bit b of word b / 64. */
struct onvm_bucket_set {
	uint64_t bits[ONVM_STATE_BUCKET_WORDS];
};

static inline int
onvm_bucket_set_has(const struct onvm_bucket_set *s, uint16_t b)
{
	return (s->bits[b / 64] >> (b % 64)) & 1;
}

static inline void
onvm_bucket_set_add(struct onvm_bucket_set *s, uint16_t b)
{
	s->bits[b / 64] |= 1ULL << (b % 64);
}

static inline void
onvm_bucket_set_merge(struct onvm_bucket_set *into, const struct onvm_bucket_set *from)
{
	for (unsigned int w = 0; w < ONVM_STATE_BUCKET_WORDS; w++)
		into->bits[w] |= from->bits[w];
}

static inline unsigned int
onvm_bucket_set_count(const struct onvm_bucket_set *s)
{
	unsigned int n = 0;

	for (unsigned int w = 0; w < ONVM_STATE_BUCKET_WORDS; w++)
		n += (unsigned int)__builtin_popcountll(s->bits[w]);
	return n;
}

/* The bucket of a flow hash (the manager's, pkt_5tuple_hash_symmetric). */
static inline uint16_t
onvm_bucket_of_hash(uint32_t flow_hash)
{
	return (uint16_t)(flow_hash & (ONVM_STATE_BUCKETS - 1));
}

struct onvm_state_ops {
	/*
	 * Write the state of the flows in `buckets` into blob[0..cap).
	 * Returns the bytes written and sets *flows to how many flows they
	 * hold; -1 when cap is too small (the library retries with more).
	 */
	long (*export_state)(void *ctx, const struct onvm_bucket_set *buckets, uint8_t *blob,
			     size_t cap, uint32_t *flows);
	/* Take a blob; 0 and *flows imported, or -1: refused, nothing changed. */
	int (*import_state)(void *ctx, const uint8_t *blob, size_t len, uint32_t *flows);
	/* Forget the flows in `buckets`. */
	void (*drop_state)(void *ctx, const struct onvm_bucket_set *buckets);
	void *ctx;
};

/* Register the callbacks (before onvm_nflib_run*): the service's flows
 * can then move between its instances with their state. */
void onvm_nflib_state_register(struct onvm_nf_ctx *nf, const struct onvm_state_ops *ops);

/* The bucket of the packet being handled (per-packet handler), and of
 * each packet of the burst (burst handler). Read from the RX ring; the
 * packet is not touched. */
uint16_t onvm_nflib_bucket(const struct onvm_nf_ctx *nf);
const uint16_t *onvm_nflib_burst_buckets(const struct onvm_nf_ctx *nf);

#endif /* ONVM_NFLIB_STATE_H */
