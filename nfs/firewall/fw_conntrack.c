/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "fw_ct_internal.h"
#include "onvm_nflib_state.h"

void
fw_ct_key_of(const struct pkt_5tuple *t, struct fw_ct_key *k)
{
	bool src_low = t->src_ip < t->dst_ip ||
		       (t->src_ip == t->dst_ip && t->src_port <= t->dst_port);

	memset(k, 0, sizeof(*k));
	k->proto = t->proto;
	if (src_low) {
		k->ip_lo = t->src_ip;
		k->port_lo = t->src_port;
		k->ip_hi = t->dst_ip;
		k->port_hi = t->dst_port;
	} else {
		k->ip_lo = t->dst_ip;
		k->port_lo = t->dst_port;
		k->ip_hi = t->src_ip;
		k->port_hi = t->src_port;
	}
}

struct fw_conntrack *
fw_ct_create(uint32_t max_conns, int socket_id)
{
	/* rte_hash names are global to the DPDK process group. */
	static uint32_t generation;
	struct rte_hash_parameters p = { 0 };
	struct fw_conntrack *ct;
	char name[RTE_HASH_NAMESIZE];

	if (max_conns < 8)
		max_conns = 8;
	ct = calloc(1, sizeof(*ct));
	if (ct == NULL)
		return NULL;
	snprintf(name, sizeof(name), "fwct_%d_%u", (int)getpid(),
		 __atomic_fetch_add(&generation, 1, __ATOMIC_RELAXED));
	p.name = name;
	p.entries = max_conns;
	p.key_len = sizeof(struct fw_ct_key);
	p.hash_func = rte_hash_crc;
	p.socket_id = socket_id;
	ct->hash = rte_hash_create(&p);
	if (ct->hash == NULL)
		goto fail;
	ct->nslots = (uint32_t)rte_hash_max_key_id(ct->hash) + 1;
	ct->conns = rte_zmalloc_socket("fw_conns", sizeof(*ct->conns) * ct->nslots, 0,
				       socket_id);
	ct->by_bucket = bucket_list_create(ct->nslots, ONVM_STATE_BUCKETS);
	ct->import_mark = calloc(ct->nslots, sizeof(*ct->import_mark));
	if (ct->conns == NULL || ct->by_bucket == NULL || ct->import_mark == NULL)
		goto fail;
	ct->stats.capacity = max_conns;
	return ct;
fail:
	fw_ct_free(ct);
	return NULL;
}

void
fw_ct_free(struct fw_conntrack *ct)
{
	if (ct == NULL)
		return;
	rte_hash_free(ct->hash);
	rte_free(ct->conns);
	bucket_list_free(ct->by_bucket);
	free(ct->import_mark);
	free(ct);
}

static void
ct_remove(struct fw_conntrack *ct, struct fw_conn *c)
{
	if (c->state == CT_CLOSING)
		ct->stats.closed++;
	else
		ct->stats.expired++;
	rte_hash_del_key(ct->hash, &c->key);
	bucket_list_unlink(ct->by_bucket, (uint32_t)(c - ct->conns));
	c->state = CT_FREE;
	ct->stats.in_use--;
}

static uint64_t
idle_timeout(const struct fw_ct_timeouts *to, uint8_t proto)
{
	return proto == PKT_PROTO_TCP ? to->tcp_ns : to->udp_ns;
}

/* A packet of the connection in slot c: refresh it, or retire it. */
static bool
ct_hit(struct fw_conntrack *ct, struct fw_conn *c, const struct pkt_5tuple *t,
       uint8_t tcp_flags, uint64_t now_ns, const struct fw_ct_timeouts *to)
{
	if (now_ns >= c->expires_ns) {
		ct_remove(ct, c);
		return false;
	}
	if (t->proto == PKT_PROTO_TCP) {
		bool orig = t->src_ip == c->orig_src_ip && t->src_port == c->orig_src_port;

		if (c->state == CT_CLOSING && (tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) ==
						      PKT_TCP_SYN) {
			/* The ports are being reused: the rules decide anew. */
			ct_remove(ct, c);
			return false;
		}
		if (tcp_flags & PKT_TCP_FIN)
			c->fins |= orig ? CT_FIN_ORIG : CT_FIN_REPLY;
		if (c->state == CT_OPEN &&
		    ((tcp_flags & PKT_TCP_RST) || c->fins == (CT_FIN_ORIG | CT_FIN_REPLY))) {
			c->state = CT_CLOSING;
			c->expires_ns = now_ns + to->close_ns;
		}
	}
	if (c->state == CT_OPEN)
		c->expires_ns = now_ns + idle_timeout(to, t->proto);
	ct->stats.hits++;
	return true;
}

bool
fw_ct_lookup(struct fw_conntrack *ct, const struct pkt_5tuple *t, uint8_t tcp_flags,
	     uint64_t now_ns, const struct fw_ct_timeouts *to)
{
	struct fw_ct_key k;
	int32_t pos;

	fw_ct_key_of(t, &k);
	pos = rte_hash_lookup(ct->hash, &k);
	if (pos < 0)
		return false;
	return ct_hit(ct, &ct->conns[pos], t, tcp_flags, now_ns, to);
}

void
fw_ct_lookup_burst(struct fw_conntrack *ct, const struct pkt_5tuple *t, const uint8_t *tcp_flags,
		   uint32_t n, uint64_t now_ns, const struct fw_ct_timeouts *to, bool *hit)
{
	struct fw_ct_key keys[FW_CT_BURST_MAX];
	const void *key_ptrs[FW_CT_BURST_MAX];
	int32_t pos[FW_CT_BURST_MAX];
	uint32_t i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		fw_ct_key_of(&t[i], &keys[i]);
		key_ptrs[i] = &keys[i];
	}
	rte_hash_lookup_bulk(ct->hash, key_ptrs, n, pos);
	for (i = 0; i < n; i++) {
		struct fw_conn *c;

		hit[i] = false;
		if (pos[i] < 0)
			continue;
		c = &ct->conns[pos[i]];
		/* An earlier packet of this burst may have retired the entry
		 * (nothing is added here, so the slot cannot be someone else's). */
		if (c->state == CT_FREE)
			continue;
		hit[i] = ct_hit(ct, c, &t[i], tcp_flags[i], now_ns, to);
	}
}

/* The table is full: free expired entries near the sweep cursor. */
static bool
ct_reclaim(struct fw_conntrack *ct, uint64_t now_ns)
{
	uint32_t before = ct->stats.in_use;

	fw_ct_expire(ct, now_ns, CT_RECLAIM_SCAN);
	ct->stats.reclaimed += before - ct->stats.in_use;
	return ct->stats.in_use < before;
}

int
fw_ct_track(struct fw_conntrack *ct, const struct pkt_5tuple *t, uint8_t tcp_flags,
	    uint16_t bucket, uint64_t now_ns, const struct fw_ct_timeouts *to)
{
	struct fw_ct_key k;
	struct fw_conn *c;
	int32_t pos;

	if (t->proto == PKT_PROTO_TCP && (tcp_flags & PKT_TCP_RST))
		return 0;
	fw_ct_key_of(t, &k);
	pos = rte_hash_add_key(ct->hash, &k);
	if (pos == -ENOSPC && ct_reclaim(ct, now_ns))
		pos = rte_hash_add_key(ct->hash, &k);
	if (pos < 0) {
		ct->stats.table_full++;
		return -1;
	}
	c = &ct->conns[pos];
	if (c->state == CT_FREE) {
		ct->stats.in_use++;
		ct->stats.created++;
	}
	c->key = k;
	c->orig_src_ip = t->src_ip;
	c->orig_src_port = t->src_port;
	c->state = CT_OPEN;
	c->bucket = bucket;
	bucket_list_link(ct->by_bucket, (uint32_t)pos, bucket);
	c->fins = (t->proto == PKT_PROTO_TCP && (tcp_flags & PKT_TCP_FIN)) ? CT_FIN_ORIG : 0;
	c->expires_ns = now_ns + idle_timeout(to, t->proto);
	return 0;
}

uint32_t
fw_ct_expire(struct fw_conntrack *ct, uint64_t now_ns, uint32_t budget)
{
	uint32_t removed = 0;

	if (budget > ct->nslots)
		budget = ct->nslots;
	while (budget--) {
		struct fw_conn *c = &ct->conns[ct->sweep_next];

		if (c->state != CT_FREE && now_ns >= c->expires_ns) {
			ct_remove(ct, c);
			removed++;
		}
		if (++ct->sweep_next == ct->nslots)
			ct->sweep_next = 0;
	}
	return removed;
}

void
fw_ct_get_stats(const struct fw_conntrack *ct, struct fw_ct_stats *s)
{
	*s = ct->stats;
}

uint32_t
fw_ct_capacity(const struct fw_conntrack *ct)
{
	return ct->stats.capacity;
}
