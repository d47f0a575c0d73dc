/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_config.h"

static const char *const top_keys[] = {
	"default", "stateful", "non_ip", "rules", "max_conns", "conn_timeout_s",
	"udp_timeout_s", "close_timeout_s", NULL,
};

/* Keys of a rule that are not match fields. */
static const char *const rule_keys[] = { "name", "action", NULL };

/* Match fields rte_acl cannot classify on; a chain match can steer on them. */
#define FW_UNSUPPORTED_FIELDS (M_ETH_SRC | M_ETH_DST | M_VLAN_VID)

const char *
fw_action_name(enum fw_action a)
{
	return a == FW_ALLOW ? "allow" : "deny";
}

static int
parse_action(const struct cfg_file *f, const json_t *v, const char *at, enum fw_action *a,
	     char *err, size_t errlen)
{
	const char *s = json_string_value(v);

	if (s == NULL)
		return cfg_error(f, err, errlen, at, "expected \"allow\" or \"deny\"");
	if (strcmp(s, "allow") == 0)
		*a = FW_ALLOW;
	else if (strcmp(s, "deny") == 0)
		*a = FW_DENY;
	else
		return cfg_error(f, err, errlen, at, "unknown action '%s' (expected allow or deny)",
				 s);
	return 0;
}

static int
parse_uint_key(const struct cfg_file *f, const char *key, uint32_t min, uint32_t max,
	      uint32_t *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(f->root, key);
	char at[64];
	uint64_t n;

	if (v == NULL)
		return 0;
	snprintf(at, sizeof(at), "/%s", key);
	if (cfg_parse_uint(v, min, max, &n) < 0)
		return cfg_error(f, err, errlen, at, "%s must be a whole number %u-%u", key, min,
				 max);
	*out = (uint32_t)n;
	return 0;
}

static int
parse_rule(const struct cfg_file *f, const json_t *obj, size_t idx, struct fw_rule *r,
	   char *err, size_t errlen)
{
	char at[96], field_at[128];
	const json_t *v;

	snprintf(at, sizeof(at), "/rules/%zu", idx);
	if (!json_is_object(obj))
		return cfg_error(f, err, errlen, at, "a rule must be an object");

	snprintf(field_at, sizeof(field_at), "%s/action", at);
	v = json_object_get(obj, "action");
	if (v == NULL)
		return cfg_error(f, err, errlen, at, "rule %zu has no \"action\"", idx);
	if (parse_action(f, v, field_at, &r->action, err, errlen) < 0)
		return -1;

	snprintf(r->name, sizeof(r->name), "rule%zu", idx);
	v = json_object_get(obj, "name");
	if (v != NULL) {
		const char *s = json_string_value(v);

		snprintf(field_at, sizeof(field_at), "%s/name", at);
		if (s == NULL || s[0] == '\0' || strlen(s) >= sizeof(r->name))
			return cfg_error(f, err, errlen, field_at,
					 "name must be a string of 1-%d characters",
					 FW_RULE_NAME_LEN - 1);
		snprintf(r->name, sizeof(r->name), "%s", s);
	}

	if (onvm_match_from_json(f, obj, at, rule_keys, &r->match, err, errlen) < 0)
		return -1;
	if (r->match.fields & FW_UNSUPPORTED_FIELDS)
		return cfg_error(f, err, errlen, at,
				 "firewall rules cannot match eth_src, eth_dst or vlan_vid "
				 "(5-tuple and in_port only; steer on those with a chain)");
	if ((r->match.fields & M_ETH_TYPE) && r->match.eth_type != PKT_ETHERTYPE_IPV4) {
		snprintf(field_at, sizeof(field_at), "%s/eth_type", at);
		return cfg_error(f, err, errlen, field_at,
				 "firewall rules apply to IPv4 only: eth_type must be 0x0800 "
				 "(use \"non_ip\" for other ethertypes)");
	}
	return 0;
}

static int
parse_rules(struct fw_config *c, const struct cfg_file *f, char *err, size_t errlen)
{
	const json_t *rules = json_object_get(f->root, "rules");
	size_t n, i;

	if (rules == NULL)
		return cfg_error(f, err, errlen, "", "missing \"rules\" (an array, may be empty)");
	if (!json_is_array(rules))
		return cfg_error(f, err, errlen, "/rules", "\"rules\" must be an array");
	n = json_array_size(rules);
	if (n > FW_MAX_RULES)
		return cfg_error(f, err, errlen, "/rules", "too many rules (%zu > %u)", n,
				 FW_MAX_RULES);
	c->rules = calloc(n ? n : 1, sizeof(*c->rules));
	if (c->rules == NULL)
		return cfg_error(f, err, errlen, "/rules", "out of memory for %zu rules", n);
	for (i = 0; i < n; i++) {
		if (parse_rule(f, json_array_get(rules, i), i, &c->rules[i], err, errlen) < 0)
			return -1;
		c->n_rules = (uint32_t)i + 1;
	}
	return 0;
}

static int
parse_top(struct fw_config *c, const struct cfg_file *f, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	char at[300];

	if (!json_is_object(f->root))
		return cfg_error(f, err, errlen, "", "the rule file must be a JSON object");
	json_object_foreach(f->root, key, v) {
		const char *const *k;

		for (k = top_keys; *k; k++)
			if (strcmp(*k, key) == 0)
				break;
		snprintf(at, sizeof(at), "/%s", key);
		if (*k == NULL)
			return cfg_error(f, err, errlen, at, "unknown key '%s'", key);
	}

	v = json_object_get(f->root, "default");
	if (v == NULL)
		return cfg_error(f, err, errlen, "", "missing \"default\" (\"allow\" or \"deny\")");
	if (parse_action(f, v, "/default", &c->default_action, err, errlen) < 0)
		return -1;
	v = json_object_get(f->root, "non_ip");
	if (v != NULL && parse_action(f, v, "/non_ip", &c->non_ip, err, errlen) < 0)
		return -1;
	v = json_object_get(f->root, "stateful");
	if (v != NULL) {
		if (!json_is_boolean(v))
			return cfg_error(f, err, errlen, "/stateful", "stateful must be true or false");
		c->stateful = json_is_true(v);
	}
	if (parse_uint_key(f, "max_conns", 16, 1u << 26, &c->max_conns, err, errlen) < 0 ||
	    parse_uint_key(f, "conn_timeout_s", 1, 864000, &c->tcp_timeout_s, err, errlen) < 0 ||
	    parse_uint_key(f, "udp_timeout_s", 1, 864000, &c->udp_timeout_s, err, errlen) < 0 ||
	    parse_uint_key(f, "close_timeout_s", 0, 3600, &c->close_timeout_s, err, errlen) < 0)
		return -1;
	return parse_rules(c, f, err, errlen);
}

static int
load_parsed(struct fw_config *c, struct cfg_file *f, char *err, size_t errlen)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->non_ip = FW_ALLOW;
	c->max_conns = FW_DEFAULT_MAX_CONNS;
	c->tcp_timeout_s = FW_DEFAULT_TCP_TIMEOUT;
	c->udp_timeout_s = FW_DEFAULT_UDP_TIMEOUT;
	c->close_timeout_s = FW_DEFAULT_CLOSE_TIMEOUT;
	rc = parse_top(c, f, err, errlen);
	cfg_file_free(f);
	if (rc < 0)
		fw_config_free(c);
	return rc;
}

int
fw_config_load(struct fw_config *c, const char *path, char *err, size_t errlen)
{
	struct cfg_file f;

	memset(c, 0, sizeof(*c));
	if (cfg_file_load(&f, path, err, errlen) < 0)
		return -1;
	return load_parsed(c, &f, err, errlen);
}

int
fw_config_load_string(struct fw_config *c, const char *name, const char *text, char *err,
		      size_t errlen)
{
	struct cfg_file f;

	memset(c, 0, sizeof(*c));
	if (cfg_file_load_string(&f, name, text, err, errlen) < 0)
		return -1;
	return load_parsed(c, &f, err, errlen);
}

void
fw_config_free(struct fw_config *c)
{
	free(c->rules);
	c->rules = NULL;
	c->n_rules = 0;
}

int
fw_config_first_match(const struct fw_config *c, const struct pkt_info *pi, uint16_t in_port)
{
	uint32_t i;

	for (i = 0; i < c->n_rules; i++)
		if (onvm_match_packet(&c->rules[i].match, pi, in_port))
			return (int)i;
	return -1;
}
