/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "pkt_parse.h"
#include "rt_fwd.h"

#define IPV4_TTL_OFF  8
#define IPV4_CSUM_OFF 10

enum rt_verdict
rt_fwd_classify(const uint8_t *frame, uint32_t len, uint16_t *l3_off, uint32_t *dst_ip)
{
	struct pkt_info pi;

	/* The return value also says "L4 incomplete", which a router does not
	 * care about: the flags tell whether the IPv4 header itself is sound. */
	(void)pkt_parse(frame, len, &pi);
	if (!(pi.flags & PKT_F_ETH))
		return RT_V_MALFORMED;
	/* The router judges IPv4 only; anything else is left to the policy. */
	if (pi.eth_type != PKT_ETHERTYPE_IPV4)
		return RT_V_NON_IP;
	if (!(pi.flags & PKT_F_IPV4))
		return RT_V_MALFORMED;

	const uint8_t *ip = frame + pi.l3_off;

	/* A valid header sums to 0xffff including its own checksum field. */
	if (pkt_csum_fold(pkt_csum_partial(ip, (uint32_t)(ip[0] & 0x0f) * 4, 0)) != 0xffff)
		return RT_V_BAD_CSUM;
	if (pi.ip_ttl <= 1)
		return RT_V_TTL_EXPIRED;
	*l3_off = pi.l3_off;
	*dst_ip = pi.ipv4_dst;
	return RT_V_ROUTE;
}

void
rt_fwd_rewrite(uint8_t *frame, uint16_t l3_off, const uint8_t next_hop_mac[6],
	       const uint8_t out_port_mac[6])
{
	uint8_t *ip = frame + l3_off;
	uint16_t old_word, new_word, csum;

	/* TTL shares a 16-bit word with the protocol; words stay in network
	 * order, which RFC 1624 arithmetic does not mind. */
	memcpy(&old_word, ip + IPV4_TTL_OFF, 2);
	ip[IPV4_TTL_OFF]--;
	memcpy(&new_word, ip + IPV4_TTL_OFF, 2);
	memcpy(&csum, ip + IPV4_CSUM_OFF, 2);
	csum = pkt_csum_update16(csum, old_word, new_word);
	memcpy(ip + IPV4_CSUM_OFF, &csum, 2);

	memcpy(frame, next_hop_mac, 6);
	memcpy(frame + 6, out_port_mac, 6);
}
