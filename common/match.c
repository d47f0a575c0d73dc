/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "match.h"

static bool
key_is_listed(const char *key, const char *const *keys)
{
	for (; keys && *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return true;
	return false;
}

/* tcp_dst implies ip_proto tcp; a conflicting explicit ip_proto is an error. */
static int
imply_proto(struct onvm_match *m, uint8_t proto)
{
	if ((m->fields & M_IP_PROTO) && m->ip_proto != proto)
		return -1;
	m->fields |= M_IP_PROTO;
	m->ip_proto = proto;
	return 0;
}

static int
parse_field(const char *key, const json_t *v, struct onvm_match *m, const char **why)
{
	uint64_t n;

	if (strcmp(key, "in_port") == 0) {
		*why = "in_port must be a port number 0-65534";
		if (cfg_parse_uint(v, 0, 65534, &n) < 0)
			return -1;
		m->in_port = (uint16_t)n;
		m->fields |= M_IN_PORT;
	} else if (strcmp(key, "eth_type") == 0) {
		*why = "eth_type must be a number 0-0xffff";
		if (cfg_parse_uint(v, 0, 0xffff, &n) < 0)
			return -1;
		m->eth_type = (uint16_t)n;
		m->fields |= M_ETH_TYPE;
	} else if (strcmp(key, "eth_src") == 0 || strcmp(key, "eth_dst") == 0) {
		bool src = key[4] == 's';
		*why = "expected a MAC address like 02:00:00:00:00:01";
		if (cfg_parse_mac(json_string_value(v), src ? m->eth_src : m->eth_dst) < 0)
			return -1;
		m->fields |= src ? M_ETH_SRC : M_ETH_DST;
	} else if (strcmp(key, "vlan_vid") == 0) {
		*why = "vlan_vid must be 0-4095";
		if (cfg_parse_uint(v, 0, 4095, &n) < 0)
			return -1;
		m->vlan_vid = (uint16_t)n;
		m->fields |= M_VLAN_VID;
	} else if (strcmp(key, "ip_proto") == 0) {
		uint8_t p;
		*why = "ip_proto must be 0-255 or tcp/udp/icmp/sctp";
		if (cfg_parse_ip_proto(v, &p) < 0)
			return -1;
		*why = "ip_proto conflicts with a tcp_/udp_ port field";
		if (imply_proto(m, p) < 0)
			return -1;
	} else if (strcmp(key, "ipv4_src") == 0 || strcmp(key, "ipv4_dst") == 0) {
		bool src = key[5] == 's';
		uint32_t a;
		uint8_t len;
		*why = "expected an IPv4 address or CIDR prefix like 10.0.0.0/8";
		if (cfg_parse_ipv4_prefix(json_string_value(v), &a, &len) < 0)
			return -1;
		a &= onvm_prefix_mask(len);
		if (src) {
			m->ipv4_src = a;
			m->ipv4_src_len = len;
			m->fields |= M_IPV4_SRC;
		} else {
			m->ipv4_dst = a;
			m->ipv4_dst_len = len;
			m->fields |= M_IPV4_DST;
		}
	} else if (strcmp(key, "tcp_src") == 0 || strcmp(key, "tcp_dst") == 0 ||
		   strcmp(key, "udp_src") == 0 || strcmp(key, "udp_dst") == 0) {
		bool src = key[4] == 's';
		uint16_t lo, hi;
		*why = "a port must be 0-65535 or a range \"lo-hi\"";
		if (cfg_parse_port_range(v, &lo, &hi) < 0)
			return -1;
		*why = "port field conflicts with ip_proto";
		if (imply_proto(m, key[0] == 't' ? PKT_PROTO_TCP : PKT_PROTO_UDP) < 0)
			return -1;
		if (src) {
			m->l4_src_lo = lo;
			m->l4_src_hi = hi;
			m->fields |= M_L4_SRC;
		} else {
			m->l4_dst_lo = lo;
			m->l4_dst_hi = hi;
			m->fields |= M_L4_DST;
		}
	} else {
		*why = NULL;
		return -1;
	}
	return 0;
}

int
onvm_match_from_json(const struct cfg_file *f, const json_t *obj, const char *pointer,
		     const char *const *other_keys, struct onvm_match *m, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	char at[256];

	memset(m, 0, sizeof(*m));
	if (!json_is_object(obj))
		return cfg_error(f, err, errlen, pointer, "expected an object of match fields");
	json_object_foreach((json_t *)obj, key, v) {
		const char *why = NULL;

		if (key_is_listed(key, other_keys))
			continue;
		snprintf(at, sizeof(at), "%s/%s", pointer, key);
		if (parse_field(key, v, m, &why) < 0) {
			if (why == NULL)
				return cfg_error(f, err, errlen, at, "unknown field '%s'", key);
			return cfg_error(f, err, errlen, at, "%s: %s", key, why);
		}
	}
	return 0;
}

bool
onvm_match_packet(const struct onvm_match *m, const struct pkt_info *pi, uint16_t in_port)
{
	uint32_t f = m->fields;

	if ((f & M_IN_PORT) && m->in_port != in_port)
		return false;
	if ((f & M_ETH_TYPE) && m->eth_type != pi->eth_type)
		return false;
	if ((f & M_ETH_SRC) && memcmp(m->eth_src, pi->eth_src, 6) != 0)
		return false;
	if ((f & M_ETH_DST) && memcmp(m->eth_dst, pi->eth_dst, 6) != 0)
		return false;
	if ((f & M_VLAN_VID) && (!(pi->flags & PKT_F_VLAN) || m->vlan_vid != pi->vlan_vid))
		return false;
	if (f & (M_IP_PROTO | M_IPV4_SRC | M_IPV4_DST | M_L4_SRC | M_L4_DST)) {
		if (!(pi->flags & PKT_F_IPV4))
			return false;
	}
	if ((f & M_IP_PROTO) && m->ip_proto != pi->ip_proto)
		return false;
	if ((f & M_IPV4_SRC) &&
	    (pi->ipv4_src & onvm_prefix_mask(m->ipv4_src_len)) != m->ipv4_src)
		return false;
	if ((f & M_IPV4_DST) &&
	    (pi->ipv4_dst & onvm_prefix_mask(m->ipv4_dst_len)) != m->ipv4_dst)
		return false;
	if (f & (M_L4_SRC | M_L4_DST)) {
		if (!(pi->flags & PKT_F_L4))
			return false;
		if ((f & M_L4_SRC) && (pi->src_port < m->l4_src_lo || pi->src_port > m->l4_src_hi))
			return false;
		if ((f & M_L4_DST) && (pi->dst_port < m->l4_dst_lo || pi->dst_port > m->l4_dst_hi))
			return false;
	}
	return true;
}
