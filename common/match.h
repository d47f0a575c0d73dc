/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * match: the packet-match vocabulary that chains and firewall rules share,
 * with OpenFlow's field names (in_port, eth_type, eth_src, eth_dst,
 * vlan_vid, ip_proto, ipv4_src, ipv4_dst, tcp_src, tcp_dst, udp_src,
 * udp_dst). A missing field is a wildcard. Pure C: parse from JSON once,
 * then compile into whatever fast structure the user needs; the linear
 * onvm_match_packet() is the reference those structures are tested against.
 */
#ifndef ONVM_MATCH_H
#define ONVM_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cfg_file.h"
#include "pkt_parse.h"

enum onvm_match_field {
	M_IN_PORT  = 1u << 0,
	M_ETH_TYPE = 1u << 1,
	M_ETH_SRC  = 1u << 2,
	M_ETH_DST  = 1u << 3,
	M_VLAN_VID = 1u << 4,
	M_IP_PROTO = 1u << 5,
	M_IPV4_SRC = 1u << 6,
	M_IPV4_DST = 1u << 7,
	M_L4_SRC   = 1u << 8, /* tcp_src / udp_src: range, with ip_proto set */
	M_L4_DST   = 1u << 9,
};

struct onvm_match {
	uint32_t fields;        /* enum onvm_match_field bits */
	uint16_t in_port;
	uint16_t eth_type;
	uint8_t eth_src[6];
	uint8_t eth_dst[6];
	uint16_t vlan_vid;
	uint8_t ip_proto;
	uint8_t ipv4_src_len;   /* prefix lengths */
	uint8_t ipv4_dst_len;
	uint32_t ipv4_src;      /* host order, masked */
	uint32_t ipv4_dst;
	uint16_t l4_src_lo, l4_src_hi;
	uint16_t l4_dst_lo, l4_dst_hi;
};

/*
 * Parse the match fields of JSON object `obj` (found at `pointer` in f, for
 * error lines). Keys listed in `other_keys` (NULL-terminated; may be NULL)
 * belong to the caller and are skipped; any other unknown key is an error.
 * Returns 0, or -1 with "file:line: reason" in err.
 */
int onvm_match_from_json(const struct cfg_file *f, const json_t *obj, const char *pointer,
			 const char *const *other_keys, struct onvm_match *m, char *err,
			 size_t errlen);

/* Does a parsed packet that arrived on in_port match? (the reference) */
bool onvm_match_packet(const struct onvm_match *m, const struct pkt_info *pi, uint16_t in_port);

static inline uint32_t
onvm_prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

#endif /* ONVM_MATCH_H */
