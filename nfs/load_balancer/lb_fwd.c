/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "lb_fwd.h"
#include "lb_nat.h"
#include "onvm_nflib_state.h"
#include "pkt_parse.h"

static enum lb_verdict
to_backend(struct lb_fwd *f, struct lb_vip_svc *svc, const struct pkt_info *pi, uint8_t *frame,
	   uint64_t now, uint16_t bucket, uint32_t *events)
{
	uint8_t *ip = frame + pi->l3_off, *l4 = frame + pi->l4_off;
	struct lb_conn *c = lb_conn_find_inbound(f->conns, pi->ipv4_src, pi->src_port,
						 pi->ipv4_dst, pi->dst_port, pi->ip_proto);

	svc->pkts_in++;
	if (c != NULL) {
		lb_conn_touch(c, now, pi->tcp_flags);
		lb_nat_set_dst(ip, l4, c->backend_ip, c->backend_port);
		return LB_V_TO_BACKEND;
	}

	struct pkt_5tuple t;

	pkt_info_5tuple(pi, &t);
	uint16_t b = lb_maglev_pick(&svc->maglev, pkt_5tuple_hash_symmetric(&t));
	struct lb_conn nc = {
		.client_ip = pi->ipv4_src, .client_port = pi->src_port,
		.vip = pi->ipv4_dst, .vport = pi->dst_port, .proto = pi->ip_proto,
		.backend_ip = svc->backends[b].ip, .backend_port = svc->backends[b].port,
		.bucket_in = bucket, .last_seen = now,
	};
	/* The reply's bucket as the manager will hash it (backend -> client);
	 * the first reply confirms it. */
	struct pkt_5tuple reply = { .src_ip = nc.backend_ip, .dst_ip = nc.client_ip,
				    .src_port = nc.backend_port, .dst_port = nc.client_port,
				    .proto = nc.proto };

	nc.bucket_reply = onvm_bucket_of_hash(pkt_5tuple_hash_symmetric(&reply));

	lb_conn_touch(&nc, now, pi->tcp_flags);
	switch (lb_conn_add(f->conns, &nc)) {
	case LB_CONN_ADDED:
		break;
	case LB_CONN_FULL:
		*events |= LB_EV_TABLE_FULL;
		break;
	case LB_CONN_CONFLICT:
		*events |= LB_EV_CONFLICT;
		break;
	}
	*events |= LB_EV_NEW_CONN;
	svc->new_conns++;
	svc->backend_conns[b]++;
	lb_nat_set_dst(ip, l4, nc.backend_ip, nc.backend_port);
	return LB_V_TO_BACKEND;
}

enum lb_verdict
lb_fwd_packet(struct lb_fwd *f, uint8_t *frame, uint32_t len, uint64_t now, uint16_t bucket,
	      uint32_t *events)
{
	struct pkt_info pi;

	*events = 0;
	(void)pkt_parse(frame, len, &pi);
	if (!(pi.flags & PKT_F_IPV4) ||
	    (pi.ip_proto != PKT_PROTO_TCP && pi.ip_proto != PKT_PROTO_UDP))
		return LB_V_PASS;
	if (pi.flags & (PKT_F_FRAGMENT | PKT_F_TRUNCATED | PKT_F_BAD_L4) ||
	    !(pi.flags & PKT_F_L4)) {
		if (!lb_vips_is_vip(&f->vips, pi.ipv4_dst))
			return LB_V_PASS;
		return (pi.flags & PKT_F_FRAGMENT) ? LB_V_DROP_FRAGMENT : LB_V_DROP_MALFORMED;
	}

	struct lb_vip_svc *svc = lb_vips_find(&f->vips, pi.ipv4_dst, pi.ip_proto, pi.dst_port);

	if (svc != NULL)
		return to_backend(f, svc, &pi, frame, now, bucket, events);

	struct lb_conn *c = lb_conn_find_reply(f->conns, pi.ipv4_src, pi.src_port, pi.ipv4_dst,
					       pi.dst_port, pi.ip_proto);

	if (c == NULL)
		return LB_V_PASS;
	lb_conn_touch(c, now, pi.tcp_flags);
	if (c->bucket_reply != bucket) {
		c->bucket_reply = bucket;
		lb_conn_relink(f->conns, c);
	}
	lb_nat_set_src(frame + pi.l3_off, frame + pi.l4_off, c->vip, c->vport);
	return LB_V_TO_CLIENT;
}

int
lb_fwd_set_services(struct lb_fwd *f, const struct lb_config *cfg)
{
	struct lb_vips fresh;

	if (lb_vips_build(&fresh, cfg) < 0)
		return -1;
	lb_vips_free(&f->vips);
	f->vips = fresh;
	return 0;
}
