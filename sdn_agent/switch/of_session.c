/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message handling for one controller connection (OpenFlow 1.3.5, 6.3
 * and 7). Each request is decoded, checked against the session's state
 * (negotiated version, role), applied to the switch, and answered; a
 * failure anywhere becomes one ERROR echoing the request's first 64 bytes.
 */
#include <string.h>

#include "of_session.h"

#define MAX_PORTS 512

void
of_session_init(struct of_session *s, struct of_switch *sw, const struct of_datapath_ops *ops,
		uint64_t datapath_id)
{
	memset(s, 0, sizeof(*s));
	s->sw = sw;
	s->ops = ops;
	s->datapath_id = datapath_id;
	s->desc = (struct ofp_desc_info){ "onvm", "DPDK NFV platform", "onvm 0.1", "None",
					  "onvm manager" };
	s->config.miss_send_len = 128;
	s->role = OFPCR_ROLE_EQUAL;
}

void
of_session_start(struct of_session *s, struct ofp_buf *out)
{
	ofp_encode_hello(out, 0, 1u << OFP_VERSION_1_3);
}

/* Requests a slave may not make (6.3.5). */
static bool
modifies_state(const struct ofp_msg *m)
{
	switch (m->h.type) {
	case OFPT_PACKET_OUT:
	case OFPT_FLOW_MOD:
	case OFPT_GROUP_MOD:
	case OFPT_METER_MOD:
	case OFPT_PORT_MOD:
	case OFPT_TABLE_MOD:
		return true;
	}
	return false;
}

static ofp_err_t
handle_role(struct of_session *s, const struct ofp_msg *m, struct ofp_buf *out)
{
	const struct ofp_role *r = &m->u.role;

	if (r->role == OFPCR_ROLE_MASTER || r->role == OFPCR_ROLE_SLAVE) {
		/* Generation ids wrap: compare by signed distance. */
		if (s->have_generation && (int64_t)(r->generation_id - s->generation_id) < 0)
			return OFP_ERR(OFPET_ROLE_REQUEST_FAILED, OFPRRFC_STALE);
		s->have_generation = true;
		s->generation_id = r->generation_id;
	}
	if (r->role != OFPCR_ROLE_NOCHANGE)
		s->role = r->role;
	struct ofp_role reply = { s->role, s->generation_id };
	ofp_encode_role(out, OFPT_ROLE_REPLY, m->h.xid, &reply);
	return OFP_OK;
}

static ofp_err_t
handle_port_stats(struct of_session *s, const struct ofp_msg *m, struct ofp_buf *out)
{
	struct ofp_port_info ports[MAX_PORTS];
	struct ofp_mp_writer w;
	uint32_t want = m->u.mp_request.u.port_no;
	unsigned n = s->ops->port_list ? s->ops->port_list(s->ops->ctx, ports, MAX_PORTS) : 0;
	bool found = false;

	if (want != OFPP_ANY && (want == 0 || want > OFPP_MAX))
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	ofp_mp_writer_begin(&w, out, m->h.xid, OFPMP_PORT_STATS);
	for (unsigned i = 0; i < n; i++) {
		struct ofp_port_stats_entry e = { .port_no = ports[i].port_no };

		if (want != OFPP_ANY && ports[i].port_no != want)
			continue;
		if (s->ops->port_stats)
			s->ops->port_stats(s->ops->ctx, ports[i].port_no, &e);
		e.port_no = ports[i].port_no;
		ofp_mp_put_port_stats(&w, &e);
		found = true;
	}
	if (want != OFPP_ANY && !found) {
		/* Drop the reply begun above: the answer is an ERROR. */
		out->len = w.msg_start;
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	}
	ofp_mp_writer_end(&w);
	return OFP_OK;
}

static ofp_err_t
handle_multipart(struct of_session *s, const struct ofp_msg *m, uint64_t now_ms,
		 struct ofp_buf *out)
{
	const struct ofp_mp_request *mp = &m->u.mp_request;
	struct ofp_mp_writer w;

	switch (mp->type) {
	case OFPMP_DESC:
		ofp_encode_desc_reply(out, m->h.xid, &s->desc);
		return OFP_OK;
	case OFPMP_FLOW:
		ofs_reply_flow_stats(s->sw, m->h.xid, &mp->u.flow, now_ms, out);
		return OFP_OK;
	case OFPMP_AGGREGATE:
		ofs_reply_aggregate(s->sw, m->h.xid, &mp->u.flow, out);
		return OFP_OK;
	case OFPMP_TABLE:
		ofs_reply_table_stats(s->sw, m->h.xid, out);
		return OFP_OK;
	case OFPMP_PORT_STATS:
		return handle_port_stats(s, m, out);
	case OFPMP_PORT_DESC: {
		struct ofp_port_info ports[MAX_PORTS];
		unsigned n = s->ops->port_list ? s->ops->port_list(s->ops->ctx, ports, MAX_PORTS) : 0;

		ofp_mp_writer_begin(&w, out, m->h.xid, OFPMP_PORT_DESC);
		for (unsigned i = 0; i < n; i++)
			ofp_mp_put_port_desc(&w, &ports[i]);
		ofp_mp_writer_end(&w);
		return OFP_OK;
	}
	case OFPMP_TABLE_FEATURES: {
		struct ofp_table_features_info t = { s->sw->n_tables, s->sw->max_flows };
		ofp_encode_table_features_reply(out, m->h.xid, &t);
		return OFP_OK;
	}
	case OFPMP_GROUP:
		if (mp->u.group_id != OFPG_ALL && mp->u.group_id > OFPG_MAX)
			return OFP_ERR(OFPET_GROUP_MOD_FAILED, OFPGMFC_INVALID_GROUP);
		ofs_reply_group_stats(s->sw, m->h.xid, mp->u.group_id, now_ms, out);
		return OFP_OK;
	case OFPMP_GROUP_DESC:
		ofs_reply_group_desc(s->sw, m->h.xid, out);
		return OFP_OK;
	case OFPMP_GROUP_FEATURES:
		ofp_encode_group_features_reply(out, m->h.xid);
		return OFP_OK;
	case OFPMP_METER:
	case OFPMP_METER_CONFIG:
		if (mp->u.meter_id != OFPM_ALL && (mp->u.meter_id == 0 || mp->u.meter_id > OFPM_MAX))
			return OFP_ERR(OFPET_METER_MOD_FAILED, OFPMMFC_INVALID_METER);
		if (mp->type == OFPMP_METER)
			ofs_reply_meter_stats(s->sw, m->h.xid, mp->u.meter_id, now_ms, out);
		else
			ofs_reply_meter_config(s->sw, m->h.xid, mp->u.meter_id, out);
		return OFP_OK;
	case OFPMP_METER_FEATURES: {
		struct ofp_meter_features f;
		ofs_meter_features(s->sw, &f);
		ofp_encode_meter_features_reply(out, m->h.xid, &f);
		return OFP_OK;
	}
	}
	return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
}

static ofp_err_t
handle_port_mod(struct of_session *s, const struct ofp_msg *m)
{
	struct ofp_port_info ports[MAX_PORTS];
	unsigned n = s->ops->port_list ? s->ops->port_list(s->ops->ctx, ports, MAX_PORTS) : 0;

	for (unsigned i = 0; i < n; i++) {
		if (ports[i].port_no != m->u.port_mod.port_no)
			continue;
		if (memcmp(ports[i].hw_addr, m->u.port_mod.hw_addr, 6) != 0)
			return OFP_ERR(OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_HW_ADDR);
		/* Administrative port state belongs to the manager's own
		 * configuration; the controller may not change it. */
		return OFP_ERR(OFPET_PORT_MOD_FAILED, OFPPMFC_EPERM);
	}
	return OFP_ERR(OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT);
}

static ofp_err_t
dispatch(struct of_session *s, const struct ofp_msg *m, uint64_t now_ms, struct ofp_buf *out)
{
	if (s->role == OFPCR_ROLE_SLAVE && modifies_state(m))
		return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_IS_SLAVE);

	switch (m->h.type) {
	case OFPT_HELLO:
		/* A repeated HELLO changes nothing. */
		return OFP_OK;
	case OFPT_ERROR:
	case OFPT_ECHO_REPLY:
	case OFPT_BARRIER_REPLY:
		return OFP_OK;
	case OFPT_ECHO_REQUEST:
		ofp_encode_echo(out, OFPT_ECHO_REPLY, m->h.xid, m->u.echo.data, m->u.echo.len);
		return OFP_OK;
	case OFPT_FEATURES_REQUEST: {
		struct ofp_features f = { s->datapath_id, 0, s->sw->n_tables, 0,
					  OFPC_FLOW_STATS | OFPC_TABLE_STATS | OFPC_PORT_STATS |
						  OFPC_GROUP_STATS };
		ofp_encode_features_reply(out, m->h.xid, &f);
		return OFP_OK;
	}
	case OFPT_GET_CONFIG_REQUEST:
		ofp_encode_config(out, OFPT_GET_CONFIG_REPLY, m->h.xid, &s->config);
		return OFP_OK;
	case OFPT_SET_CONFIG:
		s->config = m->u.config;
		return OFP_OK;
	case OFPT_FLOW_MOD: {
		const struct ofp_flow_mod *fm = &m->u.flow_mod;

		if (s->ops->flow_check && fm->command <= OFPFC_MODIFY_STRICT) {
			ofp_err_t err = s->ops->flow_check(s->ops->ctx, fm);
			if (err)
				return err;
		}
		return ofs_flow_mod(s->sw, fm, now_ms);
	}
	case OFPT_GROUP_MOD: {
		const struct ofp_group_mod *gm = &m->u.group_mod;

		if (s->ops->group_check && gm->command != OFPGC_DELETE) {
			ofp_err_t err = s->ops->group_check(s->ops->ctx, gm);
			if (err)
				return err;
		}
		return ofs_group_mod(s->sw, gm, now_ms);
	}
	case OFPT_METER_MOD:
		return ofs_meter_mod(s->sw, &m->u.meter_mod, now_ms);
	case OFPT_PORT_MOD:
		return handle_port_mod(s, m);
	case OFPT_TABLE_MOD:
		return m->u.table_mod.table_id < s->sw->n_tables || m->u.table_mod.table_id == OFPTT_ALL
			       ? OFP_OK
			       : OFP_ERR(OFPET_TABLE_MOD_FAILED, OFPTMFC_BAD_TABLE);
	case OFPT_PACKET_OUT: {
		ofp_err_t err = ofs_actions_check(s->sw, &m->u.packet_out.actions);
		if (err)
			return err;
		return s->ops->packet_out ? s->ops->packet_out(s->ops->ctx, &m->u.packet_out)
					  : OFP_OK;
	}
	case OFPT_MULTIPART_REQUEST:
		return handle_multipart(s, m, now_ms, out);
	case OFPT_BARRIER_REQUEST:
		if (s->ops->sync)
			s->ops->sync(s->ops->ctx);
		ofp_encode_empty(out, OFPT_BARRIER_REPLY, m->h.xid);
		return OFP_OK;
	case OFPT_ROLE_REQUEST:
		return handle_role(s, m, out);
	}
	/* Switch-to-controller messages sent to the switch. */
	return OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
}

static void
send_error(struct of_session *s, struct ofp_buf *out, uint32_t xid, ofp_err_t err,
	   const uint8_t *msg, size_t len)
{
	ofp_encode_error(out, xid, err, msg, len);
	s->n_errors++;
}

bool
of_session_handle(struct of_session *s, const uint8_t *msg, size_t len, uint64_t now_ms,
		  struct ofp_buf *out)
{
	struct ofp_msg m;
	ofp_err_t err = ofp_decode(msg, len, &m);

	if (!s->negotiated) {
		/* Nothing but HELLO counts before HELLO (6.3.1). */
		uint8_t version;
		if (err == OFP_OK && m.h.type == OFPT_HELLO &&
		    ofp_hello_negotiate(&m, &version) == OFP_OK) {
			s->negotiated = true;
			return true;
		}
		if (err == OFP_OK)
			ofp_msg_release(&m);
		static const char why[] = "this switch speaks OpenFlow 1.3 (0x04) only";
		ofp_encode_error_raw(out, m.h.xid, OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE,
				     (const uint8_t *)why, sizeof(why) - 1);
		s->n_errors++;
		s->closing = true;
		return false;
	}
	if (err) {
		send_error(s, out, m.h.xid, err, msg, len);
		return true;
	}
	size_t before = out->len;
	err = dispatch(s, &m, now_ms, out);
	if (err) {
		out->len = before; /* no half-built reply next to the ERROR */
		send_error(s, out, m.h.xid, err, msg, len);
	}
	ofp_msg_release(&m);
	return true;
}

void
of_session_packet_in(struct of_session *s, struct ofp_buf *out, uint8_t reason, uint8_t table_id,
		     uint64_t cookie, uint32_t in_port, const uint8_t *frame, size_t len,
		     uint16_t max_len)
{
	struct ofp_packet_in pi = {
		.buffer_id = OFP_NO_BUFFER,
		.total_len = (uint16_t)(len > 0xffff ? 0xffff : len),
		.reason = reason,
		.table_id = table_id,
		.cookie = cookie,
		.data = frame,
		.data_len = max_len == OFPCML_NO_BUFFER || len < max_len ? len : max_len,
	};

	pi.match.key.in_port = in_port;
	pi.match.mask.in_port = UINT32_MAX;
	ofp_encode_packet_in(out, 0, &pi);
}

void
of_session_flow_removed(struct of_session *s, struct ofp_buf *out, const struct ofs_flow *f,
			uint8_t reason, uint64_t now_ms)
{
	uint64_t age = now_ms - f->created_ms;
	struct ofp_flow_removed fr = {
		.cookie = f->cookie,
		.priority = f->priority,
		.reason = reason,
		.table_id = f->table_id,
		.duration_sec = (uint32_t)(age / 1000),
		.duration_nsec = (uint32_t)(age % 1000) * 1000000u,
		.idle_timeout = f->idle_timeout,
		.hard_timeout = f->hard_timeout,
		.packet_count = f->packet_count,
		.byte_count = f->byte_count,
		.match = f->match,
	};

	ofp_encode_flow_removed(out, 0, &fr);
}

void
of_session_port_status(struct of_session *s, struct ofp_buf *out, uint8_t reason,
		       const struct ofp_port_info *port)
{
	struct ofp_port_status ps = { reason, *port };

	ofp_encode_port_status(out, 0, &ps);
}
