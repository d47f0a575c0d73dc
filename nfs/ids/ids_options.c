/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule options: the text between a rule's parentheses, `key[:value];` ...
 * Each keyword has its own small parser; modifiers (nocase, offset, depth,
 * distance, within, fast_pattern) apply to the content just before them.
 * An unknown keyword is an error naming it: a rule is never half-understood.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "ids_rules.h"

/* Parser state while walking one rule's options. */
struct opt_ctx {
	struct ids_rule *r;
	struct ids_perr *e;
	bool seen_sid, seen_rev, seen_msg, seen_class, seen_prio, seen_flow;
};

static int
parse_int(const char *v, long min, long max, long *out)
{
	char *end;

	while (isspace((unsigned char)*v))
		v++;
	if (*v == '\0')
		return -1;
	long x = strtol(v, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0' || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

/*
 * Strip the quotes of a quoted value and undo \" \; \\ escapes. With
 * keep_other_escapes (pcre), other backslash pairs stay as they are.
 */
static int
unquote(const char *v, char **out, bool keep_other_escapes, struct ids_perr *e)
{
	size_t n = strlen(v);

	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	if (n < 2 || v[0] != '"' || v[n - 1] != '"')
		return ids_perr_set(e, "value must be in double quotes");
	char *s = malloc(n);
	if (s == NULL)
		return ids_perr_set(e, "out of memory");
	size_t o = 0;
	for (size_t i = 1; i < n - 1; i++) {
		char c = v[i];
		if (c == '\\' && i + 1 < n - 1) {
			char d = v[i + 1];
			if (d == '"' || d == ';' || d == '\\') {
				if (keep_other_escapes && d == '\\')
					s[o++] = c;
				s[o++] = d;
				i++;
				continue;
			}
			if (!keep_other_escapes) {
				free(s);
				return ids_perr_set(e, "bad escape '\\%c'", d);
			}
		} else if (c == '"') {
			free(s);
			return ids_perr_set(e, "unescaped '\"' inside a value");
		}
		s[o++] = c;
	}
	s[o] = '\0';
	*out = s;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "abc|0d 0a|def" -> bytes. */
static int
decode_content(const char *s, uint8_t **out, uint32_t *len, struct ids_perr *e)
{
	size_t n = strlen(s);
	uint8_t *b = malloc(n + 1);
	uint32_t o = 0;
	bool hex = false;
	int hi = -1;

	if (b == NULL)
		return ids_perr_set(e, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '|') {
			if (hex && hi >= 0)
				goto odd;
			hex = !hex;
			continue;
		}
		if (!hex) {
			b[o++] = (uint8_t)c;
			continue;
		}
		if (isspace((unsigned char)c))
			continue;
		int v = hexval(c);
		if (v < 0) {
			free(b);
			return ids_perr_set(e, "bad hex digit '%c' in content", c);
		}
		if (hi < 0) {
			hi = v;
		} else {
			b[o++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hex) {
		free(b);
		return ids_perr_set(e, "unterminated '|' in content");
	}
	if (o == 0) {
		free(b);
		return ids_perr_set(e, "empty content");
	}
	*out = b;
	*len = o;
	return 0;
odd:
	free(b);
	return ids_perr_set(e, "odd number of hex digits in content");
}

static struct ids_elem *
new_elem(struct opt_ctx *c)
{
	if (c->r->n_elems >= IDS_MAX_ELEMS) {
		ids_perr_set(c->e, "more than %d content/pcre options", IDS_MAX_ELEMS);
		return NULL;
	}
	struct ids_elem *v = realloc(c->r->elems, (c->r->n_elems + 1) * sizeof(*v));
	if (v == NULL) {
		ids_perr_set(c->e, "out of memory");
		return NULL;
	}
	c->r->elems = v;
	struct ids_elem *el = &v[c->r->n_elems++];
	memset(el, 0, sizeof(*el));
	return el;
}

static int
opt_content(struct opt_ctx *c, const char *v)
{
	char *s;

	while (isspace((unsigned char)*v))
		v++;
	if (*v == '!')
		return ids_perr_set(c->e, "negated content is not supported");
	if (unquote(v, &s, false, c->e) < 0)
		return -1;
	struct ids_elem *el = new_elem(c);
	if (el == NULL) {
		free(s);
		return -1;
	}
	el->kind = IDS_ELEM_CONTENT;
	int rc = decode_content(s, &el->bytes, &el->len, c->e);
	free(s);
	if (rc < 0)
		c->r->n_elems--;
	return rc;
}

static int
opt_pcre(struct opt_ctx *c, const char *v)
{
	char *s;

	while (isspace((unsigned char)*v))
		v++;
	if (*v == '!')
		return ids_perr_set(c->e, "negated pcre is not supported");
	if (unquote(v, &s, true, c->e) < 0)
		return -1;
	char *last = strrchr(s, '/');
	if (s[0] != '/' || last == s) {
		free(s);
		return ids_perr_set(c->e, "pcre must look like \"/regex/flags\"");
	}
	uint32_t opts = 0;
	bool relative = false;
	for (const char *f = last + 1; *f; f++) {
		switch (*f) {
		case 'i': opts |= PCRE2_CASELESS; break;
		case 's': opts |= PCRE2_DOTALL; break;
		case 'm': opts |= PCRE2_MULTILINE; break;
		case 'x': opts |= PCRE2_EXTENDED; break;
		case 'R': relative = true; break;
		default: {
			char bad = *f;
			free(s);
			return ids_perr_set(c->e, "unsupported pcre modifier '%c'", bad);
		}
		}
	}
	*last = '\0';
	if (relative && c->r->n_elems == 0) {
		free(s);
		return ids_perr_set(c->e, "pcre /R needs a content or pcre before it");
	}
	int err;
	PCRE2_SIZE erroff;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)(s + 1), PCRE2_ZERO_TERMINATED, opts,
				       &err, &erroff, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[120];
		pcre2_get_error_message(err, msg, sizeof(msg));
		ids_perr_set(c->e, "pcre: %s at offset %zu", (char *)msg, (size_t)erroff);
		free(s);
		return -1;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* faster when available */
	struct ids_elem *el = new_elem(c);
	if (el == NULL) {
		pcre2_code_free(re);
		free(s);
		return -1;
	}
	el->kind = IDS_ELEM_PCRE;
	el->relative = relative;
	el->re = re;
	el->re_opts = opts;
	el->re_src = strdup(s + 1);
	free(s);
	return el->re_src ? 0 : ids_perr_set(c->e, "out of memory");
}

/* The content a modifier applies to: the last element, which must be one. */
static struct ids_elem *
modifier_target(struct opt_ctx *c, const char *kw)
{
	if (c->r->n_elems == 0 || c->r->elems[c->r->n_elems - 1].kind != IDS_ELEM_CONTENT) {
		ids_perr_set(c->e, "'%s' without a preceding content", kw);
		return NULL;
	}
	return &c->r->elems[c->r->n_elems - 1];
}

static int
opt_modifier(struct opt_ctx *c, const char *kw, const char *v)
{
	struct ids_elem *el = modifier_target(c, kw);
	long x;

	if (el == NULL)
		return -1;
	if (strcmp(kw, "nocase") == 0) {
		if (v != NULL)
			return ids_perr_set(c->e, "nocase takes no value");
		if (el->nocase)
			return ids_perr_set(c->e, "duplicate nocase");
		el->nocase = true;
		return 0;
	}
	if (strcmp(kw, "fast_pattern") == 0) {
		el->fast_pattern = true; /* a hint only: every content is prefiltered */
		return 0;
	}
	bool is_rel = strcmp(kw, "distance") == 0 || strcmp(kw, "within") == 0;
	if (v == NULL || parse_int(v, is_rel && kw[0] == 'd' ? -65535 : 0, 65535, &x) < 0)
		return ids_perr_set(c->e, "%s needs a number", kw);

	bool *has;
	int32_t *field;
	if (strcmp(kw, "offset") == 0) {
		has = &el->has_offset;
		field = &el->offset;
	} else if (strcmp(kw, "depth") == 0) {
		has = &el->has_depth;
		field = &el->depth;
		if (x < (long)el->len)
			return ids_perr_set(c->e, "depth %ld is shorter than the content (%u)", x,
					    el->len);
	} else if (strcmp(kw, "distance") == 0) {
		has = &el->has_distance;
		field = &el->distance;
	} else {
		has = &el->has_within;
		field = &el->within;
		if (x < (long)el->len)
			return ids_perr_set(c->e, "within %ld is shorter than the content (%u)", x,
					    el->len);
	}
	if (*has)
		return ids_perr_set(c->e, "duplicate %s", kw);
	*has = true;
	*field = (int32_t)x;
	if ((el->has_offset || el->has_depth) && (el->has_distance || el->has_within))
		return ids_perr_set(c->e, "offset/depth cannot be mixed with distance/within");
	if (is_rel) {
		if (c->r->n_elems < 2)
			return ids_perr_set(c->e, "%s needs a content or pcre before its content", kw);
		el->relative = true;
	}
	return 0;
}

static int
opt_flow(struct opt_ctx *c, const char *v)
{
	char buf[128];
	uint8_t f = 0;

	if (v == NULL || strlen(v) >= sizeof(buf))
		return ids_perr_set(c->e, "flow needs a value");
	if (c->seen_flow)
		return ids_perr_set(c->e, "duplicate flow");
	c->seen_flow = true;
	strcpy(buf, v);
	for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		char *end = tok + strlen(tok);
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (strcmp(tok, "to_server") == 0 || strcmp(tok, "from_client") == 0)
			f |= IDS_FLOW_TO_SERVER;
		else if (strcmp(tok, "to_client") == 0 || strcmp(tok, "from_server") == 0)
			f |= IDS_FLOW_TO_CLIENT;
		else if (strcmp(tok, "established") == 0)
			f |= IDS_FLOW_ESTABLISHED;
		else if (strcmp(tok, "stateless") == 0)
			f |= IDS_FLOW_STATELESS;
		else
			return ids_perr_set(c->e, "unsupported flow option '%s'", tok);
	}
	if ((f & IDS_FLOW_TO_SERVER) && (f & IDS_FLOW_TO_CLIENT))
		return ids_perr_set(c->e, "flow cannot be both to_server and to_client");
	if ((f & IDS_FLOW_STATELESS) && (f & IDS_FLOW_ESTABLISHED))
		return ids_perr_set(c->e, "flow cannot be both stateless and established");
	c->r->flow = f;
	return 0;
}

static int
opt_number(struct opt_ctx *c, const char *kw, const char *v, bool *seen, long min, long max,
	   long *out)
{
	if (*seen)
		return ids_perr_set(c->e, "duplicate %s", kw);
	*seen = true;
	if (v == NULL || parse_int(v, min, max, out) < 0)
		return ids_perr_set(c->e, "%s needs a number in %ld..%ld", kw, min, max);
	return 0;
}

/* Alert lines are JSON: text that goes into them must be UTF-8. */
static bool
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n; /* continuation bytes */
		if (*p < 0x80)
			n = 0;
		else if ((*p >> 5) == 6)
			n = 1;
		else if ((*p >> 4) == 14)
			n = 2;
		else if ((*p >> 3) == 30)
			n = 3;
		else
			return false;
		if ((n == 1 && *p < 0xc2) || (n == 3 && *p > 0xf4))
			return false;
		uint32_t cp = n == 0 ? *p : *p & (0x3f >> n);
		for (int i = 1; i <= n; i++) {
			if ((p[i] >> 6) != 2)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		p += n + 1;
	}
	return true;
}

static int
apply_option(struct opt_ctx *c, const char *kw, const char *v)
{
	long x;

	if (strcmp(kw, "msg") == 0) {
		if (c->seen_msg)
			return ids_perr_set(c->e, "duplicate msg");
		c->seen_msg = true;
		if (v == NULL)
			return ids_perr_set(c->e, "msg needs a value");
		if (unquote(v, &c->r->msg, false, c->e) < 0)
			return -1;
		return valid_utf8(c->r->msg) ? 0 : ids_perr_set(c->e, "msg is not valid UTF-8");
	}
	if (strcmp(kw, "content") == 0)
		return v ? opt_content(c, v) : ids_perr_set(c->e, "content needs a value");
	if (strcmp(kw, "pcre") == 0)
		return v ? opt_pcre(c, v) : ids_perr_set(c->e, "pcre needs a value");
	if (strcmp(kw, "nocase") == 0 || strcmp(kw, "offset") == 0 || strcmp(kw, "depth") == 0 ||
	    strcmp(kw, "distance") == 0 || strcmp(kw, "within") == 0 ||
	    strcmp(kw, "fast_pattern") == 0)
		return opt_modifier(c, kw, v);
	if (strcmp(kw, "flow") == 0)
		return opt_flow(c, v);
	if (strcmp(kw, "sid") == 0) {
		if (opt_number(c, kw, v, &c->seen_sid, 1, UINT32_MAX, &x) < 0)
			return -1;
		c->r->sid = (uint32_t)x;
		return 0;
	}
	if (strcmp(kw, "rev") == 0) {
		if (opt_number(c, kw, v, &c->seen_rev, 0, UINT32_MAX, &x) < 0)
			return -1;
		c->r->rev = (uint32_t)x;
		return 0;
	}
	if (strcmp(kw, "priority") == 0) {
		if (opt_number(c, kw, v, &c->seen_prio, 1, 255, &x) < 0)
			return -1;
		c->r->severity = (int)x;
		return 0;
	}
	if (strcmp(kw, "classtype") == 0) {
		const char *cat;
		int prio;
		if (c->seen_class)
			return ids_perr_set(c->e, "duplicate classtype");
		c->seen_class = true;
		if (v == NULL)
			return ids_perr_set(c->e, "classtype needs a value");
		while (isspace((unsigned char)*v))
			v++;
		if (ids_classtype_lookup(v, &cat, &prio) < 0)
			return ids_perr_set(c->e, "unknown classtype '%s'", v);
		c->r->classtype = strdup(v);
		c->r->category = cat;
		if (!c->seen_prio)
			c->r->severity = prio;
		return c->r->classtype ? 0 : ids_perr_set(c->e, "out of memory");
	}
	if (strcmp(kw, "reference") == 0 || strcmp(kw, "metadata") == 0)
		return 0; /* informational: never changes what matches */
	return ids_perr_set(c->e, "unsupported keyword '%s'", kw);
}

/* Cut the next `key[:value];` off *pp. Value quotes may hide ';'. */
static int
next_option(const char **pp, char *kw, size_t kwsz, char **val, struct ids_perr *e)
{
	const char *p = *pp;
	size_t n = 0;

	while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.' || p[n] == '-')
		n++;
	if (n == 0)
		return ids_perr_set(e, "expected an option keyword at '%.20s'", p);
	if (n >= kwsz)
		return ids_perr_set(e, "keyword too long");
	memcpy(kw, p, n);
	kw[n] = '\0';
	p += n;
	while (isspace((unsigned char)*p))
		p++;
	*val = NULL;
	if (*p == ';') {
		*pp = p + 1;
		return 0;
	}
	if (*p != ':')
		return ids_perr_set(e, "expected ':' or ';' after '%s'", kw);
	p++;
	const char *start = p;
	bool quoted = false;
	for (; *p; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ';' && !quoted)
			break;
	}
	if (*p != ';')
		return ids_perr_set(e, "option '%s' is not terminated by ';'", kw);
	*val = strndup(start, (size_t)(p - start));
	if (*val == NULL)
		return ids_perr_set(e, "out of memory");
	*pp = p + 1;
	return 0;
}

int
ids_options_parse(struct ids_rule *r, const char *text, struct ids_perr *e)
{
	struct opt_ctx c = { .r = r, .e = e };
	const char *p = text;

	r->severity = 3;
	r->category = "";
	for (;;) {
		char kw[32], *val;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (next_option(&p, kw, sizeof(kw), &val, e) < 0)
			return -1;
		int rc = apply_option(&c, kw, val);
		free(val);
		if (rc < 0)
			return -1;
	}
	if (!c.seen_sid)
		return ids_perr_set(e, "rule has no sid");
	if (!c.seen_rev)
		r->rev = 0;
	return 0;
}

void
ids_rule_free_options(struct ids_rule *r)
{
	for (uint32_t i = 0; i < r->n_elems; i++) {
		free(r->elems[i].bytes);
		free(r->elems[i].re_src);
		if (r->elems[i].re)
			pcre2_code_free(r->elems[i].re);
	}
	free(r->elems);
	r->elems = NULL;
	r->n_elems = 0;
	free(r->msg);
	free(r->classtype);
	r->msg = NULL;
	r->classtype = NULL;
}
