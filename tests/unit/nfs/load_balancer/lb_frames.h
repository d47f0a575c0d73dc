/* SPDX-License-Identifier: BSD-3-Clause */
/* Test frames for the load balancer, and checksums recomputed from scratch. */
#ifndef LB_FRAMES_H
#define LB_FRAMES_H

#include <stdint.h>

#define LBF_ETH 14
#define LBF_MAX 256

struct lbf_spec {
	uint8_t proto;      /* 6 or 17 */
	uint32_t sip, dip;  /* host order */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint16_t payload;   /* bytes, filled with a pattern from `seed` */
	unsigned int seed;
	int udp_no_csum;    /* UDP: send checksum 0 */
};

/* Build the frame; returns its length. Checksums are valid. */
uint32_t lbf_make(uint8_t *f, const struct lbf_spec *s);

/* Recompute both checksums from scratch; 1 when the stored ones match.
 * (A UDP checksum of 0 counts as valid, meaning "none".) */
int lbf_checksums_ok(const uint8_t *f, uint32_t len);

uint32_t lbf_src_ip(const uint8_t *f);
uint32_t lbf_dst_ip(const uint8_t *f);
uint16_t lbf_src_port(const uint8_t *f);
uint16_t lbf_dst_port(const uint8_t *f);
uint16_t lbf_l4_csum(const uint8_t *f);

#endif /* LB_FRAMES_H */
