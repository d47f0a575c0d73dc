/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The .rules loader: lines (with '\' continuations and '#' comments),
 * variables, rule headers. Options are parsed by ids_options.c and address
 * and port expressions by ids_addr.c. Every error is one line,
 * "FILE:LINE: reason", LINE being the first line of the rule.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ids_rules.h"

int
ids_perr_set(struct ids_perr *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

const char *
ids_var_lookup(const struct ids_ruleset *rs, const char *name)
{
	for (uint32_t i = 0; i < rs->n_vars; i++)
		if (strcmp(rs->vars[i].name, name) == 0)
			return rs->vars[i].value;
	return NULL;
}

int
ids_var_define(struct ids_ruleset *rs, const char *name, const char *value, uint32_t line,
	       struct ids_perr *e)
{
	size_t n = strlen(name);

	if (n == 0 || n >= sizeof(rs->vars[0].name))
		return ids_perr_set(e, "bad variable name");
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return ids_perr_set(e, "bad variable name '%s'", name);
	char *copy = strdup(value);
	if (copy == NULL)
		return ids_perr_set(e, "out of memory");
	for (uint32_t i = 0; i < rs->n_vars; i++) {
		if (strcmp(rs->vars[i].name, name) == 0) { /* a later line overrides */
			free(rs->vars[i].value);
			rs->vars[i].value = copy;
			rs->vars[i].line = line;
			return 0;
		}
	}
	if (rs->n_vars >= IDS_MAX_VARS) {
		free(copy);
		return ids_perr_set(e, "more than %d variables", IDS_MAX_VARS);
	}
	strcpy(rs->vars[rs->n_vars].name, name);
	rs->vars[rs->n_vars].value = copy;
	rs->vars[rs->n_vars].line = line;
	rs->n_vars++;
	return 0;
}

/* Next whitespace-separated token; brackets keep "[a, b]" in one token. */
static int
next_token(const char **pp, char *out, size_t outsz)
{
	const char *p = *pp;
	size_t n = 0;
	int depth = 0;

	while (isspace((unsigned char)*p))
		p++;
	while (*p && *p != '(' && (depth > 0 || !isspace((unsigned char)*p))) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		if (n + 1 >= outsz)
			return -3;
		out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = p;
	if (depth > 0)
		return -2; /* '[' not closed before the options */
	return n > 0 ? 0 : -1;
}

/* var NAME VALUE (also ipvar/portvar). The value must parse as a set. */
static int
parse_var_line(struct ids_ruleset *rs, const char *line, uint32_t lineno, struct ids_perr *e)
{
	char kw[16], name[80];
	const char *p = line;

	if (next_token(&p, kw, sizeof(kw)) < 0 || next_token(&p, name, sizeof(name)) < 0)
		return ids_perr_set(e, "var needs a name and a value (name up to 63 bytes)");
	while (isspace((unsigned char)*p))
		p++;
	char value[IDS_LINE_MAX];
	size_t n = strlen(p);
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	if (n == 0)
		return ids_perr_set(e, "variable %s has no value", name);
	memcpy(value, p, n);
	value[n] = '\0';

	/* Check it now, as an address or a port set, so errors point here. */
	struct ids_set s;
	struct ids_perr ignore;
	bool is_port = strcmp(kw, "portvar") == 0;
	if (ids_set_parse(rs, value, is_port, &s, e) == 0) {
		ids_set_free(&s);
	} else if (strcmp(kw, "var") != 0 || ids_set_parse(rs, value, true, &s, &ignore) < 0) {
		char why[256];
		snprintf(why, sizeof(why), "%s", e->msg);
		return ids_perr_set(e, "variable %s: %s", name, why);
	} else {
		ids_set_free(&s); /* a plain `var` holding ports */
	}
	return ids_var_define(rs, name, value, lineno, e);
}

static int
parse_proto(const char *s, uint8_t *out)
{
	static const char *const names[] = { "ip", "tcp", "udp", "icmp" };

	for (uint8_t i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

static int
parse_rule(struct ids_ruleset *rs, const char *line, struct ids_rule *r, struct ids_perr *e)
{
	char tok[7][1024];
	const char *p = line;

	for (int i = 0; i < 7; i++) {
		int rc = next_token(&p, tok[i], sizeof(tok[i]));
		if (rc == -2)
			return ids_perr_set(e, "unterminated '[' in the rule header");
		if (rc == -3)
			return ids_perr_set(e, "rule header field longer than %zu bytes (use a variable)",
					    sizeof(tok[i]) - 1);
		if (rc < 0)
			return ids_perr_set(e, "incomplete rule header");
	}
	if (strcmp(tok[0], "alert") == 0)
		r->action = IDS_ACTION_ALERT;
	else if (strcmp(tok[0], "drop") == 0)
		r->action = IDS_ACTION_DROP;
	else
		return ids_perr_set(e, "unsupported action '%s'", tok[0]);
	if (parse_proto(tok[1], &r->proto) < 0)
		return ids_perr_set(e, "unsupported protocol '%s'", tok[1]);
	if (strcmp(tok[4], "->") == 0)
		r->bidir = false;
	else if (strcmp(tok[4], "<>") == 0)
		r->bidir = true;
	else
		return ids_perr_set(e, "bad direction '%s' (-> or <>)", tok[4]);
	if (ids_set_parse(rs, tok[2], false, &r->src_addr, e) < 0 ||
	    ids_set_parse(rs, tok[3], true, &r->src_port, e) < 0 ||
	    ids_set_parse(rs, tok[5], false, &r->dst_addr, e) < 0 ||
	    ids_set_parse(rs, tok[6], true, &r->dst_port, e) < 0)
		return -1;
	bool ports_any = r->src_port.n == 1 && r->src_port.r[0].lo == 0 &&
			 r->src_port.r[0].hi == 65535 && r->dst_port.n == 1 &&
			 r->dst_port.r[0].lo == 0 && r->dst_port.r[0].hi == 65535;
	if ((r->proto == IDS_PROTO_IP || r->proto == IDS_PROTO_ICMP) && !ports_any)
		return ids_perr_set(e, "ports must be 'any' for protocol %s", tok[1]);

	while (isspace((unsigned char)*p))
		p++;
	if (*p != '(')
		return ids_perr_set(e, "expected '(' after the rule header");
	const char *open = p + 1;
	const char *close = strrchr(open, ')');
	if (close == NULL)
		return ids_perr_set(e, "missing ')' at the end of the rule");
	for (const char *q = close + 1; *q; q++)
		if (!isspace((unsigned char)*q))
			return ids_perr_set(e, "text after ')'");
	char *opts = strndup(open, (size_t)(close - open));
	if (opts == NULL)
		return ids_perr_set(e, "out of memory");
	int rc = ids_options_parse(r, opts, e);
	free(opts);
	if (rc < 0)
		return -1;
	if (r->flow != 0 && r->proto != IDS_PROTO_TCP && r->proto != IDS_PROTO_UDP &&
	    (r->flow & (IDS_FLOW_TO_SERVER | IDS_FLOW_TO_CLIENT | IDS_FLOW_ESTABLISHED)))
		return ids_perr_set(e, "flow direction needs a tcp or udp rule");
	return 0;
}

static void
rule_free(struct ids_rule *r)
{
	ids_set_free(&r->src_addr);
	ids_set_free(&r->src_port);
	ids_set_free(&r->dst_addr);
	ids_set_free(&r->dst_port);
	ids_rule_free_options(r);
}

static struct ids_rule *
rule_slot(struct ids_ruleset *rs)
{
	if (rs->n_rules == rs->cap_rules) {
		uint32_t cap = rs->cap_rules ? rs->cap_rules * 2 : 64;
		struct ids_rule *n = realloc(rs->rules, cap * sizeof(*n));
		if (n == NULL)
			return NULL;
		rs->rules = n;
		rs->cap_rules = cap;
	}
	struct ids_rule *r = &rs->rules[rs->n_rules];
	memset(r, 0, sizeof(*r));
	return r;
}

/*
 * The rule already holding `sid`, or -1; with add, remember rule `idx` for
 * it. A hash keeps duplicate detection linear in big rule sets.
 */
static int64_t
sid_find_or_add(struct ids_ruleset *rs, uint32_t sid, uint32_t idx, bool add)
{
	if (add && (rs->n_rules + 1) * 2 > rs->sid_slots) {
		uint32_t slots = rs->sid_slots ? rs->sid_slots * 2 : 1024;
		uint32_t *t = calloc(slots, sizeof(*t));
		if (t == NULL)
			return -2;
		free(rs->sid_index);
		rs->sid_index = t;
		rs->sid_slots = slots;
		for (uint32_t i = 0; i < rs->n_rules; i++)
			sid_find_or_add(rs, rs->rules[i].sid, i, true);
	}
	if (rs->sid_slots == 0)
		return -1;
	uint32_t mask = rs->sid_slots - 1;
	for (uint32_t h = (sid * 2654435761u) & mask;; h = (h + 1) & mask) {
		uint32_t v = rs->sid_index[h];
		if (v == 0) {
			if (add)
				rs->sid_index[h] = idx + 1;
			return -1;
		}
		if (rs->rules[v - 1].sid == sid)
			return v - 1;
	}
}

/* One logical line (continuations joined); a vars file holds only variables. */
static int
load_line(struct ids_ruleset *rs, const char *name, const char *line, uint32_t lineno,
	  bool vars_only, FILE *err)
{
	struct ids_perr e = { { 0 } };
	const char *p = line;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	if ((strncmp(p, "var", 3) == 0 && isspace((unsigned char)p[3])) ||
	    (strncmp(p, "ipvar", 5) == 0 && isspace((unsigned char)p[5])) ||
	    (strncmp(p, "portvar", 7) == 0 && isspace((unsigned char)p[7]))) {
		if (parse_var_line(rs, p, lineno, &e) == 0)
			return 0;
	} else if (vars_only) {
		ids_perr_set(&e, "a vars file holds only var/ipvar/portvar lines");
	} else {
		struct ids_rule *r = rule_slot(rs);
		if (r == NULL) {
			ids_perr_set(&e, "out of memory");
		} else if (parse_rule(rs, p, r, &e) == 0) {
			r->line = lineno;
			int64_t first = sid_find_or_add(rs, r->sid, 0, false);
			if (first >= 0) {
				ids_perr_set(&e, "duplicate sid %u (first at line %u)", r->sid,
					     rs->rules[first].line);
				rule_free(r);
				goto report;
			}
			if (sid_find_or_add(rs, r->sid, rs->n_rules, true) == -2) {
				ids_perr_set(&e, "out of memory");
				rule_free(r);
				goto report;
			}
			rs->n_rules++;
			return 0;
		} else {
			rule_free(r);
		}
	}
report:
	fprintf(err, "%s:%u: %s\n", name, lineno, e.msg);
	rs->n_errors++;
	return -1;
}

static int
load_text(struct ids_ruleset *rs, const char *name, const char *text, bool vars_only,
	  const struct ids_load_opts *opts)
{
	FILE *err = opts && opts->err ? opts->err : stderr;
	char *buf = malloc(IDS_LINE_MAX);
	size_t n = 0;
	uint32_t lineno = 0, first = 0;
	int rc = 0;

	if (buf == NULL)
		return -1;
	for (const char *p = text; *p || n > 0;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		lineno++;
		if (n == 0)
			first = lineno;
		while (len > 0 && (p[len - 1] == '\r'))
			len--;
		bool cont = len > 0 && p[len - 1] == '\\';
		if (cont)
			len--;
		if (n + len + 1 >= IDS_LINE_MAX) {
			fprintf(err, "%s:%u: line longer than %d bytes\n", name, first, IDS_LINE_MAX);
			rs->n_errors++;
			rc = -1;
			n = 0;
		} else {
			memcpy(buf + n, p, len);
			n += len;
			buf[n] = '\0';
		}
		p = eol ? eol + 1 : p + strlen(p);
		if (cont && *p)
			continue;
		if (n > 0 && load_line(rs, name, buf, first, vars_only, err) < 0)
			rc = -1;
		n = 0;
		if (*p == '\0')
			break;
	}
	free(buf);
	return rc;
}

static char *
read_file(const char *path, FILE *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL) {
		fprintf(err, "%s:0: cannot open: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, 4096, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		fprintf(err, "%s:0: file contains a NUL byte\n", path);
		free(buf);
		return NULL;
	}
	return buf;
}

static struct ids_ruleset *
load_common(const char *name, const char *text, const struct ids_load_opts *opts)
{
	FILE *err = opts && opts->err ? opts->err : stderr;
	struct ids_ruleset *rs = calloc(1, sizeof(*rs));

	if (rs == NULL)
		return NULL;
	if (opts && opts->vars_path) {
		char *vars = read_file(opts->vars_path, err);
		if (vars == NULL)
			goto fail;
		int rc = load_text(rs, opts->vars_path, vars, true, opts);
		free(vars);
		if (rc < 0 && opts->strict)
			goto fail;
	}
	if (load_text(rs, name, text, false, opts) < 0 && opts && opts->strict)
		goto fail;
	return rs;
fail:
	ids_rules_free(rs);
	return NULL;
}

struct ids_ruleset *
ids_rules_load_str(const char *name, const char *text, const struct ids_load_opts *opts)
{
	return load_common(name, text, opts);
}

struct ids_ruleset *
ids_rules_load(const char *path, const struct ids_load_opts *opts)
{
	FILE *err = opts && opts->err ? opts->err : stderr;
	char *text = read_file(path, err);

	if (text == NULL)
		return NULL;
	struct ids_ruleset *rs = load_common(path, text, opts);
	free(text);
	return rs;
}

void
ids_rules_free(struct ids_ruleset *rs)
{
	if (rs == NULL)
		return;
	for (uint32_t i = 0; i < rs->n_rules; i++)
		rule_free(&rs->rules[i]);
	free(rs->rules);
	for (uint32_t i = 0; i < rs->n_vars; i++)
		free(rs->vars[i].value);
	free(rs->sid_index);
	free(rs);
}
