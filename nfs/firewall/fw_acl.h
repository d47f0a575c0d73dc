/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_acl: the firewall's rules compiled into a DPDK rte_acl context, and
 * classification of a burst of packets in one rte_acl_classify() call.
 *
 * Each rule becomes one ACL rule over the key below with priority
 * (RTE_ACL_MAX_PRIORITY - rule index), so the earliest matching rule wins as
 * the rule file says; its userdata is (rule index + 1), and a result of 0
 * means "no rule matched".
 *
 * The two flag bits keep rte_acl faithful to the match vocabulary
 * (onvm_match_packet): a rule naming any IPv4 field only matches a packet
 * with a valid IPv4 header, and a rule naming a port only matches a packet
 * whose L4 header is present (not a fragment, not truncated).
 */
#ifndef FW_ACL_H
#define FW_ACL_H

#include <stdint.h>

#include "fw_config.h"
#include "pkt_parse.h"

#define FW_ACL_F_IPV4 0x0001 /* valid IPv4 header */
#define FW_ACL_F_L4   0x0002 /* TCP/UDP/SCTP ports present */

/*
 * What rte_acl reads for one packet. Multi-byte fields in network order
 * (rte_acl's convention for input; rules are given in host order). Layout
 * follows rte_acl's rule: one leading byte, then groups of 4 bytes.
 */
struct fw_acl_key {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t in_port;
	uint16_t flags;     /* FW_ACL_F_* */
};

struct fw_acl;

/*
 * Compile c->rules into a new ACL context on `socket_id`. Returns NULL with
 * a reason in err on failure (the rules themselves were validated by
 * fw_config; this fails only for lack of memory). Needs EAL.
 */
struct fw_acl *fw_acl_build(const struct fw_config *c, int socket_id, char *err, size_t errlen);

void fw_acl_free(struct fw_acl *a);

/* Fill the key of a parsed frame that carries the IPv4 ethertype. */
void fw_acl_key_from_pkt(struct fw_acl_key *k, const struct pkt_info *pi, uint16_t in_port);

/*
 * results[i] = index+1 of the first rule matching keys[i], or 0. No
 * allocation; any n.
 */
void fw_acl_classify(const struct fw_acl *a, const struct fw_acl_key *const *keys,
		     uint32_t *results, uint32_t n);

#endif /* FW_ACL_H */
