/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NF's side of moving flows between instances (onvm_nflib_state.h):
 * the manager posts one request at a time in the NF's slot; the run loop
 * calls nflib_state_poll() between bursts, so the callbacks never run
 * beside the packet handler.
 *
 * An export must cover every packet of the moving buckets the NF was ever
 * given. The manager stopped sending them (it holds them) and noted where
 * its RX ring's producer stood then (rx_target): the NF exports only once
 * it has read past that point, i.e. handled every packet enqueued before.
 * It then notes where its own TX ring stands (tx_mark), so the manager
 * sends everything the NF emitted for those flows before the packets it
 * releases to the new instance.
 */
#include <string.h>

#include "nflib_internal.h"

void
onvm_nflib_state_register(struct onvm_nf_ctx *nf, const struct onvm_state_ops *ops)
{
	nf->state_ops = *ops;
	nf->have_state_ops = true;
	nf->counter_state_refused = onvm_nflib_counter_register(nf, "state_refused");
	__atomic_store_n(&nf->slot->stateful, 1, __ATOMIC_RELEASE);
}

uint16_t
onvm_nflib_bucket(const struct onvm_nf_ctx *nf)
{
	return nf->buckets[nf->cur];
}

const uint16_t *
onvm_nflib_burst_buckets(const struct onvm_nf_ctx *nf)
{
	return nf->buckets;
}

/* Ring positions wrap at 2^32: compare their distance. */
static bool
read_past(uint32_t pos, uint32_t target)
{
	return (int32_t)(pos - target) >= 0;
}

static void
do_export(struct onvm_nf_ctx *nf, struct onvm_state_req *r, const struct onvm_bucket_set *b)
{
	long n = nf->state_ops.export_state(nf->state_ops.ctx, b, r->blob, r->blob_cap,
					    &r->flows);

	if (n < 0) {
		r->result = ONVM_STATE_TOO_SMALL;
		return;
	}
	r->blob_len = (uint64_t)n;
	r->result = 0;
}

void
nflib_state_poll(struct onvm_nf_ctx *nf)
{
	struct onvm_state_req *r = &nf->slot->state_req;
	uint32_t seq = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
	struct onvm_bucket_set b;

	if (seq == r->done_seq)
		return;
	memcpy(b.bits, r->buckets, sizeof(b.bits));
	r->flows = 0;
	if (r->op == ONVM_STATE_EXPORT) {
		/* Not yet: packets of these buckets may still wait in the ring.
		 * An NF without state waits too: what it emits for them must
		 * leave before the packets the new instance gets (tx_mark). */
		if (!read_past(nf->rx_ring->cons.tail, r->rx_target))
			return;
		if (nf->have_state_ops) {
			do_export(nf, r, &b);
		} else {
			r->blob_len = 0;
			r->result = ONVM_STATE_NO_CALLBACKS;
		}
		r->tx_mark = nf->tx_ring->prod.tail;
	} else if (!nf->have_state_ops) {
		r->result = ONVM_STATE_NO_CALLBACKS;
	} else if (r->op == ONVM_STATE_IMPORT) {
		r->result = nf->state_ops.import_state(nf->state_ops.ctx, r->blob, r->blob_len,
						       &r->flows);
		if (r->result < 0) {
			r->result = -1;
			onvm_nflib_counter_add(nf, nf->counter_state_refused, 1);
		}
	} else if (r->op == ONVM_STATE_DROP) {
		nf->state_ops.drop_state(nf->state_ops.ctx, &b);
		r->result = 0;
	} else {
		r->result = -1;
	}
	__atomic_store_n(&r->done_seq, seq, __ATOMIC_RELEASE);
}
