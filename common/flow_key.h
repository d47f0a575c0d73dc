/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_key: the fields one forwarding table classifies on. JSON chains and
 * OpenFlow 1.3 flow entries are both compiled to (key, mask, priority)
 * rules over this struct, so they live in one table (docs/sdn.md).
 *
 * Field values are in host byte order, except byte arrays (MACs, IPv6
 * addresses) which keep wire order. A mask has the same layout: 1 bits are
 * compared, 0 bits are wildcarded. Unused padding must be zero in both key
 * and mask so keys can be hashed and compared as bytes.
 */
#ifndef ONVM_FLOW_KEY_H
#define ONVM_FLOW_KEY_H

#include <stdint.h>

#include "pkt_parse.h"

/* OpenFlow's VLAN "present" bit, as OXM_OF_VLAN_VID uses it. */
#define FLOW_VID_PRESENT 0x1000

/* The IPv6 extension header pseudo-field (OpenFlow 1.3.5, 7.2.3.8). */
enum flow_ipv6_exthdr {
	FLOW_IEH_NONEXT = 1 << 0, /* "no next header" (59) encountered */
	FLOW_IEH_ESP    = 1 << 1,
	FLOW_IEH_AUTH   = 1 << 2,
	FLOW_IEH_DEST   = 1 << 3, /* destination options */
	FLOW_IEH_FRAG   = 1 << 4,
	FLOW_IEH_ROUTER = 1 << 5,
	FLOW_IEH_HOP    = 1 << 6, /* hop-by-hop options */
	FLOW_IEH_UNREP  = 1 << 7, /* a header repeated where RFC 8200 allows it once */
	FLOW_IEH_UNSEQ  = 1 << 8, /* headers out of RFC 8200 4.1's order */
};

/*
 * flow_key.hdr_valid: a pseudo-field no OpenFlow match names. A frame whose
 * IPv4 or L4 header is missing, malformed or cut short has zeros in those
 * fields, and a chain match on them (docs/chains.md) must not take those
 * zeros for values: a chain's IPv4 fields also match FLOW_HDR_IPV4, its
 * port ranges FLOW_HDR_L4, as onvm_match_packet() requires PKT_F_IPV4 and
 * PKT_F_L4. OpenFlow matches leave it wildcarded (a missing field reads as
 * zero there, as in OpenFlow 1.3 and Open vSwitch).
 */
enum flow_hdr_valid {
	FLOW_HDR_IPV4 = 1 << 0, /* pkt_info PKT_F_IPV4 */
	FLOW_HDR_L4   = 1 << 1, /* pkt_info PKT_F_L4 */
};

/* 802.1ah backbone service instance tag (I-TAG) ethertype. */
#define FLOW_ETHERTYPE_PBB 0x88e7

struct flow_key {
	uint32_t in_port;       /* OpenFlow port number: DPDK port i is i+1 */
	uint32_t ipv6_flabel;
	uint64_t metadata;      /* OpenFlow metadata (write-metadata) */
	uint8_t eth_dst[6];
	uint8_t eth_src[6];
	uint16_t eth_type;
	uint16_t vlan_vid;      /* FLOW_VID_PRESENT | vid, or 0 for untagged */
	uint8_t vlan_pcp;
	uint8_t ip_dscp;
	uint8_t ip_ecn;
	uint8_t ip_proto;
	uint32_t ipv4_src;
	uint32_t ipv4_dst;
	uint16_t tp_src;        /* TCP/UDP/SCTP ports */
	uint16_t tp_dst;
	uint8_t icmp_type;      /* ICMPv4 or ICMPv6 */
	uint8_t icmp_code;
	uint16_t arp_op;
	uint32_t arp_spa;
	uint32_t arp_tpa;
	uint8_t arp_sha[6];
	uint8_t arp_tha[6];
	uint8_t ipv6_src[16];
	uint8_t ipv6_dst[16];
	uint8_t nd_target[16];
	uint8_t nd_sll[6];
	uint8_t nd_tll[6];
	uint32_t mpls_label;
	uint8_t mpls_tc;
	uint8_t mpls_bos;
	uint8_t hdr_valid;      /* FLOW_HDR_*: the headers the parse found whole */
	uint8_t hdr_pad;        /* zero; keeps the fields after it aligned */
	uint32_t pbb_isid;      /* 802.1ah I-SID (24 bits) of a frame whose
				 * ethertype after the VLAN tags is 0x88e7 */
	uint16_t ipv6_exthdr;   /* FLOW_IEH_* flags from the IPv6 extension
				 * header chain (OXM_OF_IPV6_EXTHDR) */
	uint8_t exthdr_pad[2];  /* zero; keeps tunnel_id 8-byte aligned */
	uint64_t tunnel_id;     /* OpenFlow pipeline field: 0 on entry (no
				 * tunnel ports), set-field sets it for later
				 * tables */
} __attribute__((aligned(8)));

/* OpenFlow port numbers for DPDK ports and services (docs/sdn.md, "Ports"). */
#define FLOW_OFPORT_FROM_DPDK(p) ((uint32_t)(p) + 1)
#define FLOW_OFPORT_SERVICE_BASE 1000

/* Fill a key from a parsed packet (metadata 0). */
void flow_key_from_pkt(struct flow_key *k, const struct pkt_info *pi, uint32_t of_in_port);

/*
 * The same, plus the fields only OpenFlow matches on and pkt_parse does
 * not report: the top MPLS label (label, TC, BoS), the PBB I-SID, the
 * IPv6 flow label, the IPv6 extension header flags and the ICMPv6
 * neighbour discovery target and link-layer options.
 * `data`/`len` is the frame pi was parsed from. An IPv4 or ARP frame
 * costs a few compares more than flow_key_from_pkt.
 */
void flow_key_from_frame(struct flow_key *k, const struct pkt_info *pi, const uint8_t *data,
			 uint32_t len, uint32_t of_in_port);

/*
 * A symmetric hash of a key's two endpoints (Ethernet address, IPv4 /
 * IPv6 / ARP address, L4 port), for select groups: both directions of a
 * conversation hash alike, and frames that differ only in their MACs or
 * only in their IPv6 addresses still spread.
 */
uint32_t flow_key_hash_symmetric(const struct flow_key *k);

/* The IPv4 5-tuple in a key (ports 0 without TCP/UDP/SCTP), as
 * pkt_info_5tuple() gives it from the parse the key was built from: the
 * flow hash that picks a service's instance (pkt_5tuple_hash_symmetric)
 * comes out the same either way. */
void flow_key_5tuple(const struct flow_key *k, struct pkt_5tuple *t);

#endif /* ONVM_FLOW_KEY_H */
