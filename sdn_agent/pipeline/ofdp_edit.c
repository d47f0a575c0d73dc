/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header rewrites for OpenFlow actions on the data lcores: set-field on
 * Ethernet, IPv4 and TCP/UDP fields with incremental checksum updates
 * (RFC 1624, common/pkt_parse.h; words taken big-endian on both sides,
 * as the stored checksum is), push/pop VLAN, VLAN id; every other
 * field, MPLS, PBB and the TTL actions are ofdp_setfield.c's.
 * A packet without the header an edit needs is left unchanged (the
 * FLOW_MOD's match prerequisites make that the exception).
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "byte_order.h"
#include "ofdp.h"
#include "pkt_parse.h"

/* A UDP checksum that comes out 0 goes on the wire as 0xffff: 0 means
 * "no checksum" (RFC 768). */
static inline uint16_t
udp_csum(uint16_t c)
{
	return c ? c : 0xffff;
}

static uint8_t *
l3_of(struct rte_mbuf *pkt, struct pkt_info *pi)
{
	uint8_t *data = rte_pktmbuf_mtod(pkt, uint8_t *);

	pkt_parse(data, rte_pktmbuf_data_len(pkt), pi);
	return data;
}

static void
set_ipv4_addr(struct rte_mbuf *pkt, bool src, uint32_t addr)
{
	struct pkt_info pi;
	uint8_t *data = l3_of(pkt, &pi);

	if (!(pi.flags & PKT_F_IPV4))
		return;
	uint8_t *ip = data + pi.l3_off;
	uint8_t *field = ip + (src ? 12 : 16);
	uint32_t old = be32_load(field);

	be16_store(ip + 10, pkt_csum_update32(be16_load(ip + 10), old, addr));
	if ((pi.flags & PKT_F_L4) && !(pi.flags & PKT_F_FRAGMENT)) {
		/* The L4 checksums cover the pseudo-header's addresses. */
		uint8_t *l4 = data + pi.l4_off;
		if (pi.ip_proto == PKT_PROTO_TCP)
			be16_store(l4 + 16, pkt_csum_update32(be16_load(l4 + 16), old, addr));
		else if (pi.ip_proto == PKT_PROTO_UDP && be16_load(l4 + 6) != 0)
			be16_store(l4 + 6, udp_csum(pkt_csum_update32(be16_load(l4 + 6), old, addr)));
	}
	be32_store(field, addr);
}

static void
set_tp_port(struct rte_mbuf *pkt, bool src, uint16_t port)
{
	struct pkt_info pi;
	uint8_t *data = l3_of(pkt, &pi);

	if (!(pi.flags & PKT_F_L4) || (pi.flags & PKT_F_FRAGMENT))
		return;
	uint8_t *l4 = data + pi.l4_off;
	uint8_t *field = l4 + (src ? 0 : 2);
	uint16_t old = be16_load(field);

	if (pi.ip_proto == PKT_PROTO_TCP)
		be16_store(l4 + 16, pkt_csum_update16(be16_load(l4 + 16), old, port));
	else if (pi.ip_proto == PKT_PROTO_UDP && be16_load(l4 + 6) != 0)
		be16_store(l4 + 6, udp_csum(pkt_csum_update16(be16_load(l4 + 6), old, port)));
	else if (pi.ip_proto != PKT_PROTO_UDP)
		return;
	be16_store(field, port);
}

bool
ofdp_apply_edit(const struct ofdp_op *op, struct rte_mbuf *pkt)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkt, struct rte_ether_hdr *);

	if (rte_pktmbuf_data_len(pkt) < sizeof(*eth))
		return false;
	switch (op->kind) {
	case OFDP_SET_ETH_SRC:
		memcpy(&eth->src_addr, op->mac, 6);
		return true;
	case OFDP_SET_ETH_DST:
		memcpy(&eth->dst_addr, op->mac, 6);
		return true;
	case OFDP_SET_IPV4_SRC:
	case OFDP_SET_IPV4_DST:
		set_ipv4_addr(pkt, op->kind == OFDP_SET_IPV4_SRC, op->arg);
		return true;
	case OFDP_SET_TP_SRC:
	case OFDP_SET_TP_DST:
		set_tp_port(pkt, op->kind == OFDP_SET_TP_SRC, (uint16_t)op->arg);
		return true;
	case OFDP_DEC_NW_TTL:
	case OFDP_SET_FIELD:
	case OFDP_PUSH_MPLS:
	case OFDP_POP_MPLS:
	case OFDP_SET_MPLS_TTL:
	case OFDP_DEC_MPLS_TTL:
	case OFDP_SET_NW_TTL:
	case OFDP_COPY_TTL_OUT:
	case OFDP_COPY_TTL_IN:
	case OFDP_PUSH_PBB:
	case OFDP_POP_PBB:
		return ofdp_apply_setfield(op, pkt);
	case OFDP_PUSH_VLAN: {
		uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(pkt, 4);
		uint16_t old_type, tci = 0;

		if (p == NULL)
			return false;
		memmove(p, p + 4, 12);
		/* p+12 TPID, p+14 TCI (new); p+16 the old ethertype or outer TPID.
		 * OpenFlow: the new tag copies an existing outer tag's TCI. */
		old_type = be16_load(p + 16);
		if ((old_type == PKT_ETHERTYPE_VLAN || old_type == PKT_ETHERTYPE_QINQ) &&
		    rte_pktmbuf_data_len(pkt) >= 22)
			tci = be16_load(p + 18);
		be16_store(p + 12, (uint16_t)op->arg);
		be16_store(p + 14, tci);
		return true;
	}
	case OFDP_POP_VLAN: {
		uint8_t *p = rte_pktmbuf_mtod(pkt, uint8_t *);
		uint16_t tpid = be16_load(p + 12);
		if (rte_pktmbuf_data_len(pkt) < 18 ||
		    (tpid != PKT_ETHERTYPE_VLAN && tpid != PKT_ETHERTYPE_QINQ))
			return false;
		memmove(p + 4, p, 12);
		rte_pktmbuf_adj(pkt, 4);
		return true;
	}
	case OFDP_SET_VLAN_VID: {
		uint8_t *p = rte_pktmbuf_mtod(pkt, uint8_t *);
		uint16_t tpid = be16_load(p + 12);
		if (rte_pktmbuf_data_len(pkt) < 18 ||
		    (tpid != PKT_ETHERTYPE_VLAN && tpid != PKT_ETHERTYPE_QINQ))
			return false;
		uint16_t tci = be16_load(p + 14);
		tci = (uint16_t)((tci & 0xf000) | (op->arg & 0x0fff));
		be16_store(p + 14, tci);
		return true;
	}
	}
	return false;
}

