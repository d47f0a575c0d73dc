/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_nat: rewrite one endpoint (address and port) of an IPv4 TCP or UDP
 * packet in place, updating the IPv4 header checksum and the L4 checksum
 * incrementally (RFC 1624). The L4 checksum covers the pseudo-header, so
 * an address change updates it too. A UDP checksum of 0 ("none") stays 0.
 * Pure C.
 */
#ifndef LB_NAT_H
#define LB_NAT_H

#include <stdint.h>

/* ip: the IPv4 header; l4: the TCP/UDP header (protocol read from ip).
 * Addresses and ports in host order. */
void lb_nat_set_dst(uint8_t *ip, uint8_t *l4, uint32_t new_ip, uint16_t new_port);
void lb_nat_set_src(uint8_t *ip, uint8_t *l4, uint32_t new_ip, uint16_t new_port);

#endif /* LB_NAT_H */
