/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * load_balancer: virtual IP:port -> backends by Maglev hashing, with
 * per-connection affinity that survives changes to the pool.
 *
 *     load_balancer [EAL options] -- [nflib options] -- -f SERVICES
 *
 * SIGHUP reloads SERVICES: the pools change, established connections keep
 * their backends. A bad file on reload is reported and the old services stay.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "lb_config.h"
#include "lb_fwd.h"
#include "lb_state.h"
#include "onvm_nflib.h"
#include "onvm_nflib_state.h"

#define LB_TICK_MS 100
/* TCP connections that saw FIN or RST are forgotten after this long. */
#define LB_CLOSING_TIMEOUT_S 10

enum lb_counter {
	LC_TO_BACKEND,
	LC_TO_CLIENT,
	LC_PASS,
	LC_NEW_CONN,
	LC_UNTRACKED_TABLE_FULL,
	LC_UNTRACKED_CONFLICT,
	LC_DROP_FRAGMENT,
	LC_DROP_MALFORMED,
	LC_CONN_EXPIRED,
	LC_RELOAD,
	LC_RELOAD_FAILED,
	LC_COUNT
};

static const char *const lb_counter_names[LC_COUNT] = {
	[LC_TO_BACKEND] = "to_backend",
	[LC_TO_CLIENT] = "to_client",
	[LC_PASS] = "pass",
	[LC_NEW_CONN] = "new_conns",
	[LC_UNTRACKED_TABLE_FULL] = "untracked_table_full",
	[LC_UNTRACKED_CONFLICT] = "untracked_conflict",
	[LC_DROP_FRAGMENT] = "drop_fragment_to_vip",
	[LC_DROP_MALFORMED] = "drop_malformed_to_vip",
	[LC_CONN_EXPIRED] = "conns_expired",
	[LC_RELOAD] = "reloads",
	[LC_RELOAD_FAILED] = "reloads_failed",
};

struct load_balancer {
	struct lb_fwd fwd;
	const char *file;
	int counter[LC_COUNT];
	uint32_t expire_budget; /* pool entries examined per tick */
};

static volatile sig_atomic_t reload_requested;

static void
on_sighup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

static void
count(struct onvm_nf_ctx *nf, const struct load_balancer *lb, enum lb_counter c)
{
	if (lb->counter[c] >= 0)
		onvm_nflib_counter_add(nf, lb->counter[c], 1);
}

static int
lb_handle(struct rte_mbuf *pkt, struct onvm_verdict *v, struct onvm_nf_ctx *nf)
{
	struct load_balancer *lb = onvm_nflib_user(nf);
	uint32_t events;
	enum lb_verdict lv = lb_fwd_packet(&lb->fwd, rte_pktmbuf_mtod(pkt, uint8_t *),
					   rte_pktmbuf_data_len(pkt), rte_rdtsc(),
					   onvm_nflib_bucket(nf), &events);

	if (events & LB_EV_NEW_CONN)
		count(nf, lb, LC_NEW_CONN);
	if (events & LB_EV_TABLE_FULL)
		count(nf, lb, LC_UNTRACKED_TABLE_FULL);
	if (events & LB_EV_CONFLICT)
		count(nf, lb, LC_UNTRACKED_CONFLICT);
	switch (lv) {
	case LB_V_TO_BACKEND:
		count(nf, lb, LC_TO_BACKEND);
		return onvm_nf_next(v);
	case LB_V_TO_CLIENT:
		count(nf, lb, LC_TO_CLIENT);
		return onvm_nf_next(v);
	case LB_V_DROP_FRAGMENT:
		count(nf, lb, LC_DROP_FRAGMENT);
		return onvm_nf_drop(v);
	case LB_V_DROP_MALFORMED:
		count(nf, lb, LC_DROP_MALFORMED);
		return onvm_nf_drop(v);
	case LB_V_PASS:
	default:
		count(nf, lb, LC_PASS);
		return onvm_nf_next(v);
	}
}

static void
print_services(const struct lb_vips *v, const char *why)
{
	for (uint32_t i = 0; i < v->n; i++) {
		const struct lb_vip_svc *s = &v->svc[i];

		printf("load_balancer: %s: service %s %u.%u.%u.%u:%u/%s: %lu packets in, %lu connections\n",
		       why, s->name, s->vip >> 24, (s->vip >> 16) & 0xff, (s->vip >> 8) & 0xff,
		       s->vip & 0xff, s->port, s->proto == 6 ? "tcp" : "udp",
		       (unsigned long)s->pkts_in, (unsigned long)s->new_conns);
		for (uint16_t b = 0; b < s->n_backends; b++)
			printf("load_balancer:   backend %u.%u.%u.%u:%u: %lu connections\n",
			       s->backends[b].ip >> 24, (s->backends[b].ip >> 16) & 0xff,
			       (s->backends[b].ip >> 8) & 0xff, s->backends[b].ip & 0xff,
			       s->backends[b].port, (unsigned long)s->backend_conns[b]);
	}
	fflush(stdout);
}

static void
reload(struct onvm_nf_ctx *nf, struct load_balancer *lb)
{
	struct lb_config cfg;
	char err[512];

	if (lb_config_load(lb->file, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "load_balancer: reload refused, keeping the old services: %s\n", err);
		count(nf, lb, LC_RELOAD_FAILED);
		return;
	}
	print_services(&lb->fwd.vips, "before reload");
	if (lb_fwd_set_services(&lb->fwd, &cfg) < 0) {
		fprintf(stderr, "load_balancer: reload: out of memory, keeping the old services\n");
		count(nf, lb, LC_RELOAD_FAILED);
	} else {
		printf("load_balancer: reloaded %u services from %s (%u connections kept)\n",
		       cfg.n_services, lb->file, lb_conn_count(lb->fwd.conns));
		fflush(stdout);
		count(nf, lb, LC_RELOAD);
	}
	lb_config_free(&cfg);
}

/* Runs in the packet thread between bursts: no locking against lb_handle. */
static void
lb_tick(struct onvm_nf_ctx *nf, uint64_t now_ns)
{
	struct load_balancer *lb = onvm_nflib_user(nf);
	uint32_t expired;

	(void)now_ns;
	if (reload_requested) {
		reload_requested = 0;
		reload(nf, lb);
	}
	expired = lb_conn_expire(lb->fwd.conns, rte_rdtsc(), &lb->fwd.timeouts, lb->expire_budget);
	if (expired != 0 && lb->counter[LC_CONN_EXPIRED] >= 0)
		onvm_nflib_counter_add(nf, lb->counter[LC_CONN_EXPIRED], expired);
}

/* Connections move to or from another instance (between bursts). */
static long
lb_export_state(void *ctx, const struct onvm_bucket_set *buckets, uint8_t *blob, size_t cap,
		uint32_t *flows)
{
	struct load_balancer *lb = ctx;

	return lb_state_export(&lb->fwd, buckets, rte_rdtsc(), blob, cap, flows);
}

static int
lb_import_state(void *ctx, const uint8_t *blob, size_t len, uint32_t *flows)
{
	struct load_balancer *lb = ctx;

	return lb_state_import(&lb->fwd, blob, len, rte_rdtsc(), flows);
}

static void
lb_drop_state(void *ctx, const struct onvm_bucket_set *buckets)
{
	struct load_balancer *lb = ctx;

	lb_state_drop(&lb->fwd, buckets);
}

static const char *
parse_args(struct onvm_nf_ctx *nf)
{
	int argc = onvm_nflib_app_argc(nf), opt;
	char **argv = onvm_nflib_app_argv(nf);
	const char *file = NULL;

	optind = 1;
	while ((opt = getopt(argc, argv, "f:")) != -1) {
		if (opt != 'f') {
			fprintf(stderr, "usage: load_balancer [EAL] -- [nflib] -- -f SERVICES\n");
			exit(EXIT_FAILURE);
		}
		file = optarg;
	}
	if (file == NULL || optind != argc) {
		fprintf(stderr, "load_balancer: -f SERVICES (JSON) is required\n");
		exit(EXIT_FAILURE);
	}
	return file;
}

int
main(int argc, char **argv)
{
	struct onvm_nf_ctx *nf = onvm_nflib_init(argc, argv, "load_balancer");
	struct load_balancer lb = { 0 };
	struct lb_config cfg;
	struct sigaction sa = { .sa_handler = on_sighup };
	char err[512], name[32];
	uint64_t hz = rte_get_tsc_hz();

	lb.file = parse_args(nf);
	if (lb_config_load(lb.file, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "load_balancer: %s\n", err);
		onvm_nflib_close(nf);
		return EXIT_FAILURE;
	}
	/* Hash names are global to the platform's shared memory. */
	snprintf(name, sizeof(name), "lb_conn_%d", (int)getpid());
	lb.fwd.conns = lb_conn_create(name, cfg.max_conns, (int)rte_socket_id());
	if (lb.fwd.conns == NULL || lb_fwd_set_services(&lb.fwd, &cfg) < 0) {
		fprintf(stderr, "load_balancer: %s: out of memory for %u connections\n", lb.file,
			cfg.max_conns);
		lb_config_free(&cfg);
		onvm_nflib_close(nf);
		return EXIT_FAILURE;
	}
	lb.fwd.timeouts.tcp = cfg.tcp_idle_s * hz;
	lb.fwd.timeouts.udp = cfg.udp_idle_s * hz;
	lb.fwd.timeouts.closing = LB_CLOSING_TIMEOUT_S * hz;
	lb.fwd.clock_hz = hz;
	/* Visit the whole pool about once a second. */
	lb.expire_budget = cfg.max_conns / (1000 / LB_TICK_MS) + 1;
	printf("load_balancer: %u services from %s; up to %u connections, Maglev table %u\n",
	       cfg.n_services, lb.file, cfg.max_conns, cfg.table_size);
	fflush(stdout);
	lb_config_free(&cfg);

	for (int c = 0; c < LC_COUNT; c++)
		lb.counter[c] = onvm_nflib_counter_register(nf, lb_counter_names[c]);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	onvm_nflib_set_user(nf, &lb);
	onvm_nflib_set_tick(nf, lb_tick, LB_TICK_MS);
	onvm_nflib_state_register(nf, &(struct onvm_state_ops){
		.export_state = lb_export_state, .import_state = lb_import_state,
		.drop_state = lb_drop_state, .ctx = &lb });
	onvm_nflib_run(nf, lb_handle);

	print_services(&lb.fwd.vips, "exit");
	lb_vips_free(&lb.fwd.vips);
	lb_conn_free(lb.fwd.conns);
	return onvm_nflib_close(nf);
}
