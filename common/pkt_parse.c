/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "byte_order.h"
#include "pkt_parse.h"

/* L4 headers: each returns the header length, or 0 when it does not fit. */
static uint32_t
parse_l4(const uint8_t *l4, uint32_t avail, struct pkt_info *pi)
{
	switch (pi->ip_proto) {
	case PKT_PROTO_TCP: {
		if (avail < 20)
			return 0;
		uint32_t doff = (uint32_t)(l4[12] >> 4) * 4;
		pi->src_port = be16_load(l4);
		pi->dst_port = be16_load(l4 + 2);
		pi->tcp_seq = be32_load(l4 + 4);
		pi->tcp_ack = be32_load(l4 + 8);
		pi->tcp_flags = l4[13];
		pi->tcp_window = be16_load(l4 + 14);
		if (doff < 20 || doff > avail) {
			pi->flags |= PKT_F_BAD_L4;
			return 0;
		}
		return doff;
	}
	case PKT_PROTO_UDP:
		if (avail < 8)
			return 0;
		pi->src_port = be16_load(l4);
		pi->dst_port = be16_load(l4 + 2);
		return 8;
	case PKT_PROTO_SCTP:
		if (avail < 12)
			return 0;
		pi->src_port = be16_load(l4);
		pi->dst_port = be16_load(l4 + 2);
		return 12;
	case PKT_PROTO_ICMP:
	case PKT_PROTO_ICMPV6:
		if (avail < 4)
			return 0;
		pi->icmp_type = l4[0];
		pi->icmp_code = l4[1];
		return 4;
	default:
		return 0;
	}
}

static int
finish_l4(const uint8_t *data, uint32_t l3_end, struct pkt_info *pi)
{
	uint32_t avail = l3_end > pi->l4_off ? l3_end - pi->l4_off : 0;
	uint32_t hlen = parse_l4(data + pi->l4_off, avail, pi);

	if (hlen == 0) {
		if (pi->ip_proto == PKT_PROTO_TCP || pi->ip_proto == PKT_PROTO_UDP ||
		    pi->ip_proto == PKT_PROTO_SCTP || pi->ip_proto == PKT_PROTO_ICMP ||
		    pi->ip_proto == PKT_PROTO_ICMPV6) {
			pi->flags |= PKT_F_TRUNCATED;
			return -1;
		}
		pi->payload_off = pi->l4_off;
		pi->payload_len = (uint16_t)avail;
		return 0;
	}
	pi->flags |= PKT_F_L4;
	pi->payload_off = (uint16_t)(pi->l4_off + hlen);
	pi->payload_len = (uint16_t)(avail - hlen);
	return 0;
}

static int
parse_ipv4(const uint8_t *data, uint32_t len, struct pkt_info *pi)
{
	const uint8_t *ip = data + pi->l3_off;
	uint32_t avail = len - pi->l3_off;

	if (avail < 20) {
		pi->flags |= PKT_F_TRUNCATED;
		return -1;
	}
	uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	uint32_t total = be16_load(ip + 2);

	pi->ip_tos = ip[1];
	pi->ip_ttl = ip[8];
	pi->ip_proto = ip[9];
	pi->ip_total_len = (uint16_t)total;
	pi->ipv4_src = be32_load(ip + 12);
	pi->ipv4_dst = be32_load(ip + 16);
	if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl) {
		pi->flags |= PKT_F_BAD_L3;
		return -1;
	}
	if (ihl > avail || total > avail) {
		pi->flags |= PKT_F_TRUNCATED;
		return -1;
	}
	pi->flags |= PKT_F_IPV4;
	pi->l4_off = (uint16_t)(pi->l3_off + ihl);

	uint16_t frag = be16_load(ip + 6);
	if ((frag & 0x1fff) != 0 || (frag & 0x2000) != 0) {
		/* Only the first fragment has an L4 header, and even that one
		 * may be cut short: treat every fragment as L4-less. */
		pi->flags |= PKT_F_FRAGMENT;
		pi->payload_off = pi->l4_off;
		pi->payload_len = (uint16_t)(total - ihl);
		return 0;
	}
	/* Frames may carry Ethernet padding: trust the IP total length. */
	return finish_l4(data, pi->l3_off + total, pi);
}

static int
parse_ipv6(const uint8_t *data, uint32_t len, struct pkt_info *pi)
{
	const uint8_t *ip = data + pi->l3_off;
	uint32_t avail = len - pi->l3_off;

	if (avail < 40) {
		pi->flags |= PKT_F_TRUNCATED;
		return -1;
	}
	if ((ip[0] >> 4) != 6) {
		pi->flags |= PKT_F_BAD_L3;
		return -1;
	}
	uint32_t plen = be16_load(ip + 4);

	pi->ip_tos = (uint8_t)(((ip[0] & 0x0f) << 4) | (ip[1] >> 4));
	pi->ip_proto = ip[6];
	pi->ip_ttl = ip[7];
	memcpy(pi->ipv6_src, ip + 8, 16);
	memcpy(pi->ipv6_dst, ip + 24, 16);
	if (40 + plen > avail) {
		pi->flags |= PKT_F_TRUNCATED;
		return -1;
	}
	pi->flags |= PKT_F_IPV6;
	pi->ip_total_len = (uint16_t)(40 + plen);
	pi->l4_off = (uint16_t)(pi->l3_off + 40);
	/* Extension headers are not walked: L4 is read only when the fixed
	 * header's next header names it directly. */
	return finish_l4(data, pi->l3_off + 40 + plen, pi);
}

static int
parse_arp(const uint8_t *data, uint32_t len, struct pkt_info *pi)
{
	const uint8_t *a = data + pi->l3_off;

	if (len - pi->l3_off < 28) {
		pi->flags |= PKT_F_TRUNCATED;
		return -1;
	}
	/* Ethernet/IPv4 ARP only. */
	if (be16_load(a) != 1 || be16_load(a + 2) != PKT_ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4)
		return -1;
	pi->flags |= PKT_F_ARP;
	pi->arp_op = be16_load(a + 6);
	memcpy(pi->arp_sha, a + 8, 6);
	pi->arp_spa = be32_load(a + 14);
	memcpy(pi->arp_tha, a + 18, 6);
	pi->arp_tpa = be32_load(a + 24);
	return -1; /* not IP */
}

int
pkt_parse(const uint8_t *data, uint32_t len, struct pkt_info *pi)
{
	uint32_t off = 14;

	memset(pi, 0, sizeof(*pi));
	if (len < 14) {
		pi->flags |= PKT_F_TRUNCATED;
		return -1;
	}
	pi->flags |= PKT_F_ETH;
	memcpy(pi->eth_dst, data, 6);
	memcpy(pi->eth_src, data + 6, 6);
	pi->eth_type = be16_load(data + 12);

	/* Up to two VLAN tags (802.1Q, QinQ); the outer one is reported. */
	for (int tags = 0; tags < 2; tags++) {
		if (pi->eth_type != PKT_ETHERTYPE_VLAN && pi->eth_type != PKT_ETHERTYPE_QINQ)
			break;
		if (len < off + 4) {
			pi->flags |= PKT_F_TRUNCATED;
			return -1;
		}
		if (!(pi->flags & PKT_F_VLAN)) {
			pi->vlan_vid = be16_load(data + off) & 0x0fff;
			pi->vlan_pcp = data[off] >> 5;
		}
		pi->flags |= PKT_F_VLAN;
		pi->eth_type = be16_load(data + off + 2);
		off += 4;
	}
	pi->l3_off = (uint16_t)off;

	switch (pi->eth_type) {
	case PKT_ETHERTYPE_IPV4:
		return parse_ipv4(data, len, pi);
	case PKT_ETHERTYPE_IPV6:
		return parse_ipv6(data, len, pi);
	case PKT_ETHERTYPE_ARP:
		return parse_arp(data, len, pi);
	default:
		return -1;
	}
}

void
pkt_info_5tuple(const struct pkt_info *pi, struct pkt_5tuple *t)
{
	bool ipv4 = pi->flags & PKT_F_IPV4;
	bool ports = ipv4 && (pi->flags & PKT_F_L4) &&
		     (pi->ip_proto == PKT_PROTO_TCP || pi->ip_proto == PKT_PROTO_UDP ||
		      pi->ip_proto == PKT_PROTO_SCTP);

	/* Only what the parse vouched for: a header it did not accept gives
	 * zeros, as in a flow key, so both give one flow hash. */
	t->src_ip = ipv4 ? pi->ipv4_src : 0;
	t->dst_ip = ipv4 ? pi->ipv4_dst : 0;
	t->proto = ipv4 ? pi->ip_proto : 0;
	t->src_port = ports ? pi->src_port : 0;
	t->dst_port = ports ? pi->dst_port : 0;
}

/* A 32-bit finaliser (murmur3 fmix): cheap, and mixes every input bit. */
static inline uint32_t
mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t
pkt_5tuple_hash_symmetric(const struct pkt_5tuple *t)
{
	/* Order the two endpoints so A->B and B->A give the same input. */
	uint32_t ip_lo = t->src_ip, ip_hi = t->dst_ip;
	uint16_t port_lo = t->src_port, port_hi = t->dst_port;

	if (ip_lo > ip_hi || (ip_lo == ip_hi && port_lo > port_hi)) {
		ip_lo = t->dst_ip;
		ip_hi = t->src_ip;
		port_lo = t->dst_port;
		port_hi = t->src_port;
	}
	uint32_t h = mix32(ip_lo ^ 0x9e3779b9u);
	h = mix32(h ^ ip_hi);
	h = mix32(h ^ (((uint32_t)port_lo << 16) | port_hi));
	return mix32(h ^ t->proto);
}

uint32_t
pkt_csum_partial(const void *buf, uint32_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;

	while (len > 1) {
		acc += (uint32_t)((p[0] << 8) | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)(p[0] << 8);
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t
pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Values are taken as 16-bit words
 * in whatever byte order the checksum itself is stored in; one's-complement
 * arithmetic is byte-order independent, so network order in, network out.
 */
uint16_t
pkt_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word)
{
	uint32_t sum = (uint16_t)~csum;

	sum += (uint16_t)~old_word;
	sum += new_word;
	return (uint16_t)~pkt_csum_fold(sum);
}

uint16_t
pkt_csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val)
{
	csum = pkt_csum_update16(csum, (uint16_t)(old_val >> 16), (uint16_t)(new_val >> 16));
	return pkt_csum_update16(csum, (uint16_t)old_val, (uint16_t)new_val);
}

const uint8_t *
pkt_nd_lladdr(const uint8_t *l4, uint32_t len, uint8_t type)
{
	uint32_t off = 24;

	while (off + 8 <= len) {
		uint32_t olen = (uint32_t)l4[off + 1] * 8;

		if (olen == 0 || off + olen > len)
			return NULL;
		if (l4[off] == type)
			return l4 + off + 2;
		off += olen;
	}
	return NULL;
}
