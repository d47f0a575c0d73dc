/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Internet checksum (RFC 1071) written out plainly, for tests that
 * build frames or check the checksums of frames: the code under test
 * (pkt_csum_partial and friends) must not be its own reference.
 */
#ifndef TEST_CSUM_REF_H
#define TEST_CSUM_REF_H

#include <stdbool.h>
#include <stdint.h>

/* Add p[0..n) to sum as big-endian 16-bit words, an odd last byte padded
 * with a zero byte; carries are not folded yet. */
static inline uint64_t
csum_ref_add(const uint8_t *p, uint32_t n, uint64_t sum)
{
	for (uint32_t i = 0; i < n; i++)
		sum += i % 2 ? p[i] : (uint64_t)p[i] << 8;
	return sum;
}

/* The one's-complement sum: carries folded back in until 16 bits remain. */
static inline uint16_t
csum_ref_fold(uint64_t sum)
{
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The checksum field value for data p[0..n) whose field reads 0, `sum`
 * being the pseudo-header's csum_ref_add (0 for an IPv4 header). */
static inline uint16_t
csum_ref(const uint8_t *p, uint32_t n, uint64_t sum)
{
	return (uint16_t)~csum_ref_fold(csum_ref_add(p, n, sum));
}

/* Data that carries its checksum verifies: it sums to 0xffff. */
static inline bool
csum_ref_ok(const uint8_t *p, uint32_t n, uint64_t sum)
{
	return csum_ref_fold(csum_ref_add(p, n, sum)) == 0xffff;
}

/* The IPv4 pseudo-header's sum (RFC 793 3.1, RFC 768) for an L4 segment
 * of l4_len bytes under the IPv4 header ip. */
static inline uint64_t
csum_ref_pseudo4(const uint8_t *ip, uint32_t l4_len)
{
	uint64_t sum = csum_ref_add(ip + 12, 8, 0); /* source, destination */

	return sum + ip[9] + l4_len;
}

#endif /* TEST_CSUM_REF_H */
