/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_file.h"
#include "lb_config.h"
#include "lb_maglev.h"
#include "pkt_parse.h"

/* Reject keys a service does not know: a typo must not pass silently. */
static int
check_keys(const struct cfg_file *f, json_t *obj, const char *ptr, const char *const *known,
	   char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		int ok = 0;

		for (const char *const *k = known; *k != NULL && !ok; k++)
			ok = strcmp(key, *k) == 0;
		if (!ok) {
			char p[160];

			snprintf(p, sizeof(p), "%s/%s", ptr, key);
			return cfg_error(f, err, errlen, p, "unknown key \"%s\"", key);
		}
	}
	return 0;
}

/* A single IPv4 address (no prefix length). */
static int
parse_addr(const json_t *v, uint32_t *ip)
{
	uint8_t len;

	if (!json_is_string(v) || strchr(json_string_value(v), '/') != NULL)
		return -1;
	return cfg_parse_ipv4_prefix(json_string_value(v), ip, &len);
}

static int
parse_backend(const struct cfg_file *f, json_t *obj, const char *ptr, struct lb_backend *b,
	      char *err, size_t errlen)
{
	static const char *const known[] = { "ip", "port", NULL };
	char p[160];
	json_t *v;
	uint64_t port;

	if (!json_is_object(obj))
		return cfg_error(f, err, errlen, ptr, "backend must be an object");
	if (check_keys(f, obj, ptr, known, err, errlen) < 0)
		return -1;
	v = json_object_get(obj, "ip");
	snprintf(p, sizeof(p), "%s%s", ptr, v ? "/ip" : "");
	if (v == NULL)
		return cfg_error(f, err, errlen, p, "backend ip: missing");
	if (parse_addr(v, &b->ip) < 0)
		return cfg_error(f, err, errlen, p, "backend ip: must be an IPv4 address");
	v = json_object_get(obj, "port");
	snprintf(p, sizeof(p), "%s%s", ptr, v ? "/port" : "");
	if (v == NULL)
		return cfg_error(f, err, errlen, p, "backend port: missing");
	if (cfg_parse_uint(v, 1, 65535, &port) < 0)
		return cfg_error(f, err, errlen, p, "backend port: must be 1-65535");
	b->port = (uint16_t)port;
	return 0;
}

static int
parse_service(const struct cfg_file *f, json_t *obj, uint32_t idx, struct lb_service *s,
	      char *err, size_t errlen)
{
	static const char *const known[] = { "name", "vip", "proto", "port", "backends", NULL };
	char ptr[64], p[96];
	json_t *v, *backends;
	uint64_t port;

	snprintf(ptr, sizeof(ptr), "/services/%u", idx);
	if (!json_is_object(obj))
		return cfg_error(f, err, errlen, ptr, "service must be an object");
	if (check_keys(f, obj, ptr, known, err, errlen) < 0)
		return -1;

	v = json_object_get(obj, "name");
	snprintf(p, sizeof(p), "%s%s", ptr, v ? "/name" : "");
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) >= LB_NAME_LEN)
		return cfg_error(f, err, errlen, p, "name: %s",
				 v ? "must be a string of 1-31 characters" : "missing");
	strcpy(s->name, json_string_value(v));

	v = json_object_get(obj, "vip");
	snprintf(p, sizeof(p), "%s%s", ptr, v ? "/vip" : "");
	if (v == NULL)
		return cfg_error(f, err, errlen, p, "vip: missing");
	if (parse_addr(v, &s->vip) < 0)
		return cfg_error(f, err, errlen, p, "vip: must be an IPv4 address");

	v = json_object_get(obj, "proto");
	snprintf(p, sizeof(p), "%s%s", ptr, v ? "/proto" : "");
	if (v == NULL)
		return cfg_error(f, err, errlen, p, "proto: missing");
	if (cfg_parse_ip_proto(v, &s->proto) < 0 ||
	    (s->proto != PKT_PROTO_TCP && s->proto != PKT_PROTO_UDP))
		return cfg_error(f, err, errlen, p, "proto: must be \"tcp\" or \"udp\"");

	v = json_object_get(obj, "port");
	snprintf(p, sizeof(p), "%s%s", ptr, v ? "/port" : "");
	if (v == NULL)
		return cfg_error(f, err, errlen, p, "port: missing");
	if (cfg_parse_uint(v, 1, 65535, &port) < 0)
		return cfg_error(f, err, errlen, p, "port: must be 1-65535");
	s->port = (uint16_t)port;

	backends = json_object_get(obj, "backends");
	snprintf(p, sizeof(p), "%s%s", ptr, backends ? "/backends" : "");
	if (backends == NULL)
		return cfg_error(f, err, errlen, p, "backends: missing");
	if (!json_is_array(backends) || json_array_size(backends) == 0 ||
	    json_array_size(backends) > LB_MAX_BACKENDS)
		return cfg_error(f, err, errlen, p, "backends: must be a list of 1-%u backends",
				 LB_MAX_BACKENDS);
	s->n_backends = (uint16_t)json_array_size(backends);
	s->backends = calloc(s->n_backends, sizeof(*s->backends));
	if (s->backends == NULL)
		return cfg_error(f, err, errlen, p, "out of memory");
	for (uint16_t b = 0; b < s->n_backends; b++) {
		char bp[128];

		snprintf(bp, sizeof(bp), "%s/backends/%u", ptr, b);
		if (parse_backend(f, json_array_get(backends, b), bp, &s->backends[b], err,
				  errlen) < 0)
			return -1;
		for (uint16_t o = 0; o < b; o++)
			if (s->backends[o].ip == s->backends[b].ip &&
			    s->backends[o].port == s->backends[b].port)
				return cfg_error(f, err, errlen, bp,
						 "backend listed twice (as backend %u too)", o);
	}
	return 0;
}

/* Two services may not claim one VIP:port:proto, nor share a name. */
static int
check_unique(const struct cfg_file *f, const struct lb_config *cfg, uint32_t i, char *err,
	     size_t errlen)
{
	const struct lb_service *s = &cfg->services[i];
	char ptr[64];

	snprintf(ptr, sizeof(ptr), "/services/%u", i);
	for (uint32_t o = 0; o < i; o++) {
		const struct lb_service *t = &cfg->services[o];

		if (strcmp(s->name, t->name) == 0)
			return cfg_error(f, err, errlen, ptr, "service name \"%s\" used twice",
					 s->name);
		if (s->vip == t->vip && s->port == t->port && s->proto == t->proto)
			return cfg_error(f, err, errlen, ptr,
					 "same vip, proto and port as service \"%s\"", t->name);
	}
	return 0;
}

static int
parse_limit(const struct cfg_file *f, const char *key, uint64_t min, uint64_t max,
	    uint32_t dflt, uint32_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(f->root, key);
	char ptr[64];
	uint64_t n;

	*out = dflt;
	if (v == NULL)
		return 0;
	snprintf(ptr, sizeof(ptr), "/%s", key);
	if (cfg_parse_uint(v, min, max, &n) < 0)
		return cfg_error(f, err, errlen, ptr, "%s: must be a number %llu-%llu", key,
				 (unsigned long long)min, (unsigned long long)max);
	*out = (uint32_t)n;
	return 0;
}

static int
parse_root(const struct cfg_file *f, struct lb_config *cfg, char *err, size_t errlen)
{
	static const char *const known[] = { "services", "table_size", "max_conns",
					     "tcp_idle_timeout", "udp_idle_timeout", NULL };
	json_t *services;
	uint16_t largest = 0;

	if (!json_is_object(f->root))
		return cfg_error(f, err, errlen, "", "top level must be an object");
	if (check_keys(f, f->root, "", known, err, errlen) < 0 ||
	    parse_limit(f, "table_size", 3, 1u << 24, LB_DEFAULT_TABLE_SIZE, &cfg->table_size, err,
			errlen) < 0 ||
	    parse_limit(f, "max_conns", 8, 1u << 24, LB_DEFAULT_MAX_CONNS, &cfg->max_conns, err,
			errlen) < 0 ||
	    parse_limit(f, "tcp_idle_timeout", 1, 86400, LB_DEFAULT_TCP_IDLE_S, &cfg->tcp_idle_s,
			err, errlen) < 0 ||
	    parse_limit(f, "udp_idle_timeout", 1, 86400, LB_DEFAULT_UDP_IDLE_S, &cfg->udp_idle_s,
			err, errlen) < 0)
		return -1;
	if (!lb_is_prime(cfg->table_size))
		return cfg_error(f, err, errlen, "/table_size", "table_size: %u is not prime",
				 cfg->table_size);

	services = json_object_get(f->root, "services");
	if (services == NULL)
		return cfg_error(f, err, errlen, "", "services: missing");
	if (!json_is_array(services) || json_array_size(services) > LB_MAX_SERVICES)
		return cfg_error(f, err, errlen, "/services",
				 "services: must be a list of up to %u services", LB_MAX_SERVICES);
	cfg->n_services = (uint32_t)json_array_size(services);
	cfg->services = calloc(cfg->n_services ? cfg->n_services : 1, sizeof(*cfg->services));
	if (cfg->services == NULL)
		return cfg_error(f, err, errlen, "", "out of memory");
	for (uint32_t i = 0; i < cfg->n_services; i++) {
		if (parse_service(f, json_array_get(services, i), i, &cfg->services[i], err,
				  errlen) < 0 ||
		    check_unique(f, cfg, i, err, errlen) < 0)
			return -1;
		if (cfg->services[i].n_backends > largest)
			largest = cfg->services[i].n_backends;
	}
	/* Maglev spreads evenly only when M is well above N (the paper: M > 100 N). */
	if (cfg->table_size <= largest)
		return cfg_error(f, err, errlen, "/table_size",
				 "table_size %u must exceed the largest pool (%u backends)",
				 cfg->table_size, largest);
	return 0;
}

int
lb_config_load_string(const char *name, const char *text, struct lb_config *cfg, char *err,
		      size_t errlen)
{
	struct cfg_file f;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	if (cfg_file_load_string(&f, name, text, err, errlen) < 0)
		return -1;
	rc = parse_root(&f, cfg, err, errlen);
	cfg_file_free(&f);
	if (rc < 0)
		lb_config_free(cfg);
	return rc;
}

int
lb_config_load(const char *path, struct lb_config *cfg, char *err, size_t errlen)
{
	struct cfg_file f;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	if (cfg_file_load(&f, path, err, errlen) < 0)
		return -1;
	rc = parse_root(&f, cfg, err, errlen);
	cfg_file_free(&f);
	if (rc < 0)
		lb_config_free(cfg);
	return rc;
}

void
lb_config_free(struct lb_config *cfg)
{
	for (uint32_t i = 0; i < cfg->n_services && cfg->services != NULL; i++)
		free(cfg->services[i].backends);
	free(cfg->services);
	memset(cfg, 0, sizeof(*cfg));
}
