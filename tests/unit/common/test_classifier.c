/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The classifier against brute force: a linear scan over the same rules
 * (masked compare for raw rules, onvm_match_packet for chain matches) must
 * pick the same winner for every packet, through the cache or not, before
 * and after removals, and in a clone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "classifier.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static uint32_t
pick(uint32_t n)
{
	return rnd() % n;
}

/* ---- port ranges ---- */

static void
check_range(uint16_t lo, uint16_t hi)
{
	uint16_t v[32], m[32];
	unsigned int n = cls_port_range_blocks(lo, hi, v, m);

	assert_true(n >= 1 && n <= 30);
	for (uint32_t p = 0; p <= 0xffff; p++) {
		unsigned int hits = 0;
		for (unsigned int i = 0; i < n; i++)
			hits += ((p & m[i]) == v[i]);
		if (hits != (p >= lo && p <= hi ? 1u : 0u))
			fail_msg("range %u-%u: port %u covered %u times", lo, hi, p, hits);
	}
}

static void
port_ranges_expand_exactly(void **state)
{
	uint16_t v[32], m[32];

	assert_int_equal(cls_port_range_blocks(80, 80, v, m), 1);
	assert_int_equal(m[0], 0xffff);
	assert_int_equal(cls_port_range_blocks(0, 65535, v, m), 1);
	assert_int_equal(m[0], 0);
	assert_int_equal(cls_port_range_blocks(1024, 65535, v, m), 6);
	assert_int_equal(cls_port_range_blocks(1, 65534, v, m), 30);
	check_range(0, 0);
	check_range(65535, 65535);
	check_range(1, 65534);
	check_range(80, 443);
	for (int i = 0; i < 60; i++) {
		uint16_t a = (uint16_t)rnd(), b = (uint16_t)rnd();
		check_range(a < b ? a : b, a < b ? b : a);
	}
}

/* ---- raw (key, mask) rules against a masked compare ---- */

struct ref_rule {
	struct flow_key key, mask;
	uint32_t priority, handle;
	bool live;
};

static bool
masked_equal(const struct flow_key *pkt, const struct ref_rule *r)
{
	const uint8_t *p = (const uint8_t *)pkt, *k = (const uint8_t *)&r->key,
		      *m = (const uint8_t *)&r->mask;

	for (size_t i = 0; i < sizeof(*pkt); i++)
		if ((p[i] & m[i]) != (k[i] & m[i]))
			return false;
	return true;
}

/* Highest priority, ties to the earliest added: index order. */
static bool
ref_lookup(const struct ref_rule *rules, uint32_t n, const struct flow_key *pkt,
	   uint32_t *result)
{
	int64_t best = -1;

	for (uint32_t i = 0; i < n; i++)
		if (rules[i].live && masked_equal(pkt, &rules[i]) &&
		    (best < 0 || rules[i].priority > rules[best].priority))
			best = i;
	if (best >= 0)
		*result = (uint32_t)best;
	return best >= 0;
}

static const uint32_t ip_pool[] = { 0x0a000001, 0x0a000102, 0x0a0001ff, 0xc0a80101,
				    0xc0a80280, 0x08080808 };
static const uint16_t port_pool[] = { 0, 22, 53, 80, 443, 1023, 1024, 8080, 65535 };

static void
random_packet_key(struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->in_port = 1 + pick(4);
	k->eth_type = pick(5) ? 0x0800 : 0x0806;
	k->eth_src[5] = (uint8_t)pick(3);
	k->vlan_vid = pick(3) ? 0 : (uint16_t)(FLOW_VID_PRESENT | (10 + pick(2)));
	if (k->eth_type == 0x0800) {
		k->ip_proto = pick(2) ? 6 : 17;
		k->ipv4_src = ip_pool[pick(6)];
		k->ipv4_dst = ip_pool[pick(6)];
		k->tp_src = port_pool[pick(9)];
		k->tp_dst = port_pool[pick(9)];
	}
}

/* Rules with masks from a handful of shapes, so subtables get shared. */
static void
random_rule(struct ref_rule *r)
{
	random_packet_key(&r->key);
	memset(&r->mask, 0, sizeof(r->mask));
	uint32_t shape = rnd();

	if (shape & 1)
		r->mask.in_port = UINT32_MAX;
	if (shape & 2)
		r->mask.eth_type = 0xffff;
	if ((shape & 12) == 12)
		memset(r->mask.eth_src, 0xff, 6);
	if ((shape & 48) == 48)
		r->mask.vlan_vid = 0x1fff;
	if (shape & 64)
		r->mask.ip_proto = 0xff;
	if (shape & 128)
		r->mask.ipv4_src = onvm_prefix_mask((uint8_t)(8 * pick(5)));
	if (shape & 256)
		r->mask.ipv4_dst = onvm_prefix_mask((uint8_t)(pick(2) ? 24 : 32));
	if (shape & 512)
		r->mask.tp_dst = pick(2) ? 0xffff : 0xfc00;
	if ((shape & 3072) == 3072)
		r->mask.tp_src = 0xffff;
	r->priority = pick(16);
}

static void
compare_all(const struct classifier *cls, struct cls_cache *cache, const struct ref_rule *rules,
	    uint32_t n, unsigned int n_pkts)
{
	enum { BURST = 37 }; /* odd: bursts end mid-way */
	struct flow_key keys[BURST];
	uint32_t want[BURST], got[BURST];
	bool hit[BURST];

	for (unsigned int i = 0; i < n_pkts; i += BURST) {
		unsigned int b = n_pkts - i < BURST ? n_pkts - i : BURST;

		for (unsigned int j = 0; j < b; j++) {
			uint32_t g = 0, c = 0;

			random_packet_key(&keys[j]);
			if (j > 0 && pick(4) == 0)
				keys[j] = keys[pick(j)]; /* a flow twice in one burst */
			hit[j] = ref_lookup(rules, n, &keys[j], &want[j]);
			assert_int_equal(classifier_lookup(cls, &keys[j], &g), hit[j]);
			if (hit[j])
				assert_int_equal(g, want[j]);
			/* Through the cache: the miss that fills it, then the hit. */
			for (int pass = 0; pass < 2; pass++) {
				assert_int_equal(classifier_lookup_cached(cls, cache, &keys[j], &c),
						 hit[j]);
				if (hit[j])
					assert_int_equal(c, want[j]);
			}
		}
		/* The burst form agrees, through a cache both warm and cold. */
		for (int pass = 0; pass < 2; pass++) {
			uint64_t mask = classifier_lookup_burst(cls, cache, keys, b, got);
			for (unsigned int j = 0; j < b; j++) {
				assert_int_equal((mask >> j) & 1, hit[j]);
				if (hit[j])
					assert_int_equal(got[j], want[j]);
			}
			if (pass == 0)
				cls_cache_flush(cache);
		}
	}
}

static void
raw_rules_match_brute_force(void **state)
{
	enum { N = 2000 };
	struct ref_rule *rules = calloc(N, sizeof(*rules));
	struct classifier *cls = classifier_create();
	struct cls_cache *cache = cls_cache_create(8); /* small: collisions too */

	assert_non_null(rules);
	for (uint32_t i = 0; i < N; i++) {
		random_rule(&rules[i]);
		rules[i].handle = classifier_add(cls, &rules[i].key, &rules[i].mask,
						 rules[i].priority, i);
		assert_int_not_equal(rules[i].handle, CLS_NO_RULE);
		rules[i].live = true;
	}
	assert_int_equal(classifier_num_rules(cls), N);
	compare_all(cls, cache, rules, N, 4000);

	/* Every rule reads back as added (key masked) and is found exactly. */
	for (uint32_t i = 0; i < N; i++) {
		struct flow_key key, mask;
		uint32_t prio, res;
		assert_int_equal(classifier_get(cls, rules[i].handle, &key, &mask, &prio, &res), 0);
		assert_memory_equal(&mask, &rules[i].mask, sizeof(mask));
		assert_true(masked_equal(&key, &rules[i]));
		assert_int_equal(prio, rules[i].priority);
		assert_int_equal(res, i);
		uint32_t h = classifier_find_exact(cls, &rules[i].key, &rules[i].mask,
						   rules[i].priority);
		assert_int_not_equal(h, CLS_NO_RULE);
		assert_int_equal(classifier_get(cls, h, &key, NULL, &prio, NULL), 0);
		assert_int_equal(prio, rules[i].priority);
		assert_true(masked_equal(&key, &rules[i]));
		assert_true(h <= rules[i].handle); /* the oldest identical one */
		assert_int_equal(classifier_find_exact(cls, &rules[i].key, &rules[i].mask,
						       rules[i].priority + 1000), CLS_NO_RULE);
	}
	assert_int_equal(classifier_handle_limit(cls), N);

	/* A clone answers alike, and stays alike after the original changes. */
	struct classifier *copy = classifier_clone(cls);
	struct ref_rule *snapshot = malloc(N * sizeof(*snapshot));
	assert_non_null(copy);
	assert_non_null(snapshot);
	memcpy(snapshot, rules, N * sizeof(*snapshot));
	assert_int_equal(classifier_num_subtables(copy), classifier_num_subtables(cls));

	/* Remove about two thirds, in random order: backward-shift deletes,
	 * emptied subtables, max-priority recomputation. */
	for (uint32_t i = 0; i < 2 * N; i++) {
		uint32_t j = pick(N);
		if (!rules[j].live)
			continue;
		assert_int_equal(classifier_remove(cls, rules[j].handle), 0);
		assert_int_equal(classifier_remove(cls, rules[j].handle), -1);
		rules[j].live = false;
	}
	compare_all(cls, cache, rules, N, 3000);

	/* New rules reuse freed handles. They are newer than every live rule,
	 * so give them distinct priorities: the index-order tie rule of the
	 * reference then never has to decide between old and new. */
	for (uint32_t i = 0; i < N; i++) {
		if (rules[i].live)
			continue;
		random_rule(&rules[i]);
		rules[i].priority = 100 + i;
		rules[i].handle = classifier_add(cls, &rules[i].key, &rules[i].mask,
						 rules[i].priority, i);
		assert_int_not_equal(rules[i].handle, CLS_NO_RULE);
		rules[i].live = true;
	}
	compare_all(cls, cache, rules, N, 3000);

	compare_all(copy, cache, snapshot, N, 2000);
	classifier_free(cls);
	classifier_free(copy);
	cls_cache_free(cache);
	free(snapshot);
	free(rules);
}

/* ---- prefix-heavy tables: the tries that skip subtables ---- */

/* Addresses from a few overlapping networks, so prefixes nest. */
static uint32_t
random_address(void)
{
	static const uint32_t nets[] = { 0x0a000000, 0x0a0a0000, 0xac100000, 0xc0a80000 };

	return pick(4) ? nets[pick(4)] | (rnd() & (pick(2) ? 0xffff : 0xff)) : rnd();
}

/* A mask on one address: a prefix of any length, sometimes no prefix. */
static uint32_t
random_address_mask(void)
{
	switch (pick(8)) {
	case 0:
		return 0;
	case 1:
		return 0x00ff00ff; /* not a prefix: never skipped */
	case 2:
		return 0xff00ff00u | (rnd() & 0xff);
	default:
		return onvm_prefix_mask((uint8_t)pick(33));
	}
}

static void
random_prefix_rule(struct ref_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->key.eth_type = 0x0800;
	r->key.ip_proto = 6;
	r->key.ipv4_src = random_address();
	r->key.ipv4_dst = random_address();
	r->key.tp_dst = port_pool[pick(9)];
	r->mask.eth_type = 0xffff;
	r->mask.ipv4_src = random_address_mask();
	r->mask.ipv4_dst = random_address_mask();
	if (pick(3) == 0) {
		r->mask.ip_proto = 0xff;
		r->mask.tp_dst = 0xffff;
	}
	r->priority = pick(64);
}

/* A packet near a rule (its wildcarded bits random), or anywhere. */
static void
random_prefix_packet(struct flow_key *k, const struct ref_rule *rules, uint32_t n)
{
	const struct ref_rule *r = &rules[pick(n)];

	memset(k, 0, sizeof(*k));
	k->eth_type = pick(10) ? 0x0800 : 0x0806;
	k->ip_proto = pick(4) ? 6 : 17;
	k->tp_dst = port_pool[pick(9)];
	k->ipv4_src = pick(5) ? (r->key.ipv4_src & r->mask.ipv4_src) |
					(random_address() & ~r->mask.ipv4_src)
			      : random_address();
	k->ipv4_dst = pick(5) ? (r->key.ipv4_dst & r->mask.ipv4_dst) |
					(random_address() & ~r->mask.ipv4_dst)
			      : random_address();
}

static void
compare_prefix_table(const struct classifier *cls, struct cls_cache *cache,
		     const struct ref_rule *rules, uint32_t n, unsigned int n_pkts)
{
	for (unsigned int i = 0; i < n_pkts; i++) {
		struct flow_key k;
		uint32_t want = 0, got = 0;

		random_prefix_packet(&k, rules, n);
		bool hit = ref_lookup(rules, n, &k, &want);
		assert_int_equal(classifier_lookup(cls, &k, &got), hit);
		if (hit && got != want)
			fail_msg("packet %u: rule %u, want %u", i, got, want);
		assert_int_equal(classifier_lookup_cached(cls, cache, &k, &got), hit);
		if (hit)
			assert_int_equal(got, want);
	}
}

/*
 * Rules of every prefix length on both addresses (hundreds of subtables,
 * most of them skipped by the tries for any one packet), some masks that
 * are no prefixes: the same answers as the linear scan, after adds,
 * removals (tries pruned), re-adds and in a clone.
 */
static void
prefix_tables_match_brute_force(void **state)
{
	enum { N = 1500 };
	struct ref_rule *rules = calloc(N, sizeof(*rules));
	struct classifier *cls = classifier_create();
	struct cls_cache *cache = cls_cache_create(6);

	assert_non_null(rules);
	for (uint32_t i = 0; i < N; i++) {
		random_prefix_rule(&rules[i]);
		rules[i].handle = classifier_add(cls, &rules[i].key, &rules[i].mask,
						 rules[i].priority, i);
		assert_int_not_equal(rules[i].handle, CLS_NO_RULE);
		rules[i].live = true;
		if (i % 300 == 299)
			compare_prefix_table(cls, cache, rules, i + 1, 300);
	}
	assert_true(classifier_num_subtables(cls) > 300);
	compare_prefix_table(cls, cache, rules, N, 5000);

	struct classifier *copy = classifier_clone(cls);
	struct ref_rule *snapshot = malloc(N * sizeof(*snapshot));
	assert_non_null(copy);
	assert_non_null(snapshot);
	memcpy(snapshot, rules, N * sizeof(*snapshot));

	for (uint32_t i = 0; i < 2 * N; i++) {
		uint32_t j = pick(N);
		if (!rules[j].live)
			continue;
		assert_int_equal(classifier_remove(cls, rules[j].handle), 0);
		rules[j].live = false;
	}
	compare_prefix_table(cls, cache, rules, N, 4000);
	/* Everything but a handful out: tries emptied down to their roots. */
	for (uint32_t j = 10; j < N; j++) {
		if (rules[j].live)
			assert_int_equal(classifier_remove(cls, rules[j].handle), 0);
		rules[j].live = false;
	}
	compare_prefix_table(cls, cache, rules, N, 2000);
	for (uint32_t i = 10; i < N; i++) {
		random_prefix_rule(&rules[i]);
		rules[i].priority = 100 + i; /* newer than the old: no ties to decide */
		rules[i].handle = classifier_add(cls, &rules[i].key, &rules[i].mask,
						 rules[i].priority, i);
		rules[i].live = true;
	}
	compare_prefix_table(cls, cache, rules, N, 4000);
	compare_prefix_table(copy, cache, snapshot, N, 3000);
	classifier_free(cls);
	classifier_free(copy);
	cls_cache_free(cache);
	free(snapshot);
	free(rules);
}

/* ---- chain matches against onvm_match_packet ---- */

static const uint8_t mac_pool[3][6] = { { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 },
					{ 2, 0, 0, 0, 0, 3 } };

static void
random_range(uint16_t *lo, uint16_t *hi)
{
	switch (pick(4)) {
	case 0:
		*lo = *hi = port_pool[pick(9)];
		return;
	case 1:
		*lo = 1024;
		*hi = 65535;
		return;
	default: {
		uint16_t a = (uint16_t)rnd(), b = (uint16_t)(a + pick(3000));
		*lo = a < b ? a : b;
		*hi = a < b ? b : a;
		return;
	}
	}
}

static void
random_match(struct onvm_match *m)
{
	memset(m, 0, sizeof(*m));
	if (pick(3) == 0) {
		m->fields |= M_IN_PORT;
		m->in_port = (uint16_t)pick(3);
	}
	if (pick(6) == 0) {
		m->fields |= M_ETH_TYPE;
		m->eth_type = pick(3) ? 0x0800 : 0x0806;
	}
	if (pick(8) == 0) {
		m->fields |= pick(2) ? M_ETH_SRC : M_ETH_DST;
		memcpy(m->eth_src, mac_pool[pick(3)], 6);
		memcpy(m->eth_dst, mac_pool[pick(3)], 6);
	}
	if (pick(8) == 0) {
		m->fields |= M_VLAN_VID;
		m->vlan_vid = (uint16_t)(10 + pick(2));
	}
	if (pick(3) == 0) {
		m->fields |= M_IPV4_SRC;
		m->ipv4_src_len = (uint8_t)pick(33);
		m->ipv4_src = ip_pool[pick(6)] & onvm_prefix_mask(m->ipv4_src_len);
	}
	if (pick(3) == 0) {
		m->fields |= M_IPV4_DST;
		m->ipv4_dst_len = (uint8_t)(8 * pick(5));
		m->ipv4_dst = ip_pool[pick(6)] & onvm_prefix_mask(m->ipv4_dst_len);
	}
	if (pick(3) == 0) {
		m->fields |= M_IP_PROTO;
		m->ip_proto = pick(3) ? (pick(2) ? 6 : 17) : 1;
	}
	/* Ports imply tcp/udp, as the JSON parser makes them. */
	bool ports = pick(2) == 0 && (!(m->fields & M_IP_PROTO) || m->ip_proto != 1);
	if (ports) {
		if (!(m->fields & M_IP_PROTO)) {
			m->fields |= M_IP_PROTO;
			m->ip_proto = pick(2) ? 6 : 17;
		}
		if (pick(2)) {
			m->fields |= M_L4_DST;
			random_range(&m->l4_dst_lo, &m->l4_dst_hi);
		}
		if (pick(4) == 0) {
			m->fields |= M_L4_SRC;
			random_range(&m->l4_src_lo, &m->l4_src_hi);
		}
	}
}

/* A well-formed packet; ports near the edges of some rule's ranges. */
static void
random_packet(struct pkt_info *pi, uint16_t *in_port, const struct onvm_match *near)
{
	memset(pi, 0, sizeof(*pi));
	*in_port = (uint16_t)pick(3);
	pi->flags = PKT_F_ETH;
	memcpy(pi->eth_src, mac_pool[pick(3)], 6);
	memcpy(pi->eth_dst, mac_pool[pick(3)], 6);
	if (pick(3) == 0) {
		pi->flags |= PKT_F_VLAN;
		pi->vlan_vid = (uint16_t)(10 + pick(2));
	}
	if (pick(6) == 0) {
		pi->eth_type = 0x0806;
		pi->flags |= PKT_F_ARP;
		return;
	}
	pi->eth_type = 0x0800;
	pi->flags |= PKT_F_IPV4;
	pi->ipv4_src = ip_pool[pick(6)] ^ (pick(2) ? 0 : rnd() & 0xff);
	pi->ipv4_dst = ip_pool[pick(6)];
	uint32_t p = pick(5);
	pi->ip_proto = p < 2 ? 6 : p < 4 ? 17 : 1;
	pi->flags |= PKT_F_L4;
	if (pi->ip_proto == 1)
		return;
	const uint16_t edges[] = { near->l4_dst_lo, near->l4_dst_hi, near->l4_src_lo,
				   near->l4_src_hi };
	uint16_t e = (uint16_t)(edges[pick(4)] + pick(3) - 1);
	pi->src_port = pick(2) ? e : port_pool[pick(9)];
	pi->dst_port = pick(2) ? e : (uint16_t)rnd();
}

static void
chain_matches_match_reference(void **state)
{
	enum { N = 600, PKTS = 4000 };
	struct onvm_match *m = calloc(N, sizeof(*m));
	uint32_t *prio = calloc(N, sizeof(*prio));
	struct classifier *cls = classifier_create();
	struct cls_cache *cache = cls_cache_create(12);
	unsigned int matched = 0;

	assert_non_null(m);
	for (uint32_t i = 0; i < N; i++) {
		random_match(&m[i]);
		prio[i] = pick(20);
		assert_true(classifier_add_match(cls, &m[i], prio[i], i) >= 0);
	}
	for (int round = 0; round < 2; round++) {
		for (uint32_t n = 0; n < PKTS; n++) {
			struct pkt_info pi;
			struct flow_key k;
			uint16_t in_port;
			int64_t best = -1;
			uint32_t got = 0;

			random_packet(&pi, &in_port, &m[pick(N)]);
			flow_key_from_pkt(&k, &pi, FLOW_OFPORT_FROM_DPDK(in_port));
			for (uint32_t i = 0; i < N; i++)
				if (prio[i] != UINT32_MAX && onvm_match_packet(&m[i], &pi, in_port) &&
				    (best < 0 || prio[i] > prio[best]))
					best = i;
			bool found = classifier_lookup_cached(cls, cache, &k, &got);
			assert_int_equal(found, best >= 0);
			if (found) {
				matched++;
				if (got != (uint32_t)best)
					fail_msg("packet %u: classifier chose %u (prio %u), reference %u "
						 "(prio %u)", n, got, prio[got], (uint32_t)best,
						 prio[best]);
			}
		}
		/* Second round: drop a third of the chains by result. */
		for (uint32_t i = 0; i < N; i += 3) {
			classifier_remove_result(cls, i);
			prio[i] = UINT32_MAX;
		}
	}
	assert_true(matched > PKTS / 4); /* the test exercised real matches */
	classifier_free(cls);
	cls_cache_free(cache);
	free(m);
	free(prio);
}

/* ---- the cache follows every change ---- */

static void
cache_invalidated_by_rule_changes(void **state)
{
	struct classifier *cls = classifier_create();
	struct cls_cache *cache = cls_cache_create(10);
	struct flow_key k, mask;
	uint32_t res = 0;

	memset(&k, 0, sizeof(k));
	k.in_port = 1;
	k.eth_type = 0x0800;
	k.ipv4_dst = 0x0a000001;

	/* A cached miss must not survive the rule that now matches. */
	assert_false(classifier_lookup_cached(cls, cache, &k, &res));
	memset(&mask, 0, sizeof(mask));
	mask.in_port = UINT32_MAX;
	uint32_t a = classifier_add(cls, &k, &mask, 10, 111);
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(res, 111);

	/* A more specific, higher-priority rule takes over at once. */
	mask.ipv4_dst = 0xffffff00;
	uint32_t b = classifier_add(cls, &k, &mask, 20, 222);
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(res, 222);

	/* Equal priority: the older rule keeps winning. */
	memset(&mask, 0, sizeof(mask));
	uint32_t c = classifier_add(cls, &k, &mask, 20, 333);
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(res, 222);

	assert_int_equal(classifier_remove(cls, b), 0);
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(res, 333);
	assert_int_equal(classifier_remove(cls, c), 0);
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(res, 111);
	assert_int_equal(classifier_remove(cls, a), 0);
	assert_false(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(classifier_num_subtables(cls), 0);

	/* A swap to another classifier (the RCU publish) with the same cache. */
	struct classifier *next = classifier_create();
	memset(&mask, 0, sizeof(mask));
	classifier_add(next, &k, &mask, 0, 444);
	assert_true(classifier_lookup_cached(next, cache, &k, &res));
	assert_int_equal(res, 444);
	assert_false(classifier_lookup_cached(cls, cache, &k, &res));

	/* A clone is a different generation from its source. */
	struct classifier *copy = classifier_clone(next);
	classifier_remove_result(copy, 444);
	assert_false(classifier_lookup_cached(copy, cache, &k, &res));
	assert_true(classifier_lookup_cached(next, cache, &k, &res));

	classifier_free(copy);
	classifier_free(next);
	classifier_free(cls);
	cls_cache_free(cache);
}

/* Ties across subtables and through a clone: the first added wins. */
/* The cache's counters: a cold lookup walks, a warm one hits, a rule
 * change makes the next lookup walk again. */
static void
cache_counts_hits_and_walks(void **state)
{
	struct classifier *cls = classifier_create();
	struct cls_cache *cache = cls_cache_create(4);
	struct cls_cache_stats st;
	struct flow_key k, m;
	uint32_t res = 0;

	memset(&k, 0, sizeof(k));
	memset(&m, 0, sizeof(m));
	k.tp_dst = 80;
	m.tp_dst = 0xffff;
	classifier_add(cls, &k, &m, 5, 1);
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	cls_cache_get_stats(cache, &st);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.walked, 1);
	assert_int_equal(st.evictions, 0);
	k.tp_dst = 81;
	classifier_add(cls, &k, &m, 6, 2);
	k.tp_dst = 80;
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(res, 1);
	cls_cache_get_stats(cache, &st);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.hits, 1);

	/* A prefix length no rule had before: the tries learn it, and the
	 * answer cached without it is not served again; removing it takes
	 * the cached answer back too. */
	struct flow_key pm;
	memset(&pm, 0, sizeof(pm));
	k.ipv4_dst = 0x0a010203;
	pm.ipv4_dst = onvm_prefix_mask(24);
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(res, 1);
	uint32_t h = classifier_add(cls, &k, &pm, 9, 3);
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(res, 3);
	k.ipv4_dst = 0x0a010303; /* outside the /24 */
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(res, 1);
	k.ipv4_dst = 0x0a010203;
	assert_int_equal(classifier_remove(cls, h), 0);
	assert_true(classifier_lookup_cached(cls, cache, &k, &res));
	assert_int_equal(res, 1);
	cls_cache_free(cache);
	classifier_free(cls);
}

static void
ties_go_to_the_first_added(void **state)
{
	struct classifier *cls = classifier_create();
	struct flow_key k, m1, m2;
	uint32_t res = 0;

	memset(&k, 0, sizeof(k));
	memset(&m1, 0, sizeof(m1));
	memset(&m2, 0, sizeof(m2));
	k.tp_dst = 80;
	m1.tp_dst = 0xffff;
	m2.in_port = UINT32_MAX;
	classifier_add(cls, &k, &m2, 5, 1); /* first: wildcard-ish subtable */
	classifier_add(cls, &k, &m1, 5, 2);
	assert_true(classifier_lookup(cls, &k, &res));
	assert_int_equal(res, 1);
	struct classifier *copy = classifier_clone(cls);
	assert_true(classifier_lookup(copy, &k, &res));
	assert_int_equal(res, 1);
	classifier_free(copy);
	classifier_free(cls);
}

static void
match_compile_special_cases(void **state)
{
	struct classifier *cls = classifier_create();
	struct onvm_match m = { 0 };

	/* An IPv4 field on an ARP ethertype can never match: no rule. */
	m.fields = M_ETH_TYPE | M_IPV4_DST;
	m.eth_type = 0x0806;
	m.ipv4_dst_len = 8;
	m.ipv4_dst = 0x0a000000;
	assert_int_equal(classifier_add_match(cls, &m, 1, 1), 0);
	/* Cross product of two ranges. */
	memset(&m, 0, sizeof(m));
	m.fields = M_IP_PROTO | M_L4_SRC | M_L4_DST;
	m.ip_proto = 6;
	m.l4_src_lo = 1024;
	m.l4_src_hi = 65535;
	m.l4_dst_lo = 80;
	m.l4_dst_hi = 81;
	assert_int_equal(classifier_add_match(cls, &m, 1, 2), 6);
	assert_int_equal(classifier_num_rules(cls), 6);
	/* The match-all chain is one rule with an all-zero mask. */
	memset(&m, 0, sizeof(m));
	assert_int_equal(classifier_add_match(cls, &m, 0, 3), 1);
	assert_int_equal(classifier_remove_result(cls, 2), 6);
	assert_int_equal(classifier_num_rules(cls), 1);
	classifier_free(cls);
}

/* flow_key_from_pkt over a real frame: VLAN, IPv4, TCP. */
static void
flow_key_from_parsed_frame(void **state)
{
	uint8_t f[64] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x81, 0x00, 0x20, 0x0a,
			  0x08, 0x00,
			  /* IPv4 */ 0x45, 0x2d, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10,
			  0, 2, 3,
			  /* TCP */ 0x30, 0x39, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0xff,
			  0xff, 0, 0, 0, 0 };
	struct pkt_info pi;
	struct flow_key k, zero;

	assert_int_equal(pkt_parse(f, 58, &pi), 0);
	memset(&k, 0xa5, sizeof(k)); /* every byte must be written */
	flow_key_from_pkt(&k, &pi, 3);
	assert_int_equal(k.in_port, 3);
	assert_int_equal(k.eth_type, 0x0800);
	assert_int_equal(k.vlan_vid, FLOW_VID_PRESENT | 10);
	assert_int_equal(k.vlan_pcp, 1);
	assert_int_equal(k.ip_proto, 6);
	assert_int_equal(k.ip_dscp, 0x2d >> 2);
	assert_int_equal(k.ip_ecn, 1);
	assert_int_equal(k.ipv4_src, 0x0a000001);
	assert_int_equal(k.ipv4_dst, 0x0a000203);
	assert_int_equal(k.tp_src, 12345);
	assert_int_equal(k.tp_dst, 80);
	assert_int_equal(k.eth_src[5], 1);
	assert_int_equal(k.eth_dst[5], 2);
	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(k.ipv6_src, zero.ipv6_src, 16);
	assert_int_equal(k.hdr_pad, 0);
	assert_memory_equal(k.exthdr_pad, zero.exthdr_pad, 2);
	assert_int_equal(k.ipv6_exthdr, 0);
	assert_int_equal(k.pbb_isid, 0);
	assert_int_equal(k.tunnel_id, 0);
	assert_int_equal(k.metadata, 0);

	/* A truncated frame: no L3 fields leak in. */
	pkt_parse(f, 30, &pi);
	flow_key_from_pkt(&k, &pi, 1);
	assert_int_equal(k.ipv4_src, 0);
	assert_int_equal(k.tp_dst, 0);
	assert_int_equal(k.eth_type, 0x0800);
}

/*
 * Found by tests/fuzz/pkt_parse: a TCP segment whose header is cut short
 * has no ports, and a frame with a broken IPv4 header no addresses; the
 * key holds zeros there. Chain matches on those fields must not take the
 * zeros for values (onvm_match_packet requires PKT_F_L4 and PKT_F_IPV4).
 */
static void
chain_fields_need_whole_headers(void **state)
{
	/* Ethernet, IPv4 10.0.0.1 -> 10.0.0.2 TCP, then 20 bytes of TCP */
	uint8_t f[54] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
			  0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
			  0x04, 0xd2, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02 };
	struct onvm_match ports = { .fields = M_IP_PROTO | M_L4_DST, .ip_proto = 6,
				    .l4_dst_lo = 0, .l4_dst_hi = 1023 };
	struct onvm_match addrs = { .fields = M_IPV4_DST, .ipv4_dst_len = 0 };
	struct classifier *cls = classifier_create();
	struct pkt_info pi;
	struct flow_key k;
	uint32_t res;

	(void)state;
	assert_true(classifier_add_match(cls, &ports, 20, 1) > 0);
	assert_true(classifier_add_match(cls, &addrs, 10, 2) > 0);

	/* Whole: destination port 0 is a port like any other. */
	pkt_parse(f, sizeof(f), &pi);
	assert_true(pi.flags & PKT_F_L4);
	flow_key_from_pkt(&k, &pi, 1);
	assert_true(onvm_match_packet(&ports, &pi, 0));
	assert_true(classifier_lookup(cls, &k, &res));
	assert_int_equal(res, 1);

	/* Data offset 4: no ports, still a valid IPv4 header. */
	f[46] = 0x40;
	pkt_parse(f, sizeof(f), &pi);
	assert_false(pi.flags & PKT_F_L4);
	flow_key_from_pkt(&k, &pi, 1);
	assert_false(onvm_match_packet(&ports, &pi, 0));
	assert_true(onvm_match_packet(&addrs, &pi, 0));
	assert_true(classifier_lookup(cls, &k, &res));
	assert_int_equal(res, 2);

	/* An IPv4 total length that ends with the IPv4 header (the rest is
	 * Ethernet padding): the same. */
	f[46] = 0x50;
	f[17] = 20;
	pkt_parse(f, sizeof(f), &pi);
	assert_true(pi.flags & PKT_F_IPV4);
	assert_false(pi.flags & PKT_F_L4);
	flow_key_from_pkt(&k, &pi, 1);
	assert_true(classifier_lookup(cls, &k, &res));
	assert_int_equal(res, 2);

	/* IHL 4: no IPv4 header at all, and nothing matches. */
	f[14] = 0x44;
	pkt_parse(f, sizeof(f), &pi);
	assert_false(pi.flags & PKT_F_IPV4);
	flow_key_from_pkt(&k, &pi, 1);
	assert_false(onvm_match_packet(&addrs, &pi, 0));
	assert_false(classifier_lookup(cls, &k, &res));
	classifier_free(cls);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(port_ranges_expand_exactly),
		cmocka_unit_test(raw_rules_match_brute_force),
		cmocka_unit_test(prefix_tables_match_brute_force),
		cmocka_unit_test(chain_matches_match_reference),
		cmocka_unit_test(cache_invalidated_by_rule_changes),
		cmocka_unit_test(ties_go_to_the_first_added),
		cmocka_unit_test(cache_counts_hits_and_walks),
		cmocka_unit_test(match_compile_special_cases),
		cmocka_unit_test(flow_key_from_parsed_frame),
		cmocka_unit_test(chain_fields_need_whole_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
