/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Meters: METER_MOD and meter multipart round trips and refusals, the
 * meter instruction, and the switch's meter table (add/modify/delete,
 * flows removed with their meter, stats and config replies).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "of_switch.h"
#include "ofp.h"

#define M(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })
#define EXPECT(call, ...) assert_int_equal((call), OFP_ERR(__VA_ARGS__))
#define MMF(code) OFPET_METER_MOD_FAILED, (code)

static ofp_err_t
decode(const uint8_t *p, size_t n, struct ofp_msg *m)
{
	return ofp_decode(p, n, m);
}

static ofp_err_t
raw(const uint8_t *p, size_t n)
{
	struct ofp_msg m;
	ofp_err_t err = decode(p, n, &m);

	if (err == OFP_OK)
		ofp_msg_release(&m);
	return err;
}

/* ---- codec ---- */

static void
meter_mod_round_trip(void **state)
{
	struct ofp_meter_mod mm = {
		.command = OFPMC_ADD, .flags = OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS,
		.meter_id = 77, .n_bands = 3,
		.bands = { { OFPMBT_DROP, 1000, 10, 0 },
			   { OFPMBT_DSCP_REMARK, 500, 5, 2 },
			   { OFPMBT_DROP, 0xffffffffu, 1, 0 } },
	};
	struct ofp_buf b;
	struct ofp_msg m;

	ofp_buf_init(&b);
	ofp_encode_meter_mod(&b, 9, &mm);
	assert_int_equal(b.len, OFP_METER_MOD_FIXED_LEN + 3 * OFP_METER_BAND_LEN);
	assert_int_equal(decode(b.data, b.len, &m), OFP_OK);
	assert_int_equal(m.h.type, OFPT_METER_MOD);
	assert_int_equal(m.h.xid, 9);
	assert_memory_equal(&m.u.meter_mod, &mm, sizeof(mm));
	ofp_msg_release(&m);
	/* Every truncation is refused, never read past, except at a band
	 * boundary, which is a valid meter with fewer bands. */
	for (size_t n = OFP_HEADER_LEN; n < b.len; n++) {
		uint8_t tmp[256];
		memcpy(tmp, b.data, n);
		tmp[2] = (uint8_t)(n >> 8);
		tmp[3] = (uint8_t)n;
		if (n >= OFP_METER_MOD_FIXED_LEN && n % OFP_METER_BAND_LEN == 0)
			assert_int_equal(raw(tmp, n), OFP_OK);
		else
			assert_int_not_equal(raw(tmp, n), OFP_OK);
	}
	ofp_buf_free(&b);
}

/* METER_MOD header: version 4, type 29, length, xid 1, command, flags, id. */
#define MM_HDR(len, cmd, flags, id)                                                           \
	4, OFPT_METER_MOD, 0, (len), 0, 0, 0, 1, 0, (cmd), 0, (flags), (uint8_t)((id) >> 24),  \
		(uint8_t)((id) >> 16), (uint8_t)((id) >> 8), (uint8_t)(id)
#define BAND(type, rate) 0, (type), 0, 16, 0, 0, 0, (rate), 0, 0, 0, 0, 0, 0, 0, 0

static void
meter_mod_refusals(void **state)
{
	assert_int_equal(raw(M(MM_HDR(32, 0, OFPMF_KBPS, 1), BAND(1, 10))), OFP_OK);
	assert_int_equal(raw(M(MM_HDR(16, 0, OFPMF_PKTPS, 1))), OFP_OK);
	/* Rate unit: exactly one of KBPS and PKTPS; no unknown flags. */
	EXPECT(raw(M(MM_HDR(32, 0, 0, 1), BAND(1, 10))), MMF(OFPMMFC_BAD_FLAGS));
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS | OFPMF_PKTPS, 1), BAND(1, 10))),
	       MMF(OFPMMFC_BAD_FLAGS));
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS | 0x10, 1), BAND(1, 10))), MMF(OFPMMFC_BAD_FLAGS));
	/* Commands and ids. */
	EXPECT(raw(M(MM_HDR(32, 3, OFPMF_KBPS, 1), BAND(1, 10))), MMF(OFPMMFC_BAD_COMMAND));
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS, 0), BAND(1, 10))), MMF(OFPMMFC_INVALID_METER));
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS, 0xffff0001u), BAND(1, 10))),
	       MMF(OFPMMFC_INVALID_METER));
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS, OFPM_CONTROLLER), BAND(1, 10))),
	       MMF(OFPMMFC_INVALID_METER));
	EXPECT(raw(M(MM_HDR(32, 1, OFPMF_KBPS, OFPM_ALL), BAND(1, 10))),
	       MMF(OFPMMFC_INVALID_METER));
	assert_int_equal(raw(M(MM_HDR(16, 2, 0, OFPM_ALL))), OFP_OK);
	assert_int_equal(raw(M(MM_HDR(16, 2, 0, 5))), OFP_OK);
	/* Bands: type, rate, burst with OFPMF_BURST, lengths. */
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS, 1), BAND(3, 10))), MMF(OFPMMFC_BAD_BAND));
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS, 1), 0xff, 0xff, 0, 16, 0, 0, 0, 10, 0, 0, 0, 0, 0,
		     0, 0x23, 0x20)),
	       MMF(OFPMMFC_BAD_BAND));
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS, 1), BAND(1, 0))), MMF(OFPMMFC_BAD_RATE));
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS | OFPMF_BURST, 1), BAND(1, 10))),
	       MMF(OFPMMFC_BAD_BURST));
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS, 1), 0, 1, 0, 8, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0,
		     0)),
	       OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT(raw(M(MM_HDR(32, 0, OFPMF_KBPS, 1), 0, 1, 0, 24, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0,
		     0)),
	       OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT(raw(M(MM_HDR(24, 0, OFPMF_KBPS, 1), 0, 1, 0, 16, 0, 0, 0, 10)), OFPET_BAD_REQUEST,
	       OFPBRC_BAD_LEN);
	EXPECT(raw(M(4, OFPT_METER_MOD, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1)), OFPET_BAD_REQUEST,
	       OFPBRC_BAD_LEN);
	/* More bands than METER_FEATURES max_bands. */
	uint8_t many[16 + 16 * (OFP_MAX_METER_BANDS + 1)] = { MM_HDR(0, 0, OFPMF_KBPS, 1) };
	many[2] = (uint8_t)(sizeof(many) >> 8);
	many[3] = (uint8_t)sizeof(many);
	for (unsigned i = 0; i <= OFP_MAX_METER_BANDS; i++) {
		uint8_t band[] = { BAND(1, 10) };
		memcpy(many + 16 + 16 * i, band, 16);
	}
	EXPECT(raw(many, sizeof(many)), MMF(OFPMMFC_OUT_OF_BANDS));
}

static void
meter_instruction_round_trip(void **state)
{
	struct ofp_flow_mod fm;
	struct ofp_buf b;
	struct ofp_msg m;
	struct ofp_action out = { .type = OFPAT_OUTPUT, .u.output = { 2, 0 } };

	memset(&fm, 0, sizeof(fm));
	fm.command = OFPFC_ADD;
	fm.buffer_id = OFP_NO_BUFFER;
	fm.insts.present = OFP_INST_BIT(OFPIT_METER) | OFP_INST_BIT(OFPIT_APPLY_ACTIONS);
	fm.insts.meter_id = OFPM_MAX;
	fm.insts.apply.v = &out;
	fm.insts.apply.n = 1;
	ofp_buf_init(&b);
	ofp_encode_flow_mod(&b, 3, &fm);
	assert_int_equal(decode(b.data, b.len, &m), OFP_OK);
	assert_int_equal(m.u.flow_mod.insts.present, fm.insts.present);
	assert_int_equal(m.u.flow_mod.insts.meter_id, OFPM_MAX);
	assert_int_equal(m.u.flow_mod.insts.apply.n, 1);
	ofp_msg_release(&m);
	ofp_buf_free(&b);
}

static void
meter_multipart_round_trips(void **state)
{
	struct ofp_buf b;
	struct ofp_msg m;
	struct ofp_rd r;
	struct ofp_mp_request req = { .type = OFPMP_METER_CONFIG, .u.meter_id = 42 };

	ofp_buf_init(&b);
	ofp_encode_mp_request(&b, 1, &req);
	assert_int_equal(decode(b.data, b.len, &m), OFP_OK);
	assert_int_equal(m.u.mp_request.type, OFPMP_METER_CONFIG);
	assert_int_equal(m.u.mp_request.u.meter_id, 42);
	b.len = 0;

	struct ofp_mp_writer w;
	struct ofp_meter_stats_entry st = { .meter_id = 5, .flow_count = 2, .packet_in_count = 9,
					    .byte_in_count = 900, .duration_sec = 3,
					    .duration_nsec = 4, .n_bands = 2,
					    .bands = { { 1, 100 }, { 2, 200 } } }, st2;
	ofp_mp_writer_begin(&w, &b, 2, OFPMP_METER);
	ofp_mp_put_meter_stats(&w, &st);
	ofp_mp_writer_end(&w);
	assert_int_equal(decode(b.data, b.len, &m), OFP_OK);
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	assert_int_equal(ofp_mp_meter_stats_next(&r, &st2), OFP_OK);
	assert_memory_equal(&st, &st2, sizeof(st));
	assert_int_equal(ofp_rd_left(&r), 0);
	b.len = 0;

	struct ofp_meter_config_entry cf = { .flags = OFPMF_KBPS, .meter_id = 6, .n_bands = 2,
					     .bands = { { OFPMBT_DROP, 10, 0, 0 },
							{ OFPMBT_DSCP_REMARK, 5, 0, 1 } } }, cf2;
	ofp_mp_writer_begin(&w, &b, 3, OFPMP_METER_CONFIG);
	ofp_mp_put_meter_config(&w, &cf);
	ofp_mp_writer_end(&w);
	assert_int_equal(decode(b.data, b.len, &m), OFP_OK);
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	assert_int_equal(ofp_mp_meter_config_next(&r, &cf2), OFP_OK);
	assert_memory_equal(&cf, &cf2, sizeof(cf));
	b.len = 0;

	struct ofp_meter_features f = { 1024, 6, 15, 8, 0 }, f2;
	ofp_encode_meter_features_reply(&b, 4, &f);
	assert_int_equal(b.len, 16 + OFP_METER_FEATURES_LEN);
	assert_int_equal(decode(b.data, b.len, &m), OFP_OK);
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	assert_int_equal(ofp_mp_meter_features_decode(&r, &f2), OFP_OK);
	assert_memory_equal(&f, &f2, sizeof(f));
	ofp_buf_free(&b);
}

/* ---- switch ---- */

struct removed_log {
	unsigned n;
	uint8_t reasons[16];
};

static void
on_removed(void *ctx, const struct ofs_flow *f, uint8_t reason, uint64_t now_ms)
{
	struct removed_log *log = ctx;

	if (log->n < 16)
		log->reasons[log->n] = reason;
	log->n++;
}

static struct ofp_meter_mod
mm_make(uint16_t cmd, uint32_t id, uint32_t rate)
{
	struct ofp_meter_mod mm = { .command = cmd, .flags = OFPMF_KBPS | OFPMF_STATS,
				    .meter_id = id, .n_bands = 1 };
	mm.bands[0] = (struct ofp_meter_band){ OFPMBT_DROP, rate, 0, 0 };
	return mm;
}

static ofp_err_t
add_metered_flow(struct of_switch *sw, uint16_t tp_dst, uint32_t meter_id)
{
	struct ofp_flow_mod fm;

	memset(&fm, 0, sizeof(fm));
	fm.command = OFPFC_ADD;
	fm.priority = 10;
	fm.flags = OFPFF_SEND_FLOW_REM;
	fm.buffer_id = OFP_NO_BUFFER;
	fm.match.key.eth_type = 0x0800;
	fm.match.mask.eth_type = 0xffff;
	fm.match.key.ip_proto = 6;
	fm.match.mask.ip_proto = 0xff;
	fm.match.key.tp_dst = tp_dst;
	fm.match.mask.tp_dst = 0xffff;
	fm.insts.present = OFP_INST_BIT(OFPIT_METER);
	fm.insts.meter_id = meter_id;
	return ofs_flow_mod(sw, &fm, 0);
}

static unsigned
total_flows(const struct of_switch *sw)
{
	unsigned n = 0;

	for (unsigned t = 0; t < sw->n_tables; t++)
		n += sw->tables[t].n;
	return n;
}

static void
meter_table_commands(void **state)
{
	struct of_switch sw;
	struct removed_log log = { 0 };
	struct ofp_meter_mod mm;

	assert_int_equal(ofs_init(&sw, 4, 100, 10), 0);
	sw.on_removed = on_removed;
	sw.ctx = &log;
	sw.max_meters = 3;

	/* A flow naming a missing meter is refused. */
	EXPECT(add_metered_flow(&sw, 80, 1), MMF(OFPMMFC_UNKNOWN_METER));
	uint64_t gen = sw.generation;
	mm = mm_make(OFPMC_ADD, 3, 100);
	assert_int_equal(ofs_meter_mod(&sw, &mm, 0), OFP_OK);
	assert_true(sw.generation > gen);
	mm = mm_make(OFPMC_ADD, 1, 100);
	assert_int_equal(ofs_meter_mod(&sw, &mm, 0), OFP_OK);
	EXPECT(ofs_meter_mod(&sw, &mm, 0), MMF(OFPMMFC_METER_EXISTS));
	mm = mm_make(OFPMC_ADD, 2, 100);
	assert_int_equal(ofs_meter_mod(&sw, &mm, 0), OFP_OK);
	mm = mm_make(OFPMC_ADD, 4, 100);
	EXPECT(ofs_meter_mod(&sw, &mm, 0), MMF(OFPMMFC_OUT_OF_METERS));
	/* Sorted by id. */
	assert_int_equal(sw.n_meters, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(sw.meters[i].id, i + 1);

	mm = mm_make(OFPMC_MODIFY, 9, 100);
	EXPECT(ofs_meter_mod(&sw, &mm, 0), MMF(OFPMMFC_UNKNOWN_METER));
	mm = mm_make(OFPMC_MODIFY, 2, 555);
	sw.meters[1].packet_in_count = 7;
	assert_int_equal(ofs_meter_mod(&sw, &mm, 0), OFP_OK);
	assert_int_equal(ofs_meter_find(&sw, 2)->bands[0].rate, 555);
	assert_int_equal(ofs_meter_find(&sw, 2)->packet_in_count, 7);

	/* Deleting a meter removes its flows, reason DELETE. */
	assert_int_equal(add_metered_flow(&sw, 80, 1), OFP_OK);
	assert_int_equal(add_metered_flow(&sw, 81, 1), OFP_OK);
	assert_int_equal(add_metered_flow(&sw, 82, 2), OFP_OK);
	assert_int_equal(ofs_meter_flow_count(&sw, 1), 2);
	assert_int_equal(ofs_meter_flow_count(&sw, 2), 1);
	mm = mm_make(OFPMC_DELETE, 1, 0);
	assert_int_equal(ofs_meter_mod(&sw, &mm, 0), OFP_OK);
	assert_int_equal(total_flows(&sw), 1);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.reasons[0], OFPRR_DELETE);
	assert_null(ofs_meter_find(&sw, 1));
	EXPECT(ofs_meter_mod(&sw, &mm, 0), MMF(OFPMMFC_UNKNOWN_METER));
	mm = mm_make(OFPMC_DELETE, OFPM_ALL, 0);
	assert_int_equal(ofs_meter_mod(&sw, &mm, 0), OFP_OK);
	assert_int_equal(sw.n_meters, 0);
	assert_int_equal(total_flows(&sw), 0);
	assert_int_equal(log.n, 3);
	ofs_destroy(&sw);
}

static void
meter_stats_replies(void **state)
{
	struct of_switch sw;
	struct ofp_meter_mod mm = mm_make(OFPMC_ADD, 5, 1000);
	struct ofp_buf b;
	struct ofp_msg m;
	struct ofp_rd r;
	struct ofp_meter_stats_entry e;
	struct ofp_meter_config_entry c;

	assert_int_equal(ofs_init(&sw, 1, 100, 10), 0);
	mm.n_bands = 2;
	mm.bands[1] = (struct ofp_meter_band){ OFPMBT_DSCP_REMARK, 500, 0, 1 };
	assert_int_equal(ofs_meter_mod(&sw, &mm, 1000), OFP_OK);
	mm = mm_make(OFPMC_ADD, 6, 10);
	assert_int_equal(ofs_meter_mod(&sw, &mm, 1000), OFP_OK);
	assert_int_equal(add_metered_flow(&sw, 80, 5), OFP_OK);
	struct ofs_meter *m5 = ofs_meter_find(&sw, 5);
	m5->packet_in_count = 10;
	m5->byte_in_count = 1000;
	m5->band_counts[1] = (struct ofp_bucket_counter){ 3, 300 };

	ofp_buf_init(&b);
	ofs_reply_meter_stats(&sw, 1, 5, 3500, &b);
	assert_int_equal(decode(b.data, b.len, &m), OFP_OK);
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	assert_int_equal(ofp_mp_meter_stats_next(&r, &e), OFP_OK);
	assert_int_equal(ofp_rd_left(&r), 0);
	assert_int_equal(e.meter_id, 5);
	assert_int_equal(e.flow_count, 1);
	assert_int_equal(e.packet_in_count, 10);
	assert_int_equal(e.byte_in_count, 1000);
	assert_int_equal(e.duration_sec, 2);
	assert_int_equal(e.duration_nsec, 500000000u);
	assert_int_equal(e.n_bands, 2);
	assert_int_equal(e.bands[1].packet_count, 3);
	assert_int_equal(e.bands[1].byte_count, 300);
	b.len = 0;

	/* OFPM_ALL: both, in id order; an unknown id: an empty reply. */
	ofs_reply_meter_config(&sw, 2, OFPM_ALL, &b);
	assert_int_equal(decode(b.data, b.len, &m), OFP_OK);
	ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
	assert_int_equal(ofp_mp_meter_config_next(&r, &c), OFP_OK);
	assert_int_equal(c.meter_id, 5);
	assert_int_equal(c.flags, OFPMF_KBPS | OFPMF_STATS);
	assert_int_equal(c.n_bands, 2);
	assert_int_equal(c.bands[1].type, OFPMBT_DSCP_REMARK);
	assert_int_equal(c.bands[1].prec_level, 1);
	assert_int_equal(ofp_mp_meter_config_next(&r, &c), OFP_OK);
	assert_int_equal(c.meter_id, 6);
	assert_int_equal(ofp_rd_left(&r), 0);
	b.len = 0;
	ofs_reply_meter_stats(&sw, 3, 99, 0, &b);
	assert_int_equal(b.len, 16);
	ofp_buf_free(&b);
	ofs_destroy(&sw);
}

/* 1024 meters of 8 bands do not fit one message: the reply splits. */
static void
meter_config_reply_splits(void **state)
{
	struct of_switch sw;
	struct ofp_buf b;
	struct ofp_meter_mod mm = mm_make(OFPMC_ADD, 0, 10);

	assert_int_equal(ofs_init(&sw, 1, 100, 10), 0);
	mm.n_bands = OFP_MAX_METER_BANDS;
	for (unsigned i = 0; i < OFP_MAX_METER_BANDS; i++)
		mm.bands[i] = (struct ofp_meter_band){ OFPMBT_DROP, 10 + i, 0, 0 };
	for (uint32_t id = 1; id <= OFS_MAX_METERS; id++) {
		mm.meter_id = id;
		assert_int_equal(ofs_meter_mod(&sw, &mm, 0), OFP_OK);
	}
	ofp_buf_init(&b);
	ofs_reply_meter_config(&sw, 1, OFPM_ALL, &b);
	assert_false(b.failed);
	unsigned msgs = 0, entries = 0;
	for (size_t off = 0; off < b.len;) {
		struct ofp_msg m;
		size_t len = (size_t)b.data[off + 2] << 8 | b.data[off + 3];
		assert_true(len <= OFP_MAX_MSG_LEN);
		assert_int_equal(decode(b.data + off, len, &m), OFP_OK);
		struct ofp_rd r;
		struct ofp_meter_config_entry c;
		ofp_rd_init(&r, m.u.mp_reply.body.data, m.u.mp_reply.body.len);
		while (ofp_rd_left(&r) > 0) {
			assert_int_equal(ofp_mp_meter_config_next(&r, &c), OFP_OK);
			assert_int_equal(c.meter_id, ++entries);
		}
		msgs++;
		off += len;
		assert_int_equal(m.u.mp_reply.flags & OFPMPF_REPLY_MORE, off < b.len);
	}
	assert_int_equal(entries, OFS_MAX_METERS);
	assert_true(msgs > 1);
	ofp_buf_free(&b);
	ofs_destroy(&sw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(meter_mod_round_trip),
		cmocka_unit_test(meter_mod_refusals),
		cmocka_unit_test(meter_instruction_round_trip),
		cmocka_unit_test(meter_multipart_round_trips),
		cmocka_unit_test(meter_table_commands),
		cmocka_unit_test(meter_stats_replies),
		cmocka_unit_test(meter_config_reply_splits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
