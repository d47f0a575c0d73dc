/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <arpa/inet.h>

#include "lb_nat.h"
#include "pkt_parse.h"

#define IPV4_CSUM_OFF 10
#define IPV4_SRC_OFF  12
#define IPV4_DST_OFF  16
#define TCP_CSUM_OFF  16
#define UDP_CSUM_OFF  6

/*
 * Words are loaded from and stored to the packet as they lie (network
 * order); one's-complement sums do not depend on byte order as long as
 * every word is taken the same way.
 */
static void
rewrite_endpoint(uint8_t *ip, uint8_t *l4, unsigned int ip_off, unsigned int port_off,
		 uint32_t new_ip_host, uint16_t new_port_host)
{
	uint32_t old_ip, new_ip = htonl(new_ip_host);
	uint16_t old_port, new_port = htons(new_port_host), csum;
	uint8_t proto = ip[9];

	memcpy(&old_ip, ip + ip_off, 4);
	memcpy(&old_port, l4 + port_off, 2);

	memcpy(&csum, ip + IPV4_CSUM_OFF, 2);
	csum = pkt_csum_update32(csum, old_ip, new_ip);
	memcpy(ip + IPV4_CSUM_OFF, &csum, 2);

	unsigned int l4_csum_off = proto == PKT_PROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF;

	memcpy(&csum, l4 + l4_csum_off, 2);
	if (proto == PKT_PROTO_TCP || csum != 0) {
		csum = pkt_csum_update32(csum, old_ip, new_ip);
		csum = pkt_csum_update16(csum, old_port, new_port);
		/* in UDP a computed 0 is sent as all ones (RFC 768) */
		if (proto == PKT_PROTO_UDP && csum == 0)
			csum = 0xffff;
		memcpy(l4 + l4_csum_off, &csum, 2);
	}
	memcpy(ip + ip_off, &new_ip, 4);
	memcpy(l4 + port_off, &new_port, 2);
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
