/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the one packet parser (common/pkt_parse.c) and
 * what is built from its result: the flow key (common/flow_key.c), the
 * 5-tuple and its symmetric hash, and a classifier lookup.
 *
 * Input: byte 0 is the DPDK port the frame arrived on (low 3 bits), byte
 * 1 says how the up-to-four chain-style rules are derived from the frame
 * (so that many of them match it), the rest is the frame.
 *
 * Aborts when the parse reports an offset or length past the frame, when
 * the key's padding is not zero, when flow_key_5tuple() disagrees with
 * pkt_info_5tuple(), when a hash is not symmetric, or when the classifier
 * (plain, cached or burst lookup) disagrees with onvm_match_packet(), the
 * linear reference, on which rule wins.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "flow_key.h"
#include "match.h"
#include "pkt_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_RULES 4

static struct cls_cache *cache;

static void
check_parse(const struct pkt_info *pi, uint32_t len, int rc)
{
	if (pi->l3_off > len || pi->l4_off > len || pi->payload_off > len)
		abort();
	if ((uint32_t)pi->payload_off + pi->payload_len > len)
		abort();
	if (rc == 0 && !(pi->flags & (PKT_F_IPV4 | PKT_F_IPV6)))
		abort();
	if ((pi->flags & PKT_F_L4) && pi->l4_off < pi->l3_off)
		abort();
	if ((pi->flags & PKT_F_IPV4) && (uint32_t)pi->l3_off + 20 > len)
		abort();
	if ((pi->flags & PKT_F_IPV6) && (uint32_t)pi->l3_off + 40 > len)
		abort();
	/* A fragment's L4 header is not trusted: no ports from it. */
	if ((pi->flags & PKT_F_FRAGMENT) && (pi->flags & PKT_F_L4))
		abort();
}

static void
check_hashes(const struct pkt_info *pi, const struct flow_key *k)
{
	struct pkt_5tuple t, r, kt;
	struct flow_key m = *k;

	pkt_info_5tuple(pi, &t);
	flow_key_5tuple(k, &kt);
	if (t.src_ip != kt.src_ip || t.dst_ip != kt.dst_ip || t.src_port != kt.src_port ||
	    t.dst_port != kt.dst_port || t.proto != kt.proto)
		abort();
	r = (struct pkt_5tuple){ .src_ip = t.dst_ip, .dst_ip = t.src_ip, .src_port = t.dst_port,
				 .dst_port = t.src_port, .proto = t.proto };
	if (pkt_5tuple_hash_symmetric(&t) != pkt_5tuple_hash_symmetric(&r))
		abort();

	/* The reverse direction of the same conversation. */
	memcpy(m.eth_src, k->eth_dst, 6);
	memcpy(m.eth_dst, k->eth_src, 6);
	m.ipv4_src = k->ipv4_dst;
	m.ipv4_dst = k->ipv4_src;
	m.arp_spa = k->arp_tpa;
	m.arp_tpa = k->arp_spa;
	memcpy(m.ipv6_src, k->ipv6_dst, 16);
	memcpy(m.ipv6_dst, k->ipv6_src, 16);
	m.tp_src = k->tp_dst;
	m.tp_dst = k->tp_src;
	if (flow_key_hash_symmetric(k) != flow_key_hash_symmetric(&m))
		abort();
}

/* Rule i's fields: each one either copies the frame's own value (so the
 * rule matches) or takes a nearby one (so it does not). */
static void
make_rule(uint8_t sel, unsigned i, const struct pkt_info *pi, uint16_t in_port,
	  struct onvm_match *m)
{
	uint8_t mode = (uint8_t)(sel >> (2 * i)) & 3;

	memset(m, 0, sizeof(*m));
	switch ((i + mode) & 3) {
	case 0:
		m->fields = M_IN_PORT | M_ETH_TYPE;
		m->in_port = mode == 3 ? (uint16_t)(in_port ^ 1) : in_port;
		m->eth_type = pi->eth_type;
		break;
	case 1:
		m->fields = M_IPV4_SRC | M_IPV4_DST;
		m->ipv4_src_len = (uint8_t)(8 * (mode + 1));
		m->ipv4_dst_len = (uint8_t)(mode == 2 ? 0 : 32);
		m->ipv4_src = pi->ipv4_src & onvm_prefix_mask(m->ipv4_src_len);
		m->ipv4_dst = pi->ipv4_dst & onvm_prefix_mask(m->ipv4_dst_len);
		break;
	case 2:
		m->fields = M_IP_PROTO | M_L4_DST | (mode & 1 ? M_L4_SRC : 0);
		m->ip_proto = pi->ip_proto == PKT_PROTO_UDP ? PKT_PROTO_UDP : PKT_PROTO_TCP;
		m->l4_dst_lo = mode == 2 ? 0 : pi->dst_port;
		m->l4_dst_hi = mode == 2 ? 1023 : pi->dst_port;
		m->l4_src_lo = pi->src_port > 10 ? (uint16_t)(pi->src_port - 10) : 0;
		m->l4_src_hi = 65535;
		break;
	default:
		m->fields = M_ETH_SRC | M_ETH_DST | (pi->flags & PKT_F_VLAN ? M_VLAN_VID : 0);
		memcpy(m->eth_src, pi->eth_src, 6);
		memcpy(m->eth_dst, pi->eth_dst, 6);
		m->eth_dst[5] ^= (uint8_t)(mode == 1);
		m->vlan_vid = pi->vlan_vid;
		break;
	}
}

static void
check_classifier(const uint8_t sel, const struct pkt_info *pi, uint16_t in_port)
{
	struct classifier *cls = classifier_create();
	struct onvm_match rules[N_RULES];
	struct flow_key keys[3];
	uint32_t want = CLS_NO_RULE, got = CLS_NO_RULE, burst[3];
	int best_prio = -1;

	if (cls == NULL)
		return;
	for (unsigned i = 0; i < N_RULES; i++) {
		/* Two rules share a priority: the one added first must win. */
		uint32_t prio = i == 3 ? 10 : 10 + i;
		make_rule(sel, i, pi, in_port, &rules[i]);
		if (classifier_add_match(cls, &rules[i], prio, i) < 0)
			abort();
		if (onvm_match_packet(&rules[i], pi, in_port) && (int)prio > best_prio) {
			best_prio = (int)prio;
			want = i;
		}
	}
	flow_key_from_pkt(&keys[0], pi, FLOW_OFPORT_FROM_DPDK(in_port));
	bool hit = classifier_lookup(cls, &keys[0], &got);
	if (hit != (want != CLS_NO_RULE) || (hit && got != want))
		abort();
	/* Twice through the cache: a miss, then a hit. */
	for (int pass = 0; pass < 2; pass++) {
		got = CLS_NO_RULE;
		hit = classifier_lookup_cached(cls, cache, &keys[0], &got);
		if (hit != (want != CLS_NO_RULE) || (hit && got != want))
			abort();
	}
	keys[1] = keys[0];
	keys[2] = keys[0];
	keys[2].in_port ^= 1;
	uint64_t hits = classifier_lookup_burst(cls, cache, keys, 3, burst);
	if (((hits & 1) != 0) != (want != CLS_NO_RULE) || ((hits >> 1 & 1) != (hits & 1)))
		abort();
	if ((hits & 1) && (burst[0] != want || burst[1] != want))
		abort();
	classifier_free(cls);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_info pi;
	struct flow_key k, kf;

	if (size < 2)
		return 0;
	if (cache == NULL)
		cache = cls_cache_create(6);
	uint16_t in_port = data[0] & 7;
	uint8_t sel = data[1];
	const uint8_t *frame = data + 2;
	uint32_t len = (uint32_t)(size - 2);

	/* Each frame in a buffer of its own size, so ASan sees any
	 * read past it. */
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, frame, len);

	int rc = pkt_parse(copy, len, &pi);
	check_parse(&pi, len, rc);

	flow_key_from_pkt(&k, &pi, FLOW_OFPORT_FROM_DPDK(in_port));
	flow_key_from_frame(&kf, &pi, copy, len, FLOW_OFPORT_FROM_DPDK(in_port));
	for (const struct flow_key *p = &k; p; p = p == &k ? &kf : NULL) {
		if (p->hdr_pad || p->exthdr_pad[0] ||
		    p->exthdr_pad[1] || p->metadata || p->tunnel_id)
			abort();
		check_hashes(&pi, p);
	}
	check_classifier(sel, &pi, in_port);
	free(copy);
	return 0;
}
