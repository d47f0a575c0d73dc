/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address and port expressions: random expression trees (lists, negation,
 * CIDRs, ranges, any) printed as rule text, parsed, and checked against a
 * direct evaluation of the tree for many addresses and ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ids_rules.h"

enum node_kind { N_ANY, N_ATOM, N_NOT, N_LIST };

struct node {
	enum node_kind kind;
	uint32_t lo, hi;           /* N_ATOM */
	struct node *kids[4];
	int n_kids;
};

static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static struct node *
gen(bool is_port, int depth, bool allow_not)
{
	struct node *n = calloc(1, sizeof(*n));
	uint32_t pick = rnd(depth > 2 ? 6 : 10);

	if (pick == 0) {
		n->kind = N_ANY;
	} else if (pick < 6) {
		n->kind = N_ATOM;
		if (is_port) {
			uint32_t a = rnd(64), b = a + rnd(16);
			switch (rnd(4)) {
			case 0: n->lo = n->hi = a; break;
			case 1: n->lo = a; n->hi = b; break;
			case 2: n->lo = 0; n->hi = b; break;
			default: n->lo = a; n->hi = 65535; break;
			}
		} else {
			uint32_t plen = 24 + rnd(9);
			if (rnd(10) == 0)
				plen = rnd(3); /* a huge block now and then */
			uint32_t mask = plen ? ~0u << (32 - plen) : 0;
			uint32_t ip = (0x0a000000u | rnd(256)) & mask;
			n->lo = ip;
			n->hi = ip | ~mask;
		}
	} else if (pick < 8 && allow_not) {
		n->kind = N_NOT;
		n->kids[0] = gen(is_port, depth + 1, false);
		n->n_kids = 1;
	} else {
		n->kind = N_LIST;
		n->n_kids = 1 + (int)rnd(4);
		for (int i = 0; i < n->n_kids; i++)
			n->kids[i] = gen(is_port, depth + 1, true);
	}
	return n;
}

static void
print(const struct node *n, bool is_port, char *buf, size_t size)
{
	size_t o = strlen(buf);

	switch (n->kind) {
	case N_ANY:
		snprintf(buf + o, size - o, "any");
		break;
	case N_ATOM:
		if (is_port) {
			if (n->lo == n->hi)
				snprintf(buf + o, size - o, "%u", n->lo);
			else if (n->lo == 0)
				snprintf(buf + o, size - o, ":%u", n->hi);
			else if (n->hi == 65535)
				snprintf(buf + o, size - o, "%u:", n->lo);
			else
				snprintf(buf + o, size - o, "%u:%u", n->lo, n->hi);
		} else {
			uint32_t plen = 32 - (uint32_t)__builtin_popcount(n->hi ^ n->lo);
			snprintf(buf + o, size - o, "%u.%u.%u.%u/%u", n->lo >> 24, (n->lo >> 16) & 255,
				 (n->lo >> 8) & 255, n->lo & 255, plen);
		}
		break;
	case N_NOT:
		snprintf(buf + o, size - o, "!");
		print(n->kids[0], is_port, buf, size);
		break;
	case N_LIST:
		snprintf(buf + o, size - o, "[");
		for (int i = 0; i < n->n_kids; i++) {
			if (i)
				strncat(buf, rnd(2) ? "," : ", ", size - strlen(buf) - 1);
			print(n->kids[i], is_port, buf, size);
		}
		strncat(buf, "]", size - strlen(buf) - 1);
		break;
	}
}

/* The reference: what the expression means, evaluated on the tree. */
static bool
eval(const struct node *n, uint32_t v)
{
	switch (n->kind) {
	case N_ANY:
		return true;
	case N_ATOM:
		return v >= n->lo && v <= n->hi;
	case N_NOT:
		return !eval(n->kids[0], v);
	case N_LIST: {
		bool has_pos = false, in_pos = false, in_neg = false;
		for (int i = 0; i < n->n_kids; i++) {
			const struct node *k = n->kids[i];
			if (k->kind == N_NOT) {
				in_neg |= eval(k->kids[0], v);
			} else {
				has_pos = true;
				in_pos |= eval(k, v);
			}
		}
		return (has_pos ? in_pos : true) && !in_neg;
	}
	}
	return false;
}

static void
free_node(struct node *n)
{
	for (int i = 0; i < n->n_kids; i++)
		free_node(n->kids[i]);
	free(n);
}

static void
check_random(bool is_port)
{
	struct ids_ruleset rs = { 0 };
	int parsed = 0, empty = 0;

	for (int iter = 0; iter < 3000; iter++) {
		struct node *t = gen(is_port, 0, true);
		char text[4096] = "";
		print(t, is_port, text, sizeof(text));
		struct ids_set s;
		struct ids_perr e;
		bool nonempty = false;
		uint32_t probes[600];
		int np = 0;
		for (uint32_t i = 0; i < 256; i++)
			probes[np++] = is_port ? i : 0x0a000000u | i;
		for (int i = 0; i < 300; i++)
			probes[np++] = is_port ? rnd(65536) : (uint32_t)(rng >> 11) ^ rnd(1u << 31);
		probes[np++] = 0;
		probes[np++] = is_port ? 65535 : UINT32_MAX;
		for (int i = 0; i < np; i++)
			nonempty |= eval(t, probes[i]);

		if (ids_set_parse(&rs, text, is_port, &s, &e) < 0) {
			/* Only an expression matching nothing may be refused. */
			if (nonempty)
				fail_msg("'%s' refused: %s", text, e.msg);
			empty++;
		} else {
			parsed++;
			for (int i = 0; i < np; i++) {
				if (ids_set_contains(&s, probes[i]) != eval(t, probes[i]))
					fail_msg("'%s' at %u: set says %d", text, probes[i],
						 ids_set_contains(&s, probes[i]));
			}
			for (uint32_t i = 1; i < s.n; i++) /* sorted, disjoint, merged */
				assert_true((uint64_t)s.r[i - 1].hi + 1 < s.r[i].lo);
			ids_set_free(&s);
		}
		free_node(t);
	}
	assert_true(parsed > 1000); /* the generator exercises the parser */
	assert_true(empty > 0);
}

static void
test_random_addresses(void **state)
{
	check_random(false);
}

static void
test_random_ports(void **state)
{
	check_random(true);
}

static void
test_fixed(void **state)
{
	struct ids_ruleset rs = { 0 };
	struct ids_set s;
	struct ids_perr e;

	assert_int_equal(ids_set_parse(&rs, "any", false, &s, &e), 0);
	assert_int_equal(s.n, 1);
	assert_true(ids_set_contains(&s, 0) && ids_set_contains(&s, UINT32_MAX));
	ids_set_free(&s);

	assert_int_equal(ids_set_parse(&rs, "![1:1023]", true, &s, &e), 0);
	assert_false(ids_set_contains(&s, 1023));
	assert_true(ids_set_contains(&s, 0));
	assert_true(ids_set_contains(&s, 1024));
	ids_set_free(&s);

	assert_int_equal(ids_set_parse(&rs, "[10.0.0.0/8, ![10.1.0.0/16, 10.2.0.0/16]]", false, &s,
				       &e), 0);
	/* A negated list inside a list: its union is excluded. */
	assert_true(ids_set_contains(&s, 0x0a030001));
	assert_false(ids_set_contains(&s, 0x0a010001));
	assert_false(ids_set_contains(&s, 0x0a020001));
	assert_false(ids_set_contains(&s, 0x0b000001));
	ids_set_free(&s);

	assert_int_equal(ids_set_parse(&rs, "0.0.0.0/0", false, &s, &e), 0);
	assert_true(ids_set_contains(&s, 12345));
	ids_set_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_addresses),
		cmocka_unit_test(test_random_ports),
		cmocka_unit_test(test_fixed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
