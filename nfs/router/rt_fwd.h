/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rt_fwd: what the router does to one frame, apart from the table lookup.
 * Pure C over the frame's bytes (no DPDK), so the unit tests drive it with
 * hand-made frames and compare against full recomputation.
 */
#ifndef RT_FWD_H
#define RT_FWD_H

#include <stdint.h>

/* The router's view of a frame before the route lookup. */
enum rt_verdict {
	RT_V_ROUTE = 0,    /* well-formed IPv4 with TTL > 1: look it up */
	RT_V_NON_IP,       /* not IPv4 (ARP, IPv6, ...): the non_ip policy decides */
	RT_V_MALFORMED,    /* runt frame, bad IPv4 header, truncated IPv4 packet */
	RT_V_BAD_CSUM,     /* IPv4 header checksum wrong (RFC 1812 5.2.2) */
	RT_V_TTL_EXPIRED,  /* TTL 0 or 1: may not be forwarded */
};

/*
 * Classify frame[0..len). On RT_V_ROUTE, *l3_off is the IPv4 header's offset
 * and *dst_ip its destination (host order).
 */
enum rt_verdict rt_fwd_classify(const uint8_t *frame, uint32_t len, uint16_t *l3_off,
				uint32_t *dst_ip);

/*
 * Forward a frame classified RT_V_ROUTE: TTL one less with the header
 * checksum updated incrementally (RFC 1624), eth_dst = next_hop_mac,
 * eth_src = out_port_mac.
 */
void rt_fwd_rewrite(uint8_t *frame, uint16_t l3_off, const uint8_t next_hop_mac[6],
		    const uint8_t out_port_mac[6]);

#endif /* RT_FWD_H */
