/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The load balancer on whole frames: rewrites both ways with valid
 * checksums, connection affinity across a pool change, what passes
 * untouched, what is dropped, a full table, idle expiry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "lb_fwd.h"
#include "lb_frames.h"
#include "test_eal_cleanup.h"

#define VIP 0x0a000064u /* 10.0.0.100 */
#define CLIENT_NET 0xc0a80000u

static const char *pool_a =
	"{ \"max_conns\": %u, \"tcp_idle_timeout\": 100, \"udp_idle_timeout\": 10,\n"
	"  \"services\": [\n"
	"  { \"name\": \"web\", \"vip\": \"10.0.0.100\", \"proto\": \"tcp\", \"port\": 80,\n"
	"    \"backends\": [ { \"ip\": \"10.0.1.1\", \"port\": 8080 }, { \"ip\": \"10.0.1.2\", \"port\": 8080 },\n"
	"                    { \"ip\": \"10.0.1.3\", \"port\": 8080 }, { \"ip\": \"10.0.1.4\", \"port\": 8080 } ] },\n"
	"  { \"name\": \"dns\", \"vip\": \"10.0.0.100\", \"proto\": \"udp\", \"port\": 53,\n"
	"    \"backends\": [ { \"ip\": \"10.0.2.1\", \"port\": 53 }, { \"ip\": \"10.0.2.2\", \"port\": 5353 } ] },\n"
	"  { \"name\": \"alt\", \"vip\": \"10.0.0.101\", \"proto\": \"tcp\", \"port\": 80,\n"
	"    \"backends\": [ { \"ip\": \"10.0.1.1\", \"port\": 8080 } ] } ] }\n";

/* web without 10.0.1.1, plus two new backends */
static const char *pool_b =
	"{ \"services\": [\n"
	"  { \"name\": \"web\", \"vip\": \"10.0.0.100\", \"proto\": \"tcp\", \"port\": 80,\n"
	"    \"backends\": [ { \"ip\": \"10.0.1.2\", \"port\": 8080 }, { \"ip\": \"10.0.1.3\", \"port\": 8080 },\n"
	"                    { \"ip\": \"10.0.1.4\", \"port\": 8080 }, { \"ip\": \"10.0.1.5\", \"port\": 8080 },\n"
	"                    { \"ip\": \"10.0.1.6\", \"port\": 8080 } ] } ] }\n";

static struct lb_fwd fwd;
static unsigned int table_no;

static void
setup_fwd(uint32_t max_conns)
{
	struct lb_config cfg;
	char doc[4096], err[512], name[32];

	snprintf(doc, sizeof(doc), pool_a, max_conns);
	if (lb_config_load_string("a.json", doc, &cfg, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	memset(&fwd, 0, sizeof(fwd));
	snprintf(name, sizeof(name), "lb_test_%u", table_no++);
	fwd.conns = lb_conn_create(name, cfg.max_conns, SOCKET_ID_ANY);
	assert_non_null(fwd.conns);
	assert_int_equal(lb_fwd_set_services(&fwd, &cfg), 0);
	fwd.timeouts = (struct lb_conn_timeouts){ .tcp = cfg.tcp_idle_s, .udp = cfg.udp_idle_s,
						  .closing = 5 }; /* "now" counts seconds here */
	lb_config_free(&cfg);
}

static int
setup(void **state)
{
	setup_fwd(1024);
	return 0;
}

static int
teardown(void **state)
{
	lb_vips_free(&fwd.vips);
	lb_conn_free(fwd.conns);
	return 0;
}

static void
reload(const char *doc)
{
	struct lb_config cfg;
	char err[512];

	if (lb_config_load_string("b.json", doc, &cfg, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(lb_fwd_set_services(&fwd, &cfg), 0);
	lb_config_free(&cfg);
}

static uint32_t
client_frame(uint8_t *f, uint8_t proto, unsigned int i, uint16_t dport, uint8_t flags)
{
	struct lbf_spec s = { .proto = proto, .sip = CLIENT_NET + i / 1000, .dip = VIP,
			      .sport = (uint16_t)(20000 + i % 1000), .dport = dport,
			      .tcp_flags = flags, .payload = (uint16_t)(i % 37), .seed = i };

	return lbf_make(f, &s);
}

static uint32_t
reply_frame(uint8_t *f, uint8_t proto, unsigned int i, uint32_t backend, uint16_t bport)
{
	struct lbf_spec s = { .proto = proto, .sip = backend, .dip = CLIENT_NET + i / 1000,
			      .sport = bport, .dport = (uint16_t)(20000 + i % 1000),
			      .tcp_flags = 0x12, .payload = (uint16_t)(i % 41), .seed = i + 7 };

	return lbf_make(f, &s);
}

static void
to_backend_and_back(void **state)
{
	uint8_t f[LBF_MAX], orig[LBF_MAX];
	uint32_t ev, len = client_frame(f, 6, 1, 80, 0x02);

	memcpy(orig, f, len);
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 1, 0, &ev), LB_V_TO_BACKEND);
	assert_int_equal(ev, LB_EV_NEW_CONN);
	uint32_t backend = lbf_dst_ip(f);

	assert_true(backend >= 0x0a000101u && backend <= 0x0a000104u);
	assert_int_equal(lbf_dst_port(f), 8080);
	assert_int_equal(lbf_src_ip(f), CLIENT_NET);
	assert_int_equal(lbf_src_port(f), 20001);
	assert_memory_equal(f, orig, 12); /* MACs are the router's business */
	assert_true(lbf_checksums_ok(f, len));
	assert_memory_equal(f + 14 + 20 + 20, orig + 14 + 20 + 20, len - 54); /* payload */

	/* the same connection again: same backend, not new */
	len = client_frame(f, 6, 1, 80, 0x10);
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 2, 0, &ev), LB_V_TO_BACKEND);
	assert_int_equal(ev, 0);
	assert_int_equal(lbf_dst_ip(f), backend);

	/* the backend's reply leaves as the VIP */
	len = reply_frame(f, 6, 1, backend, 8080);
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 3, 0, &ev), LB_V_TO_CLIENT);
	assert_int_equal(lbf_src_ip(f), VIP);
	assert_int_equal(lbf_src_port(f), 80);
	assert_int_equal(lbf_dst_ip(f), CLIENT_NET);
	assert_int_equal(lbf_dst_port(f), 20001);
	assert_true(lbf_checksums_ok(f, len));

	/* UDP the same way, to a backend on another port */
	for (unsigned int i = 0; i < 50; i++) {
		len = client_frame(f, 17, 100 + i, 53, 0);
		assert_int_equal(lb_fwd_packet(&fwd, f, len, 4, 0, &ev), LB_V_TO_BACKEND);
		assert_true(lbf_checksums_ok(f, len));
		backend = lbf_dst_ip(f);
		uint16_t bport = lbf_dst_port(f);

		assert_true((backend == 0x0a000201u && bport == 53) ||
			    (backend == 0x0a000202u && bport == 5353));
		len = reply_frame(f, 17, 100 + i, backend, bport);
		assert_int_equal(lb_fwd_packet(&fwd, f, len, 5, 0, &ev), LB_V_TO_CLIENT);
		assert_int_equal(lbf_src_ip(f), VIP);
		assert_int_equal(lbf_src_port(f), 53);
		assert_true(lbf_checksums_ok(f, len));
	}
}

/* Established connections keep their backend when the pool changes under them. */
static void
affinity_survives_pool_change(void **state)
{
	enum { FLOWS = 400 };
	uint8_t f[LBF_MAX];
	uint32_t ev, before[FLOWS], len;
	unsigned int on_removed = 0, maglev_moved = 0, new_on_removed = 0;

	for (unsigned int i = 0; i < FLOWS; i++) {
		len = client_frame(f, 6, i, 80, 0x02);
		assert_int_equal(lb_fwd_packet(&fwd, f, len, 1, 0, &ev), LB_V_TO_BACKEND);
		before[i] = lbf_dst_ip(f);
		on_removed += before[i] == 0x0a000101u;
	}
	reload(pool_b);
	/* Without the table, Maglev alone would move these: the test is not vacuous. */
	for (unsigned int i = 0; i < FLOWS; i++) {
		struct lb_fwd bare = fwd;
		uint8_t g[LBF_MAX];
		char name[32];

		snprintf(name, sizeof(name), "lb_bare_%u", i);
		bare.conns = lb_conn_create(name, 8, SOCKET_ID_ANY);
		len = client_frame(g, 6, i, 80, 0x02);
		lb_fwd_packet(&bare, g, len, 1, 0, &ev);
		maglev_moved += lbf_dst_ip(g) != before[i];
		lb_conn_free(bare.conns);
	}
	assert_true(on_removed > 0);
	assert_true(maglev_moved >= on_removed);

	for (unsigned int i = 0; i < FLOWS; i++) {
		len = client_frame(f, 6, i, 80, 0x10);
		assert_int_equal(lb_fwd_packet(&fwd, f, len, 2, 0, &ev), LB_V_TO_BACKEND);
		assert_int_equal(ev, 0);
		assert_int_equal(lbf_dst_ip(f), before[i]);
		assert_true(lbf_checksums_ok(f, len));
		len = reply_frame(f, 6, i, before[i], 8080);
		assert_int_equal(lb_fwd_packet(&fwd, f, len, 2, 0, &ev), LB_V_TO_CLIENT);
		assert_int_equal(lbf_src_ip(f), VIP);
	}
	/* new connections only meet the new pool */
	for (unsigned int i = FLOWS; i < 2 * FLOWS; i++) {
		len = client_frame(f, 6, i, 80, 0x02);
		assert_int_equal(lb_fwd_packet(&fwd, f, len, 3, 0, &ev), LB_V_TO_BACKEND);
		assert_int_equal(ev, LB_EV_NEW_CONN);
		new_on_removed += lbf_dst_ip(f) == 0x0a000101u;
		assert_true(lbf_dst_ip(f) >= 0x0a000102u && lbf_dst_ip(f) <= 0x0a000106u);
	}
	assert_int_equal(new_on_removed, 0);
	/* the services dropped by the reload are gone: their VIP passes */
	len = client_frame(f, 17, 5, 53, 0);
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 3, 0, &ev), LB_V_PASS);
}

static void
others_pass_unchanged(void **state)
{
	uint8_t f[LBF_MAX], orig[LBF_MAX];
	uint32_t ev, len;
	struct lbf_spec specs[] = {
		{ .proto = 6, .sip = CLIENT_NET, .dip = 0x08080808, .sport = 1, .dport = 80 },
		{ .proto = 6, .sip = CLIENT_NET, .dip = VIP, .sport = 1, .dport = 443 },
		{ .proto = 17, .sip = CLIENT_NET, .dip = VIP, .sport = 1, .dport = 80 },
		/* looks like a reply, but no connection owns it */
		{ .proto = 6, .sip = 0x0a000101u, .dip = CLIENT_NET, .sport = 8080, .dport = 999 },
	};

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		len = lbf_make(f, &specs[i]);
		memcpy(orig, f, len);
		assert_int_equal(lb_fwd_packet(&fwd, f, len, 1, 0, &ev), LB_V_PASS);
		assert_memory_equal(f, orig, len);
	}
	/* ICMP to the VIP, ARP, a runt */
	len = lbf_make(f, &specs[1]);
	f[14 + 9] = 1;
	memcpy(orig, f, len);
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 1, 0, &ev), LB_V_PASS);
	assert_memory_equal(f, orig, len);
	f[12] = 0x08;
	f[13] = 0x06;
	assert_int_equal(lb_fwd_packet(&fwd, f, 60, 1, 0, &ev), LB_V_PASS);
	assert_int_equal(lb_fwd_packet(&fwd, f, 9, 1, 0, &ev), LB_V_PASS);
}

static void
fragments_and_truncation_to_vip_drop(void **state)
{
	uint8_t f[LBF_MAX];
	uint32_t ev, len = client_frame(f, 6, 3, 80, 0x10);

	f[14 + 6] = 0x20; /* more fragments */
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 1, 0, &ev), LB_V_DROP_FRAGMENT);
	f[14 + 16] = 9; /* not a VIP any more */
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 1, 0, &ev), LB_V_PASS);

	len = client_frame(f, 6, 3, 80, 0x10);
	f[14 + 20 + 12] = 0xf0; /* TCP data offset 60 > segment */
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 1, 0, &ev), LB_V_DROP_MALFORMED);
}

static void
full_table_still_balances(void **state)
{
	uint8_t f[LBF_MAX];
	uint32_t ev, len, first[40];
	unsigned int full = 0;

	teardown(state);
	setup_fwd(8);
	for (unsigned int i = 0; i < 40; i++) {
		len = client_frame(f, 6, i, 80, 0x02);
		assert_int_equal(lb_fwd_packet(&fwd, f, len, 1, 0, &ev), LB_V_TO_BACKEND);
		assert_true(lbf_checksums_ok(f, len));
		first[i] = lbf_dst_ip(f);
		full += (ev & LB_EV_TABLE_FULL) != 0;
	}
	assert_int_equal(full, 40 - 8);
	assert_int_equal(lb_conn_count(fwd.conns), 8);
	/* untracked flows still land on the same backend while the pool holds */
	for (unsigned int i = 0; i < 40; i++) {
		len = client_frame(f, 6, i, 80, 0x10);
		assert_int_equal(lb_fwd_packet(&fwd, f, len, 2, 0, &ev), LB_V_TO_BACKEND);
		assert_int_equal(lbf_dst_ip(f), first[i]);
	}
}

static void
idle_connections_expire(void **state)
{
	uint8_t f[LBF_MAX];
	uint32_t ev, len;

	len = client_frame(f, 6, 1, 80, 0x02);     /* TCP at t=0 */
	lb_fwd_packet(&fwd, f, len, 0, 0, &ev);
	uint32_t tcp_backend = lbf_dst_ip(f);

	len = client_frame(f, 17, 2, 53, 0);       /* UDP at t=0 */
	lb_fwd_packet(&fwd, f, len, 0, 0, &ev);
	len = client_frame(f, 6, 3, 80, 0x02);     /* TCP that closes at t=0 */
	lb_fwd_packet(&fwd, f, len, 0, 0, &ev);
	len = client_frame(f, 6, 3, 80, 0x11);
	lb_fwd_packet(&fwd, f, len, 0, 0, &ev);
	assert_int_equal(lb_conn_count(fwd.conns), 3);

	assert_int_equal(lb_conn_expire(fwd.conns, 5, &fwd.timeouts, 1024), 0);
	assert_int_equal(lb_conn_expire(fwd.conns, 6, &fwd.timeouts, 1024), 1);  /* FIN'd: 5 s */
	assert_int_equal(lb_conn_expire(fwd.conns, 11, &fwd.timeouts, 1024), 1); /* UDP: 10 s */
	/* activity keeps the TCP one */
	len = client_frame(f, 6, 1, 80, 0x10);
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 90, 0, &ev), LB_V_TO_BACKEND);
	assert_int_equal(lb_conn_expire(fwd.conns, 150, &fwd.timeouts, 1024), 0);
	assert_int_equal(lb_conn_expire(fwd.conns, 191, &fwd.timeouts, 1024), 1);
	assert_int_equal(lb_conn_count(fwd.conns), 0);
	/* and once gone, its replies are no longer rewritten */
	len = reply_frame(f, 6, 1, tcp_backend, 8080);
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 200, 0, &ev), LB_V_PASS);
}

/* One client port reaching one backend through two VIPs: the replies would
 * be ambiguous, so the second connection is balanced but not tracked. */
static void
reply_key_conflict(void **state)
{
	uint8_t f[LBF_MAX];
	uint32_t ev, len;
	struct lbf_spec a = { .proto = 6, .sip = CLIENT_NET, .dip = 0x0a000065u, .sport = 5555,
			      .dport = 80, .tcp_flags = 0x02 };
	struct lbf_spec b = a;

	/* "alt" has only 10.0.1.1; find a client port "web" also sends there */
	for (b.sport = 1000; b.sport < 2000; b.sport++) {
		b.dip = VIP;
		len = lbf_make(f, &b);
		lb_fwd_packet(&fwd, f, len, 1, 0, &ev);
		if (lbf_dst_ip(f) == 0x0a000101u)
			break;
	}
	assert_true(b.sport < 2000);
	a.sport = b.sport;
	len = lbf_make(f, &a);
	assert_int_equal(lb_fwd_packet(&fwd, f, len, 1, 0, &ev), LB_V_TO_BACKEND);
	assert_int_equal(ev, LB_EV_NEW_CONN | LB_EV_CONFLICT);
	assert_int_equal(lbf_dst_ip(f), 0x0a000101u);
}

/*
 * Mutated and cut frames, inbound and replies, never make the balancer read
 * or write past the frame (ASan builds check: each frame sits in a buffer of
 * exactly its length); what it rewrites keeps checksums that verify when
 * the input's did.
 */
static void
hostile_frames(void **state)
{
	uint8_t good[LBF_MAX];
	unsigned int rewritten = 0;

	srand(7);
	for (unsigned int i = 0; i < 50000; i++) {
		int tcp = (i / 2) % 2;
		uint32_t ev, full = i % 2 ? client_frame(good, tcp ? 6 : 17, i % 50, tcp ? 80 : 53, 0x10)
				       : reply_frame(good, 6, i % 50, 0x0a000101u + i % 4, 8080);
		uint32_t len = (i / 4) % 3 ? full : (uint32_t)rand() % (full + 1);
		int mutate = i % 5 == 0;
		uint8_t *f = malloc(len ? len : 1);

		memcpy(f, good, len);
		for (int k = mutate ? 1 + rand() % 3 : 0; k > 0 && len > 0; k--)
			f[rand() % len] = (uint8_t)rand();
		enum lb_verdict v = lb_fwd_packet(&fwd, f, len, 1, 0, &ev);

		if (v == LB_V_TO_BACKEND || v == LB_V_TO_CLIENT) {
			rewritten++;
			if (!mutate && len == full)
				assert_true(lbf_checksums_ok(f, len));
		}
		free(f);
	}
	assert_true(rewritten > 1000);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "--no-pci", "--no-shconf", "-l", "0", "-m", "256",
			"--file-prefix", "lbtest", "--log-level=error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(to_backend_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(affinity_survives_pool_change, setup, teardown),
		cmocka_unit_test_setup_teardown(others_pass_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(fragments_and_truncation_to_vip_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(full_table_still_balances, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_connections_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(reply_key_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_frames, setup, teardown),
	};

	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_eal_cleanup("lbtest");
	return rc;
}
