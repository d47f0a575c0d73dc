/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_hdr_edit: set-field over a frame's bytes (see of_hdr_edit.h; the
 * TTL actions and MPLS/PBB push/pop are in of_hdr_stack.c). The
 * IP/ARP/L4 layout comes from pkt_parse(); the MPLS label stack, which
 * pkt_parse does not walk, is found after the VLAN tags (of_hdr_priv.h).
 */
#include <string.h>

#include <rte_hash_crc.h>

#include "of_hdr_edit.h"
#include "of_hdr_priv.h"
#include "ofp_wire.h"
#include "pkt_parse.h"

/* ---- IP-level fields ---- */

/* The end of the L3 packet (Ethernet padding excluded) and its L4 header,
 * when pkt_parse found one that is not in a fragment. */
static uint8_t *
l4_of(uint8_t *frame, const struct pkt_info *pi, uint32_t *l4_len)
{
	if (!(pi->flags & PKT_F_L4) || (pi->flags & PKT_F_FRAGMENT))
		return NULL;
	*l4_len = (uint32_t)pi->l3_off + pi->ip_total_len - pi->l4_off;
	return frame + pi->l4_off;
}

static void
set_ipv4_tos(uint8_t *ip, uint8_t tos)
{
	uint8_t w[2] = { ip[0], tos };

	replace_csummed(ip, w, 2, ip + 10);
}

/* Traffic class straddles bytes 0 and 1 of the IPv6 header. */
static uint8_t
ipv6_tc(const uint8_t *ip)
{
	return (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4);
}

static void
set_ipv6_tc(uint8_t *ip, uint8_t tc)
{
	ip[0] = (uint8_t)((ip[0] & 0xf0) | tc >> 4);
	ip[1] = (uint8_t)((ip[1] & 0x0f) | (tc & 0x0f) << 4);
}

/*
 * ip_proto / IPv6 next header. The L4 checksum covers it through the
 * pseudo-header (as the word 0x00PP), so the old protocol's checksum is
 * kept consistent with the new pseudo-header: the receiver of a packet a
 * controller relabelled sees the bytes it would have computed.
 */
static bool
set_ip_proto(uint8_t *frame, const struct pkt_info *pi, uint8_t v)
{
	uint8_t *ip = frame + pi->l3_off;
	uint8_t old = pi->ip_proto;
	uint8_t *csum = NULL;

	if (pi->flags & PKT_F_IPV4) {
		uint8_t w[2] = { ip[8], v };

		replace_csummed(ip + 8, w, 2, ip + 10);
	} else if (pi->flags & PKT_F_IPV6) {
		ip[6] = v;
	} else {
		return false;
	}
	if ((pi->flags & PKT_F_L4) && !(pi->flags & PKT_F_FRAGMENT)) {
		if (old == PKT_PROTO_TCP)
			csum = frame + pi->l4_off + 16;
		else if (old == PKT_PROTO_UDP && be16_load(frame + pi->l4_off + 6) != 0)
			csum = frame + pi->l4_off + 6;
		else if (old == PKT_PROTO_ICMPV6)
			csum = frame + pi->l4_off + 2;
	}
	if (csum != NULL)
		be16_store(csum, pkt_csum_update16(be16_load(csum), old, v));
	return true;
}

static bool
set_dscp_ecn(uint8_t *frame, const struct pkt_info *pi, bool dscp, uint8_t v)
{
	uint8_t *ip = frame + pi->l3_off;
	uint8_t mask = dscp ? 0xfc : 0x03;
	uint8_t bits = dscp ? (uint8_t)(v << 2) : (uint8_t)(v & 0x03);

	if (pi->flags & PKT_F_IPV4) {
		set_ipv4_tos(ip, (uint8_t)((ip[1] & ~mask) | bits));
		return true;
	}
	if (pi->flags & PKT_F_IPV6) {
		set_ipv6_tc(ip, (uint8_t)((ipv6_tc(ip) & ~mask) | bits));
		return true;
	}
	return false;
}

/* IPv6 source/destination: the TCP, UDP and ICMPv6 checksums cover them
 * through the pseudo-header. */
static bool
set_ipv6_addr(uint8_t *frame, const struct pkt_info *pi, bool src, const uint8_t *val)
{
	uint8_t *field = frame + pi->l3_off + (src ? 8 : 24);
	uint32_t l4_len;
	uint8_t *l4 = l4_of(frame, pi, &l4_len);

	if (!(pi->flags & PKT_F_IPV6))
		return false;
	if (l4 != NULL && pi->ip_proto == PKT_PROTO_TCP)
		replace_csummed(field, val, 16, l4 + 16);
	else if (l4 != NULL && pi->ip_proto == PKT_PROTO_UDP)
		replace_udp_csummed(field, val, 16, l4 + 6);
	else if (l4 != NULL && pi->ip_proto == PKT_PROTO_ICMPV6)
		replace_csummed(field, val, 16, l4 + 2);
	else
		memcpy(field, val, 16);
	return true;
}

uint32_t
ofhe_crc32c(const uint8_t *buf, uint32_t len)
{
	uint32_t crc = 0xffffffffu;

	/* rte_hash_crc reads 8 bytes at a time: feed it an aligned start. */
	while (len > 0 && ((uintptr_t)buf & 7) != 0) {
		crc = rte_hash_crc_1byte(*buf++, crc);
		len--;
	}
	return ~rte_hash_crc(buf, len, crc);
}

static bool
set_sctp_port(uint8_t *frame, const struct pkt_info *pi, bool src, const uint8_t *val)
{
	uint32_t l4_len, crc;
	uint8_t *l4 = l4_of(frame, pi, &l4_len);

	if (l4 == NULL || pi->ip_proto != PKT_PROTO_SCTP)
		return false;
	memcpy(l4 + (src ? 0 : 2), val, 2);
	memset(l4 + 8, 0, 4);
	crc = ofhe_crc32c(l4, l4_len);
	for (int i = 0; i < 4; i++)
		l4[8 + i] = (uint8_t)(crc >> (8 * i));
	return true;
}

/* ICMPv4 and ICMPv6: type and code share the first checksummed word. */
static bool
set_icmp_byte(uint8_t *frame, const struct pkt_info *pi, uint8_t proto, int at, uint8_t v)
{
	uint32_t l4_len;
	uint8_t *l4 = l4_of(frame, pi, &l4_len);
	uint8_t w[2];

	if (l4 == NULL || pi->ip_proto != proto)
		return false;
	memcpy(w, l4, 2);
	w[at] = v;
	replace_csummed(l4, w, 2, l4 + 2);
	return true;
}

/* Neighbour solicitation/advertisement: the target, then options from
 * byte 24 of the ICMPv6 message. */
static uint8_t *
nd_msg(uint8_t *frame, const struct pkt_info *pi, uint8_t type, uint32_t *l4_len)
{
	uint8_t *l4 = l4_of(frame, pi, l4_len);

	if (l4 == NULL || pi->ip_proto != PKT_PROTO_ICMPV6 || *l4_len < 24)
		return NULL;
	if (l4[0] != type && !(type == 0 && (l4[0] == ND_NS || l4[0] == ND_NA)))
		return NULL;
	return l4;
}

static bool
set_nd(uint8_t *frame, const struct pkt_info *pi, uint8_t field, const uint8_t *val)
{
	uint32_t l4_len;
	uint8_t *l4, *at;

	if (field == OFPXMT_OFB_IPV6_ND_TARGET) {
		if ((l4 = nd_msg(frame, pi, 0, &l4_len)) == NULL)
			return false;
		replace_csummed(l4 + 8, val, 16, l4 + 2);
		return true;
	}
	bool sll = field == OFPXMT_OFB_IPV6_ND_SLL;

	if ((l4 = nd_msg(frame, pi, sll ? ND_NS : ND_NA, &l4_len)) == NULL ||
	    (at = (uint8_t *)pkt_nd_lladdr(l4, l4_len, sll ? ND_OPT_SLL : ND_OPT_TLL)) == NULL)
		return false;
	replace_csummed(at, val, 6, l4 + 2);
	return true;
}

static bool
set_arp(uint8_t *frame, const struct pkt_info *pi, uint8_t field, const uint8_t *val)
{
	uint8_t *a = frame + pi->l3_off;

	if (!(pi->flags & PKT_F_ARP))
		return false;
	switch (field) {
	case OFPXMT_OFB_ARP_OP:  memcpy(a + 6, val, 2); break;
	case OFPXMT_OFB_ARP_SHA: memcpy(a + 8, val, 6); break;
	case OFPXMT_OFB_ARP_SPA: memcpy(a + 14, val, 4); break;
	case OFPXMT_OFB_ARP_THA: memcpy(a + 18, val, 6); break;
	default:                 memcpy(a + 24, val, 4); break; /* ARP_TPA */
	}
	return true;
}

/* ---- MPLS label stack entry: label(20) tc(3) bos(1) ttl(8) ---- */

static bool
set_mpls(uint8_t *frame, uint32_t len, uint8_t field, const uint8_t *val)
{
	uint8_t *e = mpls_top(frame, len);

	if (e == NULL)
		return false;
	if (field == OFPXMT_OFB_MPLS_LABEL) {
		uint32_t label = ((uint32_t)val[1] << 16 | (uint32_t)val[2] << 8 | val[3]) & 0xfffff;

		e[0] = (uint8_t)(label >> 12);
		e[1] = (uint8_t)(label >> 4);
		e[2] = (uint8_t)((label & 0xf) << 4 | (e[2] & 0x0f));
	} else if (field == OFPXMT_OFB_MPLS_TC) {
		e[2] = (uint8_t)((e[2] & 0xf1) | (val[0] & 0x7) << 1);
	} else {
		e[2] = (uint8_t)((e[2] & 0xfe) | (val[0] & 0x1));
	}
	return true;
}

bool
ofhe_set_field(uint8_t *frame, uint32_t len, uint8_t field, const uint8_t *val)
{
	struct pkt_info pi;

	switch (field) {
	case OFPXMT_OFB_VLAN_PCP: {
		int t = l2_type_off(frame, len);

		if (t <= 12)
			return false;
		frame[14] = (uint8_t)((frame[14] & 0x1f) | (val[0] & 0x7) << 5);
		return true;
	}
	case OFPXMT_OFB_MPLS_LABEL:
	case OFPXMT_OFB_MPLS_TC:
	case OFPXMT_OFB_MPLS_BOS:
		return set_mpls(frame, len, field, val);
	case OFPXMT_OFB_PBB_ISID: {
		/* The I-SID is the I-TAG's low 24 bits, as the OXM's 3 bytes. */
		uint8_t *it = (uint8_t *)pbb_itag(frame, len);

		if (it == NULL)
			return false;
		memcpy(it + 1, val, 3);
		return true;
	}
	}
	pkt_parse(frame, len, &pi);
	switch (field) {
	case OFPXMT_OFB_ETH_TYPE:
		if (!(pi.flags & PKT_F_ETH) || pi.l3_off < 14)
			return false;
		memcpy(frame + pi.l3_off - 2, val, 2);
		return true;
	case OFPXMT_OFB_IP_PROTO:
		return set_ip_proto(frame, &pi, val[0]);
	case OFPXMT_OFB_IP_DSCP:
	case OFPXMT_OFB_IP_ECN:
		return set_dscp_ecn(frame, &pi, field == OFPXMT_OFB_IP_DSCP, val[0]);
	case OFPXMT_OFB_SCTP_SRC:
	case OFPXMT_OFB_SCTP_DST:
		return set_sctp_port(frame, &pi, field == OFPXMT_OFB_SCTP_SRC, val);
	case OFPXMT_OFB_ICMPV4_TYPE:
	case OFPXMT_OFB_ICMPV4_CODE:
		return set_icmp_byte(frame, &pi, PKT_PROTO_ICMP, field == OFPXMT_OFB_ICMPV4_CODE,
				     val[0]);
	case OFPXMT_OFB_ICMPV6_TYPE:
	case OFPXMT_OFB_ICMPV6_CODE:
		return set_icmp_byte(frame, &pi, PKT_PROTO_ICMPV6, field == OFPXMT_OFB_ICMPV6_CODE,
				     val[0]);
	case OFPXMT_OFB_ARP_OP:
	case OFPXMT_OFB_ARP_SPA:
	case OFPXMT_OFB_ARP_TPA:
	case OFPXMT_OFB_ARP_SHA:
	case OFPXMT_OFB_ARP_THA:
		return set_arp(frame, &pi, field, val);
	case OFPXMT_OFB_IPV6_SRC:
	case OFPXMT_OFB_IPV6_DST:
		return set_ipv6_addr(frame, &pi, field == OFPXMT_OFB_IPV6_SRC, val);
	case OFPXMT_OFB_IPV6_FLABEL: {
		uint8_t *ip = frame + pi.l3_off;

		if (!(pi.flags & PKT_F_IPV6))
			return false;
		ip[1] = (uint8_t)((ip[1] & 0xf0) | (val[1] & 0x0f));
		ip[2] = val[2];
		ip[3] = val[3];
		return true;
	}
	case OFPXMT_OFB_IPV6_ND_TARGET:
	case OFPXMT_OFB_IPV6_ND_SLL:
	case OFPXMT_OFB_IPV6_ND_TLL:
		return set_nd(frame, &pi, field, val);
	}
	return false;
}
