/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <string.h>

#include "flow_key.h"

/*
 * Fields of a header the parse did not find stay zero, as OpenFlow reads
 * them: an IPv4 fragment has ports 0, a non-IP frame has no addresses.
 */
void
flow_key_from_pkt(struct flow_key *k, const struct pkt_info *pi, uint32_t of_in_port)
{
	memset(k, 0, sizeof(*k));
	k->in_port = of_in_port;
	if (pi->flags & PKT_F_ETH) {
		memcpy(k->eth_dst, pi->eth_dst, 6);
		memcpy(k->eth_src, pi->eth_src, 6);
		k->eth_type = pi->eth_type;
	}
	if (pi->flags & PKT_F_VLAN) {
		k->vlan_vid = (uint16_t)(FLOW_VID_PRESENT | (pi->vlan_vid & 0x0fff));
		k->vlan_pcp = pi->vlan_pcp;
	}
	if (pi->flags & (PKT_F_IPV4 | PKT_F_IPV6)) {
		k->ip_proto = pi->ip_proto;
		k->ip_dscp = pi->ip_tos >> 2;
		k->ip_ecn = pi->ip_tos & 0x03;
	}
	if (pi->flags & PKT_F_IPV4) {
		k->hdr_valid |= FLOW_HDR_IPV4;
		k->ipv4_src = pi->ipv4_src;
		k->ipv4_dst = pi->ipv4_dst;
	} else if (pi->flags & PKT_F_IPV6) {
		memcpy(k->ipv6_src, pi->ipv6_src, 16);
		memcpy(k->ipv6_dst, pi->ipv6_dst, 16);
	}
	if (pi->flags & PKT_F_L4) {
		k->hdr_valid |= FLOW_HDR_L4;
		switch (pi->ip_proto) {
		case PKT_PROTO_TCP:
		case PKT_PROTO_UDP:
		case PKT_PROTO_SCTP:
			k->tp_src = pi->src_port;
			k->tp_dst = pi->dst_port;
			break;
		case PKT_PROTO_ICMP:
		case PKT_PROTO_ICMPV6:
			k->icmp_type = pi->icmp_type;
			k->icmp_code = pi->icmp_code;
			break;
		default:
			break;
		}
	}
	if (pi->flags & PKT_F_ARP) {
		k->arp_op = pi->arp_op;
		k->arp_spa = pi->arp_spa;
		k->arp_tpa = pi->arp_tpa;
		memcpy(k->arp_sha, pi->arp_sha, 6);
		memcpy(k->arp_tha, pi->arp_tha, 6);
	}
}

#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT  136
#define ND_OPT_SOURCE_LL    1
#define ND_OPT_TARGET_LL    2

/* RFC 4861 4.3/4.4: the target, and the link-layer option of its kind
 * (source for a solicitation, target for an advertisement). */
static void
nd_fields(struct flow_key *k, const uint8_t *l4, uint32_t avail)
{
	bool ns = k->icmp_type == ND_NEIGHBOR_SOLICIT;
	const uint8_t *ll;

	if (avail < 24)
		return;
	memcpy(k->nd_target, l4 + 8, 16);
	ll = pkt_nd_lladdr(l4, avail, ns ? ND_OPT_SOURCE_LL : ND_OPT_TARGET_LL);
	if (ll != NULL)
		memcpy(ns ? k->nd_sll : k->nd_tll, ll, 6);
}

/* IPv6 next-header values of the extension headers (RFC 8200 4). */
#define IP6_HOP    0
#define IP6_ROUTER 43
#define IP6_FRAG   44
#define IP6_ESP    50
#define IP6_AUTH   51
#define IP6_NONEXT 59
#define IP6_DEST   60
#define IP6_EXTHDR_MAX 16 /* headers walked at most */

/*
 * Walk the extension header chain of the IPv6 packet at ip (avail bytes,
 * the fixed header included) and return its FLOW_IEH_* flags. Order per
 * RFC 8200 4.1: hop-by-hop (first only), destination options, routing,
 * fragment, authentication, ESP, destination options (the last may come
 * again after routing). The walk stops at an upper-layer header, ESP
 * (what follows is encrypted), a non-first fragment, a header cut short,
 * or after IP6_EXTHDR_MAX headers; it never reads past avail.
 */
static uint16_t
ipv6_exthdr_flags(const uint8_t *ip, uint32_t avail)
{
	uint16_t flags = 0;
	uint8_t nh = ip[6];
	uint32_t off = 40;
	unsigned int last_rank = 0;

	for (unsigned int i = 0; i < IP6_EXTHDR_MAX; i++) {
		uint16_t bit;
		unsigned int rank;
		uint32_t hlen;

		switch (nh) {
		case IP6_HOP: bit = FLOW_IEH_HOP; rank = 1; break;
		case IP6_DEST: bit = FLOW_IEH_DEST; rank = last_rank >= 3 ? 7 : 2; break;
		case IP6_ROUTER: bit = FLOW_IEH_ROUTER; rank = 3; break;
		case IP6_FRAG: bit = FLOW_IEH_FRAG; rank = 4; break;
		case IP6_AUTH: bit = FLOW_IEH_AUTH; rank = 5; break;
		case IP6_ESP: bit = FLOW_IEH_ESP; rank = 6; break;
		case IP6_NONEXT: return flags | FLOW_IEH_NONEXT;
		default: return flags; /* an upper-layer header */
		}
		/* Destination options may come twice: once before routing, once last. */
		if ((flags & bit) && !(nh == IP6_DEST && rank == 7 && last_rank < 7))
			flags |= FLOW_IEH_UNREP;
		if (rank < last_rank || (nh == IP6_HOP && i > 0))
			flags |= FLOW_IEH_UNSEQ;
		flags |= bit;
		last_rank = rank;
		if (nh == IP6_ESP || avail < off + 8)
			return flags;
		if (nh == IP6_FRAG) {
			hlen = 8;
			if ((ip[off + 2] << 8 | (ip[off + 3] & 0xf8)) != 0)
				return flags; /* not the first fragment: no headers follow */
		} else if (nh == IP6_AUTH) {
			hlen = ((uint32_t)ip[off + 1] + 2) * 4;
		} else {
			hlen = ((uint32_t)ip[off + 1] + 1) * 8;
		}
		nh = ip[off];
		off += hlen;
	}
	return flags;
}

void
flow_key_from_frame(struct flow_key *k, const struct pkt_info *pi, const uint8_t *data,
		    uint32_t len, uint32_t of_in_port)
{
	flow_key_from_pkt(k, pi, of_in_port);
	if (!(pi->flags & PKT_F_ETH))
		return;
	if (pi->eth_type == PKT_ETHERTYPE_MPLS || pi->eth_type == PKT_ETHERTYPE_MPLS_MC) {
		if (len >= (uint32_t)pi->l3_off + 4) {
			const uint8_t *l = data + pi->l3_off;

			k->mpls_label = (uint32_t)l[0] << 12 | (uint32_t)l[1] << 4 | l[2] >> 4;
			k->mpls_tc = (l[2] >> 1) & 0x7;
			k->mpls_bos = l[2] & 0x1;
		}
		return;
	}
	if (pi->eth_type == FLOW_ETHERTYPE_PBB) {
		/* pkt_parse stops at the unknown ethertype: l3_off is the I-TAG,
		 * whose 4-byte TCI ends in the 24-bit I-SID. */
		if (len >= (uint32_t)pi->l3_off + 4) {
			const uint8_t *t = data + pi->l3_off;

			k->pbb_isid = (uint32_t)t[1] << 16 | (uint32_t)t[2] << 8 | t[3];
		}
		return;
	}
	if (pi->flags & PKT_F_IPV6) {
		const uint8_t *ip = data + pi->l3_off;

		uint32_t ip_end = (uint32_t)pi->l3_off + 40 + ((uint32_t)ip[4] << 8 | ip[5]);

		k->ipv6_flabel = ((uint32_t)ip[1] & 0x0f) << 16 | (uint32_t)ip[2] << 8 | ip[3];
		k->ipv6_exthdr = ipv6_exthdr_flags(ip, (ip_end < len ? ip_end : len) - pi->l3_off);
		if ((pi->flags & PKT_F_L4) && pi->ip_proto == PKT_PROTO_ICMPV6 &&
		    (k->icmp_type == ND_NEIGHBOR_SOLICIT || k->icmp_type == ND_NEIGHBOR_ADVERT)) {
			uint32_t end = (uint32_t)pi->l3_off + pi->ip_total_len;

			if (end > len)
				end = len;
			if (end > pi->l4_off)
				nd_fields(k, data + pi->l4_off, end - pi->l4_off);
		}
	}
}

static inline uint32_t
fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static uint32_t
hash_bytes(uint32_t h, const uint8_t *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i += 4) {
		uint32_t w = 0;

		for (unsigned int j = i; j < i + 4 && j < n; j++)
			w = w << 8 | p[j];
		h = fmix32(h ^ w);
	}
	return h;
}

static uint32_t
endpoint_hash(const uint8_t mac[6], uint32_t ip4, const uint8_t ip6[16], uint16_t port)
{
	uint32_t h = hash_bytes(0x9e3779b9u, mac, 6);

	h = fmix32(h ^ ip4);
	h = hash_bytes(h, ip6, 16);
	return fmix32(h ^ port);
}

uint32_t
flow_key_hash_symmetric(const struct flow_key *k)
{
	uint32_t a = endpoint_hash(k->eth_src, k->ipv4_src ^ k->arp_spa, k->ipv6_src, k->tp_src);
	uint32_t b = endpoint_hash(k->eth_dst, k->ipv4_dst ^ k->arp_tpa, k->ipv6_dst, k->tp_dst);

	/* A sum does not care which endpoint is which. */
	return fmix32(a + b + ((uint32_t)k->eth_type << 8 | k->ip_proto));
}

void
flow_key_5tuple(const struct flow_key *k, struct pkt_5tuple *t)
{
	bool ipv4 = k->eth_type == PKT_ETHERTYPE_IPV4;

	t->src_ip = ipv4 ? k->ipv4_src : 0;
	t->dst_ip = ipv4 ? k->ipv4_dst : 0;
	t->proto = ipv4 ? k->ip_proto : 0;
	t->src_port = ipv4 ? k->tp_src : 0;
	t->dst_port = ipv4 ? k->tp_dst : 0;
}
