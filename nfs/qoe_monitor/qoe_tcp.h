/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_tcp: passive TCP quality analysis of one connection, as seen at the
 * observation point. Pure C, no DPDK, no allocation: the caller hands in
 * the header fields of each segment and its arrival time.
 *
 * What it measures, and how it agrees with tshark's TCP analysis:
 *  - handshake RTT: first SYN to the client's ACK that completes the
 *    handshake (tshark's tcp.analysis.initial_rtt);
 *  - running RTT: an ACK whose number equals the end (seq + len, SYN and FIN
 *    counting one) of a segment still outstanding in the other direction
 *    gives one sample, the time between the two (tshark's
 *    tcp.analysis.ack_rtt). Unlike tshark, Karn's rule applies: a segment
 *    whose range was sent more than once never gives a sample;
 *  - retransmission: a segment whose whole sequence range was already seen
 *    in its direction (keep-alives excepted);
 *  - out-of-order: a segment that fills (part of) a gap left earlier by a
 *    segment with a higher sequence number: its bytes were never seen here;
 *  - zero window: segments advertising a window of 0 (not SYN/FIN/RST).
 *
 * Memory is bounded: at most QOE_TCP_MAX_SEGS outstanding segments and
 * QOE_TCP_MAX_HOLES gaps per direction are remembered. With more segments
 * in flight, later ones go untimed until ACKs free a slot (RTT is sampled,
 * not measured on every segment); with more gaps, the oldest is forgotten
 * and its late filler counted as a retransmission.
 */
#ifndef QOE_TCP_H
#define QOE_TCP_H

#include <stdbool.h>
#include <stdint.h>

#define QOE_TCP_MAX_SEGS  8
#define QOE_TCP_MAX_HOLES 4

/* Direction of a segment: sent by the client (toserver) or the server. */
enum qoe_dir { QOE_DIR_TOSERVER = 0, QOE_DIR_TOCLIENT = 1 };

/* The header fields the analysis needs (host byte order). */
struct qoe_tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint16_t window;
	uint8_t flags;        /* PKT_TCP_* bits */
	uint32_t payload_len;
};

struct qoe_tcp_sent {       /* a segment waiting for its ACK */
	uint32_t start;       /* seq */
	uint32_t end;         /* seq + len (+1 for SYN/FIN) */
	uint64_t t_ns;
	bool resent;          /* range sent twice: no RTT sample (Karn) */
};

struct qoe_tcp_hole {       /* a sequence gap [lo, hi) not yet seen */
	uint32_t lo, hi;
};

struct qoe_tcp_dir_state {
	bool seen;            /* a segment with sequence space was seen */
	bool fin;
	bool rst;
	uint32_t max_end;     /* highest seq + len seen */
	uint8_t n_sent, n_holes;
	struct qoe_tcp_sent sent[QOE_TCP_MAX_SEGS];   /* oldest first */
	struct qoe_tcp_hole holes[QOE_TCP_MAX_HOLES]; /* oldest first */
	uint32_t retransmissions;
	uint32_t out_of_order;
	uint32_t zero_window;
};

enum qoe_tcp_handshake {
	QOE_HS_NONE = 0,      /* no SYN from the client seen */
	QOE_HS_SYN,           /* SYN seen, waiting for SYN-ACK */
	QOE_HS_SYNACK,        /* SYN-ACK seen, waiting for the client's ACK */
	QOE_HS_DONE,
};

struct qoe_tcp {
	struct qoe_tcp_dir_state dir[2]; /* indexed by enum qoe_dir */
	uint8_t handshake;    /* enum qoe_tcp_handshake */
	uint32_t synack_seq;
	uint64_t syn_ns;
	bool handshake_known; /* DONE and the ACK came after the SYN */
	uint64_t handshake_ns;
	uint64_t rtt_min_ns, rtt_max_ns, rtt_sum_ns;
	uint32_t rtt_samples;
};

void qoe_tcp_init(struct qoe_tcp *tcp);

/* Account one segment travelling in direction `dir`, arrived at t_ns. */
void qoe_tcp_segment(struct qoe_tcp *tcp, enum qoe_dir dir,
		     const struct qoe_tcp_seg *seg, uint64_t t_ns);

static inline bool
qoe_tcp_handshake_done(const struct qoe_tcp *tcp)
{
	return tcp->handshake == QOE_HS_DONE;
}

/* FIN seen both ways, or a RST: the connection is over. */
static inline bool
qoe_tcp_closed(const struct qoe_tcp *tcp)
{
	return (tcp->dir[0].fin && tcp->dir[1].fin) || tcp->dir[0].rst || tcp->dir[1].rst;
}

static inline bool
qoe_tcp_reset(const struct qoe_tcp *tcp)
{
	return tcp->dir[0].rst || tcp->dir[1].rst;
}

#endif /* QOE_TCP_H */
