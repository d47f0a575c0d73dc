/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet/IPv4/TCP and UDP frames for the QoE unit tests. */
#ifndef QOE_TEST_FRAMES_H
#define QOE_TEST_FRAMES_H

#include <stdint.h>

#include "byte_order.h"
#include <string.h>

/* Ethernet + IPv4 header for an L4 of l4_len bytes; returns the L4 offset. */
static inline uint32_t
frame_ip(uint8_t *f, uint8_t proto, uint32_t src, uint32_t dst, uint32_t l4_len)
{
	memset(f, 0, 34);
	be16_store(f + 12, 0x0800);
	f[14] = 0x45;
	be16_store(f + 16, (uint16_t)(20 + l4_len));
	f[22] = 64;
	f[23] = proto;
	be32_store(f + 26, src);
	be32_store(f + 30, dst);
	return 34;
}

/* A TCP segment with `len` payload bytes; returns the frame length. */
static inline uint32_t
frame_tcp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
	  uint8_t flags, uint32_t seq, uint32_t ack, uint16_t window, uint32_t len)
{
	uint32_t o = frame_ip(f, 6, src, dst, 20 + len);

	memset(f + o, 0, 20 + len);
	be16_store(f + o, sport);
	be16_store(f + o + 2, dport);
	be32_store(f + o + 4, seq);
	be32_store(f + o + 8, ack);
	f[o + 12] = 5 << 4;
	f[o + 13] = flags;
	be16_store(f + o + 14, window);
	return o + 20 + len;
}

/* A UDP datagram carrying `payload`; returns the frame length. */
static inline uint32_t
frame_udp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
	  const uint8_t *payload, uint32_t len)
{
	uint32_t o = frame_ip(f, 17, src, dst, 8 + len);

	be16_store(f + o, sport);
	be16_store(f + o + 2, dport);
	be16_store(f + o + 4, (uint16_t)(8 + len));
	be16_store(f + o + 6, 0);
	memcpy(f + o + 8, payload, len);
	return o + 8 + len;
}

#endif /* QOE_TEST_FRAMES_H */
