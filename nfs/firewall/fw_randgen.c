/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_randgen.h"

static const uint16_t common_ports[] = { 22, 25, 53, 80, 123, 443, 993, 1024, 3306, 5060,
					 8080, 8443 };
#define N_COMMON_PORTS (sizeof(common_ports) / sizeof(common_ports[0]))

/* Addresses come from 16 /16 networks so that rules and packets overlap. */
static uint32_t
pool_addr(struct fw_rng *r)
{
	return 0x0a000000u | ((fw_rng_next(r) % 16) << 16) | (fw_rng_next(r) & 0xffff);
}

static uint8_t
random_prefix_len(struct fw_rng *r)
{
	static const uint8_t lens[] = { 0, 8, 12, 16, 16, 20, 24, 24, 24, 28, 32, 32 };
	uint32_t x = fw_rng_next(r) % 16;

	return x < sizeof(lens) ? lens[x] : (uint8_t)(fw_rng_next(r) % 33);
}

static void
random_port_range(struct fw_rng *r, uint16_t *lo, uint16_t *hi)
{
	uint32_t x = fw_rng_next(r) % 10;

	if (x < 5) {
		*lo = *hi = common_ports[fw_rng_next(r) % N_COMMON_PORTS];
	} else if (x < 7) {
		*lo = *hi = (uint16_t)fw_rng_next(r);
	} else if (x < 9) {
		*lo = (uint16_t)(fw_rng_next(r) % 2048);
		*hi = (uint16_t)(*lo + fw_rng_next(r) % 2048);
	} else {
		/* Wide ranges; 0-65535 still demands an L4 header. */
		*lo = (fw_rng_next(r) & 1) ? 1024 : 0;
		*hi = 65535;
	}
}

int
fw_randgen_rules(struct fw_config *c, uint32_t n, struct fw_rng *rng)
{
	uint32_t i;

	memset(c, 0, sizeof(*c));
	c->default_action = FW_DENY;
	c->max_conns = FW_DEFAULT_MAX_CONNS;
	c->tcp_timeout_s = FW_DEFAULT_TCP_TIMEOUT;
	c->udp_timeout_s = FW_DEFAULT_UDP_TIMEOUT;
	c->close_timeout_s = FW_DEFAULT_CLOSE_TIMEOUT;
	c->rules = calloc(n ? n : 1, sizeof(*c->rules));
	if (c->rules == NULL)
		return -1;
	c->n_rules = n;
	for (i = 0; i < n; i++) {
		struct fw_rule *rule = &c->rules[i];
		struct onvm_match *m = &rule->match;
		uint32_t x = fw_rng_next(rng) % 20;

		snprintf(rule->name, sizeof(rule->name), "r%u", i);
		rule->action = (fw_rng_next(rng) & 1) ? FW_ALLOW : FW_DENY;
		if (x < 10) {
			m->fields |= M_IP_PROTO;
			m->ip_proto = PKT_PROTO_TCP;
		} else if (x < 15) {
			m->fields |= M_IP_PROTO;
			m->ip_proto = PKT_PROTO_UDP;
		} else if (x < 17) {
			m->fields |= M_IP_PROTO;
			m->ip_proto = PKT_PROTO_ICMP;
		}
		if (fw_rng_next(rng) % 8 != 0) {
			m->fields |= M_IPV4_SRC;
			m->ipv4_src_len = random_prefix_len(rng);
			m->ipv4_src = pool_addr(rng) & onvm_prefix_mask(m->ipv4_src_len);
		}
		if (fw_rng_next(rng) % 8 != 0) {
			m->fields |= M_IPV4_DST;
			m->ipv4_dst_len = random_prefix_len(rng);
			m->ipv4_dst = pool_addr(rng) & onvm_prefix_mask(m->ipv4_dst_len);
		}
		if ((m->fields & M_IP_PROTO) &&
		    (m->ip_proto == PKT_PROTO_TCP || m->ip_proto == PKT_PROTO_UDP)) {
			if (fw_rng_next(rng) % 4 == 0) {
				m->fields |= M_L4_SRC;
				random_port_range(rng, &m->l4_src_lo, &m->l4_src_hi);
			}
			if (fw_rng_next(rng) % 4 != 0) {
				m->fields |= M_L4_DST;
				random_port_range(rng, &m->l4_dst_lo, &m->l4_dst_hi);
			}
		}
		if (fw_rng_next(rng) % 10 == 0) {
			m->fields |= M_IN_PORT;
			m->in_port = (uint16_t)(fw_rng_next(rng) % 4);
		}
	}
	return 0;
}

static uint32_t
addr_in(struct fw_rng *r, uint32_t net, uint8_t len)
{
	return net | (fw_rng_next(r) & ~onvm_prefix_mask(len));
}

static uint16_t
port_in(struct fw_rng *r, uint16_t lo, uint16_t hi)
{
	return (uint16_t)(lo + fw_rng_next(r) % ((uint32_t)hi - lo + 1));
}

void
fw_randgen_packet(const struct fw_config *c, struct fw_rng *rng, struct pkt_info *pi,
		  uint16_t *in_port)
{
	static const uint8_t protos[] = { PKT_PROTO_TCP, PKT_PROTO_TCP, PKT_PROTO_UDP,
					  PKT_PROTO_ICMP, 47 };
	uint32_t x = fw_rng_next(rng) % 100;

	memset(pi, 0, sizeof(*pi));
	pi->flags = PKT_F_ETH | PKT_F_IPV4;
	pi->eth_type = PKT_ETHERTYPE_IPV4;
	pi->ip_proto = protos[fw_rng_next(rng) % sizeof(protos)];
	pi->ipv4_src = pool_addr(rng);
	pi->ipv4_dst = pool_addr(rng);
	pi->src_port = (fw_rng_next(rng) & 1) ? common_ports[fw_rng_next(rng) % N_COMMON_PORTS]
					      : (uint16_t)fw_rng_next(rng);
	pi->dst_port = (fw_rng_next(rng) & 1) ? common_ports[fw_rng_next(rng) % N_COMMON_PORTS]
					      : (uint16_t)fw_rng_next(rng);
	*in_port = (uint16_t)(fw_rng_next(rng) % 4);

	if (c->n_rules > 0 && (fw_rng_next(rng) & 1)) {
		const struct onvm_match *m = &c->rules[fw_rng_next(rng) % c->n_rules].match;

		if (m->fields & M_IP_PROTO)
			pi->ip_proto = m->ip_proto;
		if (m->fields & M_IPV4_SRC)
			pi->ipv4_src = addr_in(rng, m->ipv4_src, m->ipv4_src_len);
		if (m->fields & M_IPV4_DST)
			pi->ipv4_dst = addr_in(rng, m->ipv4_dst, m->ipv4_dst_len);
		if (m->fields & M_L4_SRC)
			pi->src_port = port_in(rng, m->l4_src_lo, m->l4_src_hi);
		if (m->fields & M_L4_DST)
			pi->dst_port = port_in(rng, m->l4_dst_lo, m->l4_dst_hi);
		if (m->fields & M_IN_PORT)
			*in_port = m->in_port;
	}
	if (pi->ip_proto == PKT_PROTO_TCP || pi->ip_proto == PKT_PROTO_UDP)
		pi->flags |= PKT_F_L4;
	else
		pi->src_port = pi->dst_port = 0;
	if (x < 4) {            /* fragment or truncated L4: no ports */
		pi->flags &= ~PKT_F_L4;
		pi->flags |= PKT_F_FRAGMENT;
	} else if (x < 6) {     /* broken IPv4 header */
		pi->flags = PKT_F_ETH | PKT_F_BAD_L3;
	}
}
