/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by of_hdr_edit.c (set-field) and of_hdr_stack.c (TTLs,
 * MPLS and PBB push/pop): big-endian access, checksummed replacement,
 * finding the ethertype after the VLAN tags, the top MPLS entry and the
 * PBB I-TAG. Internal to those two files.
 */
#ifndef ONVM_OF_HDR_PRIV_H
#define ONVM_OF_HDR_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "byte_order.h"
#include "pkt_parse.h"

#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PBB     0x88e7
#define PBB_ITAG_LEN      4
#define ND_NS             135
#define ND_NA             136
#define ND_OPT_SLL        1
#define ND_OPT_TLL        2

/*
 * Replace n bytes (n even, at an even offset of what `csum` covers) and
 * update the one's-complement checksum stored big-endian at csum. The
 * words are taken big-endian on both sides, so the arithmetic agrees
 * with the stored checksum.
 */
static inline void
replace_csummed(uint8_t *field, const uint8_t *val, uint32_t n, uint8_t *csum)
{
	uint16_t c = be16_load(csum);

	for (uint32_t i = 0; i < n; i += 2)
		c = pkt_csum_update16(c, be16_load(field + i), be16_load(val + i));
	be16_store(csum, c);
	memcpy(field, val, n);
}

/* As replace_csummed, for a UDP checksum: 0 means "none" and stays 0; a
 * computed 0 goes on the wire as 0xffff. */
static inline void
replace_udp_csummed(uint8_t *field, const uint8_t *val, uint32_t n, uint8_t *csum)
{
	if (be16_load(csum) == 0) {
		memcpy(field, val, n);
		return;
	}
	replace_csummed(field, val, n, csum);
	if (be16_load(csum) == 0)
		be16_store(csum, 0xffff);
}

/* Offset of the ethertype after the VLAN tags, or -1 when a tag is cut. */
static inline int
l2_type_off(const uint8_t *frame, uint32_t len)
{
	uint32_t off = 12;

	if (len < 14)
		return -1;
	while (be16_load(frame + off) == PKT_ETHERTYPE_VLAN || be16_load(frame + off) == PKT_ETHERTYPE_QINQ) {
		off += 4;
		if (len < off + 2)
			return -1;
	}
	return (int)off;
}

static inline bool
is_mpls_type(uint16_t t)
{
	return t == PKT_ETHERTYPE_MPLS || t == ETHERTYPE_MPLS_MC;
}

/* The top label stack entry, or NULL when the frame is not MPLS. */
static inline uint8_t *
mpls_top(uint8_t *frame, uint32_t len)
{
	int t = l2_type_off(frame, len);

	if (t < 0 || !is_mpls_type(be16_load(frame + t)) || len < (uint32_t)t + 6)
		return NULL;
	return frame + t + 2;
}

/* The I-TAG (4 bytes after the ethertype after the VLAN tags), or NULL
 * when the frame is not 802.1ah PBB. */
static inline const uint8_t *
pbb_itag(const uint8_t *frame, uint32_t len)
{
	int t = l2_type_off(frame, len);

	if (t < 0 || be16_load(frame + t) != ETHERTYPE_PBB || len < (uint32_t)t + 2 + PBB_ITAG_LEN)
		return NULL;
	return frame + t + 2;
}

#endif /* ONVM_OF_HDR_PRIV_H */
