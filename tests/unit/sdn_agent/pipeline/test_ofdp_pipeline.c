/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The compiled OpenFlow pipeline against the reference interpreter, the
 * way Open vSwitch tests its classifier: random switches (several tables,
 * priorities with ties, masks, goto-table, write-metadata, action sets,
 * all/select/indirect/fast-failover groups, set-field, VLAN push/pop, TTL,
 * meters, PACKET_IN, the host's chain entries) and random bursts of
 * frames. For every packet, table 0 compiled must pick the flow
 * ofs_lookup() picks, the burst executor must send exactly the frames the
 * reference sends, to the same places, in the same order, PACKET_INs
 * included, and the flow counters harvested back into the switch must
 * equal the reference's counts.
 *
 *   test_ofdp_pipeline [CASES [SEED]]   (default 2000 cases, seed 1)
 *
 * A failure names its seed; OFDP_TRACE=1 with that seed prints the flows
 * the reference ran for each packet whose results differ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "test_eal_cleanup.h"
#include "byte_order.h"
#include "classifier.h"
#include "ofdp_compile.h"
#include "ofdp_reference.h"
#include "pkt_parse.h"

#define PREFIX "ofdp_pipeline_test"
#define N_PORTS 3         /* DPDK ports 0..2; port 2's link is down */
#define MAX_SERVICE 4     /* services 1..4; 1, 2 and 4 have instances */

static unsigned int n_cases = 2000;
/* What the cases covered, printed at the end: a run that compares
 * nothing proves nothing. */
static struct {
	uint64_t packets, outputs, packet_ins, chains, shortcuts, table_hits[OFDP_N_TABLES];
} covered;
static uint64_t first_seed = 1;

static struct rte_mempool *pool;
static struct ofdp_io io;
static struct ofdp_env env;
static struct ofdp_lcore lc;
static const uint16_t port_ids[N_PORTS] = { 0, 1, 2 };
static struct onvm_service services[ONVM_MAX_SERVICES + 1];
static const uint16_t instances[MAX_SERVICE + 1] = { 0, 1, 1, 0, 2 };

/* ---- a seeded generator ---- */

static uint64_t rng;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static bool
chance(unsigned int percent)
{
	return rnd(100) < percent;
}

static const uint32_t src_ips[] = { 0x0a000001, 0x0a000002, 0x0a000101, 0xc0a80001 };
static const uint32_t dst_ips[] = { 0x0a010001, 0x0a010002, 0xc0a80001, 0x0a000001 };
static const uint16_t src_ports[] = { 1000, 2000, 80 };
static const uint16_t dst_ports[] = { 80, 443, 53, 1000 };
static const uint8_t macs[][6] = { { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 },
				   { 2, 0, 0, 0, 0, 3 } };
static const uint32_t in_ports[] = { 1, 2, 1001, 1002 };

#define PICK(a) (a)[rnd(sizeof(a) / sizeof((a)[0]))]

/* ---- random frames ---- */

/* Ethernet, up to two VLAN tags, then IPv4 TCP/UDP or ARP, valid
 * checksums. `id` is written where no action rewrites it (the IPv4 id,
 * the ARP sender MAC's last two bytes), to tell whose a copy is. */
static uint16_t
make_frame(uint8_t *f, uint16_t id)
{
	uint16_t off = 12, len;
	unsigned int tags = chance(30) ? 1 + chance(20) : 0;

	memcpy(f, PICK(macs), 6);
	memcpy(f + 6, PICK(macs), 6);
	for (unsigned int t = 0; t < tags; t++) {
		be16_store(f + off, t == 0 && tags == 2 ? PKT_ETHERTYPE_QINQ : PKT_ETHERTYPE_VLAN);
		be16_store(f + off + 2, (uint16_t)(rnd(8) << 13 | (chance(50) ? 10 : 20)));
		off += 4;
	}
	if (chance(15)) {
		uint8_t *arp = f + off + 2;

		be16_store(f + off, PKT_ETHERTYPE_ARP);
		memset(arp, 0, 28);
		be16_store(arp, 1);
		be16_store(arp + 2, PKT_ETHERTYPE_IPV4);
		arp[4] = 6;
		arp[5] = 4;
		be16_store(arp + 6, 1);
		memcpy(arp + 8, PICK(macs), 6);
		be16_store(arp + 12, id);
		be32_store(arp + 14, PICK(src_ips));
		be32_store(arp + 24, PICK(dst_ips));
		len = (uint16_t)(off + 2 + 28 + 20);
		memset(f + off + 30, 0, 20);
		return len < 80 ? 80 : len;
	}
	uint8_t *ip = f + off + 2, *l4 = ip + 20;
	bool tcp = chance(50);
	uint16_t l4_len = (uint16_t)((tcp ? 20 : 8) + 20 + rnd(40));

	be16_store(f + off, PKT_ETHERTYPE_IPV4);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[1] = (uint8_t)(rnd(64) << 2 | rnd(4));
	be16_store(ip + 2, (uint16_t)(20 + l4_len));
	be16_store(ip + 4, id);
	ip[8] = (uint8_t)PICK(((const uint8_t[]){ 0, 1, 64 }));
	ip[9] = tcp ? PKT_PROTO_TCP : PKT_PROTO_UDP;
	be32_store(ip + 12, PICK(src_ips));
	be32_store(ip + 16, PICK(dst_ips));
	memset(l4, 0, l4_len);
	be16_store(l4, PICK(src_ports));
	be16_store(l4 + 2, PICK(dst_ports));
	if (tcp) {
		l4[12] = 5 << 4;
		l4[13] = PKT_TCP_ACK;
	} else {
		be16_store(l4 + 4, l4_len);
		be16_store(l4 + 6, 1); /* non-zero: computed below (0 = "none" stays 0) */
		if (chance(20))
			be16_store(l4 + 6, 0);
	}
	for (uint16_t i = tcp ? 20 : 8; i < l4_len; i++)
		l4[i] = (uint8_t)rnd(256);
	ref_fix_checksums(f, (uint16_t)(off + 2 + 20 + l4_len));
	return (uint16_t)(off + 2 + 20 + l4_len);
}

/* The id make_frame() wrote, read past any VLAN tags without parsing
 * the rest: a PACKET_IN may hold only the frame's first bytes. */
static int
frame_id(const uint8_t *f, uint32_t len)
{
	uint32_t off = 12;

	while (off + 2 <= len && (be16_load(f + off) == PKT_ETHERTYPE_VLAN ||
				  be16_load(f + off) == PKT_ETHERTYPE_QINQ))
		off += 4;
	if (off + 2 + 14 > len)
		return -1;
	if (be16_load(f + off) == PKT_ETHERTYPE_IPV4)
		return be16_load(f + off + 2 + 4);
	if (be16_load(f + off) == PKT_ETHERTYPE_ARP)
		return be16_load(f + off + 2 + 12);
	return -1;
}

/* ---- random switches ---- */

static uint32_t n_groups;

static void
set_field(struct ofp_action *a, uint8_t field, const void *v, uint8_t len)
{
	a->type = OFPAT_SET_FIELD;
	a->u.set_field.field = field;
	a->u.set_field.len = len;
	memcpy(a->u.set_field.value, v, len);
}

/* One random action; group ids below `max_group` (0: no group). */
static void
random_action(struct ofp_action *a, uint32_t max_group, bool allow_tunnel)
{
	uint8_t v[8];

	memset(a, 0, sizeof(*a));
	switch (rnd(15)) {
	case 0: case 1: case 2: {
		static const uint32_t ports[] = { 1, 2, 3, 1001, 1002, 1003, 1004, OFPP_IN_PORT,
						  OFPP_CONTROLLER, OFPP_FLOOD, OFPP_ALL };
		a->type = OFPAT_OUTPUT;
		a->u.output.port = PICK(ports);
		a->u.output.max_len = PICK(((const uint16_t[]){ OFPCML_NO_BUFFER, 64, 128 }));
		return;
	}
	case 3:
		if (max_group > 1) {
			a->type = OFPAT_GROUP;
			a->u.group_id = 1 + rnd(max_group - 1);
			return;
		}
		a->type = OFPAT_OUTPUT;
		a->u.output.port = 2;
		return;
	case 4:
		set_field(a, chance(50) ? OFPXMT_OFB_ETH_SRC : OFPXMT_OFB_ETH_DST, PICK(macs), 6);
		return;
	case 5:
		be32_store(v, PICK(dst_ips) + rnd(3));
		set_field(a, chance(50) ? OFPXMT_OFB_IPV4_SRC : OFPXMT_OFB_IPV4_DST, v, 4);
		return;
	case 6: {
		static const uint8_t fields[] = { OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_TCP_DST,
						  OFPXMT_OFB_UDP_SRC, OFPXMT_OFB_UDP_DST };
		be16_store(v, PICK(dst_ports));
		set_field(a, PICK(fields), v, 2);
		return;
	}
	case 7:
		be16_store(v, (uint16_t)(FLOW_VID_PRESENT | (chance(50) ? 10 : 30)));
		set_field(a, OFPXMT_OFB_VLAN_VID, v, 2);
		return;
	case 8:
		v[0] = (uint8_t)rnd(64);
		set_field(a, OFPXMT_OFB_IP_DSCP, v, 1);
		return;
	case 9:
		a->type = OFPAT_PUSH_VLAN;
		a->u.ethertype = chance(70) ? PKT_ETHERTYPE_VLAN : PKT_ETHERTYPE_QINQ;
		return;
	case 10:
		a->type = OFPAT_POP_VLAN;
		return;
	case 11:
		a->type = OFPAT_DEC_NW_TTL;
		return;
	case 12:
		a->type = OFPAT_SET_NW_TTL;
		a->u.ttl = (uint8_t)PICK(((const uint8_t[]){ 0, 7, 200 }));
		return;
	default:
		if (allow_tunnel) {
			be64_store(v, chance(50) ? 7 : 0);
			set_field(a, OFPXMT_OFB_TUNNEL_ID, v, 8);
			return;
		}
		a->type = OFPAT_OUTPUT;
		a->u.output.port = 1001;
		return;
	}
}

static struct ofp_action_list
random_actions(unsigned int max_n, uint32_t max_group, bool allow_tunnel)
{
	struct ofp_action_list l = { calloc(max_n + 1, sizeof(struct ofp_action)), 0 };

	for (unsigned int i = rnd(max_n + 1); i > 0; i--)
		random_action(&l.v[l.n++], max_group, allow_tunnel);
	return l;
}

/* Keep only the actions whose prerequisites the match meets (as the
 * codec would have refused the FLOW_MOD otherwise). */
static void
prune_to_match(struct ofp_action_list *l, const struct ofp_match *m)
{
	while (l->n > 0 && ofp_actions_check_match(l, m) != OFP_OK)
		l->n--;
}

static void
add_groups(struct of_switch *sw)
{
	n_groups = rnd(5);
	for (uint32_t g = 1; g <= n_groups; g++) {
		struct ofp_group_mod gm = { .command = OFPGC_ADD, .type = (uint8_t)rnd(4),
					    .group_id = g };
		struct ofp_bucket b[3];

		gm.n_buckets = gm.type == OFPGT_INDIRECT ? 1 : (uint16_t)(1 + rnd(3));
		gm.buckets = b;
		for (uint16_t i = 0; i < gm.n_buckets; i++) {
			static const uint32_t watch[] = { 1, 2, 3, 1001, 1003 };

			memset(&b[i], 0, sizeof(b[i]));
			/* Buckets may use lower groups only: no loops. */
			b[i].actions = random_actions(3, g, false);
			b[i].weight = gm.type == OFPGT_SELECT ? (uint16_t)rnd(4) : 0;
			b[i].watch_port = gm.type == OFPGT_FF ? PICK(watch) : OFPP_ANY;
			b[i].watch_group = gm.type == OFPGT_FF && g > 1 && chance(30) ? 1 + rnd(g - 1)
										 : OFPG_ANY;
		}
		ofs_group_mod(sw, &gm, 0);
		for (uint16_t i = 0; i < gm.n_buckets; i++)
			free(b[i].actions.v);
	}
}

/* Meters 1 and 2: packets per second, a drop band of 1 pps with a burst
 * of 1 or 3: within a case (far below a second) the first `burst`
 * packets pass and the rest drop. */
static void
add_meters(struct of_switch *sw, struct ref_world *w)
{
	for (uint32_t id = 1; id <= 2; id++) {
		struct ofp_meter_mod mm = { .command = OFPMC_ADD, .flags = OFPMF_PKTPS | OFPMF_BURST,
					    .meter_id = id, .n_bands = 1 };

		mm.bands[0] = (struct ofp_meter_band){ .type = OFPMBT_DROP, .rate = 1,
						       .burst_size = id == 1 ? 1 : 3 };
		ofs_meter_mod(sw, &mm, 0);
		w->meter_passes[id] = mm.bands[0].burst_size;
	}
}

static void
random_match(struct ofp_match *m, uint8_t table)
{
	struct flow_key *k = &m->key, *mk = &m->mask;
	/* Prefixes of many lengths (the classifier's prefix tries skip
	 * subtables by length) and one mask that is no prefix. */
	static const uint32_t prefixes[] = { 0xff000000, 0xfffe0000, 0xffff0000, 0xfffff000,
					     0xffffff00, 0xfffffffe, 0xffffffff, 0xff00ff00 };

	memset(m, 0, sizeof(*m));
	if (chance(30)) {
		k->in_port = PICK(in_ports);
		mk->in_port = UINT32_MAX;
	}
	if (chance(15)) {
		memcpy(k->eth_src, PICK(macs), 6);
		memset(mk->eth_src, 0xff, 6);
	}
	if (chance(20)) {
		k->vlan_vid = chance(80) ? (uint16_t)(FLOW_VID_PRESENT | (chance(50) ? 10 : 20)) : 0;
		mk->vlan_vid = 0x1fff;
	}
	if (chance(60)) {
		k->eth_type = PKT_ETHERTYPE_IPV4;
		mk->eth_type = 0xffff;
		if (chance(50)) {
			mk->ipv4_src = PICK(prefixes);
			k->ipv4_src = PICK(src_ips) & mk->ipv4_src;
		}
		if (chance(50)) {
			mk->ipv4_dst = PICK(prefixes);
			k->ipv4_dst = PICK(dst_ips) & mk->ipv4_dst;
		}
		if (chance(60)) {
			k->ip_proto = chance(50) ? PKT_PROTO_TCP : PKT_PROTO_UDP;
			mk->ip_proto = 0xff;
			if (chance(30)) {
				k->tp_src = PICK(src_ports);
				mk->tp_src = 0xffff;
			}
			if (chance(40)) {
				k->tp_dst = PICK(dst_ports);
				mk->tp_dst = 0xffff;
			}
		}
	} else if (chance(15)) {
		k->eth_type = PKT_ETHERTYPE_ARP;
		mk->eth_type = 0xffff;
	}
	if (table > 0 && chance(30)) {
		static const uint64_t masks[] = { 0x1, 0xf, 0x100, UINT64_MAX };
		mk->metadata = PICK(masks);
		k->metadata = PICK(((const uint64_t[]){ 0, 1, 2, 0x100 })) & mk->metadata;
	}
	if (table > 0 && chance(10)) {
		k->tunnel_id = 7;
		mk->tunnel_id = UINT64_MAX;
	}
	ofp_match_normalize(m);
}

static void
add_flow(struct of_switch *sw, uint8_t table, uint8_t n_tables)
{
	struct ofp_flow_mod fm = { .table_id = table, .command = OFPFC_ADD,
				   .priority = (uint16_t)rnd(5), .buffer_id = OFP_NO_BUFFER,
				   .out_port = OFPP_ANY, .out_group = OFPG_ANY,
				   .cookie = 0x100 + rnd(1000) };
	struct ofp_instructions *in = &fm.insts;

	if (chance(5)) {
		fm.priority = 0; /* a table-miss flow */
	} else {
		random_match(&fm.match, table);
	}
	if (chance(75)) {
		in->present |= OFP_INST_BIT(OFPIT_APPLY_ACTIONS);
		in->apply = random_actions(4, n_groups + 1, true);
		prune_to_match(&in->apply, &fm.match);
	}
	if (chance(25)) {
		in->present |= OFP_INST_BIT(OFPIT_WRITE_ACTIONS);
		in->write = random_actions(3, n_groups + 1, false);
		prune_to_match(&in->write, &fm.match);
	}
	if (chance(15))
		in->present |= OFP_INST_BIT(OFPIT_CLEAR_ACTIONS);
	if (chance(20)) {
		in->present |= OFP_INST_BIT(OFPIT_WRITE_METADATA);
		in->metadata = PICK(((const uint64_t[]){ 1, 2, 0x100, 0xff }));
		in->metadata_mask = PICK(((const uint64_t[]){ 0x1, 0xf, 0xfff, UINT64_MAX }));
	}
	if (table + 1 < n_tables && chance(45)) {
		in->present |= OFP_INST_BIT(OFPIT_GOTO_TABLE);
		in->goto_table = (uint8_t)(table + 1 + rnd(n_tables - table - 1));
	}
	/* Meters in table 0 only: there the burst meets them in packet
	 * order, as the one-packet-at-a-time reference does. */
	if (table == 0 && chance(8)) {
		in->present |= OFP_INST_BIT(OFPIT_METER);
		in->meter_id = 1 + rnd(2);
	}
	ofs_flow_mod(sw, &fm, 0);
	free(in->apply.v);
	free(in->write.v);
}

static bool
port_exists(void *ctx, uint32_t port)
{
	return ofdp_env_dpdk_port(ctx, port) || ofdp_env_service_port(ctx, port);
}

/* The host's JSON chains: table-0 entries whose output names a service. */
static uint32_t
add_chains(struct of_switch *sw, struct ofdp_chain_flow *chains)
{
	uint32_t n = rnd(3);

	for (uint32_t c = 0; c < n; c++) {
		struct ofp_action out = { .type = OFPAT_OUTPUT };
		struct ofp_flow_mod fm = { .table_id = 0, .command = OFPFC_ADD,
					   .priority = (uint16_t)rnd(5), .buffer_id = OFP_NO_BUFFER,
					   .out_port = OFPP_ANY, .out_group = OFPG_ANY,
					   .cookie = c + 1 };

		random_match(&fm.match, 0);
		out.u.output.port = 1001;
		fm.insts.present = OFP_INST_BIT(OFPIT_APPLY_ACTIONS);
		fm.insts.apply = (struct ofp_action_list){ &out, 1 };
		chains[c] = (struct ofdp_chain_flow){ sw->next_flow_id, (uint16_t)(c + 1) };
		if (ofs_flow_mod(sw, &fm, 0) != OFP_OK)
			return c;
	}
	return n;
}

/* ---- one case ---- */

struct seen {
	int n;
	struct ref_event ev[REF_MAX_EVENTS];
};

static void
from_mbuf(struct ref_event *e, uint8_t kind, uint16_t target, const struct rte_mbuf *m)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->target = target;
	e->len = (uint16_t)RTE_MIN(rte_pktmbuf_data_len(m), REF_FRAME_MAX);
	memcpy(e->data, rte_pktmbuf_mtod(m, const uint8_t *), e->len);
}

static void
expect_same(const struct seen *got, const struct seen *want, uint64_t seed, int pkt)
{
	if (got->n != want->n)
		fail_msg("seed %lu packet %d: %d events, the reference %d", seed, pkt, got->n,
			 want->n);
	for (int i = 0; i < got->n; i++) {
		const struct ref_event *g = &got->ev[i], *w = &want->ev[i];

		if (g->kind != w->kind || g->target != w->target || g->len != w->len ||
		    memcmp(g->data, w->data, g->len) != 0 ||
		    (g->kind == REF_PACKET_IN &&
		     (g->reason != w->reason || g->table_id != w->table_id ||
		      g->cookie != w->cookie || g->total_len != w->total_len)))
			fail_msg("seed %lu packet %d event %d: got kind %u target %u len %u, "
				 "the reference kind %u target %u len %u%s", seed, pkt, i, g->kind,
				 g->target, g->len, w->kind, w->target, w->len,
				 g->len == w->len ? " (bytes differ)" : "");
	}
}

/* The destinations of a piece of the burst, by the packet they came from. */
static void
collect(const struct pkt_dests *dests, struct seen *got, uint16_t n, uint64_t seed)
{
	static const uint8_t kinds[] = { [PKT_TO_PORT] = REF_TO_PORT,
					 [PKT_TO_SERVICE] = REF_TO_SERVICE,
					 [PKT_TO_CHAIN] = REF_TO_CHAIN };

	for (uint16_t i = 0; i < dests->n; i++) {
		struct rte_mbuf *m = dests->v[i].pkt;
		int id = frame_id(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m));

		if (!(id >= 0 && id < n && got[id].n < REF_MAX_EVENTS))
			fail_msg("seed %lu: a frame of %u bytes names packet %d of %u", seed,
				 rte_pktmbuf_data_len(m), id, n);
		from_mbuf(&got[id].ev[got[id].n++], kinds[dests->v[i].kind], dests->v[i].target, m);
		rte_pktmbuf_free(m);
	}
}

/* The PACKET_INs a piece of the burst sent, from the ring the agent
 * drains, by packet. */
static void
collect_packet_ins(struct seen *got_pin, uint16_t n, uint64_t seed)
{
	void *obj;
	while (rte_ring_dequeue(io.pin_ring, &obj) == 0) {
		struct ofdp_pin_msg *pm = obj;
		int id = frame_id(pm->data, pm->len);
		struct ref_event *e;

		if (!(id >= 0 && id < n && got_pin[id].n < REF_MAX_EVENTS))
			fail_msg("seed %lu: a PACKET_IN of %u bytes (reason %u) names packet %d of %u",
				 seed, pm->len, pm->reason, id, n);
		e = &got_pin[id].ev[got_pin[id].n++];
		memset(e, 0, sizeof(*e));
		e->kind = REF_PACKET_IN;
		e->reason = pm->reason;
		e->table_id = pm->table_id;
		e->cookie = pm->cookie;
		e->total_len = pm->total_len;
		e->len = pm->len;
		memcpy(e->data, pm->data, pm->len);
		rte_mempool_put(io.pin_pool, pm);
	}
}

static void
run_case(uint64_t seed)
{
	static struct seen got[OFDP_BURST_MAX], want[OFDP_BURST_MAX];
	static struct seen got_pin[OFDP_BURST_MAX], want_pin[OFDP_BURST_MAX];
	static struct pkt_dests dests;
	struct ref_world w = { .port_mask = (1u << N_PORTS) - 1, .port_up = io.port_up,
			       .num_ports = N_PORTS, .port_ids = port_ids,
			       .max_service = MAX_SERVICE, .instances = instances };
	struct ofdp_chain_flow chains[4];
	struct rte_mbuf *pkts[OFDP_BURST_MAX];
	struct flow_key keys[OFDP_BURST_MAX];
	uint32_t idx[OFDP_BURST_MAX];
	uint8_t frames[OFDP_BURST_MAX][REF_FRAME_MAX];
	uint16_t lens[OFDP_BURST_MAX], n_run = 0;
	uint32_t in_of[OFDP_BURST_MAX];
	bool unparsed[OFDP_BURST_MAX];
	uint16_t order[OFDP_BURST_MAX];
	struct of_switch sw;
	uint8_t n_tables = (uint8_t)(1 + rnd(4));

	rng = seed * 0x9e3779b97f4a7c15ULL | 1;
	assert_int_equal(ofs_init(&sw, OFDP_N_TABLES, 1000, 64), 0);
	sw.port_exists = port_exists;
	sw.ctx = &env;
	w.sw = &sw;
	add_meters(&sw, &w);
	add_groups(&sw);
	w.chains = chains;
	w.n_chains = add_chains(&sw, chains);
	for (uint8_t t = 0; t < n_tables; t++)
		for (unsigned int i = (t == 0 ? 2 : 1) + rnd(8); i > 0; i--)
			add_flow(&sw, t, n_tables);

	struct ofdp_table *tbl = ofdp_compile(&sw, &env, chains, w.n_chains, NULL,
					      rte_get_tsc_hz());
	assert_non_null(tbl);

	/* Table 0 as the host looks it up: the compiled classifier must
	 * pick what the switch's own lookup picks. */
	uint16_t n = (uint16_t)(1 + rnd(OFDP_BURST_MAX));
	for (uint16_t i = 0; i < n; i++) {
		struct flow_key key;
		struct pkt_info pi;
		uint32_t res;

		lens[i] = make_frame(frames[i], i);
		in_of[i] = PICK(in_ports);
		pkt_parse(frames[i], lens[i], &pi);
		flow_key_from_frame(&key, &pi, frames[i], lens[i], in_of[i]);
		const struct ofs_flow *ref = ofs_lookup(&sw, 0, &key);
		bool hit = tbl->cls[0] != NULL && classifier_lookup(tbl->cls[0], &key, &res);

		if (hit != (ref != NULL))
			fail_msg("seed %lu packet %u: table 0 %s, the switch %s", seed, i,
				 hit ? "matched" : "missed", ref ? "matches" : "misses");
		want[i].n = 0;
		got[i].n = 0;
		got_pin[i].n = 0;
		if (!hit)
			continue;
		/* A packet back from a service with a shortcut: table 0 must
		 * answer what the shortcut says, whatever its headers. */
		uint32_t svc = in_of[i] - FLOW_OFPORT_SERVICE_BASE;
		bool shortcut = in_of[i] > FLOW_OFPORT_SERVICE_BASE && svc <= tbl->max_service &&
				tbl->reenter[svc] != OFDP_LOOKUP;
		if (shortcut && tbl->reenter[svc] != res)
			fail_msg("seed %lu packet %u: table 0's shortcut for service %u says %x, "
				 "the lookup %x", seed, i, svc, tbl->reenter[svc], res);
		covered.shortcuts += shortcut;
		if (!(res & OFDP_FLOW)) {
			/* A chain entry: the host starts that chain. */
			assert_int_equal(res, (uint32_t)ref->cookie);
			continue;
		}
		assert_int_equal(tbl->flows[res & ~OFDP_FLOW].flow_id, ref->id);
		pkts[n_run] = rte_pktmbuf_alloc(pool);
		assert_non_null(pkts[n_run]);
		memcpy(rte_pktmbuf_append(pkts[n_run], lens[i]), frames[i], lens[i]);
		idx[n_run] = res & ~OFDP_FLOW;
		keys[n_run] = key;
		if (shortcut) {
			/* As the host runs it: no key but the pipeline fields. */
			memset(&keys[n_run], 0, sizeof(keys[n_run]));
			keys[n_run].in_port = in_of[i];
		}
		unparsed[n_run] = shortcut;
		order[n_run] = i;
		n_run++;
	}

	/* The burst, in pieces small enough that no copy is refused for
	 * want of room (a host passes at most PKT_DESTS_MAX / 16 packets at
	 * a time), and then each packet through the reference. */
	for (uint16_t at = 0; at < n_run;) {
		uint16_t k = 1;

		/* Pieces of at most 4, parsed or not (as the host's shortcut). */
		while (k < 4 && at + k < n_run && unparsed[at + k] == unparsed[at])
			k++;
		dests.n = 0;
		ofdp_run_burst(tbl, &env, &lc, pkts + at, idx + at, keys + at, !unparsed[at], k,
			       &dests);
		collect(&dests, got, n, seed);
		collect_packet_ins(got_pin, n, seed);
		at += k;
	}
	assert_int_equal(lc.drops[OFDP_DROP_DEST_FULL], 0);
	assert_int_equal(lc.drops[OFDP_DROP_PACKET_IN_DROP], 0);
	for (uint16_t r = 0; r < n_run; r++) {
		uint16_t i = order[r];

		want[i].n = ref_run(&w, frames[i], lens[i], in_of[i], want[i].ev, REF_MAX_EVENTS);
	}

	/* PACKET_INs, from the ring the agent would drain. Their frames
	 * interleave with the destinations in the reference's list:
	 * compare the two streams separately. */
	for (uint16_t i = 0; i < n; i++) {
		want_pin[i].n = 0;
		int k = 0;
		for (int e = 0; e < want[i].n; e++) {
			if (want[i].ev[e].kind == REF_PACKET_IN)
				want_pin[i].ev[want_pin[i].n++] = want[i].ev[e];
			else
				want[i].ev[k++] = want[i].ev[e];
		}
		want[i].n = k;
	}
	for (uint16_t i = 0; i < n; i++) {
		covered.packets++;
		covered.outputs += (uint64_t)want[i].n;
		covered.packet_ins += (uint64_t)want_pin[i].n;
		for (int e = 0; e < want[i].n; e++)
			covered.chains += want[i].ev[e].kind == REF_TO_CHAIN;
		if (getenv("OFDP_TRACE") && (got[i].n != want[i].n || got_pin[i].n != want_pin[i].n)) {
			static struct ref_event again[REF_MAX_EVENTS];

			printf("packet %u in_port %u: %d outputs and %d PACKET_INs, the reference "
			       "%d and %d, by way of:\n", i, in_of[i], got[i].n, got_pin[i].n,
			       want[i].n, want_pin[i].n);
			w.trace = true;
			ref_run(&w, frames[i], lens[i], in_of[i], again, REF_MAX_EVENTS);
			w.trace = false;
		}
		expect_same(&got[i], &want[i], seed, i);
		expect_same(&got_pin[i], &want_pin[i], seed, i);
	}

	/* The data path's counters, harvested into the switch's flows. */
	uint64_t *seen = calloc(ofdp_harvest_words(tbl), sizeof(uint64_t));
	ofdp_harvest(&sw, tbl, seen, 0);
	for (uint8_t t = 0; t < n_tables; t++) {
		const struct ofs_flow *fl[64];
		uint32_t nf = ofs_table_flows(&sw, t, fl, 64);

		for (uint32_t i = 0; i < nf && i < 64; i++)
			covered.table_hits[t] += fl[i]->packet_count;
		for (uint32_t i = 0; i < nf && i < 64; i++)
			if (fl[i]->id < 1024 && fl[i]->packet_count != w.flow_hits[fl[i]->id])
				fail_msg("seed %lu: flow %lu counted %lu packets, the reference %lu",
					 seed, fl[i]->id, fl[i]->packet_count,
					 w.flow_hits[fl[i]->id]);
	}
	free(seen);
	ofdp_table_free(tbl);
	ofs_destroy(&sw);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

static void
test_random_switches(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < n_cases; c++)
		run_case(first_seed + c);
	printf("%u cases: %lu packets (%lu by a re-entry shortcut), %lu outputs and %lu "
	       "PACKET_INs compared; table hits", n_cases, covered.packets, covered.shortcuts,
	       covered.outputs, covered.packet_ins);
	for (unsigned int t = 0; t < OFDP_N_TABLES; t++)
		printf(" %lu", covered.table_hits[t]);
	printf("\n");
	assert_true(covered.outputs > 0 && covered.packet_ins > 0 && covered.table_hits[2] > 0 &&
		    covered.shortcuts > 0);
}

/* A case that must go through every table: four tables chained by
 * goto-table, metadata written and matched, the action set run at the
 * end, checked by hand rather than by the reference. */
static void
test_goto_metadata_actset(void **state)
{
	struct of_switch sw;
	struct ofp_action out2 = { .type = OFPAT_OUTPUT, .u.output = { 2, 0 } };
	struct ofp_action out1001 = { .type = OFPAT_OUTPUT, .u.output = { 1001, 0 } };
	struct ofp_flow_mod fm = { .command = OFPFC_ADD, .buffer_id = OFP_NO_BUFFER,
				   .out_port = OFPP_ANY, .out_group = OFPG_ANY, .priority = 1 };
	struct pkt_dests *dests = calloc(1, sizeof(*dests));
	uint8_t f[REF_FRAME_MAX];
	uint16_t len;
	struct flow_key key;
	struct pkt_info pi;

	(void)state;
	rng = 42;
	assert_int_equal(ofs_init(&sw, OFDP_N_TABLES, 100, 8), 0);
	sw.port_exists = port_exists;
	sw.ctx = &env;
	/* table 0: write output:2 to the set, metadata 5, goto 3 */
	fm.insts.present = OFP_INST_BIT(OFPIT_WRITE_ACTIONS) | OFP_INST_BIT(OFPIT_WRITE_METADATA) |
			   OFP_INST_BIT(OFPIT_GOTO_TABLE);
	fm.insts.write = (struct ofp_action_list){ &out2, 1 };
	fm.insts.metadata = 5;
	fm.insts.metadata_mask = 0xff;
	fm.insts.goto_table = 3;
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);
	/* table 3: metadata 5 -> write output:1001 in place of output:2 */
	memset(&fm.insts, 0, sizeof(fm.insts));
	fm.table_id = 3;
	fm.match.key.metadata = 5;
	fm.match.mask.metadata = 0xff;
	fm.insts.present = OFP_INST_BIT(OFPIT_WRITE_ACTIONS);
	fm.insts.write = (struct ofp_action_list){ &out1001, 1 };
	assert_int_equal(ofs_flow_mod(&sw, &fm, 0), OFP_OK);

	struct ofdp_table *t = ofdp_compile(&sw, &env, NULL, 0, NULL, rte_get_tsc_hz());
	assert_non_null(t);
	len = make_frame(f, 7);
	pkt_parse(f, len, &pi);
	flow_key_from_frame(&key, &pi, f, len, 1);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	memcpy(rte_pktmbuf_append(m, len), f, len);
	uint32_t idx = 0;
	ofdp_run_burst(t, &env, &lc, &m, &idx, &key, true, 1, dests);
	assert_int_equal(dests->n, 1);
	assert_int_equal(dests->v[0].kind, PKT_TO_SERVICE);
	assert_int_equal(dests->v[0].target, 1);
	assert_int_equal(t->tbl_ctr[lc.slot][3].matches, 1);
	rte_pktmbuf_free(dests->v[0].pkt);
	ofdp_table_free(t);
	ofs_destroy(&sw);
	free(dests);
}

static int
setup(void **state)
{
	char *argv[] = { "ofdp_test", "--no-huge", "--no-pci", "--no-shconf", "-l", "0",
			 "--file-prefix", PREFIX, "--log-level=error", NULL };

	(void)state;
	if (rte_eal_init(9, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("ofdp_test", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL || ofdp_io_init(&io, 0) < 0 || ofdp_lcore_init(&lc, 0) < 0)
		return -1;
	io.port_up[0] = io.port_up[1] = 1; /* port 2's link is down */
	for (uint16_t s = 1; s <= MAX_SERVICE; s++)
		services[s].num_instances = instances[s];
	env = (struct ofdp_env){ .port_mask = (1u << N_PORTS) - 1, .num_ports = N_PORTS,
				 .port_ids = port_ids, .max_service = MAX_SERVICE,
				 .services = services, .pool = pool, .io = &io };
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ofdp_lcore_free(&lc);
	ofdp_io_free(&io);
	rte_mempool_free(pool);
	test_eal_cleanup(PREFIX);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goto_metadata_actset),
		cmocka_unit_test(test_random_switches),
	};

	if (argc > 1)
		n_cases = (unsigned int)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		first_seed = strtoull(argv[2], NULL, 10);
	return cmocka_run_group_tests(tests, setup, teardown);
}
