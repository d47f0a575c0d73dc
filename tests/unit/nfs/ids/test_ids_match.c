/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The matcher (Hyperscan prefilter + exact confirm) against a reference that
 * tries every combination of positions found with memmem: random rules with
 * several contents and every modifier, over random payloads from a small
 * alphabet (so that patterns occur, overlap and repeat).
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ids_match.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const char alphabet[] = "abAB|";

/* ---- the reference ---- */

static bool
bytes_eq(const uint8_t *a, const uint8_t *b, uint32_t n, bool nocase)
{
	for (uint32_t i = 0; i < n; i++)
		if (nocase ? tolower(a[i]) != tolower(b[i]) : a[i] != b[i])
			return false;
	return true;
}

/*
 * Every start position of the element, found by memmem on a lowered copy
 * when nocase; then every constraint checked literally as the rule reads.
 */
static bool
ref_from(const struct ids_rule *r, uint32_t i, const uint8_t *d, uint32_t len, int64_t prev_end,
	 uint32_t new_start, int64_t stream_off, bool has_new)
{
	if (i == r->n_elems)
		return has_new;
	const struct ids_elem *el = &r->elems[i];
	uint8_t low[256], pat[64];
	for (uint32_t k = 0; k < len; k++)
		low[k] = el->nocase ? (uint8_t)tolower(d[k]) : d[k];
	for (uint32_t k = 0; k < el->len; k++)
		pat[k] = el->nocase ? (uint8_t)tolower(el->bytes[k]) : el->bytes[k];
	const uint8_t *from = low;
	for (;;) {
		const uint8_t *hit = memmem(from, len - (uint32_t)(from - low), pat, el->len);
		if (hit == NULL)
			return false;
		int64_t pos = hit - low, end = pos + el->len;
		from = hit + 1;
		assert_true(bytes_eq(d + pos, el->bytes, el->len, el->nocase));
		if (el->relative) {
			if (pos < prev_end + el->distance)
				continue;
			if (el->has_within && end > prev_end + el->distance + el->within)
				continue;
		} else {
			/* offset/depth count from the stream's first byte */
			if (el->has_offset && stream_off + pos < el->offset)
				continue;
			if (el->has_depth &&
			    stream_off + end > (el->has_offset ? el->offset : 0) + el->depth)
				continue;
		}
		if (ref_from(r, i + 1, d, len, end, new_start, stream_off, has_new || end > new_start))
			return true;
		if (from >= low + len)
			return false;
	}
}

/* ---- random rules ---- */

static void
rand_content(char *out, uint32_t *len)
{
	uint32_t n = 1 + rnd(3);

	for (uint32_t i = 0; i < n; i++)
		out[i] = alphabet[rnd(4)]; /* no '|' inside a quoted content */
	out[n] = '\0';
	*len = n;
}

static size_t
rand_rule(char *buf, size_t size, uint32_t sid)
{
	size_t o = (size_t)snprintf(buf, size, "alert tcp any any -> any any (");
	uint32_t n = 1 + rnd(3);

	for (uint32_t i = 0; i < n; i++) {
		char c[8];
		uint32_t len;
		rand_content(c, &len);
		if (rnd(4) == 0)
			o += (size_t)snprintf(buf + o, size - o, "content:\"|%02x|%s\"; ", '|', c), len++;
		else
			o += (size_t)snprintf(buf + o, size - o, "content:\"%s\"; ", c);
		if (rnd(3) == 0)
			o += (size_t)snprintf(buf + o, size - o, "nocase; ");
		bool rel = i > 0 && rnd(2);
		if (rel) {
			if (rnd(2))
				o += (size_t)snprintf(buf + o, size - o, "distance:%d; ",
						      (int)rnd(8) - 3);
			if (rnd(2))
				o += (size_t)snprintf(buf + o, size - o, "within:%u; ", len + rnd(6));
		} else {
			if (rnd(2))
				o += (size_t)snprintf(buf + o, size - o, "offset:%u; ", rnd(10));
			if (rnd(2))
				o += (size_t)snprintf(buf + o, size - o, "depth:%u; ", len + rnd(12));
		}
	}
	o += (size_t)snprintf(buf + o, size - o, "sid:%u;)\n", sid);
	return o;
}

static void
random_contents(bool stream)
{
	const uint32_t n_rules = 60, rounds = 25, payloads = 300;
	uint64_t matched = 0, total = 0;

	for (uint32_t round = 0; round < rounds; round++) {
		char *text = malloc(n_rules * 512);
		size_t o = 0;
		text[0] = '\0';
		for (uint32_t s = 1; s <= n_rules; s++)
			o += rand_rule(text + o, n_rules * 512 - o, s);
		struct ids_load_opts lo = { .strict = true };
		struct ids_ruleset *rs = ids_rules_load_str("rand", text, &lo);
		if (rs == NULL)
			fail_msg("rules refused:\n%s", text);
		struct ids_matcher *m = ids_matcher_build(rs, NULL);
		struct ids_scratch *sc = ids_scratch_new(m);
		assert_non_null(sc);

		for (uint32_t k = 0; k < payloads; k++) {
			uint8_t d[64];
			uint32_t len = rnd(sizeof(d) + 1);
			for (uint32_t i = 0; i < len; i++)
				d[i] = (uint8_t)alphabet[rnd(5)];
			struct ids_pkt p = { .proto = 6, .data = d, .len = len };
			if (stream && len > 0) { /* a window of older bytes, later in the stream */
				p.new_start = rnd(len);
				p.stream_off = rnd(8);
			}
			uint32_t out[128], n = ids_match(m, sc, &p, out, 128);
			uint32_t j = 0;
			for (uint32_t r = 0; r < rs->n_rules; r++) {
				bool want = len > 0 && ref_from(&rs->rules[r], 0, d, len, 0, p.new_start,
								(int64_t)p.stream_off, false);
				bool got = j < n && out[j] == r;
				if (got)
					j++;
				if (want != got)
					fail_msg("sid %u on '%.*s': matcher %d, reference %d",
						 rs->rules[r].sid, (int)len, d, got, want);
				matched += want;
				total++;
			}
			assert_int_equal(j, n); /* nothing else, in rule order */
		}
		ids_scratch_free(sc);
		ids_matcher_free(m);
		ids_rules_free(rs);
		free(text);
	}
	/* Both outcomes are well represented. */
	assert_true(matched > total / 50);
	assert_true(matched < total - total / 20);
}

static void
test_random_contents(void **state)
{
	random_contents(false);
}

/* The same with part of the buffer already inspected (a TCP stream window). */
static void
test_random_contents_stream(void **state)
{
	random_contents(true);
}

static uint32_t
match_one(const char *rules, const struct ids_pkt *p, uint32_t *out)
{
	struct ids_load_opts lo = { .strict = true };
	struct ids_ruleset *rs = ids_rules_load_str("t", rules, &lo);
	assert_non_null(rs);
	struct ids_matcher *m = ids_matcher_build(rs, NULL);
	struct ids_scratch *sc = ids_scratch_new(m);
	uint32_t n = ids_match(m, sc, p, out, 16);
	for (uint32_t i = 0; i < n; i++)
		out[i] = rs->rules[out[i]].sid;
	ids_scratch_free(sc);
	ids_matcher_free(m);
	ids_rules_free(rs);
	return n;
}

static void
test_pcre(void **state)
{
	const char *rules =
		"alert tcp any any -> any any (pcre:\"/user=[a-z]+;/\"; sid:1;)\n"
		"alert tcp any any -> any any (pcre:\"/USER=/i\"; sid:2;)\n"
		"alert tcp any any -> any any (content:\"pass=\"; pcre:\"/^[0-9]{4}$/mR\"; sid:3;)\n"
		"alert tcp any any -> any any (content:\"pass=\"; pcre:\"/^x/R\"; sid:4;)\n"
		/* a back-reference: Hyperscan only approximates it, libpcre2 decides */
		"alert tcp any any -> any any (pcre:\"/(ab)\\1/\"; sid:5;)\n"
		"alert tcp any any -> any any (pcre:\"/a.b/s\"; sid:6;)\n"
		"alert tcp any any -> any any (pcre:\"/(ba)\\1\\1/\"; sid:7;)\n"
		/* matches the empty string: Hyperscan refuses it as a prefilter */
		"alert tcp any any -> any any (pcre:\"/z*$/\"; sid:8;)\n";
	const char *d = "GET /?user=alice; pass=1234\na\nbabab";
	struct ids_pkt p = { .proto = 6, .data = (const uint8_t *)d, .len = (uint32_t)strlen(d) };
	uint32_t out[16];

	uint32_t n = match_one(rules, &p, out);
	assert_int_equal(n, 6);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], 3);
	assert_int_equal(out[3], 5);
	assert_int_equal(out[4], 6);
	assert_int_equal(out[5], 8);
}

static void
test_headers(void **state)
{
	const char *rules =
		"alert tcp 10.0.0.0/8 any -> 192.168.1.1 80 (content:\"x\"; sid:1;)\n"
		"alert tcp 192.168.1.1 80 <> 10.0.0.0/8 any (content:\"x\"; sid:2;)\n"
		"alert udp any any -> any any (content:\"x\"; sid:3;)\n"
		"alert ip any any -> any any (content:\"x\"; sid:4;)\n"
		"alert tcp any any -> any any (flow:to_client; content:\"x\"; sid:5;)\n"
		"alert tcp any any -> any any (flow:to_server,established; content:\"x\"; sid:6;)\n"
		"alert tcp any ![80,443] -> any any (sid:7;)\n";
	struct ids_pkt p = {
		.proto = 6, .flow = IDS_FLOW_TO_SERVER, .src_ip = 0x0a000001, .dst_ip = 0xc0a80101,
		.src_port = 1234, .dst_port = 80, .data = (const uint8_t *)"x", .len = 1,
	};
	uint32_t out[16];

	assert_int_equal(match_one(rules, &p, out), 4);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 2); /* <> matched the reverse way */
	assert_int_equal(out[2], 4);
	assert_int_equal(out[3], 7); /* header-only rule */

	p.flow = IDS_FLOW_TO_SERVER | IDS_FLOW_ESTABLISHED;
	p.src_port = 443;
	assert_int_equal(match_one(rules, &p, out), 4);
	assert_int_equal(out[3], 6);

	/* The reply direction. */
	struct ids_pkt q = p;
	q.flow = IDS_FLOW_TO_CLIENT | IDS_FLOW_ESTABLISHED;
	q.src_ip = p.dst_ip, q.dst_ip = p.src_ip, q.src_port = 80, q.dst_port = 1234;
	assert_int_equal(match_one(rules, &q, out), 3);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 4);
	assert_int_equal(out[2], 5);

	q.proto = 17;
	assert_int_equal(match_one(rules, &q, out), 2);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 4);
}

/* Old bytes (before new_start) cannot make an alert on their own. */
static void
test_new_bytes_only(void **state)
{
	const char *rules = "alert tcp any any -> any any (content:\"AB\"; sid:1;)\n"
			    "alert tcp any any -> any any (content:\"CD\"; offset:4; depth:2; sid:2;)\n";
	const char *d = "xxABxxCD";
	struct ids_pkt p = { .proto = 6, .data = (const uint8_t *)d, .len = 8 };
	uint32_t out[16];

	p.new_start = 4; /* AB was in the previous packet */
	assert_int_equal(match_one(rules, &p, out), 0); /* CD at stream 6: outside depth */
	p.new_start = 3; /* the B is new */
	assert_int_equal(match_one(rules, &p, out), 1);
	p.new_start = 4;
	p.stream_off = 0;
	d = "xxABCDxx";
	p.data = (const uint8_t *)d;
	assert_int_equal(match_one(rules, &p, out), 1);
	assert_int_equal(out[0], 2);
	p.stream_off = 10; /* the same bytes later in the stream: depth is past */
	assert_int_equal(match_one(rules, &p, out), 0);
}

static void
test_shared_patterns(void **state)
{
	char rules[128 * 100];
	size_t o = 0;

	for (int i = 1; i <= 100; i++)
		o += (size_t)snprintf(rules + o, sizeof(rules) - o,
				      "alert tcp any any -> any any (content:\"GET\"; content:\"%c\"; "
				      "sid:%d;)\n", 'a' + i % 26, i);
	struct ids_load_opts lo = { .strict = true };
	struct ids_ruleset *rs = ids_rules_load_str("t", rules, &lo);
	struct ids_matcher *m = ids_matcher_build(rs, NULL);
	assert_int_equal(ids_matcher_pattern_count(m), 27); /* GET + 26 letters */
	assert_int_equal(ids_matcher_always_count(m), 0);
	struct ids_scratch *sc = ids_scratch_new(m);
	struct ids_pkt p = { .proto = 6, .data = (const uint8_t *)"GET b", .len = 5 };
	uint32_t out[128];
	assert_int_equal(ids_match(m, sc, &p, out, 128), 4); /* sids 1, 27, 53, 79 */
	assert_int_equal(rs->rules[out[0]].sid, 1);
	assert_int_equal(rs->rules[out[3]].sid, 79);
	/* A short output array keeps the first rules. */
	assert_int_equal(ids_match(m, sc, &p, out, 2), 2);
	assert_int_equal(rs->rules[out[1]].sid, 27);
	ids_scratch_free(sc);
	ids_matcher_free(m);
	ids_rules_free(rs);
}

static void
test_budget(void **state)
{
	/* Many a's, then a content that never follows: the retry search gives up. */
	char rules[1024] = "alert tcp any any -> any any (";
	for (int i = 0; i < 20; i++)
		strcat(rules, "content:\"a\"; distance:0; ");
	strcat(rules, "content:\"b\"; distance:0; sid:1;)\n");
	char *r2 = strstr(rules, "distance:0; ");
	memmove(r2, r2 + 12, strlen(r2 + 12) + 1); /* the first content is absolute */
	uint8_t d[200];
	memset(d, 'a', sizeof(d));
	d[0] = 'b';
	struct ids_pkt p = { .proto = 6, .data = d, .len = sizeof(d) };
	uint32_t out[4];
	assert_int_equal(match_one(rules, &p, out), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_contents),
		cmocka_unit_test(test_random_contents_stream),
		cmocka_unit_test(test_pcre),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_new_bytes_only),
		cmocka_unit_test(test_shared_patterns),
		cmocka_unit_test(test_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
