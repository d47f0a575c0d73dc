/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_config: the firewall's rule file, parsed and validated once
 * into plain structs. Pure C (jansson, no DPDK) so it unit-tests and fuzzes
 * on its own; fw_acl compiles the result into the fast path.
 *
 *   { "default": "deny", "stateful": false, "non_ip": "allow",
 *     "rules": [ { "name": "web", "action": "allow", "ip_proto": "tcp",
 *                  "ipv4_src": "10.0.0.0/8", "tcp_dst": "80-443" } ] }
 *
 * Rules match with the chain vocabulary (common/match.h); first match wins.
 * Only the fields rte_acl can classify on are accepted: in_port, ip_proto,
 * ipv4_src, ipv4_dst, tcp_/udp_ src and dst, and eth_type 0x0800 (which
 * every packet the rules see has anyway). Ethernet addresses and VLAN are
 * refused with a reason: steer on those with a chain match instead.
 */
#ifndef FW_CONFIG_H
#define FW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match.h"

#define FW_MAX_RULES     100000u
#define FW_RULE_NAME_LEN 48

enum fw_action {
	FW_ALLOW = 0,
	FW_DENY  = 1,
};

struct fw_rule {
	char name[FW_RULE_NAME_LEN];   /* "rule<N>" when the file gives none */
	enum fw_action action;
	struct onvm_match match;
};

struct fw_config {
	enum fw_action default_action; /* "default": required */
	enum fw_action non_ip;         /* "non_ip": default allow */
	bool stateful;                 /* "stateful": default false */
	/* Connection tracking (stateful mode only); defaults below. */
	uint32_t max_conns;            /* "max_conns" */
	uint32_t tcp_timeout_s;        /* "conn_timeout_s": idle TCP connection */
	uint32_t udp_timeout_s;        /* "udp_timeout_s": idle UDP/ICMP/other flow */
	uint32_t close_timeout_s;      /* "close_timeout_s": linger after RST or FIN both ways */
	uint32_t n_rules;
	struct fw_rule *rules;
};

#define FW_DEFAULT_MAX_CONNS     65536u
#define FW_DEFAULT_TCP_TIMEOUT   300u
#define FW_DEFAULT_UDP_TIMEOUT   30u
#define FW_DEFAULT_CLOSE_TIMEOUT 2u

/* Load and validate `path`. 0, or -1 with "path:line: reason" in err. */
int fw_config_load(struct fw_config *c, const char *path, char *err, size_t errlen);

/* Same from text in memory; `name` stands for the file name in errors. */
int fw_config_load_string(struct fw_config *c, const char *name, const char *text, char *err,
			  size_t errlen);

void fw_config_free(struct fw_config *c);

/*
 * The reference classifier: index of the first rule matching an IPv4
 * packet, or -1. rte_acl is tested against this.
 */
int fw_config_first_match(const struct fw_config *c, const struct pkt_info *pi, uint16_t in_port);

const char *fw_action_name(enum fw_action a);

#endif /* FW_CONFIG_H */
