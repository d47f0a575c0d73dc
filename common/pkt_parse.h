/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_parse: the one packet-header parser every NF and the manager share.
 *
 * Pure C over a byte buffer: no DPDK, no allocation, so it unit-tests and
 * fuzzes on its own. It never reads past `len`; a header that does not fit
 * (or claims a length that does not fit) stops the parse and is reported in
 * `flags`, never trusted.
 *
 * Multi-byte fields are returned in host byte order.
 */
#ifndef ONVM_PKT_PARSE_H
#define ONVM_PKT_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#define PKT_ETHERTYPE_IPV4 0x0800
#define PKT_ETHERTYPE_ARP  0x0806
#define PKT_ETHERTYPE_VLAN 0x8100
#define PKT_ETHERTYPE_QINQ 0x88a8
#define PKT_ETHERTYPE_IPV6 0x86dd
#define PKT_ETHERTYPE_MPLS 0x8847
#define PKT_ETHERTYPE_MPLS_MC 0x8848

#define PKT_PROTO_ICMP   1
#define PKT_PROTO_TCP    6
#define PKT_PROTO_UDP    17
#define PKT_PROTO_ICMPV6 58
#define PKT_PROTO_SCTP   132

#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10
#define PKT_TCP_URG 0x20

/* What the parse found, as bits in pkt_info.flags. */
enum pkt_flag {
	PKT_F_ETH       = 1u << 0, /* Ethernet header present */
	PKT_F_VLAN      = 1u << 1, /* at least one 802.1Q tag */
	PKT_F_IPV4      = 1u << 2, /* valid IPv4 header (IHL, total length) */
	PKT_F_IPV6      = 1u << 3, /* IPv6 fixed header present */
	PKT_F_L4        = 1u << 4, /* L4 header (TCP/UDP/ICMP/SCTP) fully present */
	PKT_F_FRAGMENT  = 1u << 5, /* IPv4 fragment: no L4 header trusted */
	PKT_F_TRUNCATED = 1u << 6, /* a header claimed more bytes than the packet has */
	PKT_F_BAD_L3    = 1u << 7, /* IPv4 IHL < 5, version mismatch, total length < IHL */
	PKT_F_BAD_L4    = 1u << 8, /* TCP data offset < 5 or beyond the packet */
	PKT_F_ARP       = 1u << 9,
};

struct pkt_info {
	uint32_t flags;
	uint16_t eth_type;   /* after VLAN tags */
	uint16_t vlan_vid;   /* outer tag's VID when PKT_F_VLAN */
	uint8_t vlan_pcp;
	uint8_t eth_dst[6];
	uint8_t eth_src[6];

	uint16_t l3_off;     /* offsets from the start of the frame */
	uint16_t l4_off;
	uint16_t payload_off;
	uint16_t payload_len; /* L4 payload bytes actually present */

	uint8_t ip_proto;
	uint8_t ip_ttl;
	uint8_t ip_tos;       /* DSCP << 2 | ECN */
	uint16_t ip_total_len;
	uint32_t ipv4_src;
	uint32_t ipv4_dst;
	uint8_t ipv6_src[16];
	uint8_t ipv6_dst[16];

	uint16_t src_port;    /* TCP/UDP/SCTP */
	uint16_t dst_port;
	uint8_t tcp_flags;
	uint32_t tcp_seq;
	uint32_t tcp_ack;
	uint16_t tcp_window;
	uint8_t icmp_type;
	uint8_t icmp_code;

	uint16_t arp_op;
	uint32_t arp_spa;
	uint32_t arp_tpa;
	uint8_t arp_sha[6];
	uint8_t arp_tha[6];
};

/* The 5-tuple that names a flow (IPv4). Host byte order. */
struct pkt_5tuple {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
};

/*
 * Parse the headers of the frame in data[0..len). Always fills `pi` as far
 * as the bytes allow and returns 0 when the frame has an IPv4 or IPv6 header
 * and every header it claims is present, or -1 otherwise (non-IP, truncated,
 * malformed: see pi->flags). Never reads beyond len.
 */
int pkt_parse(const uint8_t *data, uint32_t len, struct pkt_info *pi);

/* Fill a 5-tuple from a parsed IPv4 packet: all 0 when the parse did not
 * accept an IPv4 header, ports 0 without a whole TCP/UDP/SCTP header. */
void pkt_info_5tuple(const struct pkt_info *pi, struct pkt_5tuple *t);

/*
 * Symmetric flow hash: both directions of a connection hash alike, so the
 * manager sends a connection's replies to the same instance of a stateful
 * NF (firewall, load balancer, IDS).
 */
uint32_t pkt_5tuple_hash_symmetric(const struct pkt_5tuple *t);

/* The Internet checksum (RFC 1071) of a buffer, folded, not complemented. */
uint32_t pkt_csum_partial(const void *buf, uint32_t len, uint32_t sum);

/* RFC 4861 4.3/4.4: the 6-byte link-layer address of option `type` (1
 * source, 2 target) of the neighbour solicitation/advertisement that is
 * l4[0..len) (ICMPv6 header, flags, target, options), or NULL when it is
 * absent or an option length is malformed. */
const uint8_t *pkt_nd_lladdr(const uint8_t *l4, uint32_t len, uint8_t type);
uint16_t pkt_csum_fold(uint32_t sum);

/*
 * RFC 1624 incremental update: the new checksum after a 16-bit word of the
 * covered data changed from old_word to new_word (all in network order).
 */
uint16_t pkt_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word);
uint16_t pkt_csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val);

#endif /* ONVM_PKT_PARSE_H */
