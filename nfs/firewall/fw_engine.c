/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_rcu_qsbr.h>

#include "fw_engine.h"

const char *const fw_verdict_names[FW_V_COUNT] = {
	[FW_V_ALLOW_RULE] = "allow_rule",
	[FW_V_DENY_RULE] = "deny_rule",
	[FW_V_DEFAULT_ALLOW] = "default_allow",
	[FW_V_DEFAULT_DENY] = "default_deny",
	[FW_V_ESTABLISHED] = "established",
	[FW_V_NON_IP_ALLOW] = "non_ip_allow",
	[FW_V_NON_IP_DENY] = "non_ip_deny",
};

#define FW_NS_PER_S 1000000000ull
#define PACKET_THREAD 0   /* the one reader registered with the QSBR variable */

struct fw_engine {
	struct fw_ruleset *active;   /* atomically replaced by reload */
	struct fw_conntrack *ct;     /* created with the first stateful set, then kept;
				      * set once by a (re)loader, read by the packet thread */
	struct rte_rcu_qsbr *qsbr;
	int socket_id;
	uint32_t generation;
	struct fw_engine_counters c;
};

/* ---------------- rule sets ---------------- */

static void
ruleset_free(struct fw_ruleset *rs)
{
	if (rs == NULL)
		return;
	fw_acl_free(rs->acl);
	fw_config_free(&rs->cfg);
	free(rs->rule_hits);
	free(rs->rule_hits_shown);
	free(rs);
}

static struct fw_ruleset *
ruleset_load(const char *path, const char *text, int socket_id, char *err, size_t errlen)
{
	struct fw_ruleset *rs = calloc(1, sizeof(*rs));
	int rc;

	if (rs == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (text != NULL)
		rc = fw_config_load_string(&rs->cfg, path, text, err, errlen);
	else
		rc = fw_config_load(&rs->cfg, path, err, errlen);
	if (rc < 0) {
		free(rs);
		return NULL;
	}
	rs->rule_hits = calloc(rs->cfg.n_rules + 1, sizeof(uint64_t));
	rs->rule_hits_shown = calloc(rs->cfg.n_rules + 1, sizeof(uint64_t));
	if (rs->rule_hits == NULL || rs->rule_hits_shown == NULL) {
		snprintf(err, errlen, "%s: out of memory for rule counters", path);
		ruleset_free(rs);
		return NULL;
	}
	rs->acl = fw_acl_build(&rs->cfg, socket_id, err, errlen);
	if (rs->acl == NULL) {
		ruleset_free(rs);
		return NULL;
	}
	rs->timeouts.tcp_ns = rs->cfg.tcp_timeout_s * FW_NS_PER_S;
	rs->timeouts.udp_ns = rs->cfg.udp_timeout_s * FW_NS_PER_S;
	rs->timeouts.close_ns = rs->cfg.close_timeout_s * FW_NS_PER_S;
	return rs;
}

/* Make sure a stateful set has its connection table before it is published. */
static int
ensure_conntrack(struct fw_engine *e, const struct fw_ruleset *rs, FILE *out, char *err,
		 size_t errlen)
{
	if (!rs->cfg.stateful)
		return 0;
	if (e->ct != NULL) {
		uint32_t capacity = fw_ct_capacity(e->ct);

		if (out != NULL && capacity != rs->cfg.max_conns)
			fprintf(out, "firewall: max_conns %u ignored on reload: the table keeps "
				"its %u entries\n", rs->cfg.max_conns, capacity);
		return 0;
	}
	struct fw_conntrack *ct = fw_ct_create(rs->cfg.max_conns, e->socket_id);

	if (ct == NULL) {
		snprintf(err, errlen, "cannot create a connection table of %u entries",
			 rs->cfg.max_conns);
		return -1;
	}
	/* The packet thread's tick may look at e->ct concurrently. */
	__atomic_store_n(&e->ct, ct, __ATOMIC_RELEASE);
	return 0;
}

/* ---------------- engine life ---------------- */

struct fw_engine *
fw_engine_create_string(const char *name, const char *text, int socket_id, char *err,
			size_t errlen)
{
	struct fw_engine *e = calloc(1, sizeof(*e));
	size_t qsz = RTE_ALIGN_CEIL(rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->socket_id = socket_id;
	e->qsbr = aligned_alloc(RTE_CACHE_LINE_SIZE, qsz);
	if (e->qsbr == NULL || rte_rcu_qsbr_init(e->qsbr, 1) != 0 ||
	    rte_rcu_qsbr_thread_register(e->qsbr, PACKET_THREAD) != 0) {
		snprintf(err, errlen, "cannot set up the rule set RCU");
		goto fail;
	}
	rte_rcu_qsbr_thread_online(e->qsbr, PACKET_THREAD);
	e->active = ruleset_load(name, text, socket_id, err, errlen);
	if (e->active == NULL)
		goto fail;
	if (ensure_conntrack(e, e->active, NULL, err, errlen) < 0)
		goto fail;
	e->active->generation = ++e->generation;
	return e;
fail:
	fw_engine_free(e, NULL);
	return NULL;
}

struct fw_engine *
fw_engine_create(const char *path, int socket_id, char *err, size_t errlen)
{
	return fw_engine_create_string(path, NULL, socket_id, err, errlen);
}

void
fw_engine_free(struct fw_engine *e, FILE *out)
{
	if (e == NULL)
		return;
	if (out != NULL && e->active != NULL)
		fw_engine_print_rule_hits(e, out, true, UINT32_MAX);
	ruleset_free(e->active);
	fw_ct_free(e->ct);
	free(e->qsbr);
	free(e);
}

void
fw_engine_quiescent(struct fw_engine *e)
{
	rte_rcu_qsbr_quiescent(e->qsbr, PACKET_THREAD);
}

void
fw_engine_reader_offline(struct fw_engine *e)
{
	rte_rcu_qsbr_thread_offline(e->qsbr, PACKET_THREAD);
}

int
fw_engine_reload(struct fw_engine *e, const char *path, const char *text,
		 bool from_packet_thread, FILE *out, char *err, size_t errlen)
{
	struct fw_ruleset *next, *old;

	next = ruleset_load(path, text, e->socket_id, err, errlen);
	if (next == NULL)
		return -1;
	if (ensure_conntrack(e, next, out, err, errlen) < 0) {
		ruleset_free(next);
		return -1;
	}
	next->generation = __atomic_add_fetch(&e->generation, 1, __ATOMIC_RELAXED);
	/* Release: the packet thread sees the whole set (and e->ct) built. */
	old = __atomic_exchange_n(&e->active, next, __ATOMIC_ACQ_REL);
	rte_rcu_qsbr_synchronize(e->qsbr,
				 from_packet_thread ? PACKET_THREAD : RTE_QSBR_THRID_INVALID);
	/* No burst can be using `old` any more. */
	if (out != NULL) {
		fprintf(out, "firewall: rule set %u replaced by %u (%u rules) from %s; "
			"final counters of the old set:\n", old->generation, next->generation,
			next->cfg.n_rules, path);
		for (uint32_t i = 0; i < old->cfg.n_rules; i++)
			if (old->rule_hits[i] != 0)
				fprintf(out, "  rule %u %-24s %-5s %" PRIu64 "\n", i,
					old->cfg.rules[i].name,
					fw_action_name(old->cfg.rules[i].action), old->rule_hits[i]);
	}
	ruleset_free(old);
	return 0;
}

/* ---------------- the fast path ---------------- */

static inline bool
needs_ports(uint8_t proto)
{
	return proto == PKT_PROTO_TCP || proto == PKT_PROTO_UDP || proto == PKT_PROTO_SCTP;
}

void
fw_engine_classify_burst(struct fw_engine *e, const struct pkt_info *pi,
			 const uint16_t *in_port, const uint16_t *bucket, uint16_t n,
			 uint64_t now_ns, uint8_t *verdicts)
{
	const struct fw_ruleset *rs = __atomic_load_n(&e->active, __ATOMIC_ACQUIRE);
	const bool stateful = rs->cfg.stateful;
	struct fw_acl_key keys[FW_BURST_MAX];
	const struct fw_acl_key *key_ptrs[FW_BURST_MAX];
	uint32_t results[FW_BURST_MAX];
	uint16_t pkt_of[FW_BURST_MAX];    /* ACL input j is packet pkt_of[j] */
	uint16_t tracked_of[FW_BURST_MAX]; /* connection lookup k is packet tracked_of[k] */
	struct pkt_5tuple tuples[FW_BURST_MAX];
	uint8_t tcp_flags[FW_BURST_MAX];
	bool established[FW_BURST_MAX];
	struct pkt_5tuple t;
	bool opened = false;   /* a connection was opened earlier in this burst */
	uint16_t i, j, k, m = 0, n_tracked = 0;

	/* Sort out what the rules never see, count oddities, and gather the
	 * packets whose connection to look up. */
	for (i = 0; i < n; i++) {
		const struct pkt_info *p = &pi[i];

		verdicts[i] = FW_V_COUNT; /* undecided */
		if ((p->flags & PKT_F_ETH) && p->eth_type != PKT_ETHERTYPE_IPV4) {
			verdicts[i] = rs->cfg.non_ip == FW_ALLOW ? FW_V_NON_IP_ALLOW
								 : FW_V_NON_IP_DENY;
			continue;
		}
		if (!(p->flags & PKT_F_IPV4)) {
			e->c.malformed++;
			continue;
		}
		if (needs_ports(p->ip_proto) && !(p->flags & PKT_F_L4))
			e->c.no_l4++;
		if (stateful) {
			pkt_info_5tuple(p, &tuples[n_tracked]);
			tcp_flags[n_tracked] = p->tcp_flags;
			tracked_of[n_tracked++] = i;
		}
	}
	if (n_tracked != 0) {
		fw_ct_lookup_burst(e->ct, tuples, tcp_flags, n_tracked, now_ns, &rs->timeouts,
				   established);
		for (k = 0; k < n_tracked; k++)
			if (established[k])
				verdicts[tracked_of[k]] = FW_V_ESTABLISHED;
	}
	for (i = 0; i < n; i++) {
		if (verdicts[i] != FW_V_COUNT)
			continue;
		fw_acl_key_from_pkt(&keys[m], &pi[i], in_port[i]);
		key_ptrs[m] = &keys[m];
		pkt_of[m++] = i;
	}

	if (m != 0)
		fw_acl_classify(rs->acl, key_ptrs, results, m);

	for (j = 0; j < m; j++) {
		const struct pkt_info *p = &pi[pkt_of[j]];
		bool track = stateful && (p->flags & PKT_F_IPV4);
		uint8_t v;

		if (track) {
			pkt_info_5tuple(p, &t);
			/* An earlier packet of this burst may have opened this
			 * connection (a reply right behind its request): decide
			 * as if the packets had come one by one. */
			if (opened &&
			    fw_ct_lookup(e->ct, &t, p->tcp_flags, now_ns, &rs->timeouts)) {
				verdicts[pkt_of[j]] = FW_V_ESTABLISHED;
				continue;
			}
		}
		if (results[j] != 0) {
			uint32_t rule = results[j] - 1;

			rs->rule_hits[rule]++;
			v = rs->cfg.rules[rule].action == FW_ALLOW ? FW_V_ALLOW_RULE
								   : FW_V_DENY_RULE;
		} else {
			v = rs->cfg.default_action == FW_ALLOW ? FW_V_DEFAULT_ALLOW
							       : FW_V_DEFAULT_DENY;
		}
		if (track && fw_verdict_allows(v) &&
		    fw_ct_track(e->ct, &t, p->tcp_flags, bucket ? bucket[pkt_of[j]] : 0, now_ns,
				&rs->timeouts) == 0)
			opened = true;
		verdicts[pkt_of[j]] = v;
	}

	for (i = 0; i < n; i++)
		e->c.verdicts[verdicts[i]]++;
}

void
fw_engine_tick(struct fw_engine *e, uint64_t now_ns)
{
	struct fw_conntrack *ct = __atomic_load_n(&e->ct, __ATOMIC_ACQUIRE);
	struct fw_ct_stats s;

	if (ct == NULL)
		return;
	fw_ct_get_stats(ct, &s);
	/* A full sweep about every 16 ticks. */
	fw_ct_expire(ct, now_ns, s.capacity / 16 + 64);
}

/* ---------------- moving connections ---------------- */

long
fw_engine_export_state(struct fw_engine *e, const struct onvm_bucket_set *buckets,
		       uint8_t *blob, size_t cap, uint32_t *flows)
{
	return fw_ct_export(__atomic_load_n(&e->ct, __ATOMIC_ACQUIRE), buckets, blob, cap, flows);
}

int
fw_engine_import_state(struct fw_engine *e, const uint8_t *blob, size_t len, uint64_t now_ns,
		       uint32_t *flows)
{
	const struct fw_ruleset *rs = __atomic_load_n(&e->active, __ATOMIC_ACQUIRE);

	return fw_ct_import(__atomic_load_n(&e->ct, __ATOMIC_ACQUIRE), blob, len, now_ns,
			    &rs->timeouts, flows);
}

void
fw_engine_drop_state(struct fw_engine *e, const struct onvm_bucket_set *buckets)
{
	fw_ct_drop(__atomic_load_n(&e->ct, __ATOMIC_ACQUIRE), buckets);
}

/* ---------------- views ---------------- */

const struct fw_engine_counters *
fw_engine_counters(const struct fw_engine *e)
{
	return &e->c;
}

const struct fw_ruleset *
fw_engine_ruleset(const struct fw_engine *e)
{
	return __atomic_load_n(&e->active, __ATOMIC_ACQUIRE);
}

bool
fw_engine_ct_stats(const struct fw_engine *e, struct fw_ct_stats *s)
{
	struct fw_conntrack *ct = __atomic_load_n(&e->ct, __ATOMIC_ACQUIRE);

	if (ct == NULL)
		return false;
	fw_ct_get_stats(ct, s);
	return true;
}

void
fw_engine_print_rule_hits(struct fw_engine *e, FILE *out, bool all, uint32_t max_lines)
{
	struct fw_ruleset *rs = __atomic_load_n(&e->active, __ATOMIC_ACQUIRE);
	uint32_t i, shown = 0, more = 0;

	for (i = 0; i < rs->cfg.n_rules; i++) {
		uint64_t hits = rs->rule_hits[i];

		if (all ? hits == 0 : hits == rs->rule_hits_shown[i])
			continue;
		rs->rule_hits_shown[i] = hits;
		if (shown == max_lines) {
			more++;
			continue;
		}
		fprintf(out, "  rule %u %-24s %-5s %" PRIu64 "\n", i, rs->cfg.rules[i].name,
			fw_action_name(rs->cfg.rules[i].action), hits);
		shown++;
	}
	if (more)
		fprintf(out, "  ... and %u more rules with new hits\n", more);
}
