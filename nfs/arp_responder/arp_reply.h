/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arp_reply: the addresses the ARP responder owns, and the in-place
 * rewrite of an ARP request into its reply. Pure C over byte buffers (no
 * DPDK), so it is unit-tested on its own.
 *
 * Each address belongs to one port: a request is answered only when it
 * arrived on the port that owns the address it asks for, as a host on that
 * port's segment would.
 */
#ifndef ARP_REPLY_H
#define ARP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARP_MAX_ADDRS 64
#define ARP_MAX_PORT  15 /* highest port number an address can belong to */

struct arp_addr {
	uint32_t ip;   /* host byte order */
	uint16_t port;
};

/* Few entries: a linear scan is faster than a hash at this size. */
struct arp_table {
	unsigned int n;
	struct arp_addr addrs[ARP_MAX_ADDRS];
};

/*
 * OpenNetVM's "-s IP[,IP...]": the i-th address belongs to port i;
 * 0.0.0.0 leaves that port without an address.
 * Returns 0, or -1 with the reason in err.
 */
int arp_table_add_per_port(struct arp_table *t, const char *list, char *err, size_t errlen);

/* "-a IP@PORT[,IP@PORT...]": any number of addresses on any port. */
int arp_table_add_pairs(struct arp_table *t, const char *list, char *err, size_t errlen);

bool arp_table_owns(const struct arp_table *t, uint32_t ip, uint16_t port);

enum arp_verdict {
	ARP_REPLIED = 0,  /* the frame now holds the reply */
	ARP_NOT_ARP,      /* not an Ethernet/IPv4 ARP packet (or truncated) */
	ARP_NOT_REQUEST,  /* an ARP reply or another opcode */
	ARP_NOT_OURS,     /* a request for an address this port does not own */
};

/*
 * If frame[0..len) is an ARP request for an address `t` gives to `in_port`,
 * rewrite it in place into the reply sent from `port_mac`: Ethernet
 * destination = the asker, source = port_mac; opcode 2; sender = (port_mac,
 * the asked address); target = the asker's (MAC, IP). VLAN tags and the
 * frame's length are kept. Otherwise the frame is left untouched.
 */
enum arp_verdict arp_answer(uint8_t *frame, uint32_t len, const struct arp_table *t,
			    uint16_t in_port, const uint8_t port_mac[6]);

#endif /* ARP_REPLY_H */
