/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_rtp: RTP stream quality of one direction of a UDP flow (RFC 3550).
 * Pure C, no DPDK, no allocation.
 *
 * A direction counts as RTP when every payload carries an RTP version 2
 * header (at least 12 bytes, payload type outside the RTCP range) with one
 * and the same SSRC, and at least QOE_RTP_MIN_PACKETS were seen; one
 * payload that does not fit makes the direction "not RTP" for good.
 *
 * Interarrival jitter is RFC 3550 section 6.4.1 / A.8: for consecutive
 * packets i, j, D = (Rj - Ri) - (Sj - Si) in RTP timestamp units and
 * J += (|D| - J) / 16. Arrival times are converted with the clock rate of
 * the payload type: the static types of RFC 3551 table 4/5 (0 PCMU, 8 PCMA,
 * 9 G722 ... 8000 Hz; 6 DVI4 16000; 10/11 L16 44100; 14, 25, 26, 28, 31-34
 * video 90000); dynamic or unknown types use 8000 Hz.
 *
 * Loss is RFC 3550 A.3: expected = extended highest sequence - first + 1,
 * lost = expected - received (negative when packets were duplicated), with
 * A.1's wrap counting and resynchronisation after a large jump.
 */
#ifndef QOE_RTP_H
#define QOE_RTP_H

#include <stdbool.h>
#include <stdint.h>

#define QOE_RTP_MIN_PACKETS 2
#define QOE_RTP_DEFAULT_CLOCK_HZ 8000

enum qoe_rtp_status { QOE_RTP_UNKNOWN = 0, QOE_RTP_YES, QOE_RTP_NO };

struct qoe_rtp {
	uint8_t status;       /* enum qoe_rtp_status */
	uint8_t payload_type;
	uint32_t ssrc;
	uint32_t clock_hz;
	uint32_t packets;
	/* RFC 3550 A.1 sequence state */
	uint16_t max_seq;
	uint32_t cycles;      /* wraps << 16 */
	uint32_t base_seq;
	uint32_t bad_seq;
	uint32_t received;
	/* RFC 3550 A.8 jitter state */
	uint64_t last_arrival_ns;
	uint32_t last_rtp_ts;
	double jitter;        /* in timestamp units */
};

void qoe_rtp_init(struct qoe_rtp *r);

/* One UDP payload of this direction, arrived at t_ns. */
void qoe_rtp_packet(struct qoe_rtp *r, const uint8_t *payload, uint32_t len, uint64_t t_ns);

/* An RTP stream: RTP version 2, one SSRC, enough packets. */
static inline bool
qoe_rtp_is_stream(const struct qoe_rtp *r)
{
	return r->status == QOE_RTP_YES && r->packets >= QOE_RTP_MIN_PACKETS;
}

/* The jitter estimate now, in milliseconds. */
double qoe_rtp_jitter_ms(const struct qoe_rtp *r);

/* expected - received (RFC 3550 A.3). */
int64_t qoe_rtp_lost(const struct qoe_rtp *r);

/* The RTP clock rate of a payload type (RFC 3551), 8000 when unknown. */
uint32_t qoe_rtp_clock_rate(uint8_t payload_type);

#endif /* QOE_RTP_H */
