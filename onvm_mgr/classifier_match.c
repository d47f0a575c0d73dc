/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiling a chain-vocabulary match (common/match.h) into classifier rules,
 * port ranges into prefix-aligned blocks. See classifier_add_match().
 */
#include <string.h>

#include "classifier_priv.h"

unsigned int
cls_port_range_blocks(uint16_t lo, uint16_t hi, uint16_t value[32], uint16_t mask[32])
{
	uint32_t v = lo, end = (uint32_t)hi + 1;
	unsigned int n = 0;

	while (v < end) {
		/* The largest block aligned at v that still ends by hi. */
		uint32_t size = v == 0 ? 0x10000 : v & -v;
		while (v + size > end)
			size >>= 1;
		value[n] = (uint16_t)v;
		mask[n] = (uint16_t)~(size - 1);
		n++;
		v += size;
	}
	return n;
}

int
classifier_add_match(struct classifier *cls, const struct onvm_match *m, uint32_t priority,
		     uint32_t result)
{
	const uint32_t ip_fields = M_IP_PROTO | M_IPV4_SRC | M_IPV4_DST | M_L4_SRC | M_L4_DST;
	struct flow_key key, mask;
	uint16_t sv[32], sm[32], dv[32], dm[32];
	unsigned int ns = 1, nd = 1;
	uint64_t first_seq = cls->next_seq;
	int added = 0;

	memset(&key, 0, sizeof(key));
	memset(&mask, 0, sizeof(mask));
	if (m->fields & M_IN_PORT) {
		key.in_port = FLOW_OFPORT_FROM_DPDK(m->in_port);
		mask.in_port = UINT32_MAX;
	}
	if (m->fields & M_ETH_TYPE) {
		key.eth_type = m->eth_type;
		mask.eth_type = 0xffff;
	}
	if (m->fields & M_ETH_SRC) {
		memcpy(key.eth_src, m->eth_src, 6);
		memset(mask.eth_src, 0xff, 6);
	}
	if (m->fields & M_ETH_DST) {
		memcpy(key.eth_dst, m->eth_dst, 6);
		memset(mask.eth_dst, 0xff, 6);
	}
	if (m->fields & M_VLAN_VID) {
		key.vlan_vid = (uint16_t)(FLOW_VID_PRESENT | m->vlan_vid);
		mask.vlan_vid = FLOW_VID_PRESENT | 0x0fff;
	}
	if (m->fields & ip_fields) {
		if ((m->fields & M_ETH_TYPE) && m->eth_type != PKT_ETHERTYPE_IPV4)
			return 0; /* an IPv4 field on a non-IPv4 ethertype: never */
		key.eth_type = PKT_ETHERTYPE_IPV4;
		mask.eth_type = 0xffff;
	}
	if (m->fields & M_IP_PROTO) {
		key.ip_proto = m->ip_proto;
		mask.ip_proto = 0xff;
	}
	if (m->fields & M_IPV4_SRC) {
		mask.ipv4_src = onvm_prefix_mask(m->ipv4_src_len);
		key.ipv4_src = m->ipv4_src & mask.ipv4_src;
	}
	if (m->fields & M_IPV4_DST) {
		mask.ipv4_dst = onvm_prefix_mask(m->ipv4_dst_len);
		key.ipv4_dst = m->ipv4_dst & mask.ipv4_dst;
	}
	sv[0] = sm[0] = dv[0] = dm[0] = 0;
	if (m->fields & M_L4_SRC)
		ns = cls_port_range_blocks(m->l4_src_lo, m->l4_src_hi, sv, sm);
	if (m->fields & M_L4_DST)
		nd = cls_port_range_blocks(m->l4_dst_lo, m->l4_dst_hi, dv, dm);

	for (unsigned int i = 0; i < ns; i++) {
		for (unsigned int j = 0; j < nd; j++) {
			key.tp_src = sv[i];
			mask.tp_src = sm[i];
			key.tp_dst = dv[j];
			mask.tp_dst = dm[j];
			/* One seq for all: the blocks of one match tie as one rule. */
			if (cls_add_with_seq(cls, &key, &mask, priority, result, first_seq) ==
			    CLS_NO_RULE)
				goto fail;
			added++;
		}
	}
	cls->next_seq = first_seq + 1;
	return added;
fail:
	/* Undo this match only: its rules are the ones carrying first_seq. */
	for (uint32_t h = 0; h < cls->n_slots; h++)
		if (cls->rules[h].subtable != CLS_NO_RULE && cls->rules[h].seq == first_seq)
			classifier_remove(cls, h);
	return -1;
}

