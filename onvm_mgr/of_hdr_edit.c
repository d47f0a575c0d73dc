/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_hdr_edit: set-field, MPLS and TTL rewrites over a frame's bytes
 * (see of_hdr_edit.h). The IP/ARP/L4 layout comes from pkt_parse(); the
 * MPLS label stack, which pkt_parse does not walk, is found here after
 * the VLAN tags.
 */
#include <string.h>

#include <rte_hash_crc.h>

#include "of_hdr_edit.h"
#include "ofp_wire.h"
#include "pkt_parse.h"

#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PBB     0x88e7
#define PBB_ITAG_LEN      4
#define ND_NS             135
#define ND_NA             136
#define ND_OPT_SLL        1
#define ND_OPT_TLL        2

static inline uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Replace n bytes (n even, at an even offset of what `csum` covers) and
 * update the one's-complement checksum stored big-endian at csum. The
 * words are taken big-endian on both sides, so the arithmetic agrees
 * with the stored checksum.
 */
static void
replace_csummed(uint8_t *field, const uint8_t *val, uint32_t n, uint8_t *csum)
{
	uint16_t c = be16(csum);

	for (uint32_t i = 0; i < n; i += 2)
		c = pkt_csum_update16(c, be16(field + i), be16(val + i));
	put_be16(csum, c);
	memcpy(field, val, n);
}

/* As replace_csummed, for a UDP checksum: 0 means "none" and stays 0; a
 * computed 0 goes on the wire as 0xffff. */
static void
replace_udp_csummed(uint8_t *field, const uint8_t *val, uint32_t n, uint8_t *csum)
{
	if (be16(csum) == 0) {
		memcpy(field, val, n);
		return;
	}
	replace_csummed(field, val, n, csum);
	if (be16(csum) == 0)
		put_be16(csum, 0xffff);
}

/* Offset of the ethertype after the VLAN tags, or -1 when a tag is cut. */
static int
l2_type_off(const uint8_t *frame, uint32_t len)
{
	uint32_t off = 12;

	if (len < 14)
		return -1;
	while (be16(frame + off) == PKT_ETHERTYPE_VLAN || be16(frame + off) == PKT_ETHERTYPE_QINQ) {
		off += 4;
		if (len < off + 2)
			return -1;
	}
	return (int)off;
}

static bool
is_mpls_type(uint16_t t)
{
	return t == PKT_ETHERTYPE_MPLS || t == ETHERTYPE_MPLS_MC;
}

/* The top label stack entry, or NULL when the frame is not MPLS. */
static uint8_t *
mpls_top(uint8_t *frame, uint32_t len)
{
	int t = l2_type_off(frame, len);

	if (t < 0 || !is_mpls_type(be16(frame + t)) || len < (uint32_t)t + 6)
		return NULL;
	return frame + t + 2;
}

/* The I-TAG (4 bytes after the ethertype after the VLAN tags), or NULL
 * when the frame is not 802.1ah PBB. */
static const uint8_t *
pbb_itag(const uint8_t *frame, uint32_t len)
{
	int t = l2_type_off(frame, len);

	if (t < 0 || be16(frame + t) != ETHERTYPE_PBB || len < (uint32_t)t + 2 + PBB_ITAG_LEN)
		return NULL;
	return frame + t + 2;
}

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
		else if (old == PKT_PROTO_UDP && be16(frame + pi->l4_off + 6) != 0)
			csum = frame + pi->l4_off + 6;
		else if (old == PKT_PROTO_ICMPV6)
			csum = frame + pi->l4_off + 2;
	}
	if (csum != NULL)
		put_be16(csum, pkt_csum_update16(be16(csum), old, v));
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

/* The link-layer address of the first option of type opt_type. */
static uint8_t *
nd_lladdr(uint8_t *l4, uint32_t l4_len, uint8_t opt_type)
{
	uint32_t off = 24;

	while (off + 8 <= l4_len) {
		uint32_t olen = (uint32_t)l4[off + 1] * 8;

		if (olen == 0 || off + olen > l4_len)
			return NULL; /* malformed: RFC 4861 says drop, we leave it */
		if (l4[off] == opt_type)
			return l4 + off + 2;
		off += olen;
	}
	return NULL;
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
	    (at = nd_lladdr(l4, l4_len, sll ? ND_OPT_SLL : ND_OPT_TLL)) == NULL)
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

/* ---- TTLs ---- */

/* The IP TTL byte of the header at ip (avail bytes), with its version
 * told by the first nibble, for the MPLS payload; NULL when not IP. */
static uint8_t *
ip_ttl_at(uint8_t *ip, uint32_t avail, bool *v4)
{
	if (avail >= 20 && ip[0] >> 4 == 4 && (ip[0] & 0x0f) >= 5 && avail >= (ip[0] & 0x0fu) * 4) {
		*v4 = true;
		return ip + 8;
	}
	if (avail >= 40 && ip[0] >> 4 == 6) {
		*v4 = false;
		return ip + 7;
	}
	return NULL;
}

/* Write an IP TTL; an IPv4 one goes through the header checksum (the TTL
 * shares its word with the protocol). */
static void
write_ip_ttl(uint8_t *ttl, bool v4, uint8_t v)
{
	if (v4) {
		uint8_t *ip = ttl - 8;
		uint8_t w[2] = { v, ip[9] };

		replace_csummed(ip + 8, w, 2, ip + 10);
	} else {
		*ttl = v;
	}
}

static uint8_t *
nw_ttl(uint8_t *frame, uint32_t len, bool *v4)
{
	struct pkt_info pi;

	pkt_parse(frame, len, &pi);
	*v4 = (pi.flags & PKT_F_IPV4) != 0;
	if (pi.flags & PKT_F_IPV4)
		return frame + pi.l3_off + 8;
	if (pi.flags & PKT_F_IPV6)
		return frame + pi.l3_off + 7;
	return NULL;
}

bool
ofhe_set_nw_ttl(uint8_t *frame, uint32_t len, uint8_t ttl)
{
	bool v4;
	uint8_t *t = nw_ttl(frame, len, &v4);

	if (t == NULL)
		return false;
	write_ip_ttl(t, v4, ttl);
	return true;
}

bool
ofhe_dec_nw_ttl(uint8_t *frame, uint32_t len)
{
	bool v4;
	uint8_t *t = nw_ttl(frame, len, &v4);

	if (t == NULL || *t == 0)
		return false;
	write_ip_ttl(t, v4, (uint8_t)(*t - 1));
	return true;
}

bool
ofhe_set_mpls_ttl(uint8_t *frame, uint32_t len, uint8_t ttl)
{
	uint8_t *e = mpls_top(frame, len);

	if (e == NULL)
		return false;
	e[3] = ttl;
	return true;
}

bool
ofhe_dec_mpls_ttl(uint8_t *frame, uint32_t len)
{
	uint8_t *e = mpls_top(frame, len);

	if (e == NULL || e[3] == 0)
		return false;
	e[3]--;
	return true;
}

/* The TTL one level in from the top MPLS entry e: the next entry's, or
 * the IP header's under the bottom of stack. */
static uint8_t *
inner_ttl(uint8_t *frame, uint32_t len, uint8_t *e, bool *is_ip_v4, bool *is_ip)
{
	uint32_t next = (uint32_t)(e + 4 - frame);

	*is_ip = false;
	if (!(e[2] & 1))
		return len >= next + 4 ? frame + next + 3 : NULL;
	*is_ip = true;
	return ip_ttl_at(frame + next, len - next, is_ip_v4);
}

bool
ofhe_copy_ttl_out(uint8_t *frame, uint32_t len)
{
	uint8_t *e = mpls_top(frame, len), *in;
	bool v4, ip;

	if (e == NULL || (in = inner_ttl(frame, len, e, &v4, &ip)) == NULL)
		return false;
	e[3] = *in;
	return true;
}

bool
ofhe_copy_ttl_in(uint8_t *frame, uint32_t len)
{
	uint8_t *e = mpls_top(frame, len), *in;
	bool v4 = false, ip;

	if (e == NULL || (in = inner_ttl(frame, len, e, &v4, &ip)) == NULL)
		return false;
	if (ip)
		write_ip_ttl(in, v4, e[3]);
	else
		*in = e[3];
	return true;
}

/* ---- push / pop MPLS ---- */

int
ofhe_push_mpls_prepare(const uint8_t *frame, uint32_t len, uint8_t entry[4])
{
	int t = l2_type_off(frame, len);

	if (t < 0)
		return -1;
	uint32_t off = (uint32_t)t + 2;
	uint16_t type = be16(frame + t);

	if (is_mpls_type(type)) {
		if (len < off + 4)
			return -1;
		/* A new outer entry copies the old top one, minus bottom of stack. */
		memcpy(entry, frame + off, 4);
		entry[2] &= 0xfe;
		return t;
	}
	/* First entry: label 0, tc 0, bottom of stack, TTL from the IP header. */
	struct pkt_info pi;

	pkt_parse(frame, len, &pi);
	entry[0] = entry[1] = 0;
	entry[2] = 1;
	entry[3] = (pi.flags & (PKT_F_IPV4 | PKT_F_IPV6)) ? pi.ip_ttl : 0;
	return t;
}

void
ofhe_push_mpls_finish(uint8_t *p, uint32_t type_off, uint16_t ethertype, const uint8_t entry[4])
{
	memmove(p, p + 4, type_off);
	put_be16(p + type_off, ethertype);
	memcpy(p + type_off + 2, entry, 4);
}

bool
ofhe_pop_mpls(uint8_t *frame, uint32_t len, uint16_t ethertype)
{
	if (mpls_top(frame, len) == NULL)
		return false;
	uint32_t t = (uint32_t)l2_type_off(frame, len);

	/* The new ethertype lands just before the payload, the MACs and tags
	 * slide up over the old one and the entry. */
	put_be16(frame + t + 4, ethertype);
	memmove(frame + 4, frame, t);
	return true;
}

/* ---- push / pop PBB ---- */

bool
ofhe_push_pbb_prepare(const uint8_t *frame, uint32_t len, uint8_t itag[4])
{
	const uint8_t *old = pbb_itag(frame, len);

	if (len < 14)
		return false;
	itag[0] = 0; /* PCP 0, DEI 0, UCA 0, reserved */
	if (old != NULL)
		memcpy(itag + 1, old + 1, 3);
	else
		itag[1] = itag[2] = itag[3] = 0;
	return true;
}

void
ofhe_push_pbb_finish(uint8_t *p, const uint8_t itag[4])
{
	memcpy(p, p + OFHE_PBB_HDR_LEN, 12);
	put_be16(p + 12, ETHERTYPE_PBB);
	memcpy(p + 14, itag, PBB_ITAG_LEN);
}

uint32_t
ofhe_pop_pbb_len(const uint8_t *frame, uint32_t len)
{
	const uint8_t *it = pbb_itag(frame, len);
	uint32_t outer;

	if (it == NULL)
		return 0;
	outer = (uint32_t)(it - frame) + PBB_ITAG_LEN;
	return len >= outer + 14 ? outer : 0;
}
