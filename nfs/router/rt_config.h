/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rt_config: the router's route list, read from JSON or from `ip route`-style
 * text, validated up front. Pure C (jansson only), no DPDK.
 *
 * JSON:
 *     { "non_ip": "pass",
 *       "routes": [ { "prefix": "192.168.0.0/16", "port": 1,
 *                     "next_hop_mac": "02:00:00:00:01:01" } ] }
 *
 * Text, one route a line ("default" stands for 0.0.0.0/0, `#` starts a
 * comment, blank lines are skipped):
 *     192.168.0.0/16 port 1 via-mac 02:00:00:00:01:01
 *     non_ip drop
 *
 * The format is chosen by content: a file whose first non-blank character is
 * '{' is JSON, anything else is text. Every error reads "FILE:LINE: reason".
 */
#ifndef RT_CONFIG_H
#define RT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* What happens to frames that are not IPv4 (ARP, IPv6, ...). */
enum rt_non_ip_policy {
	RT_NON_IP_PASS = 0, /* handed on unchanged (next hop of the chain) */
	RT_NON_IP_DROP,     /* dropped and counted */
};

struct rt_route {
	uint32_t prefix;   /* host order, host bits zero */
	uint8_t depth;     /* 0..32 */
	uint16_t port;
	uint8_t mac[6];    /* next hop's MAC */
};

struct rt_config {
	struct rt_route *routes;
	uint32_t n_routes;
	enum rt_non_ip_policy non_ip;
};

/* No limit on port numbers beyond uint16 (for tests and tools). */
#define RT_ANY_PORT_COUNT 0

/*
 * Load `path`. Ports must be below `n_ports` unless it is RT_ANY_PORT_COUNT.
 * Returns 0, or -1 with "path:line: reason" in err (cfg left empty).
 */
int rt_config_load(const char *path, uint16_t n_ports, struct rt_config *cfg, char *err,
		   size_t errlen);

/* Same, from text already in memory; `name` stands in for the path. */
int rt_config_load_string(const char *name, const char *text, uint16_t n_ports,
			  struct rt_config *cfg, char *err, size_t errlen);

void rt_config_free(struct rt_config *cfg);

#endif /* RT_CONFIG_H */
