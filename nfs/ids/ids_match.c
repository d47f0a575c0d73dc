/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Hyperscan side of the matcher: one database for all rules, a scan
 * that marks which patterns of which rules occur, and the candidate loop.
 *
 * Identical patterns (same bytes, same case flag) are compiled once and
 * point at every (rule, element bit) that uses them, so a thousand rules
 * sharing "GET " cost one pattern.
 *
 * A TCP segment comes with a window of bytes already inspected. A match
 * must end in the new bytes, so when every rule is made of contents only,
 * some content of a matching rule ends after new_start and lies within the
 * last (longest content - 1) old bytes plus the new ones: that suffix is all
 * the scan needs. Only when a rule is partly seen there (its other contents
 * may sit further back) is the whole window scanned again.
 */
#include <stdlib.h>
#include <string.h>

#include <hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "ids_match.h"

struct pat_user {
	uint32_t rule;
	uint64_t bit;
};

struct ids_matcher {
	const struct ids_ruleset *rs;
	hs_database_t *db;            /* NULL when no rule has a pattern */
	uint32_t n_patterns;
	uint32_t *pat_first;          /* pattern id -> users[pat_first[id]..pat_first[id+1]) */
	struct pat_user *users;
	uint64_t *need;               /* per rule: bits of its prefiltered elements */
	uint32_t *always;             /* rules confirmed on every packet */
	uint32_t n_always;
	bool suffix_scan;             /* every rule is contents only (see above) */
	uint32_t max_content;         /* longest content */
};

struct ids_scratch {
	const struct ids_matcher *m;
	hs_scratch_t *hs;
	pcre2_match_data *md;
	uint32_t gen;
	uint32_t *rule_gen;   /* rule_seen[r] is valid when rule_gen[r] == gen */
	uint64_t *rule_seen;
	uint32_t *touched;
	uint32_t n_touched;
	uint64_t budget_exceeded;
};

/* A pattern before deduplication. */
struct pat_entry {
	char *expr;
	unsigned flags;
	struct pat_user user;
};

static int
pat_cmp(const void *a, const void *b)
{
	const struct pat_entry *x = a, *y = b;

	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	int c = strcmp(x->expr, y->expr);
	if (c != 0)
		return c;
	return x->user.rule < y->user.rule ? -1 : (x->user.rule > y->user.rule);
}

/* Literal bytes as a Hyperscan expression: every byte as \xHH. */
static char *
content_expr(const struct ids_elem *el)
{
	char *s = malloc((size_t)el->len * 4 + 1);

	if (s == NULL)
		return NULL;
	for (uint32_t i = 0; i < el->len; i++)
		sprintf(s + 4 * i, "\\x%02x", el->bytes[i]);
	return s;
}

/* A pcre as a Hyperscan prefilter, or NULL when Hyperscan refuses it. */
static char *
pcre_expr(const struct ids_elem *el, unsigned *flags)
{
	hs_database_t *db = NULL;
	hs_compile_error_t *err = NULL;
	char *s = malloc(strlen(el->re_src) + 8);

	if (s == NULL)
		return NULL;
	sprintf(s, "%s%s", (el->re_opts & PCRE2_EXTENDED) ? "(?x)" : "", el->re_src);
	*flags = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH;
	if (el->re_opts & PCRE2_CASELESS)
		*flags |= HS_FLAG_CASELESS;
	if (el->re_opts & PCRE2_DOTALL)
		*flags |= HS_FLAG_DOTALL;
	if (el->re_opts & PCRE2_MULTILINE)
		*flags |= HS_FLAG_MULTILINE;
	if (hs_compile(s, *flags, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
		hs_free_compile_error(err);
		free(s);
		return NULL;
	}
	hs_free_database(db);
	return s;
}

static int
collect_patterns(struct ids_matcher *m, struct pat_entry **out, uint32_t *n_out)
{
	const struct ids_ruleset *rs = m->rs;
	struct pat_entry *v = NULL;
	uint32_t n = 0, cap = 0;

	for (uint32_t r = 0; r < rs->n_rules; r++) {
		const struct ids_rule *rule = &rs->rules[r];
		for (uint32_t i = 0; i < rule->n_elems; i++) {
			const struct ids_elem *el = &rule->elems[i];
			unsigned flags = HS_FLAG_SINGLEMATCH;
			char *expr;
			if (el->kind == IDS_ELEM_CONTENT) {
				expr = content_expr(el);
				if (el->nocase)
					flags |= HS_FLAG_CASELESS;
				if (expr == NULL)
					goto fail;
			} else if (el->relative) {
				/* Its anchors mean "where the previous element ended":
				 * only libpcre2 can tell, and the element before it is
				 * prefiltered already. */
				continue;
			} else {
				expr = pcre_expr(el, &flags);
				if (expr == NULL)
					continue; /* confirmed by libpcre2 alone */
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				struct pat_entry *nv = realloc(v, cap * sizeof(*nv));
				if (nv == NULL) {
					free(expr);
					goto fail;
				}
				v = nv;
			}
			v[n++] = (struct pat_entry){ expr, flags, { r, 1ull << i } };
			m->need[r] |= 1ull << i;
		}
	}
	*out = v;
	*n_out = n;
	return 0;
fail:
	for (uint32_t i = 0; i < n; i++)
		free(v[i].expr);
	free(v);
	return -1;
}

static int
compile_db(struct ids_matcher *m, struct pat_entry *v, uint32_t n, FILE *err)
{
	const char **exprs = calloc(n, sizeof(*exprs));
	unsigned *flags = calloc(n, sizeof(*flags)), *ids = calloc(n, sizeof(*ids));
	int rc = -1;

	m->pat_first = calloc((size_t)n + 1, sizeof(*m->pat_first));
	m->users = calloc(n ? n : 1, sizeof(*m->users));
	if (!exprs || !flags || !ids || !m->pat_first || !m->users)
		goto out;
	if (n > 0)
		qsort(v, n, sizeof(*v), pat_cmp);
	uint32_t np = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (i == 0 || v[i].flags != v[i - 1].flags || strcmp(v[i].expr, v[i - 1].expr)) {
			exprs[np] = v[i].expr;
			flags[np] = v[i].flags;
			ids[np] = np;
			m->pat_first[np] = i;
			np++;
		}
		m->users[i] = v[i].user;
	}
	m->pat_first[np] = n;
	m->n_patterns = np;
	if (np == 0) {
		rc = 0;
		goto out;
	}
	hs_compile_error_t *cerr = NULL;
	if (hs_compile_multi(exprs, flags, ids, np, HS_MODE_BLOCK, NULL, &m->db, &cerr) !=
	    HS_SUCCESS) {
		fprintf(err, "ids: hyperscan: %s (pattern %d)\n", cerr->message, cerr->expression);
		hs_free_compile_error(cerr);
		goto out;
	}
	rc = 0;
out:
	free(exprs);
	free(flags);
	free(ids);
	return rc;
}

struct ids_matcher *
ids_matcher_build(const struct ids_ruleset *rs, FILE *err)
{
	struct ids_matcher *m = calloc(1, sizeof(*m));
	struct pat_entry *v = NULL;
	uint32_t n = 0;

	if (err == NULL)
		err = stderr;
	if (m == NULL)
		return NULL;
	m->rs = rs;
	m->need = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(*m->need));
	m->always = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(*m->always));
	if (m->need == NULL || m->always == NULL || collect_patterns(m, &v, &n) < 0)
		goto fail;
	int rc = compile_db(m, v, n, err);
	for (uint32_t i = 0; i < n; i++)
		free(v[i].expr);
	free(v);
	if (rc < 0)
		goto fail;
	m->suffix_scan = true;
	for (uint32_t r = 0; r < rs->n_rules; r++) {
		if (m->need[r] == 0)
			m->always[m->n_always++] = r;
		for (uint32_t i = 0; i < rs->rules[r].n_elems; i++) {
			const struct ids_elem *el = &rs->rules[r].elems[i];
			if (el->kind != IDS_ELEM_CONTENT)
				m->suffix_scan = false;
			else if (el->len > m->max_content)
				m->max_content = el->len;
		}
	}
	return m;
fail:
	ids_matcher_free(m);
	return NULL;
}

void
ids_matcher_free(struct ids_matcher *m)
{
	if (m == NULL)
		return;
	hs_free_database(m->db);
	free(m->pat_first);
	free(m->users);
	free(m->need);
	free(m->always);
	free(m);
}

uint32_t
ids_matcher_always_count(const struct ids_matcher *m)
{
	return m->n_always;
}

uint32_t
ids_matcher_pattern_count(const struct ids_matcher *m)
{
	return m->n_patterns;
}

struct ids_scratch *
ids_scratch_new(const struct ids_matcher *m)
{
	struct ids_scratch *s = calloc(1, sizeof(*s));
	uint32_t nr = m->rs->n_rules ? m->rs->n_rules : 1;

	if (s == NULL)
		return NULL;
	s->m = m;
	s->rule_gen = calloc(nr, sizeof(*s->rule_gen));
	s->rule_seen = calloc(nr, sizeof(*s->rule_seen));
	s->touched = calloc(nr, sizeof(*s->touched));
	s->md = pcre2_match_data_create(32, NULL);
	if (!s->rule_gen || !s->rule_seen || !s->touched || !s->md ||
	    (m->db && hs_alloc_scratch(m->db, &s->hs) != HS_SUCCESS)) {
		ids_scratch_free(s);
		return NULL;
	}
	return s;
}

void
ids_scratch_free(struct ids_scratch *s)
{
	if (s == NULL)
		return;
	hs_free_scratch(s->hs);
	pcre2_match_data_free(s->md);
	free(s->rule_gen);
	free(s->rule_seen);
	free(s->touched);
	free(s);
}

uint64_t
ids_scratch_budget_exceeded(const struct ids_scratch *s)
{
	return s->budget_exceeded;
}

static int
on_pattern(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
	   void *ctx)
{
	struct ids_scratch *s = ctx;
	const struct ids_matcher *m = s->m;

	for (uint32_t i = m->pat_first[id]; i < m->pat_first[id + 1]; i++) {
		uint32_t r = m->users[i].rule;
		if (s->rule_gen[r] != s->gen) {
			s->rule_gen[r] = s->gen;
			s->rule_seen[r] = 0;
			s->touched[s->n_touched++] = r;
		}
		s->rule_seen[r] |= m->users[i].bit;
	}
	return 0;
}

static bool
confirm(const struct ids_matcher *m, struct ids_scratch *s, uint32_t r, const struct ids_pkt *p)
{
	const struct ids_rule *rule = &m->rs->rules[r];
	uint32_t budget = IDS_CONFIRM_BUDGET;

	if (!ids_rule_header_match(rule, p))
		return false;
	if (ids_rule_payload_match(rule, p, s->md, &budget))
		return true;
	if (budget == 0)
		s->budget_exceeded++;
	return false;
}

static void
insert_sorted(uint32_t *out, uint32_t *n, uint32_t max, uint32_t r)
{
	uint32_t i = *n;

	if (*n == max) {
		if (max == 0 || out[max - 1] < r)
			return; /* keep the first `max` rules in rule order */
		i = max - 1;
	} else {
		(*n)++;
	}
	while (i > 0 && out[i - 1] > r) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = r;
}

/* Mark the patterns found in data[from..len) (a fresh generation). */
static void
scan(const struct ids_matcher *m, struct ids_scratch *s, const struct ids_pkt *p, uint32_t from)
{
	s->gen++;
	if (s->gen == 0) { /* wrapped: forget every stale stamp */
		memset(s->rule_gen, 0, m->rs->n_rules * sizeof(*s->rule_gen));
		s->gen = 1;
	}
	s->n_touched = 0;
	hs_scan(m->db, (const char *)p->data + from, p->len - from, 0, s->hs, on_pattern, s);
}

uint32_t
ids_match(const struct ids_matcher *m, struct ids_scratch *s, const struct ids_pkt *p,
	  uint32_t *out, uint32_t max)
{
	uint32_t n = 0;

	s->n_touched = 0;
	if (m->db != NULL && p->len > p->new_start) {
		uint32_t from = 0;
		if (m->suffix_scan && p->new_start + 1 > m->max_content)
			from = p->new_start + 1 - m->max_content;
		scan(m, s, p, from);
		for (uint32_t i = 0; from > 0 && i < s->n_touched; i++) {
			uint32_t r = s->touched[i];
			if ((s->rule_seen[r] & m->need[r]) != m->need[r]) {
				scan(m, s, p, 0); /* the rest of it may be further back */
				break;
			}
		}
	}
	for (uint32_t i = 0; i < s->n_touched; i++) {
		uint32_t r = s->touched[i];
		if ((s->rule_seen[r] & m->need[r]) == m->need[r] && confirm(m, s, r, p))
			insert_sorted(out, &n, max, r);
	}
	for (uint32_t i = 0; i < m->n_always; i++) {
		uint32_t r = m->always[i];
		if (confirm(m, s, r, p))
			insert_sorted(out, &n, max, r);
	}
	return n;
}
