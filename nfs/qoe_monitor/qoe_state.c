/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_state: flows to and from a blob (semantics in qoe_state.h).
 *
 * After the common header (common/state_blob.h: kind QOE, version 1, param
 * 0) come `flows` records of QOE_REC_LEN bytes, network order: a 76-byte
 * flow part, then a 476-byte analysis part, TCP's or (any other protocol)
 * the two RTP directions' followed by zeros. Times are absolute: packet
 * arrival times, from the clock all instances share. Unused slots (segments
 * awaiting ACKs, sequence holes) are written as zeros and must be zeros.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "byte_order.h"
#include "onvm_nflib_state.h"
#include "qoe_state.h"
#include "state_blob.h"

#define QOE_BLOB_VERSION 1
#define FLOW_PART 76
#define AREA_LEN 476
#define QOE_REC_LEN (FLOW_PART + AREA_LEN)
#define RTP_SEQ_MOD (1u << 16)

/* ---- a cursor over one record ---- */

struct cur {
	uint8_t *w;        /* writing */
	const uint8_t *r;  /* reading */
};

static void w8(struct cur *c, uint8_t v) { *c->w++ = v; }
static void w16(struct cur *c, uint16_t v) { be16_store(c->w, v); c->w += 2; }
static void w32(struct cur *c, uint32_t v) { be32_store(c->w, v); c->w += 4; }
static void w64(struct cur *c, uint64_t v) { be64_store(c->w, v); c->w += 8; }
static uint8_t r8(struct cur *c) { return *c->r++; }
static uint16_t r16(struct cur *c) { c->r += 2; return be16_load(c->r - 2); }
static uint32_t r32(struct cur *c) { c->r += 4; return be32_load(c->r - 4); }
static uint64_t r64(struct cur *c) { c->r += 8; return be64_load(c->r - 8); }

/* ---- export ---- */

static void
put_tcp_dir(struct cur *c, const struct qoe_tcp_dir_state *d)
{
	w8(c, (uint8_t)(d->seen | d->fin << 1 | d->rst << 2));
	w8(c, d->n_sent);
	w8(c, d->n_holes);
	w8(c, 0);
	w32(c, d->max_end);
	for (int i = 0; i < QOE_TCP_MAX_SEGS; i++) {
		struct qoe_tcp_sent s = { 0 };

		if (i < d->n_sent)
			s = d->sent[i];
		w32(c, s.start);
		w32(c, s.end);
		w64(c, s.t_ns);
		w8(c, s.resent);
		w8(c, 0);
		w16(c, 0);
	}
	for (int i = 0; i < QOE_TCP_MAX_HOLES; i++) {
		w32(c, i < d->n_holes ? d->holes[i].lo : 0);
		w32(c, i < d->n_holes ? d->holes[i].hi : 0);
	}
	w32(c, d->retransmissions);
	w32(c, d->out_of_order);
	w32(c, d->zero_window);
}

static void
put_tcp(struct cur *c, const struct qoe_tcp *t)
{
	put_tcp_dir(c, &t->dir[0]);
	put_tcp_dir(c, &t->dir[1]);
	w8(c, t->handshake);
	w8(c, t->handshake_known);
	w16(c, 0);
	w32(c, t->synack_seq);
	w64(c, t->syn_ns);
	w64(c, t->handshake_ns);
	w64(c, t->rtt_min_ns);
	w64(c, t->rtt_max_ns);
	w64(c, t->rtt_sum_ns);
	w32(c, t->rtt_samples);
}

static void
put_rtp(struct cur *c, const struct qoe_rtp *r)
{
	uint64_t jitter_bits;

	memcpy(&jitter_bits, &r->jitter, sizeof(jitter_bits));
	w8(c, r->status);
	w8(c, r->payload_type);
	w16(c, r->max_seq);
	w32(c, r->ssrc);
	w32(c, r->clock_hz);
	w32(c, r->packets);
	w32(c, r->cycles);
	w32(c, r->base_seq);
	w32(c, r->bad_seq);
	w32(c, r->received);
	w64(c, r->last_arrival_ns);
	w32(c, r->last_rtp_ts);
	w64(c, jitter_bits);
}

static void
put_record(uint8_t *p, const struct qoe_flow *f)
{
	struct cur c = { .w = p };

	memset(p, 0, QOE_REC_LEN);
	w32(&c, f->client.src_ip);
	w32(&c, f->client.dst_ip);
	w16(&c, f->client.src_port);
	w16(&c, f->client.dst_port);
	w8(&c, f->client.proto);
	w8(&c, f->state);
	w8(&c, (uint8_t)(f->updated | f->opened_by_syn << 1));
	w8(&c, 0);
	w16(&c, f->bucket);
	w16(&c, 0);
	w64(&c, f->flow_id);
	w64(&c, f->start_ns);
	w64(&c, f->last_ns);
	w64(&c, f->pkts[0]);
	w64(&c, f->pkts[1]);
	w64(&c, f->bytes[0]);
	w64(&c, f->bytes[1]);
	if (f->client.proto == PKT_PROTO_TCP) {
		put_tcp(&c, &f->tcp);
	} else {
		put_rtp(&c, &f->rtp[0]);
		put_rtp(&c, &f->rtp[1]);
	}
}

long
qoe_state_export(struct qoe_flow_table *t, const struct onvm_bucket_set *b, uint8_t *blob,
		 size_t cap, uint32_t *flows)
{
	struct state_blob_hdr h = { .version = QOE_BLOB_VERSION, .kind = STATE_BLOB_QOE };
	size_t off = STATE_BLOB_HDR_LEN;

	*flows = 0;
	if (cap < STATE_BLOB_HDR_LEN)
		return -1;
	for (struct qoe_flow *f = qoe_flow_oldest(t); f != NULL; f = qoe_flow_newer(t, f)) {
		if (!onvm_bucket_set_has(b, f->bucket))
			continue;
		if (cap - off < QOE_REC_LEN)
			return -1;
		put_record(blob + off, f);
		off += QOE_REC_LEN;
		h.flows++;
	}
	if (off > UINT32_MAX)
		return -1;
	h.length = (uint32_t)off;
	state_blob_put_hdr(blob, &h);
	*flows = h.flows;
	return (long)off;
}

/* ---- import ---- */

static int
get_tcp_dir(struct cur *c, struct qoe_tcp_dir_state *d)
{
	uint8_t fl = r8(c);
	int bad = 0;

	d->seen = fl & 1;
	d->fin = fl >> 1 & 1;
	d->rst = fl >> 2 & 1;
	d->n_sent = r8(c);
	d->n_holes = r8(c);
	bad |= fl > 7 || d->n_sent > QOE_TCP_MAX_SEGS || d->n_holes > QOE_TCP_MAX_HOLES;
	bad |= r8(c) != 0;
	d->max_end = r32(c);
	for (int i = 0; i < QOE_TCP_MAX_SEGS; i++) {
		struct qoe_tcp_sent s;
		uint8_t resent;

		s.start = r32(c);
		s.end = r32(c);
		s.t_ns = r64(c);
		resent = r8(c);
		s.resent = resent;
		bad |= resent > 1 || r8(c) != 0 || r16(c) != 0;
		if (i < d->n_sent)
			d->sent[i] = s;
		else
			bad |= (s.start | s.end | s.t_ns | resent) != 0;
	}
	for (int i = 0; i < QOE_TCP_MAX_HOLES; i++) {
		struct qoe_tcp_hole h = { .lo = r32(c), .hi = r32(c) };

		if (i < d->n_holes)
			d->holes[i] = h;
		else
			bad |= (h.lo | h.hi) != 0;
	}
	d->retransmissions = r32(c);
	d->out_of_order = r32(c);
	d->zero_window = r32(c);
	return bad ? -1 : 0;
}

static int
get_tcp(struct cur *c, struct qoe_tcp *t)
{
	uint8_t known;
	int bad = 0;

	bad |= get_tcp_dir(c, &t->dir[0]) < 0;
	bad |= get_tcp_dir(c, &t->dir[1]) < 0;
	t->handshake = r8(c);
	known = r8(c);
	t->handshake_known = known;
	bad |= t->handshake > QOE_HS_DONE || known > 1 || r16(c) != 0;
	t->synack_seq = r32(c);
	t->syn_ns = r64(c);
	t->handshake_ns = r64(c);
	t->rtt_min_ns = r64(c);
	t->rtt_max_ns = r64(c);
	t->rtt_sum_ns = r64(c);
	t->rtt_samples = r32(c);
	bad |= t->rtt_samples > 0 && t->rtt_min_ns > t->rtt_max_ns;
	return bad ? -1 : 0;
}

static int
get_rtp(struct cur *c, struct qoe_rtp *r)
{
	uint64_t jitter_bits;

	r->status = r8(c);
	r->payload_type = r8(c);
	r->max_seq = r16(c);
	r->ssrc = r32(c);
	r->clock_hz = r32(c);
	r->packets = r32(c);
	r->cycles = r32(c);
	r->base_seq = r32(c);
	r->bad_seq = r32(c);
	r->received = r32(c);
	r->last_arrival_ns = r64(c);
	r->last_rtp_ts = r32(c);
	jitter_bits = r64(c);
	memcpy(&r->jitter, &jitter_bits, sizeof(r->jitter));
	if (r->status > QOE_RTP_NO || r->payload_type > 127)
		return -1;
	if ((r->status == QOE_RTP_UNKNOWN && r->packets != 0) ||
	    (r->status == QOE_RTP_YES && r->packets == 0))
		return -1;
	if (r->packets > 0 && r->clock_hz != qoe_rtp_clock_rate(r->payload_type))
		return -1;
	if (r->cycles % RTP_SEQ_MOD != 0 || r->base_seq >= RTP_SEQ_MOD ||
	    r->bad_seq > RTP_SEQ_MOD + 1)
		return -1;
	if (!isfinite(r->jitter) || !(r->jitter >= 0))
		return -1;
	return 0;
}

static bool
has_ports(uint8_t proto)
{
	return proto == PKT_PROTO_TCP || proto == PKT_PROTO_UDP || proto == PKT_PROTO_SCTP;
}

/* One record into f (no table links), or -1 when out of range. */
static int
get_record(const uint8_t *p, struct qoe_flow *f)
{
	struct cur c = { .r = p };
	uint8_t fl;
	int bad = 0;

	memset(f, 0, sizeof(*f));
	f->client.src_ip = r32(&c);
	f->client.dst_ip = r32(&c);
	f->client.src_port = r16(&c);
	f->client.dst_port = r16(&c);
	f->client.proto = r8(&c);
	f->state = r8(&c);
	fl = r8(&c);
	f->updated = fl & 1;
	f->opened_by_syn = fl >> 1 & 1;
	bad |= r8(&c) != 0;
	f->bucket = r16(&c);
	bad |= r16(&c) != 0;
	f->flow_id = r64(&c);
	f->start_ns = r64(&c);
	f->last_ns = r64(&c);
	f->pkts[0] = r64(&c);
	f->pkts[1] = r64(&c);
	f->bytes[0] = r64(&c);
	f->bytes[1] = r64(&c);
	bad |= !has_ports(f->client.proto) &&
	       (f->client.src_port != 0 || f->client.dst_port != 0);
	bad |= f->state > QOE_STATE_CLOSED || fl > 3 || f->bucket >= ONVM_STATE_BUCKETS;
	bad |= f->start_ns > f->last_ns;
	bad |= f->opened_by_syn && f->client.proto != PKT_PROTO_TCP;
	if (f->client.proto == PKT_PROTO_TCP) {
		bad |= get_tcp(&c, &f->tcp) < 0;
	} else {
		bad |= get_rtp(&c, &f->rtp[0]) < 0;
		bad |= get_rtp(&c, &f->rtp[1]) < 0;
	}
	while (c.r < p + QOE_REC_LEN)
		bad |= r8(&c) != 0;
	return bad ? -1 : 0;
}

/* The same flow, whichever way its tuple is written. */
static void
canonical(const struct pkt_5tuple *t, uint32_t k[4])
{
	bool lo_src = t->src_ip < t->dst_ip ||
		      (t->src_ip == t->dst_ip && t->src_port <= t->dst_port);

	k[0] = lo_src ? t->src_ip : t->dst_ip;
	k[1] = lo_src ? t->dst_ip : t->src_ip;
	k[2] = (uint32_t)(lo_src ? t->src_port : t->dst_port) << 16 |
	       (lo_src ? t->dst_port : t->src_port);
	k[3] = t->proto;
}

static int
cmp_flow_key(const void *x, const void *y)
{
	uint32_t a[4], b[4];

	canonical(&(*(struct qoe_flow *const *)x)->client, a);
	canonical(&(*(struct qoe_flow *const *)y)->client, b);
	for (int i = 0; i < 4; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static int
cmp_last_ns(const void *x, const void *y)
{
	const struct qoe_flow *a = *(struct qoe_flow *const *)x, *b = *(struct qoe_flow *const *)y;

	return a->last_ns < b->last_ns ? -1 : a->last_ns > b->last_ns;
}

/* Copy the record r into the table's flow f, keeping f's table links. */
static void
fill(struct qoe_flow *f, const struct qoe_flow *r)
{
	struct qoe_flow links = *f;

	*f = *r;
	f->hash_next = links.hash_next;
	f->lru_prev = links.lru_prev;
	f->lru_next = links.lru_next;
	f->chain = links.chain;
	f->in_use = links.in_use;
}

/*
 * The table's own flows are in activity order, the new ones appended at
 * the newest end: move each new one (by ascending last arrival) before the
 * first own flow active after it, as if its packets had come here.
 */
static void
place_by_age(struct qoe_flow_table *t, struct qoe_flow **added, uint32_t n, uint32_t own)
{
	struct qoe_flow *cur = qoe_flow_oldest(t);

	qsort(added, n, sizeof(*added), cmp_last_ns);
	for (uint32_t i = 0; i < n; i++) {
		while (own > 0 && cur->last_ns <= added[i]->last_ns) {
			cur = qoe_flow_newer(t, cur);
			own--;
		}
		qoe_flow_lru_move_before(t, added[i], own > 0 ? cur : NULL);
	}
}

int
qoe_state_import(struct qoe_flow_table *t, const uint8_t *blob, size_t len, uint32_t *flows)
{
	struct state_blob_hdr h;
	struct qoe_flow *recs = NULL, **order = NULL;
	uint32_t i, own = qoe_flow_count(t);
	enum qoe_dir dir;
	int rc = -1;

	*flows = 0;
	if (state_blob_check(blob, len, STATE_BLOB_QOE, QOE_BLOB_VERSION, &h) < 0 ||
	    (uint64_t)h.flows * QOE_REC_LEN != len - STATE_BLOB_HDR_LEN)
		return -1;
	if (h.flows == 0)
		return 0;
	if (h.flows > qoe_flow_capacity(t) - own)
		return -1;
	recs = malloc(sizeof(*recs) * h.flows);
	order = malloc(sizeof(*order) * h.flows);
	if (recs == NULL || order == NULL)
		goto out;
	for (i = 0; i < h.flows; i++) {
		if (get_record(blob + STATE_BLOB_HDR_LEN + (size_t)i * QOE_REC_LEN, &recs[i]) < 0)
			goto out;
		/* A flow this instance has too: both hold counts that belong in a
		 * record, and neither may silently go. */
		if (qoe_flow_lookup(t, &recs[i].client, &dir) != NULL)
			goto out;
		order[i] = &recs[i];
	}
	qsort(order, h.flows, sizeof(*order), cmp_flow_key);
	for (i = 1; i < h.flows; i++)
		if (cmp_flow_key(&order[i - 1], &order[i]) == 0)
			goto out;
	/* Nothing can fail from here on: there is room for every flow. */
	for (i = 0; i < h.flows; i++) {
		struct qoe_flow *f = qoe_flow_insert(t, &recs[i].client, recs[i].last_ns, NULL,
						     NULL);

		fill(f, &recs[i]);
		order[i] = f;
	}
	place_by_age(t, order, h.flows, own);
	*flows = h.flows;
	rc = 0;
out:
	free(recs);
	free(order);
	return rc;
}

uint32_t
qoe_state_drop(struct qoe_flow_table *t, const struct onvm_bucket_set *b)
{
	struct qoe_flow *f = qoe_flow_oldest(t), *next;
	uint32_t n = 0;

	for (; f != NULL; f = next) {
		next = qoe_flow_newer(t, f);
		if (onvm_bucket_set_has(b, f->bucket)) {
			qoe_flow_remove(t, f);
			n++;
		}
	}
	return n;
}
