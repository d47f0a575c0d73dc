/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_file.h"
#include "rt_config.h"

#define RT_MAX_FILE_BYTES (256u << 20)
/* Duplicate detection packs the route's index into 26 bits of a sort key. */
#define RT_MAX_ROUTES (1u << 24)

/* Where a route came from, for messages found after parsing (duplicates). */
struct rt_origin {
	const struct cfg_file *json; /* JSON: line found by pointer /routes/i */
	const uint32_t *lines;       /* text: line of each route */
};

static int
fail(char *err, size_t errlen, const char *name, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
fail(char *err, size_t errlen, const char *name, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s:%u: ", name, line);

	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
origin_error(const struct rt_origin *o, const char *name, uint32_t idx, char *err,
	     size_t errlen, const char *reason)
{
	char ptr[32];

	if (o->json != NULL) {
		snprintf(ptr, sizeof(ptr), "/routes/%u", idx);
		return cfg_error(o->json, err, errlen, ptr, "%s", reason);
	}
	return fail(err, errlen, name, o->lines[idx], "%s", reason);
}

static unsigned int
origin_line(const struct rt_origin *o, uint32_t idx)
{
	char ptr[32];

	if (o->json != NULL) {
		snprintf(ptr, sizeof(ptr), "/routes/%u", idx);
		return cfg_line_of(o->json->text, ptr);
	}
	return o->lines[idx];
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Two routes for one prefix would leave the winner to load order; reject it.
 * Sorting (prefix, depth, index) keys finds them in O(n log n) without a
 * hash table, fast enough for a full Internet table.
 */
static int
check_duplicates(const struct rt_config *cfg, const struct rt_origin *o, const char *name,
		 char *err, size_t errlen)
{
	uint64_t *keys;
	uint32_t n = cfg->n_routes, dup = UINT32_MAX, first = 0;

	if (n < 2)
		return 0;
	keys = malloc(sizeof(*keys) * n);
	if (keys == NULL)
		return fail(err, errlen, name, 0, "out of memory");
	for (uint32_t i = 0; i < n; i++)
		keys[i] = ((uint64_t)cfg->routes[i].prefix << 32) |
			  ((uint64_t)cfg->routes[i].depth << 26) | i;
	qsort(keys, n, sizeof(*keys), cmp_u64);
	for (uint32_t i = 1; i < n; i++) {
		uint32_t idx = (uint32_t)(keys[i] & (RT_MAX_ROUTES * 4 - 1));

		/* report the duplicate that comes first in the file */
		if ((keys[i] >> 26) == (keys[i - 1] >> 26) && idx < dup) {
			dup = idx;
			first = (uint32_t)(keys[i - 1] & (RT_MAX_ROUTES * 4 - 1));
		}
	}
	free(keys);
	if (dup == UINT32_MAX)
		return 0;

	const struct rt_route *r = &cfg->routes[dup];
	char reason[128];

	snprintf(reason, sizeof(reason), "duplicate route for %u.%u.%u.%u/%u (first at line %u)",
		 r->prefix >> 24, (r->prefix >> 16) & 0xff, (r->prefix >> 8) & 0xff,
		 r->prefix & 0xff, r->depth, origin_line(o, first));
	return origin_error(o, name, dup, err, errlen, reason);
}

/* Parse "A.B.C.D/N" (or "default"); reject set host bits as `ip route` does. */
static const char *
parse_prefix(const char *s, uint32_t *prefix, uint8_t *depth)
{
	if (strcmp(s, "default") == 0) {
		*prefix = 0;
		*depth = 0;
		return NULL;
	}
	if (cfg_parse_ipv4_prefix(s, prefix, depth) < 0)
		return "invalid prefix";
	if (*depth < 32 && (*prefix & (*depth == 0 ? UINT32_MAX : (UINT32_MAX >> *depth))) != 0)
		return "prefix has host bits set";
	return NULL;
}

/* NULL when the port is usable, else the reason written into msg. */
static const char *
check_port(unsigned long port, uint16_t n_ports, char *msg, size_t msglen)
{
	if (port > UINT16_MAX)
		return "port out of range";
	if (n_ports != RT_ANY_PORT_COUNT && port >= n_ports) {
		snprintf(msg, msglen, "port %lu does not exist (%u ports)", port, n_ports);
		return msg;
	}
	return NULL;
}

static int
grow_routes(struct rt_config *cfg, uint32_t *cap, uint32_t **lines)
{
	uint32_t ncap = *cap ? *cap * 2 : 1024;
	struct rt_route *r;

	if (*cap >= RT_MAX_ROUTES)
		return -1;
	r = realloc(cfg->routes, sizeof(*r) * ncap);
	if (r == NULL)
		return -1;
	cfg->routes = r;
	if (lines != NULL) {
		uint32_t *l = realloc(*lines, sizeof(**lines) * ncap);

		if (l == NULL)
			return -1;
		*lines = l;
	}
	*cap = ncap;
	return 0;
}

/* ---- JSON ---- */

static int
json_route(const struct cfg_file *f, json_t *obj, uint32_t i, uint16_t n_ports,
	   struct rt_route *r, char *err, size_t errlen)
{
	char ptr[64], msg[64];
	const char *key, *why;
	json_t *v;
	uint64_t port;

	snprintf(ptr, sizeof(ptr), "/routes/%u", i);
	if (!json_is_object(obj))
		return cfg_error(f, err, errlen, ptr, "route must be an object");
	json_object_foreach(obj, key, v) {
		if (strcmp(key, "prefix") && strcmp(key, "port") && strcmp(key, "next_hop_mac")) {
			snprintf(ptr, sizeof(ptr), "/routes/%u/%s", i, key);
			return cfg_error(f, err, errlen, ptr, "unknown key \"%s\"", key);
		}
	}

	v = json_object_get(obj, "prefix");
	snprintf(ptr, sizeof(ptr), "/routes/%u%s", i, v ? "/prefix" : "");
	if (!json_is_string(v))
		return cfg_error(f, err, errlen, ptr, "prefix: %s", v ? "must be a string" : "missing");
	if ((why = parse_prefix(json_string_value(v), &r->prefix, &r->depth)) != NULL)
		return cfg_error(f, err, errlen, ptr, "prefix: %s \"%s\"", why, json_string_value(v));

	v = json_object_get(obj, "port");
	snprintf(ptr, sizeof(ptr), "/routes/%u%s", i, v ? "/port" : "");
	if (v == NULL)
		return cfg_error(f, err, errlen, ptr, "port: missing");
	if (cfg_parse_uint(v, 0, UINT16_MAX, &port) < 0)
		return cfg_error(f, err, errlen, ptr, "port: must be a number 0-65535");
	if ((why = check_port(port, n_ports, msg, sizeof(msg))) != NULL)
		return cfg_error(f, err, errlen, ptr, "%s", why);
	r->port = (uint16_t)port;

	v = json_object_get(obj, "next_hop_mac");
	snprintf(ptr, sizeof(ptr), "/routes/%u%s", i, v ? "/next_hop_mac" : "");
	if (v == NULL)
		return cfg_error(f, err, errlen, ptr, "next_hop_mac: missing");
	if (!json_is_string(v) || cfg_parse_mac(json_string_value(v), r->mac) < 0)
		return cfg_error(f, err, errlen, ptr, "next_hop_mac: invalid MAC address");
	return 0;
}

static int
non_ip_from_word(const char *s, enum rt_non_ip_policy *out)
{
	if (strcmp(s, "pass") == 0)
		*out = RT_NON_IP_PASS;
	else if (strcmp(s, "drop") == 0)
		*out = RT_NON_IP_DROP;
	else
		return -1;
	return 0;
}

static int
load_json(const char *name, const char *text, uint16_t n_ports, struct rt_config *cfg,
	  char *err, size_t errlen)
{
	struct cfg_file f;
	const char *key;
	json_t *v, *routes;
	int rc = -1;

	if (cfg_file_load_string(&f, name, text, err, errlen) < 0)
		return -1;
	if (!json_is_object(f.root)) {
		cfg_error(&f, err, errlen, "", "top level must be an object");
		goto out;
	}
	json_object_foreach(f.root, key, v) {
		if (strcmp(key, "routes") && strcmp(key, "non_ip")) {
			char ptr[80];

			snprintf(ptr, sizeof(ptr), "/%s", key);
			cfg_error(&f, err, errlen, ptr, "unknown key \"%s\"", key);
			goto out;
		}
	}
	v = json_object_get(f.root, "non_ip");
	if (v != NULL && (!json_is_string(v) || non_ip_from_word(json_string_value(v),
								 &cfg->non_ip) < 0)) {
		cfg_error(&f, err, errlen, "/non_ip", "non_ip: must be \"pass\" or \"drop\"");
		goto out;
	}
	routes = json_object_get(f.root, "routes");
	if (!json_is_array(routes)) {
		cfg_error(&f, err, errlen, routes ? "/routes" : "",
			  routes ? "routes: must be an array" : "routes: missing");
		goto out;
	}
	if (json_array_size(routes) > RT_MAX_ROUTES) {
		cfg_error(&f, err, errlen, "/routes", "too many routes (max %u)", RT_MAX_ROUTES);
		goto out;
	}
	cfg->n_routes = (uint32_t)json_array_size(routes);
	cfg->routes = calloc(cfg->n_routes ? cfg->n_routes : 1, sizeof(*cfg->routes));
	if (cfg->routes == NULL) {
		fail(err, errlen, name, 0, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < cfg->n_routes; i++)
		if (json_route(&f, json_array_get(routes, i), i, n_ports, &cfg->routes[i], err,
			       errlen) < 0)
			goto out;

	struct rt_origin o = { .json = &f };

	rc = check_duplicates(cfg, &o, name, err, errlen);
out:
	cfg_file_free(&f);
	return rc;
}

/* ---- text ---- */

/*
 * One line: tokens split on blanks, a prefix then "port N" and "via-mac MAC"
 * in either order; or the directive "non_ip pass|drop".
 */
static int
text_line(char *line, const char *name, unsigned int lineno, uint16_t n_ports,
	  struct rt_config *cfg, struct rt_route *r, int *is_route, char *err, size_t errlen)
{
	char *save = NULL, *tok[8], msg[64];
	int n = 0;
	const char *why;
	bool have_port = false, have_mac = false;

	*is_route = 0;
	for (char *t = strtok_r(line, " \t\r", &save); t != NULL; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == 8)
			return fail(err, errlen, name, lineno, "too many words");
		tok[n++] = t;
	}
	if (n == 0)
		return 0;
	if (strcmp(tok[0], "non_ip") == 0) {
		if (n != 2 || non_ip_from_word(tok[1], &cfg->non_ip) < 0)
			return fail(err, errlen, name, lineno, "expected \"non_ip pass\" or \"non_ip drop\"");
		return 0;
	}
	if ((why = parse_prefix(tok[0], &r->prefix, &r->depth)) != NULL)
		return fail(err, errlen, name, lineno, "%s \"%s\"", why, tok[0]);
	for (int i = 1; i < n; i += 2) {
		if (i + 1 >= n)
			return fail(err, errlen, name, lineno, "\"%s\" needs a value", tok[i]);
		if (strcmp(tok[i], "port") == 0 && !have_port) {
			char *end;
			unsigned long port;

			errno = 0;
			port = strtoul(tok[i + 1], &end, 10);
			if (!isdigit((unsigned char)tok[i + 1][0]) || *end != '\0' || errno)
				return fail(err, errlen, name, lineno, "invalid port \"%s\"", tok[i + 1]);
			if ((why = check_port(port, n_ports, msg, sizeof(msg))) != NULL)
				return fail(err, errlen, name, lineno, "%s", why);
			r->port = (uint16_t)port;
			have_port = true;
		} else if (strcmp(tok[i], "via-mac") == 0 && !have_mac) {
			if (cfg_parse_mac(tok[i + 1], r->mac) < 0)
				return fail(err, errlen, name, lineno, "invalid MAC address \"%s\"",
					    tok[i + 1]);
			have_mac = true;
		} else {
			return fail(err, errlen, name, lineno, "unexpected \"%s\"", tok[i]);
		}
	}
	if (!have_port)
		return fail(err, errlen, name, lineno, "missing \"port N\"");
	if (!have_mac)
		return fail(err, errlen, name, lineno, "missing \"via-mac MAC\"");
	*is_route = 1;
	return 0;
}

static int
load_text(const char *name, const char *text, uint16_t n_ports, struct rt_config *cfg,
	  char *err, size_t errlen)
{
	uint32_t cap = 0, *lines = NULL;
	unsigned int lineno = 0;
	char buf[512];
	int rc = -1;

	for (const char *p = text; *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		int is_route;

		lineno++;
		if (len >= sizeof(buf)) {
			fail(err, errlen, name, lineno, "line too long");
			goto out;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		char *hash = strchr(buf, '#');

		if (hash != NULL)
			*hash = '\0';
		p = eol ? eol + 1 : p + len;

		if (cfg->n_routes == cap && grow_routes(cfg, &cap, &lines) < 0) {
			fail(err, errlen, name, lineno, cap >= RT_MAX_ROUTES ? "too many routes"
									     : "out of memory");
			goto out;
		}
		if (text_line(buf, name, lineno, n_ports, cfg, &cfg->routes[cfg->n_routes],
			      &is_route, err, errlen) < 0)
			goto out;
		if (is_route)
			lines[cfg->n_routes++] = lineno;
	}

	struct rt_origin o = { .lines = lines };

	rc = check_duplicates(cfg, &o, name, err, errlen);
out:
	free(lines);
	return rc;
}

/* ---- entry points ---- */

int
rt_config_load_string(const char *name, const char *text, uint16_t n_ports,
		      struct rt_config *cfg, char *err, size_t errlen)
{
	const char *p = text;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '{')
		rc = load_json(name, text, n_ports, cfg, err, errlen);
	else
		rc = load_text(name, text, n_ports, cfg, err, errlen);
	if (rc < 0)
		rt_config_free(cfg);
	return rc;
}

int
rt_config_load(const char *path, uint16_t n_ports, struct rt_config *cfg, char *err,
	       size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	char *text = NULL;
	long size;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (fp == NULL)
		return fail(err, errlen, path, 0, "cannot open: %s", strerror(errno));
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		fail(err, errlen, path, 0, "cannot read: %s", strerror(errno));
		goto out;
	}
	if ((unsigned long)size > RT_MAX_FILE_BYTES) {
		fail(err, errlen, path, 0, "file too large (%ld bytes)", size);
		goto out;
	}
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, fp) != (size_t)size) {
		fail(err, errlen, path, 0, "cannot read: %s", strerror(errno));
		goto out;
	}
	text[size] = '\0';
	if (memchr(text, '\0', (size_t)size) != NULL) {
		fail(err, errlen, path, 0, "file contains a NUL byte");
		goto out;
	}
	rc = rt_config_load_string(path, text, n_ports, cfg, err, errlen);
out:
	free(text);
	fclose(fp);
	return rc;
}

void
rt_config_free(struct rt_config *cfg)
{
	free(cfg->routes);
	memset(cfg, 0, sizeof(*cfg));
}
