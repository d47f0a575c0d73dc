/* SPDX-License-Identifier: BSD-3-Clause */
#include "byte_order.h"
#include "lb_nat.h"
#include "pkt_parse.h"

#define IPV4_CSUM_OFF 10
#define IPV4_SRC_OFF  12
#define IPV4_DST_OFF  16
#define TCP_CSUM_OFF  16
#define UDP_CSUM_OFF  6

/*
 * Words are taken big-endian on both sides, as the stored checksums are:
 * RFC 1624's incremental update then agrees with them.
 */
static void
rewrite_endpoint(uint8_t *ip, uint8_t *l4, unsigned int ip_off, unsigned int port_off,
		 uint32_t new_ip, uint16_t new_port)
{
	uint32_t old_ip = be32_load(ip + ip_off);
	uint16_t old_port = be16_load(l4 + port_off);
	uint8_t proto = ip[9];
	unsigned int l4_csum_off = proto == PKT_PROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF;
	uint16_t csum;

	be16_store(ip + IPV4_CSUM_OFF,
		   pkt_csum_update32(be16_load(ip + IPV4_CSUM_OFF), old_ip, new_ip));
	csum = be16_load(l4 + l4_csum_off);
	if (proto == PKT_PROTO_TCP || csum != 0) {
		csum = pkt_csum_update32(csum, old_ip, new_ip);
		csum = pkt_csum_update16(csum, old_port, new_port);
		/* in UDP a computed 0 is sent as all ones (RFC 768) */
		if (proto == PKT_PROTO_UDP && csum == 0)
			csum = 0xffff;
		be16_store(l4 + l4_csum_off, csum);
	}
	be32_store(ip + ip_off, new_ip);
	be16_store(l4 + port_off, new_port);
}

void
lb_nat_set_dst(uint8_t *ip, uint8_t *l4, uint32_t new_ip, uint16_t new_port)
{
	rewrite_endpoint(ip, l4, IPV4_DST_OFF, 2, new_ip, new_port);
}

void
lb_nat_set_src(uint8_t *ip, uint8_t *l4, uint32_t new_ip, uint16_t new_port)
{
	rewrite_endpoint(ip, l4, IPV4_SRC_OFF, 0, new_ip, new_port);
}
