/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_flow_state: flows and their TCP stream windows to and from a blob
 * (semantics in ids_flow.h), so that a stream in the middle of a pattern
 * goes on being matched on another instance.
 *
 * After the common header (common/state_blob.h: kind IDS, version 1, param
 * = the exporter's stream window in bytes) each flow is a fixed part of
 * IDS_REC_LEN bytes, network order, followed by its two windows' bytes
 * (tail_len[0] then tail_len[1]):
 *
 *   off size
 *     0   4  ip_a        canonical key: (ip_a, port_a) <= (ip_b, port_b)
 *     4   4  ip_b
 *     8   2  port_a      0 unless TCP or UDP
 *    10   2  port_b
 *    12   1  proto
 *    13   1  flags       REC_* below
 *    14   2  bucket      < ONVM_STATE_BUCKETS
 *    16   4  syn_seq
 *    20   8  id          < 2^52
 *    28   8  last_ns     absolute: packet arrival times, the host clock
 *    36  12  dir[0]      base_seq, next_seq, tail_len (4 each): client -> server
 *    48  12  dir[1]      the same, server -> client
 *
 * A window longer than the importer's keeps its last bytes (what the
 * importer would have kept itself). Import checks every record before it
 * touches the table, and that every set has room, so it cannot fail
 * half-way.
 */
#include <stdlib.h>
#include <string.h>

#include "byte_order.h"
#include "ids_flow_internal.h"
#include "onvm_nflib_state.h"
#include "state_blob.h"

#define IDS_BLOB_VERSION 1
#define IDS_REC_LEN 60
#define IDS_MAX_WINDOW (1u << 20) /* the NF's -W bound */

#define REC_CLIENT_B    0x01 /* the client is (ip_b, port_b) */
#define REC_SYN         0x02
#define REC_SYNACK      0x04
#define REC_ESTABLISHED 0x08
#define REC_SEEN_REPLY  0x10
#define REC_SEQ0        0x20 /* dir[0].seq_known */
#define REC_SEQ1        0x40
#define REC_ALL         0x7f

static bool
has_ports(uint8_t proto)
{
	return proto == PKT_PROTO_TCP || proto == PKT_PROTO_UDP;
}

static uint8_t
rec_flags(const struct ids_flow *f)
{
	bool client_a = f->client_ip == f->ip_a &&
			(!has_ports(f->proto) || f->client_port == f->port_a);

	return (uint8_t)((client_a ? 0 : REC_CLIENT_B) | (f->syn_seen ? REC_SYN : 0) |
			 (f->synack_seen ? REC_SYNACK : 0) |
			 (f->established ? REC_ESTABLISHED : 0) |
			 (f->seen_reply ? REC_SEEN_REPLY : 0) |
			 (f->dir[0].seq_known ? REC_SEQ0 : 0) |
			 (f->dir[1].seq_known ? REC_SEQ1 : 0));
}

static size_t
put_record(uint8_t *p, const struct ids_flow *f)
{
	size_t off = IDS_REC_LEN;

	be32_store(p, f->ip_a);
	be32_store(p + 4, f->ip_b);
	be16_store(p + 8, f->port_a);
	be16_store(p + 10, f->port_b);
	p[12] = f->proto;
	p[13] = rec_flags(f);
	be16_store(p + 14, f->bucket);
	be32_store(p + 16, f->syn_seq);
	be64_store(p + 20, f->id);
	be64_store(p + 28, f->last_ns);
	for (int d = 0; d < 2; d++) {
		be32_store(p + 36 + 12 * d, f->dir[d].base_seq);
		be32_store(p + 40 + 12 * d, f->dir[d].next_seq);
		be32_store(p + 44 + 12 * d, f->dir[d].tail_len);
	}
	for (int d = 0; d < 2; d++) {
		if (f->dir[d].tail_len > 0)
			memcpy(p + off, f->dir[d].tail, f->dir[d].tail_len);
		off += f->dir[d].tail_len;
	}
	return off;
}

long
ids_flow_export(const struct ids_flow_table *t, const struct onvm_bucket_set *b, uint8_t *blob,
		size_t cap, uint32_t *flows)
{
	struct state_blob_hdr h = { .version = IDS_BLOB_VERSION, .kind = STATE_BLOB_IDS,
				    .param = t->window };
	size_t n = (size_t)t->n_sets * FLOW_WAYS, off = STATE_BLOB_HDR_LEN;

	*flows = 0;
	if (cap < STATE_BLOB_HDR_LEN)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct ids_flow *f = &t->flows[i];

		if (!f->used || !onvm_bucket_set_has(b, f->bucket))
			continue;
		if (cap - off < (size_t)IDS_REC_LEN + f->dir[0].tail_len + f->dir[1].tail_len)
			return -1;
		off += put_record(blob + off, f);
		h.flows++;
	}
	if (off > UINT32_MAX)
		return -1;
	h.length = (uint32_t)off;
	state_blob_put_hdr(blob, &h);
	*flows = h.flows;
	return (long)off;
}

/* A record read and checked, its windows still in the blob. */
struct rec {
	struct ids_flow f;           /* tails point into the blob */
	uint32_t set;
};

/* Check the record at blob[off..len) into r; its length, or 0 when bad. */
static size_t
get_record(const struct ids_flow_table *t, const uint8_t *p, size_t room, uint32_t window,
	   struct rec *r)
{
	struct ids_flow *f = &r->f;
	uint8_t fl;
	size_t need = IDS_REC_LEN;

	if (room < IDS_REC_LEN)
		return 0;
	memset(r, 0, sizeof(*r));
	f->used = true;
	f->ip_a = be32_load(p);
	f->ip_b = be32_load(p + 4);
	f->port_a = be16_load(p + 8);
	f->port_b = be16_load(p + 10);
	f->proto = p[12];
	fl = p[13];
	f->bucket = be16_load(p + 14);
	f->syn_seq = be32_load(p + 16);
	f->id = be64_load(p + 20);
	f->last_ns = be64_load(p + 28);
	if (f->ip_a > f->ip_b || (f->ip_a == f->ip_b && f->port_a > f->port_b))
		return 0; /* not canonical: no packet would find it */
	if (!has_ports(f->proto) && (f->port_a != 0 || f->port_b != 0))
		return 0;
	if ((fl & ~REC_ALL) != 0 || f->bucket >= ONVM_STATE_BUCKETS || f->id >= (1ull << 52))
		return 0;
	if (f->last_ns > UINT64_MAX - t->idle_timeout_ns)
		return 0; /* its idle check would wrap */
	if (f->proto != PKT_PROTO_TCP && (fl & (REC_SEQ0 | REC_SEQ1 | REC_SYN | REC_SYNACK)))
		return 0;
	f->client_ip = (fl & REC_CLIENT_B) ? f->ip_b : f->ip_a;
	f->client_port = (fl & REC_CLIENT_B) ? f->port_b : f->port_a;
	f->syn_seen = fl & REC_SYN;
	f->synack_seen = fl & REC_SYNACK;
	f->established = fl & REC_ESTABLISHED;
	f->seen_reply = fl & REC_SEEN_REPLY;
	for (int d = 0; d < 2; d++) {
		struct ids_stream_dir *sd = &f->dir[d];

		sd->seq_known = fl & (d ? REC_SEQ1 : REC_SEQ0);
		sd->base_seq = be32_load(p + 36 + 12 * d);
		sd->next_seq = be32_load(p + 40 + 12 * d);
		sd->tail_len = be32_load(p + 44 + 12 * d);
		if (!sd->seq_known && (sd->base_seq | sd->next_seq | sd->tail_len) != 0)
			return 0;
		/* The window is the bytes just before next_seq, within the stream. */
		if (sd->tail_len > window || sd->tail_len > (uint32_t)(sd->next_seq - sd->base_seq))
			return 0;
		need += sd->tail_len;
	}
	if (room < need)
		return 0;
	f->dir[0].tail = (uint8_t *)(uintptr_t)(p + IDS_REC_LEN);
	f->dir[1].tail = f->dir[0].tail + f->dir[0].tail_len;
	r->set = ids_flow_key_hash(f->ip_a, f->ip_b, f->port_a, f->port_b, f->proto) &
		 (t->n_sets - 1);
	return need;
}

static int
cmp_key(const void *x, const void *y)
{
	const struct ids_flow *a = &((const struct rec *)x)->f, *b = &((const struct rec *)y)->f;

	if (a->ip_a != b->ip_a)
		return a->ip_a < b->ip_a ? -1 : 1;
	if (a->ip_b != b->ip_b)
		return a->ip_b < b->ip_b ? -1 : 1;
	if (a->port_a != b->port_a)
		return a->port_a < b->port_a ? -1 : 1;
	if (a->port_b != b->port_b)
		return a->port_b < b->port_b ? -1 : 1;
	return (int)a->proto - (int)b->proto;
}

static bool
same_key(const struct ids_flow *a, const struct ids_flow *b)
{
	return a->ip_a == b->ip_a && a->ip_b == b->ip_b && a->port_a == b->port_a &&
	       a->port_b == b->port_b && a->proto == b->proto;
}

/* The way of set `set` holding r's flow, or -1. */
static int
way_of(const struct ids_flow_table *t, const struct rec *r)
{
	const struct ids_flow *set = &t->flows[(size_t)r->set * FLOW_WAYS];

	for (int w = 0; w < FLOW_WAYS; w++)
		if (set[w].used && same_key(&set[w], &r->f))
			return w;
	return -1;
}

static bool
way_free(const struct ids_flow_table *t, const struct ids_flow *f, uint64_t now_ns)
{
	return !f->used || now_ns > f->last_ns + t->idle_timeout_ns;
}

/* Write r's flow into f (a way of the table), keeping f's window buffers. */
static void
place(const struct ids_flow_table *t, struct ids_flow *f, const struct rec *r)
{
	uint8_t *t0 = f->dir[0].tail, *t1 = f->dir[1].tail;

	*f = r->f;
	f->dir[0].tail = t0;
	f->dir[1].tail = t1;
	for (int d = 0; d < 2; d++) {
		uint32_t keep = r->f.dir[d].tail_len < t->window ? r->f.dir[d].tail_len : t->window;

		if (keep > 0)
			memcpy(f->dir[d].tail, r->f.dir[d].tail + r->f.dir[d].tail_len - keep,
			       keep);
		f->dir[d].tail_len = keep;
	}
}

/* Per set during an import: the ways the blob's flows already hold or
 * have been given, and how many more it needs. */
struct set_use {
	uint8_t taken;
	uint8_t needed;
};

int
ids_flow_import(struct ids_flow_table *t, const uint8_t *blob, size_t len, uint64_t now_ns,
		 uint32_t *flows)
{
	struct state_blob_hdr h;
	struct rec *recs = NULL;
	struct set_use *use = NULL;
	size_t off = STATE_BLOB_HDR_LEN;
	uint32_t i;
	int rc = -1;

	*flows = 0;
	if (state_blob_check(blob, len, STATE_BLOB_IDS, IDS_BLOB_VERSION, &h) < 0 ||
	    h.param > IDS_MAX_WINDOW ||
	    (uint64_t)h.flows * IDS_REC_LEN > len - STATE_BLOB_HDR_LEN)
		return -1;
	if (h.flows == 0)
		return 0;
	if (h.flows > (uint64_t)t->n_sets * FLOW_WAYS)
		return -1;
	recs = malloc(sizeof(*recs) * h.flows);
	use = calloc(t->n_sets, sizeof(*use));
	if (recs == NULL || use == NULL)
		goto out;
	for (i = 0; i < h.flows; i++) {
		size_t n = get_record(t, blob + off, len - off, h.param, &recs[i]);

		if (n == 0)
			goto out;
		off += n;
	}
	if (off != len)
		goto out;
	/* The same flow twice: refused (sorted copy, the order of recs stays). */
	struct rec *sorted = malloc(sizeof(*sorted) * h.flows);
	if (sorted == NULL)
		goto out;
	memcpy(sorted, recs, sizeof(*sorted) * h.flows);
	qsort(sorted, h.flows, sizeof(*sorted), cmp_key);
	for (i = 1; i < h.flows && cmp_key(&sorted[i - 1], &sorted[i]) != 0; i++)
		;
	free(sorted);
	if (i < h.flows)
		goto out;
	/* Room: a flow already here keeps its way; any other needs a free one. */
	for (i = 0; i < h.flows; i++) {
		int w = way_of(t, &recs[i]);

		if (w >= 0)
			use[recs[i].set].taken |= (uint8_t)(1u << w);
		else
			use[recs[i].set].needed++;
	}
	for (i = 0; i < h.flows; i++) {
		const struct ids_flow *set = &t->flows[(size_t)recs[i].set * FLOW_WAYS];
		struct set_use *u = &use[recs[i].set];
		uint32_t room = 0;

		for (int w = 0; w < FLOW_WAYS; w++)
			room += !(u->taken >> w & 1) && way_free(t, &set[w], now_ns);
		if (u->needed > room)
			goto out;
	}
	/* Nothing can fail from here on. */
	for (i = 0; i < h.flows; i++) {
		struct ids_flow *set = &t->flows[(size_t)recs[i].set * FLOW_WAYS];
		struct set_use *u = &use[recs[i].set];
		int w = way_of(t, &recs[i]), best = -1;

		if (w < 0) {
			for (w = 0; w < FLOW_WAYS; w++) {
				if ((u->taken >> w & 1) || !way_free(t, &set[w], now_ns))
					continue;
				if (best < 0 || !set[w].used)
					best = w;
				if (!set[w].used)
					break;
			}
			w = best;
			u->taken |= (uint8_t)(1u << w);
		}
		place(t, &set[w], &recs[i]);
	}
	*flows = h.flows;
	rc = 0;
out:
	free(recs);
	free(use);
	return rc;
}

uint32_t
ids_flow_drop(struct ids_flow_table *t, const struct onvm_bucket_set *b)
{
	size_t n = (size_t)t->n_sets * FLOW_WAYS;
	uint32_t dropped = 0;

	for (size_t i = 0; i < n; i++) {
		if (t->flows[i].used && onvm_bucket_set_has(b, t->flows[i].bucket)) {
			ids_flow_reset(&t->flows[i]);
			dropped++;
		}
	}
	return dropped;
}
