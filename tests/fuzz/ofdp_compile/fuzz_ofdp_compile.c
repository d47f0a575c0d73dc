/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the pipeline compiler (sdn_agent/pipeline/
 * ofdp_compile.c): a switch is built by a session fed the conversation
 * tests/fuzz/of_session/of_fuzz_gen.c makes from the fuzzer's bytes, with
 * the pipeline's own FLOW_MOD/GROUP_MOD checks as the agent has them, and
 * compiled every 16 messages and at the end, some of table 0's flows
 * standing for the host's JSON chains. Each compiled table is compiled
 * again with the previous one passing its meters on, as the agent does.
 *
 * Aborts unless the compiled table has every flow (chains excepted) in
 * flow id order, every group and meter, and each table's classifier
 * answers as the switch's own lookup (ofs_lookup, the reference) for keys
 * made from every flow's match, and the service re-entry shortcut
 * (ofdp_table.reenter) gives what a lookup would. Before a table is
 * replaced, counters are written into its rows as the data lcores would
 * and harvested (ofdp_harvest.c) into the switch, which has changed since
 * that table was compiled: every flow still there gains exactly what its
 * rows say, once.
 */
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "of_fuzz_gen.h"
#include "ofdp_compile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 160
#define MAX_CHAINS 4

/* What table tid's classifier must answer for k, from the switch. */
static void
check_lookup(struct ofz_world *w, const struct ofdp_table *t, const struct ofdp_chain_flow *ch,
	     uint32_t n_ch, uint8_t tid, const struct flow_key *k)
{
	struct ofs_flow *want = ofs_lookup(&w->sw, tid, k);
	uint32_t got = CLS_NO_RULE;
	bool hit = t->cls[tid] && classifier_lookup(t->cls[tid], k, &got);

	if (want == NULL) {
		if (hit)
			abort();
		return;
	}
	if (!hit)
		abort();
	for (uint32_t i = 0; i < n_ch; i++)
		if (ch[i].flow_id == want->id) {
			if (tid != 0 || got != ch[i].chain_id)
				abort();
			return;
		}
	if (!(got & OFDP_FLOW) || (got & ~OFDP_FLOW) >= t->n_flows ||
	    t->flows[got & ~OFDP_FLOW].flow_id != want->id)
		abort();
	if (tid == 0 && k->in_port > FLOW_OFPORT_SERVICE_BASE &&
	    k->in_port - FLOW_OFPORT_SERVICE_BASE <= t->max_service) {
		uint32_t re = t->reenter[k->in_port - FLOW_OFPORT_SERVICE_BASE];
		if (re != OFDP_LOOKUP && re != got)
			abort();
	}
}

/* Keys near every flow's match: the key itself, with another in_port,
 * with the masked-out bits set. */
static void
check_tables(struct ofz_world *w, const struct ofdp_table *t, const struct ofdp_chain_flow *ch,
	     uint32_t n_ch)
{
	static const uint32_t in_ports[] = { 1, 2, 1001, 1002, 1003 };

	for (uint8_t tid = 0; tid < w->sw.n_tables; tid++) {
		const struct ofs_table *st = &w->sw.tables[tid];

		for (uint32_t i = 0; i < st->n; i++) {
			struct flow_key k = st->flows[i]->match.key, k2;
			uint8_t *kb = (uint8_t *)&k2;
			const uint8_t *mb = (const uint8_t *)&st->flows[i]->match.mask;

			check_lookup(w, t, ch, n_ch, tid, &k);
			for (unsigned p = 0; p < 5; p++) {
				k2 = k;
				k2.in_port = in_ports[p];
				check_lookup(w, t, ch, n_ch, tid, &k2);
			}
			k2 = k;
			for (size_t b = 0; b < sizeof(k2); b++)
				kb[b] |= (uint8_t)~mb[b] & 0x5a;
			check_lookup(w, t, ch, n_ch, tid, &k2);
		}
	}
}

static struct ofs_flow *
find_flow(struct of_switch *sw, uint64_t id)
{
	for (uint8_t tid = 0; tid < sw->n_tables; tid++)
		for (uint32_t i = 0; i < sw->tables[tid].n; i++)
			if (sw->tables[tid].flows[i]->id == id)
				return sw->tables[tid].flows[i];
	return NULL;
}

static void
harvest_and_check(struct ofz_world *w, const struct ofdp_table *t)
{
	uint64_t *seen = calloc(ofdp_harvest_words(t) + 1, sizeof(*seen));
	uint64_t *before = calloc(t->n_flows + 1, sizeof(*before));

	if (seen == NULL || before == NULL)
		abort();
	for (uint32_t i = 0; i < t->n_flows; i++) {
		const struct ofs_flow *f = find_flow(&w->sw, t->flows[i].flow_id);
		before[i] = f ? f->packet_count : 0;
		for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++) {
			t->flow_ctr[s][i].packets = i + s + 1;
			t->flow_ctr[s][i].bytes = 64 * (i + s + 1);
		}
	}
	for (int round = 0; round < 2; round++) {
		ofdp_harvest(&w->sw, t, seen, w->now_ms);
		for (uint32_t i = 0; i < t->n_flows; i++) {
			const struct ofs_flow *f = find_flow(&w->sw, t->flows[i].flow_id);
			uint64_t want = 0;
			for (unsigned int s = 0; s < OFDP_COUNTER_SLOTS; s++)
				want += i + s + 1;
			if (f && f->packet_count != before[i] + want)
				abort(); /* the second round must add nothing */
		}
	}
	free(seen);
	free(before);
}

static int
by_flow_id(const void *a, const void *b)
{
	const struct ofdp_chain_flow *x = a, *y = b;
	return x->flow_id < y->flow_id ? -1 : x->flow_id > y->flow_id;
}

static struct ofdp_table *
compile_and_check(struct ofz_world *w, uint8_t pick, const struct ofdp_table *prev)
{
	struct ofdp_chain_flow ch[MAX_CHAINS];
	uint32_t n_ch = 0, n_flows = ofz_check_switch(w);
	const struct ofs_table *t0 = &w->sw.tables[0];

	/* Table-0 flows whose bit is set in pick are the host's chains. */
	for (uint32_t i = 0; i < t0->n && n_ch < MAX_CHAINS; i++)
		if (pick >> (i % 8) & 1) {
			ch[n_ch] = (struct ofdp_chain_flow){ t0->flows[i]->id, (uint16_t)(n_ch + 1) };
			n_ch++;
		}
	qsort(ch, n_ch, sizeof(ch[0]), by_flow_id);

	struct ofdp_table *t = ofdp_compile(&w->sw, &w->env, ch, n_ch, prev, 1000000000ull);
	if (t == NULL)
		abort();
	if (t->n_flows != n_flows - n_ch || t->n_groups != w->sw.n_groups ||
	    t->n_meters != w->sw.n_meters || t->max_service != w->env.max_service)
		abort();
	for (uint32_t i = 1; i < t->n_flows; i++)
		if (t->flows[i].flow_id <= t->flows[i - 1].flow_id)
			abort();
	for (uint32_t i = 0; i < t->n_flows; i++) {
		const struct ofdp_flow *f = &t->flows[i];
		if (f->prog.first_op + f->prog.n_ops > t->n_ops ||
		    f->write.first_op + f->write.n_ops > t->n_ops ||
		    (f->meter != OFDP_NO_METER && f->meter >= t->n_meters) ||
		    (f->goto_table != OFDP_NO_TABLE && f->goto_table >= OFDP_N_TABLES))
			abort();
	}
	check_tables(w, t, ch, n_ch);
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ofz_in in = { data, size, 0 };
	struct ofz_world w;
	struct ofp_buf msg, out;
	struct ofdp_table *prev = NULL;
	uint32_t xid = 1;
	uint8_t pick = ofz_u8(&in);

	ofz_world_init(&w, true);
	ofp_buf_init(&msg);
	ofp_buf_init(&out);
	ofp_encode_hello(&msg, 0, 1u << 4);
	of_session_handle(&w.s, msg.data, msg.len, w.now_ms, &out);
	for (int step = 0; step < MAX_STEPS && ofz_more(&in); step++) {
		struct ofz_sent sent;

		ofp_buf_reset(&msg);
		ofp_buf_reset(&out);
		ofz_next(&in, xid++, &msg, &sent);
		if (sent.type == 0xff) {
			w.now_ms += sent.advance_ms;
			ofs_expire(&w.sw, w.now_ms);
		} else {
			of_session_handle(&w.s, msg.data, msg.len, w.now_ms, &out);
		}
		if (step % 16 == 15) {
			if (prev)
				harvest_and_check(&w, prev);
			struct ofdp_table *t = compile_and_check(&w, pick, prev);
			ofdp_table_free(prev);
			prev = t;
		}
	}
	struct ofdp_table *t = compile_and_check(&w, pick, prev);
	ofdp_table_free(prev);
	ofdp_table_free(t);
	ofp_buf_free(&msg);
	ofp_buf_free(&out);
	ofz_world_destroy(&w);
	return 0;
}
