/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path side of the generic set-field, MPLS and TTL actions: the
 * byte-level work is of_hdr_edit.c; here is only what touches the mbuf
 * (MPLS and PBB push/pop grow or shrink the frame at its front, in the
 * headroom, like push/pop VLAN). Frames are single-segment: data_len bounds every
 * access.
 */
#include <rte_mbuf.h>

#include "ofdp.h"
#include "of_hdr_edit.h"

static bool
push_mpls(struct rte_mbuf *pkt, uint16_t ethertype)
{
	uint8_t entry[4];
	int type_off = ofhe_push_mpls_prepare(rte_pktmbuf_mtod(pkt, uint8_t *),
					      rte_pktmbuf_data_len(pkt), entry);
	uint8_t *p;

	if (type_off < 0 || (p = (uint8_t *)rte_pktmbuf_prepend(pkt, 4)) == NULL)
		return false;
	ofhe_push_mpls_finish(p, (uint32_t)type_off, ethertype, entry);
	return true;
}

static bool
pop_mpls(struct rte_mbuf *pkt, uint16_t ethertype)
{
	if (!ofhe_pop_mpls(rte_pktmbuf_mtod(pkt, uint8_t *), rte_pktmbuf_data_len(pkt),
			   ethertype))
		return false;
	rte_pktmbuf_adj(pkt, 4);
	return true;
}

static bool
push_pbb(struct rte_mbuf *pkt)
{
	uint8_t itag[4];
	uint8_t *p;

	if (!ofhe_push_pbb_prepare(rte_pktmbuf_mtod(pkt, uint8_t *), rte_pktmbuf_data_len(pkt),
				   itag) ||
	    (p = (uint8_t *)rte_pktmbuf_prepend(pkt, OFHE_PBB_HDR_LEN)) == NULL)
		return false;
	ofhe_push_pbb_finish(p, itag);
	return true;
}

static bool
pop_pbb(struct rte_mbuf *pkt)
{
	uint32_t n = ofhe_pop_pbb_len(rte_pktmbuf_mtod(pkt, uint8_t *), rte_pktmbuf_data_len(pkt));

	return n > 0 && rte_pktmbuf_adj(pkt, (uint16_t)n) != NULL;
}

bool
ofdp_apply_setfield(const struct ofdp_op *op, struct rte_mbuf *pkt)
{
	uint8_t *frame = rte_pktmbuf_mtod(pkt, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(pkt);

	switch (op->kind) {
	case OFDP_SET_FIELD:
		return ofhe_set_field(frame, len, op->field, op->val);
	case OFDP_PUSH_MPLS:
		return push_mpls(pkt, (uint16_t)op->arg);
	case OFDP_POP_MPLS:
		return pop_mpls(pkt, (uint16_t)op->arg);
	case OFDP_SET_MPLS_TTL:
		return ofhe_set_mpls_ttl(frame, len, (uint8_t)op->arg);
	case OFDP_DEC_MPLS_TTL:
		return ofhe_dec_mpls_ttl(frame, len);
	case OFDP_SET_NW_TTL:
		return ofhe_set_nw_ttl(frame, len, (uint8_t)op->arg);
	case OFDP_DEC_NW_TTL:
		return ofhe_dec_nw_ttl(frame, len);
	case OFDP_COPY_TTL_OUT:
		return ofhe_copy_ttl_out(frame, len);
	case OFDP_COPY_TTL_IN:
		return ofhe_copy_ttl_in(frame, len);
	case OFDP_PUSH_PBB:
		return push_pbb(pkt);
	case OFDP_POP_PBB:
		return pop_pbb(pkt);
	}
	return false;
}
