/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * st_packet: what the speed tester writes into its packets, as pure byte
 * buffer code (no DPDK), unit-tested on its own:
 *  - the synthetic frame: Ethernet / IPv4 / UDP, one flow per packet so the
 *    manager spreads them over the instances of a service;
 *  - the latency stamp: a magic word and a TSC value in the last 16 bytes of
 *    the frame, written when the packet is sent and read when it is back;
 *  - the latency summary.
 */
#ifndef ST_PACKET_H
#define ST_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#define ST_MIN_FRAME 60    /* Ethernet minimum without the FCS */
#define ST_MAX_FRAME 9600
#define ST_STAMP_LEN 16
/* Smallest frame that can carry a stamp without touching its Ethernet header. */
#define ST_MIN_STAMPED (14 + ST_STAMP_LEN)

/*
 * Fill frame[0..len) (len >= ST_MIN_FRAME) with a UDP packet from
 * 10.0.0.1 to 10.0.0.2, source port 1024 + flow % 64512, destination port 9
 * (discard), a valid IPv4 checksum, UDP checksum 0 (none) and a zero payload.
 * Ethernet source 02:00:00:00:00:01, destination dst_mac.
 */
void st_build_udp_frame(uint8_t *frame, uint16_t len, uint32_t flow, const uint8_t dst_mac[6]);

/* Write the stamp into the last ST_STAMP_LEN bytes (nothing if too short). */
void st_stamp_write(uint8_t *frame, uint32_t len, uint64_t tsc);

/* Read it back: false when the frame carries no stamp of ours. */
bool st_stamp_read(const uint8_t *frame, uint32_t len, uint64_t *tsc);

struct st_latency {
	uint64_t count;
	uint64_t sum;     /* cycles */
	uint64_t min;
	uint64_t max;
};

void st_latency_reset(struct st_latency *l);
void st_latency_add(struct st_latency *l, uint64_t cycles);

#endif /* ST_PACKET_H */
