/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_file: load a JSON config with jansson and report mistakes as
 * "FILE:LINE: reason", the one error format of every config in the
 * platform (chains, firewall rules, routes, load balancer services).
 *
 * jansson keeps no positions for values, so the line of a value is found on
 * demand by walking the raw text along a JSON pointer ("/rules/3/tcp_dst").
 * That only runs when reporting an error.
 */
#ifndef ONVM_CFG_FILE_H
#define ONVM_CFG_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CFG_ERR_LEN 512

struct cfg_file {
	char *path;
	char *text;   /* the raw bytes, NUL-terminated */
	json_t *root;
};

/*
 * Read and parse `path` (duplicate keys rejected). On failure returns -1 and
 * writes "path:line: reason" to err; f is left empty.
 */
int cfg_file_load(struct cfg_file *f, const char *path, char *err, size_t errlen);

/* Same, from a string already in memory (`name` is used in messages). */
int cfg_file_load_string(struct cfg_file *f, const char *name, const char *text,
			 char *err, size_t errlen);

void cfg_file_free(struct cfg_file *f);

/* 1-based line where the value at `pointer` (RFC 6901) starts, 0 if absent. */
unsigned int cfg_line_of(const char *text, const char *pointer);

/*
 * Format "path:line: reason" for the value at `pointer`; always returns -1
 * so validators can `return cfg_error(...)`.
 */
int cfg_error(const struct cfg_file *f, char *err, size_t errlen, const char *pointer,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- field parsers shared by every config (pure, no jansson state) ---- */

/* "10.0.0.0/8" or "10.1.2.3" (a /32). Address in host order. 0 on success. */
int cfg_parse_ipv4_prefix(const char *s, uint32_t *addr, uint8_t *len);

/* "02:00:00:00:01:01". 0 on success. */
int cfg_parse_mac(const char *s, uint8_t mac[6]);

/* A port as JSON: number, "80", or "lo-hi". 0 on success. */
int cfg_parse_port_range(const json_t *v, uint16_t *lo, uint16_t *hi);

/* An IP protocol as JSON: number 0-255 or "tcp"/"udp"/"icmp"/"sctp"/"icmpv6". */
int cfg_parse_ip_proto(const json_t *v, uint8_t *proto);

/* An unsigned integer from JSON number or numeric string, within [min,max]. */
int cfg_parse_uint(const json_t *v, uint64_t min, uint64_t max, uint64_t *out);

#endif /* ONVM_CFG_FILE_H */
