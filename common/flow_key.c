/* SPDX-License-Identifier: BSD-3-Clause */
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
		k->ipv4_src = pi->ipv4_src;
		k->ipv4_dst = pi->ipv4_dst;
	} else if (pi->flags & PKT_F_IPV6) {
		memcpy(k->ipv6_src, pi->ipv6_src, 16);
		memcpy(k->ipv6_dst, pi->ipv6_dst, 16);
	}
	if (pi->flags & PKT_F_L4) {
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
