/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "ofp_samples.h"

const char *const ofp_sample_names[] = {
	"hello", "error", "echo_request", "features_reply", "get_config_reply",
	"set_config", "packet_in", "packet_out", "flow_removed", "port_status",
	"flow_mod", "flow_mod_full", "group_mod", "role_reply", "barrier_reply",
	"desc_reply", "flow_stats_request", "flow_stats_reply", "aggregate_reply",
	"table_stats_reply", "port_stats_reply", "port_desc_reply",
	"group_stats_reply", "group_desc_reply", "group_features_reply",
	"table_features_reply", "table_features_request", "meter_mod", "flow_mod_meter",
	"meter_stats_request", "meter_stats_reply", "meter_config_reply",
	"meter_features_reply", NULL,
};

void
ofp_sample_tcp_match(struct ofp_match *m)
{
	memset(m, 0, sizeof(*m));
	m->key.eth_type = 0x0800;
	m->mask.eth_type = 0xffff;
	m->key.ip_proto = 6;
	m->mask.ip_proto = 0xff;
	m->key.ipv4_dst = 0x0a000200;
	m->mask.ipv4_dst = 0xffffff00;
	m->key.tp_dst = 80;
	m->mask.tp_dst = 0xffff;
}

static struct ofp_action out_1001 = { .type = OFPAT_OUTPUT, .u.output = { 1001, 0 } };

static struct ofp_action rich_actions[] = {
	{ .type = OFPAT_PUSH_VLAN, .u.ethertype = 0x8100 },
	{ .type = OFPAT_SET_FIELD, .u.set_field = { OFPXMT_OFB_VLAN_VID, 2, { 0x10, 0x0a } } },
	{ .type = OFPAT_SET_FIELD, .u.set_field = { OFPXMT_OFB_IPV4_DST, 4, { 10, 0, 1, 11 } } },
	{ .type = OFPAT_DEC_NW_TTL },
	{ .type = OFPAT_GROUP, .u.group_id = 7 },
	{ .type = OFPAT_OUTPUT, .u.output = { OFPP_CONTROLLER, 128 } },
};

static void
sample_flow_mod(struct ofp_flow_mod *fm, bool rich)
{
	memset(fm, 0, sizeof(*fm));
	fm->command = OFPFC_ADD;
	fm->priority = 100;
	fm->buffer_id = OFP_NO_BUFFER;
	fm->out_port = OFPP_ANY;
	fm->out_group = OFPG_ANY;
	ofp_sample_tcp_match(&fm->match);
	fm->insts.present = OFP_INST_BIT(OFPIT_APPLY_ACTIONS);
	fm->insts.apply.v = &out_1001;
	fm->insts.apply.n = 1;
	if (rich) {
		fm->cookie = 0x1234;
		fm->idle_timeout = 10;
		fm->hard_timeout = 60;
		fm->flags = OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP;
		fm->insts.present |= OFP_INST_BIT(OFPIT_WRITE_ACTIONS) |
				     OFP_INST_BIT(OFPIT_WRITE_METADATA) |
				     OFP_INST_BIT(OFPIT_GOTO_TABLE);
		fm->insts.apply.v = rich_actions;
		fm->insts.apply.n = sizeof(rich_actions) / sizeof(rich_actions[0]);
		fm->insts.write.v = &out_1001;
		fm->insts.write.n = 1;
		fm->insts.metadata = 0xab;
		fm->insts.metadata_mask = 0xff;
		fm->insts.goto_table = 3;
	}
}

static struct ofp_bucket sample_buckets[] = {
	{ .weight = 1, .watch_port = OFPP_ANY, .watch_group = OFPG_ANY, .actions = { &out_1001, 1 } },
	{ .weight = 3, .watch_port = OFPP_ANY, .watch_group = OFPG_ANY, .actions = { &out_1001, 1 } },
};

static const struct ofp_port_info sample_port = {
	.port_no = 1, .hw_addr = { 2, 0, 0, 0, 0, 1 }, .name = "dpdk0",
	.state = OFPPS_LIVE, .curr = OFPPF_10GB_FD | OFPPF_FIBER,
	.curr_speed = 10000000, .max_speed = 10000000,
};

static const uint8_t sample_frame[60] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45 };

bool
ofp_sample_build(const char *name, struct ofp_buf *b)
{
	struct ofp_mp_writer w;

	if (!strcmp(name, "hello")) {
		ofp_encode_hello(b, 1, 1u << OFP_VERSION_1_3);
	} else if (!strcmp(name, "error")) {
		uint8_t bad[8] = { 4, 99, 0, 8, 0, 0, 0, 5 };
		ofp_encode_error(b, 5, OFP_ERR(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE), bad, 8);
	} else if (!strcmp(name, "echo_request")) {
		ofp_encode_echo(b, OFPT_ECHO_REQUEST, 2, (const uint8_t *)"ping", 4);
	} else if (!strcmp(name, "features_reply")) {
		struct ofp_features f = { 0x0000020000000001ull, 0, 8, 0,
					  OFPC_FLOW_STATS | OFPC_TABLE_STATS | OFPC_PORT_STATS |
						  OFPC_GROUP_STATS };
		ofp_encode_features_reply(b, 3, &f);
	} else if (!strcmp(name, "get_config_reply")) {
		struct ofp_config c = { 0, 128 };
		ofp_encode_config(b, OFPT_GET_CONFIG_REPLY, 4, &c);
	} else if (!strcmp(name, "set_config")) {
		struct ofp_config c = { 0, OFPCML_NO_BUFFER };
		ofp_encode_config(b, OFPT_SET_CONFIG, 4, &c);
	} else if (!strcmp(name, "packet_in")) {
		struct ofp_packet_in pi = { .buffer_id = OFP_NO_BUFFER, .total_len = 60,
					    .reason = OFPR_ACTION, .table_id = 0, .cookie = 9,
					    .data = sample_frame, .data_len = 60 };
		pi.match.key.in_port = 1;
		pi.match.mask.in_port = 0xffffffff;
		ofp_encode_packet_in(b, 0, &pi);
	} else if (!strcmp(name, "packet_out")) {
		struct ofp_packet_out po = { OFP_NO_BUFFER, OFPP_CONTROLLER, { &out_1001, 1 },
					     sample_frame, 60 };
		ofp_encode_packet_out(b, 6, &po);
	} else if (!strcmp(name, "flow_removed")) {
		struct ofp_flow_removed fr = { .cookie = 0x1234, .priority = 100,
					       .reason = OFPRR_IDLE_TIMEOUT, .duration_sec = 12,
					       .idle_timeout = 10, .packet_count = 5,
					       .byte_count = 300 };
		ofp_sample_tcp_match(&fr.match);
		ofp_encode_flow_removed(b, 0, &fr);
	} else if (!strcmp(name, "port_status")) {
		struct ofp_port_status ps = { OFPPR_ADD, sample_port };
		ps.desc.port_no = 1001;
		strcpy(ps.desc.name, "firewall");
		ofp_encode_port_status(b, 0, &ps);
	} else if (!strcmp(name, "flow_mod") || !strcmp(name, "flow_mod_full")) {
		struct ofp_flow_mod fm;
		sample_flow_mod(&fm, !strcmp(name, "flow_mod_full"));
		ofp_encode_flow_mod(b, 7, &fm);
	} else if (!strcmp(name, "group_mod")) {
		struct ofp_group_mod gm = { OFPGC_ADD, OFPGT_SELECT, 7, sample_buckets, 2 };
		ofp_encode_group_mod(b, 8, &gm);
	} else if (!strcmp(name, "role_reply")) {
		struct ofp_role r = { OFPCR_ROLE_MASTER, 42 };
		ofp_encode_role(b, OFPT_ROLE_REPLY, 9, &r);
	} else if (!strcmp(name, "barrier_reply")) {
		ofp_encode_empty(b, OFPT_BARRIER_REPLY, 10);
	} else if (!strcmp(name, "desc_reply")) {
		struct ofp_desc_info d = { "onvm", "DPDK NFV platform", "0.1.0", "none", "dp0" };
		ofp_encode_desc_reply(b, 11, &d);
	} else if (!strcmp(name, "flow_stats_request")) {
		struct ofp_mp_request mp = { .type = OFPMP_FLOW };
		mp.u.flow.table_id = OFPTT_ALL;
		mp.u.flow.out_port = OFPP_ANY;
		mp.u.flow.out_group = OFPG_ANY;
		ofp_encode_mp_request(b, 12, &mp);
	} else if (!strcmp(name, "flow_stats_reply")) {
		struct ofp_flow_stats_entry e = { .priority = 100, .duration_sec = 3,
						  .packet_count = 10, .byte_count = 1500 };
		struct ofp_flow_mod fm;
		sample_flow_mod(&fm, true);
		e.match = fm.match;
		e.insts = fm.insts;
		e.cookie = 0x1234;
		ofp_mp_writer_begin(&w, b, 13, OFPMP_FLOW);
		ofp_mp_put_flow_stats(&w, &e);
		ofp_mp_writer_end(&w);
	} else if (!strcmp(name, "aggregate_reply")) {
		struct ofp_aggregate_stats a = { 10, 1500, 1 };
		ofp_encode_aggregate_reply(b, 14, &a);
	} else if (!strcmp(name, "table_stats_reply")) {
		struct ofp_table_stats_entry t = { 0, 1, 100, 90 };
		ofp_mp_writer_begin(&w, b, 15, OFPMP_TABLE);
		ofp_mp_put_table_stats(&w, &t);
		ofp_mp_writer_end(&w);
	} else if (!strcmp(name, "port_stats_reply")) {
		struct ofp_port_stats_entry p = { .port_no = 1, .rx_packets = 5, .tx_packets = 6,
						  .rx_bytes = 500, .tx_bytes = 600 };
		ofp_mp_writer_begin(&w, b, 16, OFPMP_PORT_STATS);
		ofp_mp_put_port_stats(&w, &p);
		ofp_mp_writer_end(&w);
	} else if (!strcmp(name, "port_desc_reply")) {
		ofp_mp_writer_begin(&w, b, 17, OFPMP_PORT_DESC);
		ofp_mp_put_port_desc(&w, &sample_port);
		ofp_mp_writer_end(&w);
	} else if (!strcmp(name, "group_stats_reply")) {
		struct ofp_bucket_counter c[2] = { { 1, 100 }, { 3, 300 } };
		struct ofp_group_stats_entry g = { 7, 1, 4, 400, 2, 0, c, 2 };
		ofp_mp_writer_begin(&w, b, 18, OFPMP_GROUP);
		ofp_mp_put_group_stats(&w, &g);
		ofp_mp_writer_end(&w);
	} else if (!strcmp(name, "group_desc_reply")) {
		struct ofp_group_desc_entry g = { OFPGT_SELECT, 7, sample_buckets, 2 };
		ofp_mp_writer_begin(&w, b, 19, OFPMP_GROUP_DESC);
		ofp_mp_put_group_desc(&w, &g);
		ofp_mp_writer_end(&w);
	} else if (!strcmp(name, "group_features_reply")) {
		ofp_encode_group_features_reply(b, 20);
	} else if (!strcmp(name, "table_features_reply")) {
		struct ofp_table_features_info t = { 4, 65536 };
		ofp_encode_table_features_reply(b, 21, &t);
	} else if (!strcmp(name, "table_features_request")) {
		struct ofp_mp_request mp = { .type = OFPMP_TABLE_FEATURES };
		ofp_encode_mp_request(b, 22, &mp);
	} else if (!strcmp(name, "meter_mod")) {
		struct ofp_meter_mod mm = {
			.command = OFPMC_ADD, .flags = OFPMF_KBPS | OFPMF_BURST | OFPMF_STATS,
			.meter_id = 1, .n_bands = 2,
			.bands = { { OFPMBT_DROP, 1000, 100, 0 }, { OFPMBT_DSCP_REMARK, 500, 50, 1 } },
		};
		ofp_encode_meter_mod(b, 23, &mm);
	} else if (!strcmp(name, "flow_mod_meter")) {
		struct ofp_flow_mod fm;
		sample_flow_mod(&fm, false);
		fm.insts.present |= OFP_INST_BIT(OFPIT_METER);
		fm.insts.meter_id = 1;
		ofp_encode_flow_mod(b, 24, &fm);
	} else if (!strcmp(name, "meter_stats_request")) {
		struct ofp_mp_request mp = { .type = OFPMP_METER, .u.meter_id = OFPM_ALL };
		ofp_encode_mp_request(b, 25, &mp);
	} else if (!strcmp(name, "meter_stats_reply")) {
		struct ofp_meter_stats_entry e = { .meter_id = 1, .flow_count = 2,
						   .packet_in_count = 100, .byte_in_count = 10000,
						   .duration_sec = 5, .n_bands = 1,
						   .bands = { { 40, 4000 } } };
		ofp_mp_writer_begin(&w, b, 26, OFPMP_METER);
		ofp_mp_put_meter_stats(&w, &e);
		ofp_mp_writer_end(&w);
	} else if (!strcmp(name, "meter_config_reply")) {
		struct ofp_meter_config_entry e = { .flags = OFPMF_PKTPS, .meter_id = 1, .n_bands = 1,
						    .bands = { { OFPMBT_DROP, 100, 0, 0 } } };
		ofp_mp_writer_begin(&w, b, 27, OFPMP_METER_CONFIG);
		ofp_mp_put_meter_config(&w, &e);
		ofp_mp_writer_end(&w);
	} else if (!strcmp(name, "meter_features_reply")) {
		struct ofp_meter_features f = { 1024, (1u << OFPMBT_DROP) | (1u << OFPMBT_DSCP_REMARK),
						OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS,
						8, 0 };
		ofp_encode_meter_features_reply(b, 28, &f);
	} else {
		return false;
	}
	return true;
}
