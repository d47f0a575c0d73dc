/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain_config.h"

static const char *const chain_keys[] = { "name", "priority", "match", "hops", "out_port",
					  NULL };

void
chain_set_init(struct chain_set *set)
{
	memset(set, 0, sizeof(*set));
}

void
chain_set_free(struct chain_set *set)
{
	free(set->chains);
	memset(set, 0, sizeof(*set));
}

const struct chain_def *
chain_set_find(const struct chain_set *set, const char *name)
{
	for (uint32_t i = 0; i < set->num_chains; i++)
		if (strcmp(set->chains[i].name, name) == 0)
			return &set->chains[i];
	return NULL;
}

/* base + "/" + key as a JSON pointer (RFC 6901: '~' is ~0, '/' is ~1), so
 * an error on a key with odd characters still finds its line. */
static void
pointer_to_key(char *out, size_t cap, const char *base, const char *key)
{
	size_t n = (size_t)snprintf(out, cap, "%s/", base);

	for (; *key && n + 3 < cap; key++) {
		if (*key == '~' || *key == '/') {
			out[n++] = '~';
			out[n++] = *key == '~' ? '0' : '1';
		} else {
			out[n++] = *key;
		}
	}
	out[n < cap ? n : cap - 1] = '\0';
}

static bool
is_listed(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return true;
	return false;
}

/* The first of `n` parsed chains (then the set) already named `name`. */
static const struct chain_def *
find_earlier(const struct chain_set *set, const struct chain_def *parsed, uint32_t n,
	     const char *name)
{
	const struct chain_def *c = chain_set_find(set, name);

	for (uint32_t i = 0; c == NULL && i < n; i++)
		if (strcmp(parsed[i].name, name) == 0)
			c = &parsed[i];
	return c;
}

static int
parse_name(const struct cfg_file *f, const json_t *chain, const char *at,
	   const struct chain_set *set, const struct chain_def *parsed, uint32_t n,
	   struct chain_def *c, char *err, size_t errlen)
{
	const json_t *v = json_object_get(chain, "name");
	char ptr[64];
	const char *s;

	if (v == NULL)
		return cfg_error(f, err, errlen, at, "chain has no \"name\"");
	snprintf(ptr, sizeof(ptr), "%s/name", at);
	if (!json_is_string(v) || (s = json_string_value(v))[0] == '\0')
		return cfg_error(f, err, errlen, ptr, "name must be a non-empty string");
	if (strlen(s) >= CHAIN_NAME_LEN)
		return cfg_error(f, err, errlen, ptr, "name '%.40s...' is longer than %d characters",
				 s, CHAIN_NAME_LEN - 1);
	const struct chain_def *dup = find_earlier(set, parsed, n, s);
	if (dup != NULL)
		return cfg_error(f, err, errlen, ptr,
				 "duplicate chain name '%s' (first defined at %s:%u)", s,
				 dup->file, dup->line);
	snprintf(c->name, sizeof(c->name), "%s", s);
	return 0;
}

static int
parse_hops(const struct cfg_file *f, const json_t *chain, const char *at, struct chain_def *c,
	   char *err, size_t errlen)
{
	const json_t *hops = json_object_get(chain, "hops");
	char ptr[96];
	size_t n;

	if (hops == NULL)
		return cfg_error(f, err, errlen, at, "chain '%s' has no \"hops\"", c->name);
	snprintf(ptr, sizeof(ptr), "%s/hops", at);
	if (!json_is_array(hops))
		return cfg_error(f, err, errlen, ptr, "hops must be a list of services");
	n = json_array_size(hops);
	if (n == 0)
		return cfg_error(f, err, errlen, ptr, "hops is empty: a chain needs at least one service");
	if (n > CHAIN_MAX_HOPS)
		return cfg_error(f, err, errlen, ptr, "%zu hops, at most %d", n, CHAIN_MAX_HOPS);
	for (size_t i = 0; i < n; i++) {
		const json_t *h = json_array_get(hops, i);
		char *name = c->hop_names[i];

		snprintf(ptr, sizeof(ptr), "%s/hops/%zu", at, i);
		if (json_is_integer(h)) {
			json_int_t id = json_integer_value(h);
			if (id < 1 || id > UINT16_MAX)
				return cfg_error(f, err, errlen, ptr,
						 "hop %zu: service id %" JSON_INTEGER_FORMAT
						 " out of range (ids start at 1)", i + 1, id);
			snprintf(name, CHAIN_NAME_LEN, "%" JSON_INTEGER_FORMAT, id);
		} else if (json_is_string(h) && json_string_value(h)[0] != '\0') {
			if (strlen(json_string_value(h)) >= CHAIN_NAME_LEN)
				return cfg_error(f, err, errlen, ptr,
						 "hop %zu: service name longer than %d characters",
						 i + 1, CHAIN_NAME_LEN - 1);
			snprintf(name, CHAIN_NAME_LEN, "%s", json_string_value(h));
		} else {
			return cfg_error(f, err, errlen, ptr,
					 "hop %zu must be a service name or a service id", i + 1);
		}
	}
	c->num_hops = (uint16_t)n;
	return 0;
}

static int
parse_chain(const struct cfg_file *f, const json_t *chain, const char *at,
	    const struct chain_set *set, const struct chain_def *parsed, uint32_t n,
	    struct chain_def *c, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	char ptr[96], key_at[300];

	memset(c, 0, sizeof(*c));
	snprintf(c->file, sizeof(c->file), "%s", f->path);
	c->line = cfg_line_of(f->text, at);
	c->out_port = CHAIN_PORT_NONE;
	if (!json_is_object(chain))
		return cfg_error(f, err, errlen, at, "a chain must be an object");
	json_object_foreach((json_t *)chain, key, v) {
		if (!is_listed(key, chain_keys)) {
			pointer_to_key(key_at, sizeof(key_at), at, key);
			return cfg_error(f, err, errlen, key_at,
					 "unknown key '%.64s' in a chain (expected name, priority, "
					 "match, hops, out_port)", key);
		}
	}
	if (parse_name(f, chain, at, set, parsed, n, c, err, errlen) < 0)
		return -1;

	if ((v = json_object_get(chain, "priority")) != NULL) {
		snprintf(ptr, sizeof(ptr), "%s/priority", at);
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > CHAIN_MAX_PRIORITY)
			return cfg_error(f, err, errlen, ptr, "priority must be an integer 0-%d",
					 CHAIN_MAX_PRIORITY);
		c->priority = (uint32_t)json_integer_value(v);
	}

	if ((v = json_object_get(chain, "match")) == NULL)
		return cfg_error(f, err, errlen, at,
				 "chain '%s' has no \"match\" (use {} to match every packet)",
				 c->name);
	snprintf(ptr, sizeof(ptr), "%s/match", at);
	if (onvm_match_from_json(f, v, ptr, NULL, &c->match, err, errlen) < 0)
		return -1;

	if (parse_hops(f, chain, at, c, err, errlen) < 0)
		return -1;

	if ((v = json_object_get(chain, "out_port")) != NULL) {
		snprintf(ptr, sizeof(ptr), "%s/out_port", at);
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) >= CHAIN_MAX_PORTS)
			return cfg_error(f, err, errlen, ptr, "out_port must be a port number 0-%d",
					 CHAIN_MAX_PORTS - 1);
		c->out_port = (uint16_t)json_integer_value(v);
	}
	return 0;
}

/* Services last, once the file is otherwise valid (see chain_resolve_fn). */
static int
resolve_hops(const struct cfg_file *f, struct chain_def *chains, uint32_t n,
	     chain_resolve_fn resolve, void *ctx, char *err, size_t errlen)
{
	char ptr[96], why[160];

	for (uint32_t i = 0; i < n; i++) {
		for (uint16_t h = 0; h < chains[i].num_hops; h++) {
			why[0] = '\0';
			if (resolve(ctx, chains[i].hop_names[h], &chains[i].hops[h], why,
				    sizeof(why)) == 0)
				continue;
			snprintf(ptr, sizeof(ptr), "/chains/%u/hops/%u", i, h);
			return cfg_error(f, err, errlen, ptr, "chain '%s' hop %u: service '%s': %s",
					 chains[i].name, h + 1, chains[i].hop_names[h],
					 why[0] ? why : "unknown service");
		}
	}
	return 0;
}

int
chain_set_load_cfg(struct chain_set *set, const struct cfg_file *f, chain_resolve_fn resolve,
		   void *ctx, char *err, size_t errlen)
{
	const json_t *root = f->root, *list;
	const char *key;
	json_t *v;
	struct chain_def *parsed = NULL;
	uint32_t n;
	char at[32], key_at[300];
	int rc = -1;

	if (!json_is_object(root))
		return cfg_error(f, err, errlen, "", "expected an object with a \"chains\" list");
	json_object_foreach((json_t *)root, key, v) {
		if (strcmp(key, "chains") != 0) {
			pointer_to_key(key_at, sizeof(key_at), "", key);
			return cfg_error(f, err, errlen, key_at,
					 "unknown top-level key '%.64s' (expected \"chains\")", key);
		}
	}
	list = json_object_get(root, "chains");
	if (list == NULL)
		return cfg_error(f, err, errlen, "", "missing \"chains\" list");
	if (!json_is_array(list))
		return cfg_error(f, err, errlen, "/chains", "\"chains\" must be a list");
	if (json_array_size(list) > CHAIN_MAX_CHAINS - set->num_chains)
		return cfg_error(f, err, errlen, "/chains",
				 "too many chains: %zu here, %u loaded before, at most %d",
				 json_array_size(list), set->num_chains, CHAIN_MAX_CHAINS);
	n = (uint32_t)json_array_size(list);
	parsed = calloc(n ? n : 1, sizeof(*parsed));
	if (parsed == NULL)
		return cfg_error(f, err, errlen, "", "out of memory");

	for (uint32_t i = 0; i < n; i++) {
		snprintf(at, sizeof(at), "/chains/%u", i);
		if (parse_chain(f, json_array_get(list, i), at, set, parsed, i, &parsed[i], err,
				errlen) < 0)
			goto out;
	}
	if (resolve_hops(f, parsed, n, resolve, ctx, err, errlen) < 0)
		goto out;

	if (set->num_chains + n > set->cap) {
		uint32_t cap = set->num_chains + n;
		struct chain_def *c = realloc(set->chains, cap * sizeof(*c));
		if (c == NULL) {
			cfg_error(f, err, errlen, "", "out of memory");
			goto out;
		}
		set->chains = c;
		set->cap = cap;
	}
	if (n)
		memcpy(&set->chains[set->num_chains], parsed, n * sizeof(*parsed));
	set->num_chains += n;
	rc = 0;
out:
	free(parsed);
	return rc;
}

int
chain_set_load(struct chain_set *set, const char *path, chain_resolve_fn resolve, void *ctx,
	       char *err, size_t errlen)
{
	struct cfg_file f;
	int rc;

	if (cfg_file_load(&f, path, err, errlen) < 0)
		return -1;
	rc = chain_set_load_cfg(set, &f, resolve, ctx, err, errlen);
	cfg_file_free(&f);
	return rc;
}
