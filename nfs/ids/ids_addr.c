/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address and port expressions, compiled to sorted disjoint ranges.
 *
 * Grammar:   expr := '!' expr | '[' expr (',' expr)* ']' | 'any' | '$NAME' | atom
 *            atom := a.b.c.d | a.b.c.d/len          (addresses)
 *                    N | N:M | :M | N:               (ports)
 * A list is the union of its positive elements (everything when it has
 * none) minus the union of its negated ones, as Snort and Suricata read
 * [10.0.0.0/8,!10.1.0.0/16]. Working on range sets makes nesting and
 * negation exact, and a packet lookup is one binary search.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ids_rules.h"

#define VAR_DEPTH_MAX 8

bool
ids_set_contains(const struct ids_set *s, uint32_t v)
{
	uint32_t lo = 0, hi = s->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v < s->r[mid].lo)
			hi = mid;
		else if (v > s->r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

void
ids_set_free(struct ids_set *s)
{
	free(s->r);
	s->r = NULL;
	s->n = 0;
}

static int
set_push(struct ids_set *s, uint32_t lo, uint32_t hi)
{
	struct ids_range *r = realloc(s->r, (s->n + 1) * sizeof(*r));

	if (r == NULL)
		return -1;
	s->r = r;
	s->r[s->n].lo = lo;
	s->r[s->n].hi = hi;
	s->n++;
	return 0;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct ids_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : (x->hi > y->hi);
}

/* Sort and merge overlapping or touching ranges. */
static void
set_normalize(struct ids_set *s)
{
	uint32_t out = 0;

	if (s->n == 0)
		return;
	qsort(s->r, s->n, sizeof(*s->r), range_cmp);
	for (uint32_t i = 1; i < s->n; i++) {
		struct ids_range *last = &s->r[out];
		if ((uint64_t)s->r[i].lo <= (uint64_t)last->hi + 1) {
			if (s->r[i].hi > last->hi)
				last->hi = s->r[i].hi;
		} else {
			s->r[++out] = s->r[i];
		}
	}
	s->n = out + 1;
}

static int
set_union_into(struct ids_set *dst, const struct ids_set *src)
{
	for (uint32_t i = 0; i < src->n; i++)
		if (set_push(dst, src->r[i].lo, src->r[i].hi) < 0)
			return -1;
	set_normalize(dst);
	return 0;
}

/* Complement within [0, max]. */
static int
set_complement(const struct ids_set *in, uint32_t max, struct ids_set *out)
{
	uint64_t next = 0;

	out->n = 0;
	out->r = NULL;
	for (uint32_t i = 0; i < in->n; i++) {
		if (in->r[i].lo > next && set_push(out, (uint32_t)next, in->r[i].lo - 1) < 0)
			return -1;
		next = (uint64_t)in->r[i].hi + 1;
	}
	if (next <= max && set_push(out, (uint32_t)next, max) < 0)
		return -1;
	return 0;
}

static int
set_intersect(const struct ids_set *a, const struct ids_set *b, struct ids_set *out)
{
	uint32_t i = 0, j = 0;

	out->n = 0;
	out->r = NULL;
	while (i < a->n && j < b->n) {
		uint32_t lo = a->r[i].lo > b->r[j].lo ? a->r[i].lo : b->r[j].lo;
		uint32_t hi = a->r[i].hi < b->r[j].hi ? a->r[i].hi : b->r[j].hi;
		if (lo <= hi && set_push(out, lo, hi) < 0)
			return -1;
		if (a->r[i].hi < b->r[j].hi)
			i++;
		else
			j++;
	}
	return 0;
}

struct expr_parser {
	const struct ids_ruleset *rs;
	const char *p;
	bool is_port;
	uint32_t max;
	int depth;
	struct ids_perr *e;
};

static int parse_expr(struct expr_parser *ps, struct ids_set *out);

static void
skip_ws(struct expr_parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

/* The characters an atom or a variable name is made of. */
static bool
is_atom_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '/' || c == ':' || c == '_';
}

static int
parse_u32(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_ipv4(const char *s, size_t n, uint32_t *out)
{
	uint32_t ip = 0, part;
	size_t i = 0;

	for (int k = 0; k < 4; k++) {
		size_t start = i;
		while (i < n && s[i] != '.')
			i++;
		if (parse_u32(s + start, i - start, 255, &part) < 0)
			return -1;
		ip = (ip << 8) | part;
		if (k < 3) {
			if (i >= n)
				return -1;
			i++;
		}
	}
	if (i != n)
		return -1;
	*out = ip;
	return 0;
}

static int
parse_addr_atom(struct expr_parser *ps, const char *s, size_t n, struct ids_set *out)
{
	const char *slash = memchr(s, '/', n);
	uint32_t ip, plen = 32;

	if (parse_ipv4(s, slash ? (size_t)(slash - s) : n, &ip) < 0 ||
	    (slash && parse_u32(slash + 1, n - (size_t)(slash - s) - 1, 32, &plen) < 0))
		return ids_perr_set(ps->e, "bad address '%.*s'", (int)n, s);
	uint32_t mask = plen == 0 ? 0 : ~0u << (32 - plen);
	if ((ip & ~mask) != 0)
		return ids_perr_set(ps->e, "address '%.*s' has host bits set", (int)n, s);
	return set_push(out, ip, ip | ~mask);
}

static int
parse_port_atom(struct expr_parser *ps, const char *s, size_t n, struct ids_set *out)
{
	const char *colon = memchr(s, ':', n);
	uint32_t lo = 0, hi = 65535;

	if (colon == NULL) {
		if (parse_u32(s, n, 65535, &lo) < 0)
			return ids_perr_set(ps->e, "bad port '%.*s'", (int)n, s);
		return set_push(out, lo, lo);
	}
	size_t nlo = (size_t)(colon - s), nhi = n - nlo - 1;
	if ((nlo == 0 && nhi == 0) ||
	    (nlo > 0 && parse_u32(s, nlo, 65535, &lo) < 0) ||
	    (nhi > 0 && parse_u32(colon + 1, nhi, 65535, &hi) < 0))
		return ids_perr_set(ps->e, "bad port range '%.*s'", (int)n, s);
	if (lo > hi)
		return ids_perr_set(ps->e, "port range '%.*s' is empty", (int)n, s);
	return set_push(out, lo, hi);
}

static int
parse_variable(struct expr_parser *ps, struct ids_set *out)
{
	const char *start = ++ps->p; /* past '$' */

	while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
		ps->p++;
	size_t n = (size_t)(ps->p - start);
	char name[64];
	if (n == 0 || n >= sizeof(name))
		return ids_perr_set(ps->e, "bad variable name");
	memcpy(name, start, n);
	name[n] = '\0';
	const char *value = ids_var_lookup(ps->rs, name);
	if (value == NULL)
		return ids_perr_set(ps->e, "undefined variable $%s", name);
	if (ps->depth >= VAR_DEPTH_MAX)
		return ids_perr_set(ps->e, "variable $%s nests too deep (a loop?)", name);

	struct expr_parser sub = *ps;
	sub.p = value;
	sub.depth++;
	if (parse_expr(&sub, out) < 0)
		return -1;
	skip_ws(&sub);
	if (*sub.p != '\0')
		return ids_perr_set(ps->e, "variable $%s: unexpected '%c'", name, *sub.p);
	return 0;
}

static int
parse_list(struct expr_parser *ps, struct ids_set *out)
{
	struct ids_set pos = { 0 }, neg = { 0 };
	bool any_pos = false;
	int rc = -1;

	ps->p++; /* '[' */
	for (;;) {
		struct ids_set item = { 0 };
		bool negated = false;

		skip_ws(ps);
		while (*ps->p == '!') {
			negated = !negated;
			ps->p++;
			skip_ws(ps);
		}
		if (parse_expr(ps, &item) < 0) {
			ids_set_free(&item);
			goto out;
		}
		if (!negated)
			any_pos = true;
		if (set_union_into(negated ? &neg : &pos, &item) < 0) {
			ids_set_free(&item);
			goto out;
		}
		ids_set_free(&item);
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		if (*ps->p)
			ids_perr_set(ps->e, "unexpected '%c' in list", *ps->p);
		else
			ids_perr_set(ps->e, "unterminated list");
		goto out;
	}
	if (!any_pos && set_push(&pos, 0, ps->max) < 0)
		goto out;
	struct ids_set not_neg;
	if (set_complement(&neg, ps->max, &not_neg) < 0)
		goto out;
	rc = set_intersect(&pos, &not_neg, out);
	ids_set_free(&not_neg);
out:
	ids_set_free(&pos);
	ids_set_free(&neg);
	return rc;
}

static int
parse_expr(struct expr_parser *ps, struct ids_set *out)
{
	skip_ws(ps);
	if (*ps->p == '!') {
		struct ids_set inner = { 0 };
		ps->p++;
		if (parse_expr(ps, &inner) < 0) {
			ids_set_free(&inner);
			return -1;
		}
		int rc = set_complement(&inner, ps->max, out);
		ids_set_free(&inner);
		return rc;
	}
	if (*ps->p == '[')
		return parse_list(ps, out);
	if (*ps->p == '$')
		return parse_variable(ps, out);

	const char *start = ps->p;
	while (is_atom_char(*ps->p))
		ps->p++;
	size_t n = (size_t)(ps->p - start);
	if (n == 0 && *ps->p)
		return ids_perr_set(ps->e, "unexpected '%c'", *ps->p);
	if (n == 0)
		return ids_perr_set(ps->e, "missing value");
	if (n == 3 && strncmp(start, "any", 3) == 0)
		return set_push(out, 0, ps->max);
	int rc = ps->is_port ? parse_port_atom(ps, start, n, out)
			     : parse_addr_atom(ps, start, n, out);
	if (rc == 0)
		set_normalize(out);
	return rc;
}

int
ids_set_parse(const struct ids_ruleset *rs, const char *expr, bool is_port,
	      struct ids_set *out, struct ids_perr *e)
{
	struct expr_parser ps = {
		.rs = rs, .p = expr, .is_port = is_port,
		.max = is_port ? 65535u : UINT32_MAX, .e = e,
	};

	out->n = 0;
	out->r = NULL;
	if (parse_expr(&ps, out) < 0)
		goto fail;
	skip_ws(&ps);
	if (*ps.p != '\0') {
		ids_perr_set(e, "unexpected '%c' in %s '%s'", *ps.p,
			     is_port ? "port" : "address", expr);
		goto fail;
	}
	set_normalize(out);
	if (out->n == 0) {
		ids_perr_set(e, "%s '%s' matches nothing", is_port ? "port" : "address", expr);
		goto fail;
	}
	return 0;
fail:
	ids_set_free(out);
	return -1;
}
