/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference interpreter (ofdp_reference.h): OpenFlow 1.3.5 sections
 * 5.1-5.12 read literally, one packet at a time, on the switch model.
 */
#include <stdio.h>
#include <string.h>

#include "byte_order.h"
#include "flow_key.h"
#include "ofdp_reference.h"
#include "pkt_parse.h"

#define GROUP_DEPTH_MAX 4
#define ACTSET_MAX 32

struct ref_pkt {
	uint16_t len;
	uint8_t d[REF_FRAME_MAX];
};

struct ref_state {
	struct ref_world *w;
	uint32_t in_port;
	uint64_t metadata;
	uint64_t tunnel_id;
	uint64_t cookie;
	uint8_t table_id;
	bool table_miss;
	struct ref_event *ev;
	int n, max;
};

/* ---- checksums, from scratch ---- */

uint16_t
ref_csum(const uint8_t *buf, uint32_t len, uint32_t sum)
{
	uint64_t acc = sum;

	for (uint32_t i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)buf[i] << 8 | buf[i + 1];
	if (len & 1)
		acc += (uint32_t)buf[len - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

void
ref_fix_checksums(uint8_t *f, uint16_t len)
{
	struct pkt_info pi;

	pkt_parse(f, len, &pi);
	if (!(pi.flags & PKT_F_IPV4))
		return;
	uint8_t *ip = f + pi.l3_off;
	uint32_t ihl = (uint32_t)(ip[0] & 0xf) * 4;

	be16_store(ip + 10, 0);
	be16_store(ip + 10, ref_csum(ip, ihl, 0));
	if (!(pi.flags & PKT_F_L4) || (pi.flags & PKT_F_FRAGMENT))
		return;
	uint8_t *l4 = f + pi.l4_off;
	uint32_t l4_len = pi.ip_total_len - ihl;
	uint32_t pseudo = (be32_load(ip + 12) >> 16) + (be32_load(ip + 12) & 0xffff) +
			  (be32_load(ip + 16) >> 16) + (be32_load(ip + 16) & 0xffff) +
			  pi.ip_proto + l4_len;
	if (pi.ip_proto == PKT_PROTO_TCP) {
		be16_store(l4 + 16, 0);
		be16_store(l4 + 16, ref_csum(l4, l4_len, pseudo));
	} else if (pi.ip_proto == PKT_PROTO_UDP && be16_load(l4 + 6) != 0) {
		be16_store(l4 + 6, 0);
		uint16_t c = ref_csum(l4, l4_len, pseudo);
		be16_store(l4 + 6, c ? c : 0xffff);
	}
}

/* ---- frame edits ---- */

static bool
has_tag(const struct ref_pkt *p)
{
	uint16_t tpid = p->len >= 18 ? be16_load(p->d + 12) : 0;

	return tpid == PKT_ETHERTYPE_VLAN || tpid == PKT_ETHERTYPE_QINQ;
}

static void
push_vlan(struct ref_pkt *p, uint16_t tpid)
{
	uint16_t tci = has_tag(p) ? be16_load(p->d + 14) : 0;

	if (p->len + 4 > REF_FRAME_MAX)
		return;
	memmove(p->d + 16, p->d + 12, p->len - 12u);
	be16_store(p->d + 12, tpid);
	be16_store(p->d + 14, tci);
	p->len += 4;
}

static void
pop_vlan(struct ref_pkt *p)
{
	if (!has_tag(p))
		return;
	memmove(p->d + 12, p->d + 16, p->len - 16u);
	p->len -= 4;
	if (p->len < 60) { /* as a NIC would pad it */
		memset(p->d + p->len, 0, 60u - p->len);
		p->len = 60;
	}
}

static void
set_field(struct ref_state *s, struct ref_pkt *p, const struct ofp_action *a)
{
	const uint8_t *v = a->u.set_field.value;
	struct pkt_info pi;

	pkt_parse(p->d, p->len, &pi);
	uint8_t *ip = p->d + pi.l3_off, *l4 = p->d + pi.l4_off;
	bool ipv4 = pi.flags & PKT_F_IPV4;
	bool ports = (pi.flags & PKT_F_L4) && !(pi.flags & PKT_F_FRAGMENT) &&
		     (pi.ip_proto == PKT_PROTO_TCP || pi.ip_proto == PKT_PROTO_UDP);

	switch (a->u.set_field.field) {
	case OFPXMT_OFB_ETH_DST:
		memcpy(p->d, v, 6);
		break;
	case OFPXMT_OFB_ETH_SRC:
		memcpy(p->d + 6, v, 6);
		break;
	case OFPXMT_OFB_IPV4_SRC:
	case OFPXMT_OFB_IPV4_DST:
		if (ipv4)
			memcpy(ip + (a->u.set_field.field == OFPXMT_OFB_IPV4_SRC ? 12 : 16), v, 4);
		break;
	case OFPXMT_OFB_TCP_SRC:
	case OFPXMT_OFB_UDP_SRC:
		if (ports)
			memcpy(l4, v, 2);
		break;
	case OFPXMT_OFB_TCP_DST:
	case OFPXMT_OFB_UDP_DST:
		if (ports)
			memcpy(l4 + 2, v, 2);
		break;
	case OFPXMT_OFB_VLAN_VID:
		if (has_tag(p))
			be16_store(p->d + 14, (uint16_t)((be16_load(p->d + 14) & 0xf000) |
							 (be16_load(v) & 0x0fff)));
		break;
	case OFPXMT_OFB_IP_DSCP:
		if (ipv4)
			ip[1] = (uint8_t)(v[0] << 2 | (ip[1] & 3));
		break;
	case OFPXMT_OFB_TUNNEL_ID:
		s->tunnel_id = be64_load(v);
		break;
	}
}

/* A non-output action on p. */
static void
edit(struct ref_state *s, struct ref_pkt *p, const struct ofp_action *a)
{
	struct pkt_info pi;

	pkt_parse(p->d, p->len, &pi);
	switch (a->type) {
	case OFPAT_SET_FIELD:
		set_field(s, p, a);
		break;
	case OFPAT_PUSH_VLAN:
		push_vlan(p, a->u.ethertype);
		break;
	case OFPAT_POP_VLAN:
		pop_vlan(p);
		break;
	case OFPAT_DEC_NW_TTL:
		if ((pi.flags & PKT_F_IPV4) && p->d[pi.l3_off + 8] > 0)
			p->d[pi.l3_off + 8]--;
		break;
	case OFPAT_SET_NW_TTL:
		if (pi.flags & PKT_F_IPV4)
			p->d[pi.l3_off + 8] = a->u.ttl;
		break;
	}
	ref_fix_checksums(p->d, p->len);
}

/* ---- outputs ---- */

static void
record(struct ref_state *s, const struct ref_pkt *p, uint8_t kind, uint16_t target)
{
	struct ref_event *e;

	if (s->n >= s->max)
		return;
	e = &s->ev[s->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->target = target;
	e->len = p->len;
	memcpy(e->data, p->d, p->len);
}

static void
packet_in(struct ref_state *s, const struct ref_pkt *p, uint16_t max_len)
{
	uint16_t len = p->len > OFDP_PIN_MAX ? OFDP_PIN_MAX : p->len;
	struct ref_event *e;

	if (!s->table_miss && max_len != OFPCML_NO_BUFFER && len > max_len)
		len = max_len;
	if (s->n >= s->max)
		return;
	e = &s->ev[s->n++];
	memset(e, 0, sizeof(*e));
	e->kind = REF_PACKET_IN;
	e->reason = s->table_miss ? OFPR_NO_MATCH : OFPR_ACTION;
	e->table_id = s->table_id;
	e->cookie = s->cookie;
	e->total_len = p->len;
	e->len = len;
	memcpy(e->data, p->d, len);
}

static bool
dpdk_port(const struct ref_world *w, uint32_t ofport)
{
	return ofport >= 1 && ofport <= 16 && (w->port_mask >> (ofport - 1) & 1);
}

static bool
service_port(const struct ref_world *w, uint32_t ofport)
{
	return ofport > FLOW_OFPORT_SERVICE_BASE &&
	       ofport <= FLOW_OFPORT_SERVICE_BASE + (uint32_t)w->max_service;
}

static void
output(struct ref_state *s, const struct ref_pkt *p, uint32_t port, uint16_t max_len)
{
	struct ref_world *w = s->w;

	if (port == OFPP_IN_PORT)
		port = s->in_port;
	if (port == OFPP_CONTROLLER) {
		packet_in(s, p, max_len);
	} else if (port == OFPP_FLOOD || port == OFPP_ALL) {
		for (uint16_t i = 0; i < w->num_ports; i++)
			if (FLOW_OFPORT_FROM_DPDK(w->port_ids[i]) != s->in_port)
				record(s, p, REF_TO_PORT, w->port_ids[i]);
	} else if (dpdk_port(w, port)) {
		record(s, p, REF_TO_PORT, (uint16_t)(port - 1));
	} else if (service_port(w, port)) {
		record(s, p, REF_TO_SERVICE, (uint16_t)(port - FLOW_OFPORT_SERVICE_BASE));
	}
}

/* ---- groups ---- */

static void run_actions(struct ref_state *s, struct ref_pkt *p, const struct ofp_action_list *l,
			int depth);

static bool
port_live(const struct ref_world *w, uint32_t port)
{
	if (dpdk_port(w, port))
		return w->port_up[port - 1];
	if (service_port(w, port))
		return w->instances[port - FLOW_OFPORT_SERVICE_BASE] > 0;
	return false;
}

static bool group_live(struct ref_state *s, const struct ofs_group *g, int depth);

static bool
bucket_live(struct ref_state *s, const struct ofp_bucket *b, int depth)
{
	if (b->watch_port != OFPP_ANY && !port_live(s->w, b->watch_port))
		return false;
	if (b->watch_group != OFPG_ANY) {
		const struct ofs_group *g = ofs_group_find(s->w->sw, b->watch_group);

		if (g == NULL || depth > GROUP_DEPTH_MAX || !group_live(s, g, depth + 1))
			return false;
	}
	return true;
}

static bool
group_live(struct ref_state *s, const struct ofs_group *g, int depth)
{
	for (uint16_t i = 0; i < g->n_buckets; i++)
		if (g->type != OFPGT_FF || bucket_live(s, &g->buckets[i], depth))
			return true;
	return false;
}

/* A select group's bucket: the symmetric flow hash over the weights. */
static uint16_t
select_bucket(const struct ofs_group *g, const struct ref_pkt *p)
{
	uint32_t total = 0, w = 0, h;
	struct flow_key k;
	struct pkt_info pi;
	uint16_t pick;

	if (g->n_buckets < 2)
		return 0;
	for (uint16_t i = 0; i < g->n_buckets; i++)
		total += g->buckets[i].weight;
	pkt_parse(p->d, p->len, &pi);
	flow_key_from_frame(&k, &pi, p->d, p->len, 0);
	h = flow_key_hash_symmetric(&k);
	h = total ? h % total : 0;
	for (pick = 0; pick + 1 < g->n_buckets; pick++) {
		w += g->buckets[pick].weight;
		if (h < w)
			break;
	}
	return pick;
}

/* The group gets its own copy of p. */
static void
run_group(struct ref_state *s, const struct ref_pkt *p, uint32_t gid, int depth)
{
	const struct ofs_group *g = ofs_group_find(s->w->sw, gid);
	uint16_t pick = 0;

	if (g == NULL || g->n_buckets == 0 || depth > GROUP_DEPTH_MAX)
		return;
	if (g->type == OFPGT_ALL) {
		for (uint16_t i = 0; i < g->n_buckets; i++) {
			struct ref_pkt c = *p;
			run_actions(s, &c, &g->buckets[i].actions, depth + 1);
		}
		return;
	}
	if (g->type == OFPGT_FF) {
		while (pick < g->n_buckets && !bucket_live(s, &g->buckets[pick], depth))
			pick++;
		if (pick == g->n_buckets)
			return;
	} else if (g->type == OFPGT_SELECT) {
		pick = select_bucket(g, p);
	}
	struct ref_pkt c = *p;
	run_actions(s, &c, &g->buckets[pick].actions, depth + 1);
}

/* An action list in order: outputs see the frame as it is then. */
static void
run_actions(struct ref_state *s, struct ref_pkt *p, const struct ofp_action_list *l, int depth)
{
	for (uint16_t i = 0; i < l->n; i++) {
		const struct ofp_action *a = &l->v[i];

		if (a->type == OFPAT_OUTPUT)
			output(s, p, a->u.output.port, a->u.output.max_len);
		else if (a->type == OFPAT_GROUP)
			run_group(s, p, a->u.group_id, depth);
		else
			edit(s, p, a);
	}
}

/* ---- the action set (5.10) ---- */

struct ref_actset {
	uint16_t n;
	struct ofp_action v[ACTSET_MAX];
};

static unsigned int
rank(const struct ofp_action *a)
{
	switch (a->type) {
	case OFPAT_COPY_TTL_IN: return 1;
	case OFPAT_POP_VLAN: case OFPAT_POP_MPLS: case OFPAT_POP_PBB: return 2;
	case OFPAT_PUSH_MPLS: return 3;
	case OFPAT_PUSH_PBB: return 4;
	case OFPAT_PUSH_VLAN: return 5;
	case OFPAT_COPY_TTL_OUT: return 6;
	case OFPAT_DEC_NW_TTL: case OFPAT_DEC_MPLS_TTL: return 7;
	case OFPAT_GROUP: return 10;
	case OFPAT_OUTPUT: return 11;
	default: return 8; /* set-field, set TTL */
	}
}

/* One action of each type; one set-field per field. */
static bool
same_type(const struct ofp_action *a, const struct ofp_action *b)
{
	unsigned int r = rank(a);

	if (r != rank(b))
		return false;
	if (r == 8 || r == 2 || r == 7)
		return a->type == b->type &&
		       (a->type != OFPAT_SET_FIELD || a->u.set_field.field == b->u.set_field.field);
	return true;
}

static void
actset_write(struct ref_actset *as, const struct ofp_action_list *l)
{
	for (uint16_t i = 0; i < l->n; i++) {
		uint16_t j = 0;

		while (j < as->n && !same_type(&as->v[j], &l->v[i]))
			j++;
		if (j < as->n)
			as->v[j] = l->v[i];
		else if (as->n < ACTSET_MAX)
			as->v[as->n++] = l->v[i];
	}
}

static void
actset_run(struct ref_state *s, struct ref_pkt *p, const struct ref_actset *as)
{
	struct ofp_action v[ACTSET_MAX];
	struct ofp_action_list l = { v, 0 };
	bool group = false;

	for (uint16_t i = 0; i < as->n; i++)
		group |= as->v[i].type == OFPAT_GROUP;
	/* In the spec's order; among equals, the order they were written. */
	for (unsigned int r = 1; r <= 11; r++)
		for (uint16_t i = 0; i < as->n; i++)
			if (rank(&as->v[i]) == r && !(group && r == 11))
				v[l.n++] = as->v[i];
	run_actions(s, p, &l, 0);
}

/* ---- the pipeline ---- */

static int
chain_of(const struct ref_world *w, uint64_t flow_id)
{
	for (uint32_t i = 0; i < w->n_chains; i++)
		if (w->chains[i].flow_id == flow_id)
			return w->chains[i].chain_id;
	return -1;
}

static bool
match_all(const struct ofp_match *m)
{
	static const struct flow_key zero;

	return memcmp(&m->mask, &zero, sizeof(zero)) == 0;
}

static void
print_actions(const char *what, const struct ofp_action_list *l)
{
	printf("    %s:", what);
	for (uint16_t i = 0; i < l->n; i++) {
		const struct ofp_action *a = &l->v[i];

		if (a->type == OFPAT_OUTPUT)
			printf(" output:%u", a->u.output.port);
		else if (a->type == OFPAT_GROUP)
			printf(" group:%u", a->u.group_id);
		else if (a->type == OFPAT_SET_FIELD)
			printf(" set_field(%u)", a->u.set_field.field);
		else
			printf(" action(%u)", a->type);
	}
	printf("\n");
}

static void
print_flow(const struct ofs_flow *f)
{
	const struct ofp_instructions *in = &f->insts;

	printf("  flow %lu table %u priority %u insts %#x goto %u meter %u\n", f->id, f->table_id,
	       f->priority, in->present, in->goto_table, in->meter_id);
	if (in->present & OFP_INST_BIT(OFPIT_APPLY_ACTIONS))
		print_actions("apply", &in->apply);
	if (in->present & OFP_INST_BIT(OFPIT_WRITE_ACTIONS))
		print_actions("write", &in->write);
}

int
ref_run(struct ref_world *w, const uint8_t *frame, uint16_t len, uint32_t in_port,
	struct ref_event *ev, int max)
{
	struct ref_state s = { .w = w, .in_port = in_port, .ev = ev, .max = max };
	struct ref_actset as = { 0 };
	struct ref_pkt p;
	uint8_t table = 0;

	p.len = len;
	memcpy(p.d, frame, len);
	for (;;) {
		struct flow_key key;
		struct pkt_info pi;
		struct ofs_flow *f;

		pkt_parse(p.d, p.len, &pi);
		flow_key_from_frame(&key, &pi, p.d, p.len, in_port);
		key.metadata = s.metadata;
		key.tunnel_id = s.tunnel_id;
		f = ofs_lookup(w->sw, table, &key);
		if (f == NULL)
			return s.n; /* a table miss with no table-miss flow drops */
		int chain = table == 0 ? chain_of(w, f->id) : -1;
		if (chain >= 0) {
			record(&s, &p, REF_TO_CHAIN, (uint16_t)chain);
			return s.n;
		}
		if (f->id < 1024)
			w->flow_hits[f->id]++;
		if (w->trace)
			print_flow(f);
		s.cookie = f->cookie;
		s.table_id = f->table_id;
		s.table_miss = f->priority == 0 && match_all(&f->match);
		const struct ofp_instructions *in = &f->insts;
		if (in->present & OFP_INST_BIT(OFPIT_METER)) {
			uint32_t *left = &w->meter_passes[in->meter_id & 15];

			if (*left == 0)
				return s.n; /* the meter's drop band */
			(*left)--;
		}
		if (in->present & OFP_INST_BIT(OFPIT_APPLY_ACTIONS))
			run_actions(&s, &p, &in->apply, 0);
		if (in->present & OFP_INST_BIT(OFPIT_CLEAR_ACTIONS))
			as.n = 0;
		if (in->present & OFP_INST_BIT(OFPIT_WRITE_ACTIONS))
			actset_write(&as, &in->write);
		if (in->present & OFP_INST_BIT(OFPIT_WRITE_METADATA))
			s.metadata = (s.metadata & ~in->metadata_mask) |
				     (in->metadata & in->metadata_mask);
		if (!(in->present & OFP_INST_BIT(OFPIT_GOTO_TABLE)))
			break;
		table = in->goto_table;
	}
	actset_run(&s, &p, &as);
	return s.n;
}
