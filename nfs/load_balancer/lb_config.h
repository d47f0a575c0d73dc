/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_config: the load balancer's virtual services, read from JSON and
 * validated up front. Pure C (jansson only).
 *
 *     { "services": [ { "name": "web", "vip": "10.0.0.100", "proto": "tcp", "port": 80,
 *                       "backends": [ { "ip": "10.0.1.11", "port": 8080 } ] } ],
 *       "table_size": 65537, "max_conns": 262144,
 *       "tcp_idle_timeout": 300, "udp_idle_timeout": 60 }
 *
 * Everything but "services" is optional (defaults shown). Errors read
 * "FILE:LINE: reason".
 */
#ifndef LB_CONFIG_H
#define LB_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define LB_NAME_LEN 32
#define LB_MAX_SERVICES 256
#define LB_MAX_BACKENDS 1024

#define LB_DEFAULT_TABLE_SIZE 65537u /* prime; 64x the largest pool */
#define LB_DEFAULT_MAX_CONNS (1u << 18)
#define LB_DEFAULT_TCP_IDLE_S 300u
#define LB_DEFAULT_UDP_IDLE_S 60u

struct lb_backend {
	uint32_t ip;   /* host order */
	uint16_t port;
};

struct lb_service {
	char name[LB_NAME_LEN];
	uint32_t vip;  /* host order */
	uint16_t port;
	uint8_t proto; /* 6 or 17 */
	uint16_t n_backends;
	struct lb_backend *backends;
};

struct lb_config {
	struct lb_service *services;
	uint32_t n_services;
	uint32_t table_size;  /* Maglev lookup table size M, prime */
	uint32_t max_conns;   /* connection table bound */
	uint32_t tcp_idle_s;
	uint32_t udp_idle_s;
};

/* Load and validate; 0, or -1 with "path:line: reason" in err. */
int lb_config_load(const char *path, struct lb_config *cfg, char *err, size_t errlen);
int lb_config_load_string(const char *name, const char *text, struct lb_config *cfg, char *err,
			  size_t errlen);
void lb_config_free(struct lb_config *cfg);

#endif /* LB_CONFIG_H */
