/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_rtp: RFC 3550 interarrival jitter and loss of one RTP stream. */
#include <string.h>

#include "qoe_rtp.h"

#define RTP_SEQ_MOD  (1u << 16)
#define MAX_DROPOUT  3000  /* RFC 3550 A.1 */
#define MAX_MISORDER 100

void
qoe_rtp_init(struct qoe_rtp *r)
{
	memset(r, 0, sizeof(*r));
}

uint32_t
qoe_rtp_clock_rate(uint8_t pt)
{
	switch (pt) {
	case 6:
		return 16000;  /* DVI4 */
	case 10:
	case 11:
		return 44100;  /* L16 */
	case 16:
		return 11025;  /* DVI4 */
	case 17:
		return 22050;  /* DVI4 */
	case 14:               /* MPA */
	case 25:               /* CelB */
	case 26:               /* JPEG */
	case 28:               /* nv */
	case 31:               /* H261 */
	case 32:               /* MPV */
	case 33:               /* MP2T */
	case 34:               /* H263 */
		return 90000;
	default:
		/* 0 PCMU, 3 GSM, 4 G723, 5 DVI4, 7 LPC, 8 PCMA, 9 G722 (its
		 * clock is 8000 by RFC 3551's erratum), 12, 13, 15, 18, and
		 * every dynamic type whose rate only signalling could tell. */
		return QOE_RTP_DEFAULT_CLOCK_HZ;
	}
}

static void
init_seq(struct qoe_rtp *r, uint16_t seq)
{
	r->base_seq = seq;
	r->max_seq = seq;
	r->bad_seq = RTP_SEQ_MOD + 1;   /* so seq == bad_seq is false */
	r->cycles = 0;
	r->received = 0;
}

/* RFC 3550 A.1 without probation: returns false for a packet not counted. */
static bool
update_seq(struct qoe_rtp *r, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - r->max_seq);

	if (udelta < MAX_DROPOUT) {
		if (seq < r->max_seq)
			r->cycles += RTP_SEQ_MOD;   /* wrapped */
		r->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
		/* A big jump: believe it only when the next packet follows it. */
		if (seq == r->bad_seq) {
			init_seq(r, seq);
		} else {
			r->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return false;
		}
	}
	/* else: duplicate or reordered, counted as received */
	r->received++;
	return true;
}

static void
update_jitter(struct qoe_rtp *r, uint32_t rtp_ts, uint64_t t_ns)
{
	/* (Rj - Ri) in timestamp units, signed: capture clocks can step back. */
	double arrival_delta = (double)(int64_t)(t_ns - r->last_arrival_ns) *
			       (double)r->clock_hz / 1e9;
	double d = arrival_delta - (double)(int32_t)(rtp_ts - r->last_rtp_ts);

	if (d < 0)
		d = -d;
	r->jitter += (d - r->jitter) / 16.0;
}

void
qoe_rtp_packet(struct qoe_rtp *r, const uint8_t *p, uint32_t len, uint64_t t_ns)
{
	if (r->status == QOE_RTP_NO)
		return;
	/* RTP v2 fixed header: V=2 in the top bits; PT 72-76 is RTCP
	 * (200-204 with the marker bit), which shares the port pair. */
	uint8_t pt = p && len >= 12 ? p[1] & 0x7f : 0;
	if (len < 12 || (p[0] >> 6) != 2 || (pt >= 72 && pt <= 76)) {
		r->status = QOE_RTP_NO;
		return;
	}
	uint16_t seq = (uint16_t)((p[2] << 8) | p[3]);
	uint32_t ts = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) |
		      ((uint32_t)p[6] << 8) | p[7];
	uint32_t ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) |
			((uint32_t)p[10] << 8) | p[11];

	if (r->packets == 0) {
		r->status = QOE_RTP_YES;
		r->ssrc = ssrc;
		r->payload_type = pt;
		r->clock_hz = qoe_rtp_clock_rate(pt);
		init_seq(r, seq);
		r->received = 1;
	} else {
		if (ssrc != r->ssrc) {
			r->status = QOE_RTP_NO;   /* two sources: not one stream */
			return;
		}
		update_seq(r, seq);
		update_jitter(r, ts, t_ns);
	}
	r->last_arrival_ns = t_ns;
	r->last_rtp_ts = ts;
	r->packets++;
}

double
qoe_rtp_jitter_ms(const struct qoe_rtp *r)
{
	return r->clock_hz ? r->jitter * 1000.0 / r->clock_hz : 0.0;
}

int64_t
qoe_rtp_lost(const struct qoe_rtp *r)
{
	int64_t expected = (int64_t)r->cycles + r->max_seq - r->base_seq + 1;

	return expected - (int64_t)r->received;
}
