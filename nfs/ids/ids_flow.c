/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IDS's flow table and TCP stream windows (semantics in ids_flow.h).
 *
 * A set-associative table rather than rte_hash: it must stay bounded under
 * a flood of new flows by evicting the stalest flow of a set, and it must
 * run without EAL in unit tests and the benchmark.
 */
#include <stdlib.h>
#include <string.h>

#include "ids_flow_internal.h"

struct ids_flow_table *
ids_flow_table_new(uint32_t max_flows, uint32_t window, uint64_t idle_timeout_ns)
{
	struct ids_flow_table *t = calloc(1, sizeof(*t));
	uint32_t sets = 1;

	if (t == NULL)
		return NULL;
	while ((uint64_t)sets * FLOW_WAYS < max_flows && sets < (1u << 24))
		sets <<= 1;
	t->n_sets = sets;
	t->window = window;
	t->idle_timeout_ns = idle_timeout_ns;
	size_t n = (size_t)sets * FLOW_WAYS;
	t->flows = calloc(n, sizeof(*t->flows));
	t->tails = window ? calloc(n * 2, window) : NULL;
	if (t->flows == NULL || (window && t->tails == NULL)) {
		ids_flow_table_free(t);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		t->flows[i].dir[0].tail = t->tails ? t->tails + (2 * i) * window : NULL;
		t->flows[i].dir[1].tail = t->tails ? t->tails + (2 * i + 1) * window : NULL;
	}
	return t;
}

void
ids_flow_table_free(struct ids_flow_table *t)
{
	if (t == NULL)
		return;
	free(t->flows);
	free(t->tails);
	free(t);
}

const struct ids_flow_stats *
ids_flow_table_stats(const struct ids_flow_table *t)
{
	return &t->stats;
}

uint32_t
ids_flow_table_window(const struct ids_flow_table *t)
{
	return t->window;
}

uint32_t
ids_flow_key_hash(uint32_t a, uint32_t b, uint16_t pa, uint16_t pb, uint8_t proto)
{
	uint64_t h = ((uint64_t)a << 32 | b) * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)pa << 24 | (uint64_t)pb << 8 | proto) * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32));
}

void
ids_flow_reset(struct ids_flow *f)
{
	uint8_t *t0 = f->dir[0].tail, *t1 = f->dir[1].tail;

	memset(f, 0, sizeof(*f));
	f->dir[0].tail = t0;
	f->dir[1].tail = t1;
}

static void
flow_init(struct ids_flow_table *t, struct ids_flow *f, const struct pkt_info *pi, uint32_t a,
	  uint32_t b, uint16_t pa, uint16_t pb, uint32_t hash, uint16_t bucket)
{
	ids_flow_reset(f);
	f->used = true;
	f->bucket = bucket;
	f->proto = pi->ip_proto;
	f->ip_a = a;
	f->ip_b = b;
	f->port_a = pa;
	f->port_b = pb;
	/* The client opened the flow: the SYN's sender, the SYN-ACK's receiver,
	 * else (picked up mid-stream) whoever spoke first. */
	bool synack = pi->ip_proto == PKT_PROTO_TCP &&
		      (pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == (PKT_TCP_SYN | PKT_TCP_ACK);
	f->client_ip = synack ? pi->ipv4_dst : pi->ipv4_src;
	f->client_port = synack ? pi->dst_port : pi->src_port;
	if (pi->ip_proto == PKT_PROTO_TCP && !(pi->tcp_flags & PKT_TCP_SYN))
		f->established = true; /* mid-stream pick-up, as Suricata's midstream mode */
	/* Unique per flow, and small enough for a JSON number to stay exact. */
	f->id = (((uint64_t)hash << 20) ^ (t->next_id++ & 0xfffff)) & ((1ull << 52) - 1);
	t->stats.created++;
}

static void
tcp_track(struct ids_flow *f, const struct pkt_info *pi, bool to_server)
{
	uint8_t fl = pi->tcp_flags;
	struct ids_stream_dir *d = &f->dir[to_server ? 0 : 1];

	if (fl & PKT_TCP_SYN) {
		if (to_server && !(fl & PKT_TCP_ACK)) {
			f->syn_seen = true;
			f->syn_seq = pi->tcp_seq;
		} else if (!to_server && (fl & PKT_TCP_ACK)) {
			f->synack_seen = true;
		}
		d->seq_known = true;
		d->base_seq = d->next_seq = pi->tcp_seq + 1;
		d->tail_len = 0;
	} else if (to_server && (fl & PKT_TCP_ACK) && f->synack_seen) {
		f->established = true;
	}
}

struct ids_flow *
ids_flow_lookup(struct ids_flow_table *t, const struct pkt_info *pi, uint64_t now_ns,
		uint16_t bucket, bool *to_server)
{
	bool ports = pi->ip_proto == PKT_PROTO_TCP || pi->ip_proto == PKT_PROTO_UDP;
	uint16_t sp = ports ? pi->src_port : 0, dp = ports ? pi->dst_port : 0;
	bool fwd = pi->ipv4_src < pi->ipv4_dst || (pi->ipv4_src == pi->ipv4_dst && sp <= dp);
	uint32_t a = fwd ? pi->ipv4_src : pi->ipv4_dst, b = fwd ? pi->ipv4_dst : pi->ipv4_src;
	uint16_t pa = fwd ? sp : dp, pb = fwd ? dp : sp;
	uint32_t h = ids_flow_key_hash(a, b, pa, pb, pi->ip_proto);
	struct ids_flow *set = &t->flows[(size_t)(h & (t->n_sets - 1)) * FLOW_WAYS];
	struct ids_flow *f = NULL, *victim = &set[0];

	for (int i = 0; i < FLOW_WAYS; i++) {
		struct ids_flow *c = &set[i];
		if (c->used && c->ip_a == a && c->ip_b == b && c->port_a == pa && c->port_b == pb &&
		    c->proto == pi->ip_proto) {
			f = c;
			break;
		}
		if (!c->used)
			victim = c;
		else if (victim->used && c->last_ns < victim->last_ns)
			victim = c;
	}
	bool fresh_syn = pi->ip_proto == PKT_PROTO_TCP &&
			 (pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN;
	if (f != NULL && now_ns > f->last_ns + t->idle_timeout_ns) {
		t->stats.expired++;
		flow_init(t, f, pi, a, b, pa, pb, h, bucket);
	} else if (f != NULL && fresh_syn && (f->established || f->syn_seq != pi->tcp_seq)) {
		flow_init(t, f, pi, a, b, pa, pb, h, bucket); /* the 5-tuple is reused by a new connection */
	} else if (f == NULL) {
		f = victim;
		if (f->used)
			t->stats.evicted++;
		flow_init(t, f, pi, a, b, pa, pb, h, bucket);
	}
	f->last_ns = now_ns;
	*to_server = pi->ipv4_src == f->client_ip && (!ports || pi->src_port == f->client_port);
	if (pi->ip_proto == PKT_PROTO_TCP)
		tcp_track(f, pi, *to_server);
	else if (!*to_server)
		f->established = true; /* UDP & co: both directions seen */
	if (!*to_server)
		f->seen_reply = true;
	return f;
}

bool
ids_stream_prepare(struct ids_flow_table *t, struct ids_flow *f, bool to_server,
		   const struct pkt_info *pi, const uint8_t *payload, uint8_t *buf,
		   uint32_t *len, uint32_t *new_start, uint64_t *stream_off)
{
	struct ids_stream_dir *d = &f->dir[to_server ? 0 : 1];
	uint32_t seq = pi->tcp_seq + ((pi->tcp_flags & PKT_TCP_SYN) ? 1 : 0);
	uint32_t plen = pi->payload_len;

	if (!d->seq_known) {
		d->seq_known = true;
		d->base_seq = d->next_seq = seq;
		d->tail_len = 0;
	}
	int32_t rel = (int32_t)(seq - d->next_seq);
	if (rel < 0 && (uint32_t)-(int64_t)rel >= plen) {
		/* Only old bytes: inspect them alone, leave the stream as it is. */
		t->stats.stream_old++;
		memcpy(buf, payload, plen);
		*len = plen;
		*new_start = 0;
		*stream_off = (uint32_t)(seq - d->base_seq);
		return false;
	}
	if (rel > 0) {
		/* A hole: resynchronise after it (the window would not be contiguous). */
		t->stats.stream_gaps++;
		d->next_seq = seq;
		d->tail_len = 0;
	}
	uint32_t skip = rel < 0 ? (uint32_t)-(int64_t)rel : 0;
	if (d->tail_len > 0)
		memcpy(buf, d->tail, d->tail_len);
	memcpy(buf + d->tail_len, payload + skip, plen - skip);
	*len = d->tail_len + plen - skip;
	*new_start = d->tail_len;
	*stream_off = (uint64_t)(uint32_t)(d->next_seq - d->base_seq) - d->tail_len;
	return true;
}

void
ids_stream_commit(struct ids_flow_table *t, struct ids_flow *f, bool to_server,
		  const struct pkt_info *pi, const uint8_t *buf, uint32_t len, uint32_t new_start)
{
	struct ids_stream_dir *d = &f->dir[to_server ? 0 : 1];
	uint32_t keep = len < t->window ? len : t->window;

	d->next_seq += len - new_start;
	if (keep > 0)
		memmove(d->tail, buf + len - keep, keep);
	d->tail_len = keep;
}
