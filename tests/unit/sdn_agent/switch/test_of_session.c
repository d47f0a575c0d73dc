/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_session: version negotiation, ERROR replies that keep the connection,
 * roles, barrier ordering, PACKET_OUT and the asynchronous messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "of_session.h"
#include "ofp_samples.h"

static unsigned n_sync, n_packet_out;

static const struct ofp_port_info test_ports[] = {
	{ .port_no = 1, .name = "dpdk0" },
	{ .port_no = 1001, .name = "firewall" },
};

static unsigned
port_list(void *ctx, struct ofp_port_info *out, unsigned max)
{
	memcpy(out, test_ports, sizeof(test_ports));
	return 2;
}

static bool
port_exists(void *ctx, uint32_t port)
{
	return port == 1 || port == 1001;
}

static ofp_err_t
packet_out(void *ctx, const struct ofp_packet_out *po)
{
	n_packet_out++;
	return OFP_OK;
}

static void
sync_dp(void *ctx)
{
	n_sync++;
}

static const struct of_datapath_ops ops = {
	.port_list = port_list, .packet_out = packet_out, .sync = sync_dp,
};

struct fixture {
	struct of_switch sw;
	struct of_session s;
	struct ofp_buf out;
};

static int
setup(void **state)
{
	static struct fixture f;

	ofs_init(&f.sw, 4, 100, 16);
	f.sw.port_exists = port_exists;
	of_session_init(&f.s, &f.sw, &ops, 42);
	ofp_buf_init(&f.out);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	ofp_buf_free(&f->out);
	ofs_destroy(&f->sw);
	return 0;
}

static bool
feed_sample(struct fixture *f, const char *name, uint32_t xid)
{
	struct ofp_buf in;

	ofp_buf_init(&in);
	assert_true(ofp_sample_build(name, &in));
	be32_store(in.data + 4, xid);
	bool open = of_session_handle(&f->s, in.data, in.len, 0, &f->out);
	ofp_buf_free(&in);
	return open;
}

static bool
feed(struct fixture *f, struct ofp_buf *in)
{
	return of_session_handle(&f->s, in->data, in->len, 0, &f->out);
}

/* Decode the first message in out and drop it from the buffer. */
static void
pop_reply(struct fixture *f, struct ofp_msg *m)
{
	size_t len;

	assert_true(f->out.len >= 8);
	assert_int_equal(ofp_frame_len(f->out.data, f->out.len, &len), OFP_OK);
	/* Decoded byte pointers (error data, frames) point into the input:
	 * decode a copy that outlives the buffer's shift. */
	static uint8_t keep[70000];
	assert_true(len <= sizeof(keep));
	memcpy(keep, f->out.data, len);
	assert_int_equal(ofp_decode(keep, len, m), OFP_OK);
	memmove(f->out.data, f->out.data + len, f->out.len - len);
	f->out.len -= len;
}

static void
negotiate(struct fixture *f)
{
	assert_true(feed_sample(f, "hello", 1));
	assert_int_equal(f->out.len, 0);
}

static void
refuses_before_hello_and_old_versions(void **state)
{
	struct fixture *f = *state;
	struct ofp_msg m;

	of_session_start(&f->s, &f->out);
	pop_reply(f, &m);
	assert_int_equal(m.h.type, OFPT_HELLO);
	assert_int_equal(m.u.hello.bitmap, 1u << 4);

	assert_false(feed_sample(f, "barrier_reply", 9));
	pop_reply(f, &m);
	assert_int_equal(m.h.type, OFPT_ERROR);
	assert_int_equal(m.u.error.type, OFPET_HELLO_FAILED);
	assert_int_equal(m.u.error.code, OFPHFC_INCOMPATIBLE);

	teardown(state);
	setup(state);
	f = *state;
	uint8_t hello10[16] = { 0x01, 0, 0, 16, 0, 0, 0, 3, 0, 1, 0, 8, 0, 0, 0, 0x02 };
	assert_false(of_session_handle(&f->s, hello10, 16, 0, &f->out));
	pop_reply(f, &m);
	assert_int_equal(m.u.error.type, OFPET_HELLO_FAILED);
	assert_int_equal(m.h.xid, 3);
}

static void
errors_keep_the_connection(void **state)
{
	struct fixture *f = *state;
	struct ofp_msg m;
	struct ofp_buf in;

	negotiate(f);
	ofp_buf_init(&in);
	ofp_sample_build("flow_mod", &in);
	be32_store(in.data + 4, 77);
	be32_store(in.data + 100, OFPP_NORMAL); /* output:NORMAL */
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.h.type, OFPT_ERROR);
	assert_int_equal(m.h.xid, 77);
	assert_int_equal(m.u.error.type, OFPET_BAD_ACTION);
	assert_int_equal(m.u.error.code, OFPBAC_BAD_OUT_PORT);
	assert_int_equal(m.u.error.data_len, 64);
	assert_memory_equal(m.u.error.data, in.data, 64);
	assert_int_equal(f->out.len, 0);

	/* The same connection still works. */
	assert_true(feed_sample(f, "echo_request", 5));
	pop_reply(f, &m);
	assert_int_equal(m.h.type, OFPT_ECHO_REPLY);
	assert_int_equal(m.h.xid, 5);
	assert_int_equal(m.u.echo.len, 4);
	assert_memory_equal(m.u.echo.data, "ping", 4);

	/* A switch-to-controller message sent to the switch. */
	assert_true(feed_sample(f, "features_reply", 6));
	pop_reply(f, &m);
	assert_int_equal(m.u.error.type, OFPET_BAD_REQUEST);
	assert_int_equal(m.u.error.code, OFPBRC_BAD_TYPE);
	ofp_buf_free(&in);
}

static void
flow_mod_then_barrier(void **state)
{
	struct fixture *f = *state;
	struct ofp_msg m;

	negotiate(f);
	n_sync = 0;
	assert_true(feed_sample(f, "flow_mod", 10));
	assert_int_equal(f->out.len, 0); /* success is silent */
	assert_int_equal(f->sw.tables[0].n, 1);
	assert_true(feed_sample(f, "barrier_reply", 11)); /* replies are ignored */
	assert_int_equal(f->out.len, 0);

	struct ofp_buf in;
	ofp_buf_init(&in);
	ofp_encode_empty(&in, OFPT_BARRIER_REQUEST, 12);
	assert_true(feed(f, &in));
	assert_int_equal(n_sync, 1);
	pop_reply(f, &m);
	assert_int_equal(m.h.type, OFPT_BARRIER_REPLY);
	assert_int_equal(m.h.xid, 12);

	ofp_buf_reset(&in);
	ofp_encode_empty(&in, OFPT_FEATURES_REQUEST, 13);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.u.features.datapath_id, 42);
	assert_int_equal(m.u.features.n_tables, 4);
	assert_int_equal(m.u.features.n_buffers, 0);

	assert_true(feed_sample(f, "flow_stats_request", 14));
	pop_reply(f, &m);
	assert_int_equal(m.h.type, OFPT_MULTIPART_REPLY);
	assert_int_equal(m.u.mp_reply.type, OFPMP_FLOW);
	assert_true(m.u.mp_reply.body.len > 48);
	ofp_buf_free(&in);
}

/* What the os-ken switch test tool does: METER_MOD, barrier, METER_CONFIG
 * compared with what it sent; a metered flow; errors with the request's
 * xid; METER_FEATURES. */
static void
meters_through_the_session(void **state)
{
	struct fixture *f = *state;
	struct ofp_msg m;
	struct ofp_buf in;

	negotiate(f);
	assert_true(feed_sample(f, "flow_mod_meter", 20)); /* meter 1 does not exist yet */
	pop_reply(f, &m);
	assert_int_equal(m.h.type, OFPT_ERROR);
	assert_int_equal(m.h.xid, 20);
	assert_int_equal(m.u.error.type, OFPET_METER_MOD_FAILED);
	assert_int_equal(m.u.error.code, OFPMMFC_UNKNOWN_METER);

	assert_true(feed_sample(f, "meter_mod", 21));
	assert_int_equal(f->out.len, 0);
	assert_true(feed_sample(f, "meter_mod", 22));
	pop_reply(f, &m);
	assert_int_equal(m.u.error.code, OFPMMFC_METER_EXISTS);
	assert_true(feed_sample(f, "flow_mod_meter", 23));
	assert_int_equal(f->out.len, 0);

	struct ofp_buf want;
	ofp_buf_init(&want);
	assert_true(ofp_sample_build("meter_mod", &want));
	struct ofp_msg sent;
	assert_int_equal(ofp_decode(want.data, want.len, &sent), OFP_OK);

	ofp_buf_init(&in);
	struct ofp_mp_request req = { .type = OFPMP_METER_CONFIG, .u.meter_id = OFPM_ALL };
	ofp_encode_mp_request(&in, 24, &req);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.u.mp_reply.type, OFPMP_METER_CONFIG);
	struct ofp_rd r;
	struct ofp_meter_config_entry c;
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	assert_int_equal(ofp_mp_meter_config_next(&r, &c), OFP_OK);
	assert_int_equal(ofp_rd_left(&r), 0);
	assert_int_equal(c.meter_id, sent.u.meter_mod.meter_id);
	assert_int_equal(c.flags, sent.u.meter_mod.flags);
	assert_int_equal(c.n_bands, sent.u.meter_mod.n_bands);
	assert_memory_equal(c.bands, sent.u.meter_mod.bands, sizeof(c.bands));

	ofp_buf_reset(&in);
	req = (struct ofp_mp_request){ .type = OFPMP_METER, .u.meter_id = 1 };
	ofp_encode_mp_request(&in, 25, &req);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	struct ofp_meter_stats_entry st;
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	assert_int_equal(ofp_mp_meter_stats_next(&r, &st), OFP_OK);
	assert_int_equal(st.flow_count, 1);
	assert_int_equal(st.n_bands, 2);

	ofp_buf_reset(&in);
	req = (struct ofp_mp_request){ .type = OFPMP_METER_FEATURES };
	ofp_encode_mp_request(&in, 26, &req);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	struct ofp_meter_features mf;
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	assert_int_equal(ofp_mp_meter_features_decode(&r, &mf), OFP_OK);
	assert_int_equal(mf.max_meter, OFS_MAX_METERS);
	assert_int_equal(mf.band_types, (1u << OFPMBT_DROP) | (1u << OFPMBT_DSCP_REMARK));

	/* Deleting every meter takes the metered flow along. */
	ofp_buf_reset(&in);
	struct ofp_meter_mod del = { .command = OFPMC_DELETE, .meter_id = OFPM_ALL };
	ofp_encode_meter_mod(&in, 27, &del);
	assert_true(feed(f, &in));
	assert_int_equal(f->out.len, 0);
	assert_int_equal(f->sw.n_meters, 0);
	assert_int_equal(f->sw.tables[0].n, 0);
	ofp_msg_release(&sent);
	ofp_buf_free(&want);
	ofp_buf_free(&in);
}

static void
roles(void **state)
{
	struct fixture *f = *state;
	struct ofp_msg m;
	struct ofp_buf in;
	struct ofp_role r = { OFPCR_ROLE_MASTER, 5 };

	negotiate(f);
	ofp_buf_init(&in);
	ofp_encode_role(&in, OFPT_ROLE_REQUEST, 1, &r);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.u.role.role, OFPCR_ROLE_MASTER);
	assert_int_equal(m.u.role.generation_id, 5);

	r.generation_id = 3; /* older than 5 */
	ofp_buf_reset(&in);
	ofp_encode_role(&in, OFPT_ROLE_REQUEST, 2, &r);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.u.error.type, OFPET_ROLE_REQUEST_FAILED);
	assert_int_equal(m.u.error.code, OFPRRFC_STALE);

	r = (struct ofp_role){ OFPCR_ROLE_SLAVE, 6 };
	ofp_buf_reset(&in);
	ofp_encode_role(&in, OFPT_ROLE_REQUEST, 3, &r);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.u.role.role, OFPCR_ROLE_SLAVE);

	assert_true(feed_sample(f, "flow_mod", 4));
	pop_reply(f, &m);
	assert_int_equal(m.u.error.type, OFPET_BAD_REQUEST);
	assert_int_equal(m.u.error.code, OFPBRC_IS_SLAVE);
	assert_int_equal(f->sw.tables[0].n, 0);

	r = (struct ofp_role){ OFPCR_ROLE_NOCHANGE, 0 };
	ofp_buf_reset(&in);
	ofp_encode_role(&in, OFPT_ROLE_REQUEST, 5, &r);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.u.role.role, OFPCR_ROLE_SLAVE);
	assert_int_equal(m.u.role.generation_id, 6);
	ofp_buf_free(&in);
}

static void
packet_out_and_ports(void **state)
{
	struct fixture *f = *state;
	struct ofp_msg m;
	struct ofp_buf in;

	negotiate(f);
	n_packet_out = 0;
	assert_true(feed_sample(f, "packet_out", 1)); /* output:1001 exists */
	assert_int_equal(f->out.len, 0);
	assert_int_equal(n_packet_out, 1);

	struct ofp_action out7 = { .type = OFPAT_OUTPUT, .u.output = { 7, 0 } };
	uint8_t frame[60] = { 0 };
	struct ofp_packet_out po = { OFP_NO_BUFFER, OFPP_CONTROLLER, { &out7, 1 }, frame, 60 };
	ofp_buf_init(&in);
	ofp_encode_packet_out(&in, 2, &po);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.u.error.code, OFPBAC_BAD_OUT_PORT);
	assert_int_equal(n_packet_out, 1);

	/* Port stats of a port that does not exist: an ERROR and nothing else. */
	struct ofp_mp_request mp = { .type = OFPMP_PORT_STATS, .u.port_no = 5 };
	ofp_buf_reset(&in);
	ofp_encode_mp_request(&in, 3, &mp);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.h.type, OFPT_ERROR);
	assert_int_equal(m.u.error.code, OFPBRC_BAD_PORT);
	assert_int_equal(f->out.len, 0);
	mp.u.port_no = OFPP_ANY;
	ofp_buf_reset(&in);
	ofp_encode_mp_request(&in, 4, &mp);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.u.mp_reply.body.len, 2 * 112);

	mp = (struct ofp_mp_request){ .type = OFPMP_PORT_DESC };
	ofp_buf_reset(&in);
	ofp_encode_mp_request(&in, 5, &mp);
	assert_true(feed(f, &in));
	pop_reply(f, &m);
	assert_int_equal(m.u.mp_reply.body.len, 2 * 64);
	assert_int_equal(be32_load(m.u.mp_reply.body.data + 64), 1001);
	ofp_buf_free(&in);
}

static void
async_messages(void **state)
{
	struct fixture *f = *state;
	struct ofp_msg m;
	uint8_t frame[300];

	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	of_session_packet_in(&f->s, &f->out, OFPR_NO_MATCH, 0, 0, 2, frame, 300, 128);
	pop_reply(f, &m);
	assert_int_equal(m.h.type, OFPT_PACKET_IN);
	assert_int_equal(m.u.packet_in.total_len, 300);
	assert_int_equal(m.u.packet_in.data_len, 128);
	assert_int_equal(m.u.packet_in.match.key.in_port, 2);
	assert_memory_equal(m.u.packet_in.data, frame, 128);
	of_session_packet_in(&f->s, &f->out, OFPR_ACTION, 1, 9, 2, frame, 300, OFPCML_NO_BUFFER);
	pop_reply(f, &m);
	assert_int_equal(m.u.packet_in.data_len, 300);
	assert_int_equal(m.u.packet_in.cookie, 9);

	struct ofs_flow fl = { .cookie = 3, .priority = 10, .created_ms = 1000,
			       .packet_count = 4, .idle_timeout = 5 };
	ofp_sample_tcp_match(&fl.match);
	of_session_flow_removed(&f->s, &f->out, &fl, OFPRR_IDLE_TIMEOUT, 7250);
	pop_reply(f, &m);
	assert_int_equal(m.h.type, OFPT_FLOW_REMOVED);
	assert_int_equal(m.u.flow_removed.reason, OFPRR_IDLE_TIMEOUT);
	assert_int_equal(m.u.flow_removed.duration_sec, 6);
	assert_int_equal(m.u.flow_removed.duration_nsec, 250000000);
	assert_int_equal(m.u.flow_removed.match.key.tp_dst, 80);

	of_session_port_status(&f->s, &f->out, OFPPR_DELETE, &test_ports[1]);
	pop_reply(f, &m);
	assert_int_equal(m.u.port_status.reason, OFPPR_DELETE);
	assert_string_equal(m.u.port_status.desc.name, "firewall");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(refuses_before_hello_and_old_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_keep_the_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(flow_mod_then_barrier, setup, teardown),
		cmocka_unit_test_setup_teardown(meters_through_the_session, setup, teardown),
		cmocka_unit_test_setup_teardown(roles, setup, teardown),
		cmocka_unit_test_setup_teardown(packet_out_and_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(async_messages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
