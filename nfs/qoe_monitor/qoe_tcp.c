/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_tcp: RTT, retransmissions, out-of-order and zero window of one
 * connection from the segments seen at the observation point. */
#include <string.h>

#include "pkt_parse.h"
#include "qoe_tcp.h"

/* Sequence-space comparisons, correct across the 2^32 wrap. */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

void
qoe_tcp_init(struct qoe_tcp *tcp)
{
	memset(tcp, 0, sizeof(*tcp));
}

/*
 * Time a new segment if there is room. With more segments in flight than
 * slots, the oldest stay and the newest go untimed: their ACKs come first,
 * free slots, and later segments get timed, so a long fat flow is sampled
 * a few times per round trip instead of never.
 */
static void
remember_sent(struct qoe_tcp_dir_state *d, uint32_t start, uint32_t end, uint64_t t_ns)
{
	if (d->n_sent == QOE_TCP_MAX_SEGS)
		return;
	d->sent[d->n_sent++] = (struct qoe_tcp_sent){ .start = start, .end = end,
						     .t_ns = t_ns, .resent = false };
}

static void
add_hole(struct qoe_tcp_dir_state *d, uint32_t lo, uint32_t hi)
{
	if (d->n_holes == QOE_TCP_MAX_HOLES) {
		memmove(&d->holes[0], &d->holes[1], sizeof(d->holes[0]) * (QOE_TCP_MAX_HOLES - 1));
		d->n_holes--;
	}
	d->holes[d->n_holes++] = (struct qoe_tcp_hole){ .lo = lo, .hi = hi };
}

static void
remove_hole(struct qoe_tcp_dir_state *d, unsigned int i)
{
	memmove(&d->holes[i], &d->holes[i + 1], sizeof(d->holes[0]) * (d->n_holes - i - 1));
	d->n_holes--;
}

/*
 * Take [start, end) out of the gaps. Returns true when any of it was in a
 * gap, i.e. the segment carries bytes never seen here before.
 */
static bool
fill_holes(struct qoe_tcp_dir_state *d, uint32_t start, uint32_t end)
{
	bool filled = false;
	unsigned int i = 0;

	while (i < d->n_holes) {
		struct qoe_tcp_hole *h = &d->holes[i];

		if (seq_le(end, h->lo) || seq_le(h->hi, start)) { /* disjoint */
			i++;
			continue;
		}
		filled = true;
		if (seq_le(start, h->lo) && seq_le(h->hi, end)) {
			remove_hole(d, i);      /* covered entirely */
			continue;
		}
		if (seq_le(start, h->lo)) {
			h->lo = end;            /* low part filled */
		} else if (seq_le(h->hi, end)) {
			h->hi = start;          /* high part filled */
		} else {                        /* filled in the middle: split */
			uint32_t old_hi = h->hi;

			h->hi = start;
			if (d->n_holes < QOE_TCP_MAX_HOLES)
				d->holes[d->n_holes++] = (struct qoe_tcp_hole){ end, old_hi };
		}
		i++;
	}
	return filled;
}

/* Karn: every outstanding segment overlapping a resent range loses its sample. */
static void
mark_resent(struct qoe_tcp_dir_state *d, uint32_t start, uint32_t end)
{
	for (unsigned int i = 0; i < d->n_sent; i++)
		if (seq_lt(d->sent[i].start, end) && seq_lt(start, d->sent[i].end))
			d->sent[i].resent = true;
}

/* Classify a segment that occupies sequence space [start, end). */
static void
track_sequence(struct qoe_tcp_dir_state *d, const struct qoe_tcp_seg *seg,
	       uint32_t start, uint32_t end, uint64_t t_ns)
{
	if (!d->seen) {
		d->seen = true;
		d->max_end = end;
		remember_sent(d, start, end, t_ns);
		return;
	}
	if (seq_le(d->max_end, start)) {                /* new data, in order or ahead */
		if (seq_lt(d->max_end, start))
			add_hole(d, d->max_end, start);
		d->max_end = end;
		remember_sent(d, start, end, t_ns);
		return;
	}
	/* It starts below the highest byte seen. */
	bool fills_gap = fill_holes(d, start, end);
	bool extends = seq_lt(d->max_end, end);

	if (fills_gap || extends) {
		if (fills_gap)
			d->out_of_order++;
		if (extends)
			d->max_end = end;
		remember_sent(d, start, end, t_ns);
		return;
	}
	/* A keep-alive re-sends the last byte (or nothing) on purpose. */
	bool keepalive = seg->payload_len <= 1 && start == d->max_end - 1 &&
			 !(seg->flags & (PKT_TCP_SYN | PKT_TCP_FIN | PKT_TCP_RST));
	if (keepalive)
		return;
	d->retransmissions++;
	mark_resent(d, start, end);
}

/* An ACK from `d`'s peer: samples the RTT and forgets what it covers. */
static void
take_ack(struct qoe_tcp *tcp, struct qoe_tcp_dir_state *d, uint32_t ack, uint64_t t_ns)
{
	bool sampled = false;
	unsigned int kept = 0;

	for (unsigned int i = 0; i < d->n_sent; i++) {
		const struct qoe_tcp_sent *s = &d->sent[i];

		if (!seq_le(s->end, ack)) {
			d->sent[kept++] = *s;
			continue;
		}
		/* Only the segment this ACK names exactly is timed (as tshark
		 * does); a clock that went backwards gives no sample. */
		if (!sampled && s->end == ack && !s->resent && t_ns >= s->t_ns) {
			uint64_t rtt = t_ns - s->t_ns;

			if (tcp->rtt_samples == 0 || rtt < tcp->rtt_min_ns)
				tcp->rtt_min_ns = rtt;
			if (rtt > tcp->rtt_max_ns)
				tcp->rtt_max_ns = rtt;
			tcp->rtt_sum_ns += rtt;
			tcp->rtt_samples++;
			sampled = true;
		}
	}
	d->n_sent = kept;
}

static void
track_handshake(struct qoe_tcp *tcp, enum qoe_dir dir, const struct qoe_tcp_seg *seg,
		uint64_t t_ns)
{
	uint8_t f = seg->flags & (PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_RST);

	if (dir == QOE_DIR_TOSERVER && f == PKT_TCP_SYN && tcp->handshake == QOE_HS_NONE) {
		tcp->handshake = QOE_HS_SYN;      /* a resent SYN keeps the first time */
		tcp->syn_ns = t_ns;
	} else if (dir == QOE_DIR_TOCLIENT && f == (PKT_TCP_SYN | PKT_TCP_ACK) &&
		   (tcp->handshake == QOE_HS_SYN || tcp->handshake == QOE_HS_SYNACK)) {
		tcp->handshake = QOE_HS_SYNACK;
		tcp->synack_seq = seg->seq;
	} else if (dir == QOE_DIR_TOSERVER && f == PKT_TCP_ACK &&
		   tcp->handshake == QOE_HS_SYNACK && seg->ack == tcp->synack_seq + 1) {
		tcp->handshake = QOE_HS_DONE;
		tcp->handshake_known = t_ns >= tcp->syn_ns;
		tcp->handshake_ns = tcp->handshake_known ? t_ns - tcp->syn_ns : 0;
	}
}

void
qoe_tcp_segment(struct qoe_tcp *tcp, enum qoe_dir dir, const struct qoe_tcp_seg *seg,
		uint64_t t_ns)
{
	struct qoe_tcp_dir_state *d = &tcp->dir[dir];
	struct qoe_tcp_dir_state *peer = &tcp->dir[!dir];

	track_handshake(tcp, dir, seg, t_ns);

	if (seg->flags & PKT_TCP_RST) {
		/* A RST occupies no sequence space, but its ACK still times
		 * the segment it answers (tshark counts it too). */
		d->rst = true;
		if (seg->flags & PKT_TCP_ACK)
			take_ack(tcp, peer, seg->ack, t_ns);
		return;
	}
	if (seg->window == 0 && !(seg->flags & (PKT_TCP_SYN | PKT_TCP_FIN)))
		d->zero_window++;

	uint32_t len = seg->payload_len + !!(seg->flags & PKT_TCP_SYN) +
		       !!(seg->flags & PKT_TCP_FIN);
	if (len > 0)
		track_sequence(d, seg, seg->seq, seg->seq + len, t_ns);
	if (seg->flags & PKT_TCP_FIN)
		d->fin = true;
	if (seg->flags & PKT_TCP_ACK)
		take_ack(tcp, peer, seg->ack, t_ns);
}
