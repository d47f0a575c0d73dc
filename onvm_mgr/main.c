/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * onvm_mgr: set-up, the control loop, and teardown. The packet path is in
 * dataplane.c; NF admission and death in nf_registry.c.
 *
 * Lcore layout from EAL's lcores (lcore_plan.h):
 *   1 lcore   everything on it: data path, with control work every ~1 ms
 *   2 lcores  main = control; the other does RX and TX
 *   3+        main = control; --rx-lcores RX lcores (default 1), each with
 *             its own RSS queue of every port; the rest TX (NFs split by
 *             id), or, when every data lcore reads ports, each does both
 * NFs go where placement.h says, announced at start and as each joins.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "cfg_file.h"
#include "classifier.h"
#include "cpu_topo.h"
#include "elastic.h"
#include "ft.h"
#include "scale.h"
#include "ctl.h"
#include "mgr.h"
#include "mgr_openflow.h"
#include "onvm_runtime.h"
#include "web.h"

#define CONTROL_PERIOD_US 1000
/* While a move runs: each of its steps waits for a tick, and its held
 * packets wait for all of them. */
#define CONTROL_PERIOD_MOVE_US 50
#define DEFAULT_BASE_VIRTADDR "0x200000000000"

struct mgr g_mgr;
static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
	if (sig != SIGHUP)
		g_mgr.stop = true;
}

static int
hugepages_configured(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long total = 0;

	if (f == NULL)
		return 1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Total: %ld", &total) == 1)
			break;
	fclose(f);
	if (total > 0)
		return 1;
	/* 1 GB pages are not counted in HugePages_Total. */
	f = fopen("/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "r");
	if (f) {
		if (fscanf(f, "%ld", &total) != 1)
			total = 0;
		fclose(f);
	}
	return total > 0;
}

static bool
has_arg(int argc, char **argv, const char *prefix)
{
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/*
 * NFs must map the manager's memory at the same addresses. EAL's default
 * places it wherever mmap() lands, which can collide with an NF's own
 * libraries under ASLR; a fixed base far from both the heap and the shared
 * libraries makes every NF attach (OpenNetVM users pass -a by hand).
 * 0x200000000000 (32 TiB) is also clear of AddressSanitizer's shadow
 * memory, which ends just above 16 TiB.
 */
/*
 * Memory is reserved up front (--legacy-mem, 1 GiB unless -m/--socket-mem
 * say otherwise). With DPDK's dynamic memory, an NF freeing its tables
 * (a firewall's ACL, a router's FIB) returns hugepages, which needs a
 * synchronous exchange with the manager and every other NF while the
 * shared heap is locked: NFs then take seconds to exit, and one killed in
 * the middle leaves the heap locked for everyone. Preallocated memory is
 * never returned, so no such exchange ever happens.
 */
#define DEFAULT_MEMORY_MB "1024"

static char **
eal_args_with_defaults(int argc, char **argv, int *out_argc)
{
	char **eal = calloc((size_t)argc + 5, sizeof(char *));
	int n = 0;

	if (eal == NULL)
		return NULL;
	for (int i = 0; i < argc; i++)
		eal[n++] = argv[i];
	if (!has_arg(argc, argv, "--base-virtaddr"))
		eal[n++] = "--base-virtaddr=" DEFAULT_BASE_VIRTADDR;
	if (!has_arg(argc, argv, "--legacy-mem") && !has_arg(argc, argv, "--no-huge") &&
	    !has_arg(argc, argv, "--in-memory")) {
		eal[n++] = "--legacy-mem";
		if (!has_arg(argc, argv, "-m") && !has_arg(argc, argv, "--socket-mem")) {
			eal[n++] = "-m";
			eal[n++] = DEFAULT_MEMORY_MB;
		}
	}
	eal[n] = NULL;
	*out_argc = n;
	return eal;
}

/*
 * The CPU an lcore runs on: the first of its cpuset. (rte_lcore_to_cpu_id
 * is not that: it is the physical core id sysfs gives the CPU numbered
 * like the lcore, which differs with hyperthreads, on a second socket, or
 * when --lcores maps lcores onto other CPUs.)
 */
unsigned int
mgr_lcore_cpu(unsigned int lcore)
{
	rte_cpuset_t set = rte_lcore_cpuset(lcore);

	for (unsigned int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			return c;
	return 0;
}

static uint64_t
cpu_bit(unsigned int cpu)
{
	return cpu < 64 ? 1ULL << cpu : 0;
}

/* What each lcore does (lcore_plan.h); *tx_queues: what each port needs. */
static int
plan_lcores(struct mgr *m, uint16_t *tx_queues)
{
	struct lcore_plan p;
	char err[256];
	unsigned int lcore, i = 0;
	bool rx_sends = m->cfg.of_listen != NULL || m->cfg.of_controller != NULL;

	if (lcore_plan_make(rte_lcore_count(), MGR_MAX_DATA_LCORES, m->cfg.rx_lcores, rx_sends, &p,
			    err, sizeof(err)) < 0) {
		fprintf(stderr, "onvm_mgr: %s\n", err);
		return -1;
	}
	if (p.unused)
		printf("onvm_mgr: %u EAL lcore(s) stay idle: the manager runs at most %d data lcores\n",
		       p.unused, MGR_MAX_DATA_LCORES);
	m->shm->control_cpu_mask = cpu_bit(mgr_lcore_cpu(rte_get_main_lcore()));
	m->num_data = p.num_data;
	m->num_rx = p.num_rx;
	m->num_tx = p.num_tx;
	*tx_queues = p.tx_queues;
	if (p.num_data == 0) {
		m->inline_data.role = p.lc[0].role;
		m->inline_data.rx_queue = p.lc[0].rx_queue;
		m->inline_data.lcore_id = rte_get_main_lcore();
		m->inline_data.cls_cache = cls_cache_create(MGR_CLS_CACHE_ORDER);
		m->shm->data_cpu_mask = m->shm->control_cpu_mask;
		return 0;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct mgr_data_lcore *d;

		if (i >= p.num_data)
			break;
		d = &m->data[i];
		d->lcore_id = lcore;
		d->role = p.lc[i].role;
		d->rx_queue = p.lc[i].rx_queue;
		d->tx_queue = p.lc[i].tx_queue;
		d->tx_index = p.lc[i].tx_index;
		m->shm->data_cpu_mask |= cpu_bit(mgr_lcore_cpu(lcore));
		d->cls_cache = cls_cache_create(MGR_CLS_CACHE_ORDER);
		i++;
	}
	return 0;
}

/* Each RX lcore reads its queue of every port that has that many (a port
 * with fewer queues than RX lcores is read by the first ones only). */
static void
assign_rx_queues(struct mgr *m)
{
	unsigned int n;
	struct mgr_data_lcore *ls = mgr_data_lcores(m, &n);

	for (unsigned int i = 0; i < n; i++) {
		struct mgr_data_lcore *d = &ls[i];
		char cpus[32];

		d->num_rxq = 0;
		for (uint16_t k = 0; (d->role & ROLE_RX) && k < m->num_ports; k++)
			if (d->rx_queue < m->port_rxq[m->port_ids[k]])
				d->rxq[d->num_rxq++] = (struct mgr_rxq){ m->port_ids[k], d->rx_queue };
		snprintf(cpus, sizeof(cpus), "CPU %u, NUMA node %u", mgr_lcore_cpu(d->lcore_id),
			 rte_lcore_to_socket_id(d->lcore_id));
		if (d->role & ROLE_RX)
			printf("onvm_mgr: lcore %u (%s): %s, reads queue %u of %u port(s)\n", d->lcore_id, cpus,
			       d->role & ROLE_TX ? "RX and TX" : "RX", d->rx_queue, d->num_rxq);
		else
			printf("onvm_mgr: lcore %u (%s): TX, NFs with id %% %u == %u\n", d->lcore_id, cpus,
			       m->num_tx, d->tx_index);
	}
}

static void
add_lcore_cpus(unsigned int lcore, struct place_cpuset *s)
{
	rte_cpuset_t set = rte_lcore_cpuset(lcore);

	for (unsigned int c = 0; c < PLACE_MAX_CPUS && c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			place_cpuset_set(s, c);
}

/* Where NFs go (placement.h), said once at start. */
static int
plan_placement(struct mgr *m)
{
	struct place_lcores l = { .control_cpu = mgr_lcore_cpu(rte_get_main_lcore()) };
	char err[256], line[256];

	if (m->num_data == 0)
		add_lcore_cpus(rte_get_main_lcore(), &l.data);
	for (unsigned int i = 0; i < m->num_data; i++)
		add_lcore_cpus(m->data[i].lcore_id, &l.data);
	if (place_plan_make(&m->topo, &l, m->cfg.nf_cores_given ? &m->cfg.nf_cores : NULL,
			    m->cfg.shared_core, m->home_node, &m->place, err, sizeof(err)) < 0) {
		fprintf(stderr, "onvm_mgr: %s\n", err);
		return -1;
	}
	for (unsigned int i = 0; i < m->place.num_warnings; i++)
		printf("onvm_mgr: warning: %s\n", m->place.warnings[i]);
	place_describe(&m->place, line, sizeof(line));
	printf("onvm_mgr: %s\n", line);
	return 0;
}

/* The machine's CPUs, before EAL pins this thread and its affinity is gone. */
static void
read_topology(struct mgr *m)
{
	if (cpu_topo_read("/sys/devices/system", &m->topo) < 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		fprintf(stderr, "onvm_mgr: cannot read /sys/devices/system/cpu/online: "
				"assuming CPUs 0-%ld, one NUMA node\n", n - 1);
		memset(&m->topo, 0, sizeof(m->topo));
		for (long c = 0; c < n && c < PLACE_MAX_CPUS; c++) {
			place_cpuset_set(&m->topo.online, (unsigned int)c);
			m->topo.node[c] = 0;
			m->topo.core[c] = (int16_t)c;
		}
	}
	if (cpu_topo_affinity(&m->topo) < 0)
		m->topo.allowed = m->topo.online;
}

static void
init_clock(struct mgr *m)
{
	struct timespec ts;

	m->tsc_hz = rte_get_tsc_hz();
	clock_gettime(CLOCK_REALTIME, &ts);
	tsc_clock_init(&m->clock, rte_rdtsc(),
		       (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec, m->tsc_hz);
	/* 100 ms, as long as a chain's entry waits by default: NFs that
	 * share a CPU wait for it for more than 10 ms at times, and a 10 ms
	 * limit dropped their packets mid-chain under load (test_slow_hop). */
	m->stash_timeout_tsc = m->tsc_hz / 10;
	m->entry_stall_tsc = m->tsc_hz * m->cfg.entry_stall_ms / 1000;
	m->start_tsc = m->clock.tsc_base;
}

static void
control_work(struct mgr *m, uint64_t *next_stats, uint64_t *last_stats)
{
	uint64_t now = rte_get_tsc_cycles();

	if (got_signal == SIGHUP) {
		got_signal = 0;
		printf("onvm_mgr: SIGHUP: reloading chains\n");
		m->reload_pending = true;
	}
	/* Retried every tick until the generation may be rewritten: with one
	 * lcore, waiting here would stop forwarding. onvmctl's requests wait
	 * for the outcome on the control socket's thread, not here. */
	uint64_t asked = ctl_reload_wanted();

	if (m->reload_pending || asked) {
		char why[CFG_ERR_LEN];
		int rc = mgr_chains_reload(m, why, sizeof(why));

		if (rc != MGR_RELOAD_LATER) {
			m->reload_pending = false;
			ctl_reload_done(m, asked, rc, why);
		}
	}
	nf_registry_poll(m);
	elastic_step(m);
	ft_step(m);
	scale_step(m);
	ctl_jobs_poll(m);
	if (!m->rx_enabled && nf_registry_count_ready(m) >= m->cfg.wait_nfs) {
		m->rx_enabled = true;
		printf("onvm_mgr: %u NF(s) ready, receiving\n", m->num_active);
		fflush(stdout);
	}
	if (m->cfg.packet_limit) {
		mgr_stats_collect(m);
		if (mgr_total_rx(m) >= m->cfg.packet_limit) {
			printf("onvm_mgr: packet limit reached, stopping\n");
			m->stop = true;
		}
	}
	if (m->cfg.ttl_s && now - m->start_tsc >= (uint64_t)m->cfg.ttl_s * m->tsc_hz) {
		printf("onvm_mgr: time to live of %u s reached, stopping\n", m->cfg.ttl_s);
		m->stop = true;
	}
	if (now >= *next_stats) {
		mgr_stats_collect(m);
		mgr_stats_print(m, (double)(now - *last_stats) / m->tsc_hz);
		*last_stats = now;
		*next_stats = now + (uint64_t)m->cfg.stats_sleep_s * m->tsc_hz;
	}
}

static void
control_loop(struct mgr *m)
{
	uint64_t period = m->tsc_hz * CONTROL_PERIOD_US / 1000000;
	uint64_t period_move = m->tsc_hz * CONTROL_PERIOD_MOVE_US / 1000000;
	uint64_t next_control = 0, last_stats = rte_get_tsc_cycles();
	uint64_t next_stats = last_stats + (uint64_t)m->cfg.stats_sleep_s * m->tsc_hz;

	while (!m->stop) {
		if (m->num_data == 0) {
			/* Between iterations the main thread holds no forwarding
			 * state: fwd_publish() from the OpenFlow thread need not wait. */
			__atomic_store_n(&m->inline_data.in_iteration, 1, __ATOMIC_SEQ_CST);
			dataplane_iteration(m, &m->inline_data);
			__atomic_store_n(&m->inline_data.in_iteration, 0, __ATOMIC_RELEASE);
			if (rte_get_tsc_cycles() < next_control)
				continue;
			next_control = rte_get_tsc_cycles() +
				       (elastic_busy() || ft_busy() ? period_move : period);
		} else {
			usleep(elastic_busy() || ft_busy() ? CONTROL_PERIOD_MOVE_US : CONTROL_PERIOD_US);
		}
		control_work(m, &next_stats, &last_stats);
	}
}

static void
shutdown_all(struct mgr *m, const char *prefix)
{
	printf("onvm_mgr: stopping\n");
	web_server_stop(); /* joins its thread: no page reads the manager after */
	ctl_server_stop(); /* joins its thread, removes the socket */
	mgr_of_stop(m); /* joins its thread, closes its sockets */
	m->stop = false; /* data lcores keep moving packets while NFs leave */
	nf_registry_stop_all(m, 5000);
	m->stop = true;
	rte_eal_mp_wait_lcore();
	mgr_telemetry_close(); /* nothing below may be read by telemetry */
	if (m->num_data == 0)
		dataplane_release(m, &m->inline_data);
	for (unsigned int i = 0; i < m->num_data; i++)
		dataplane_release(m, &m->data[i]);
	mgr_chains_free(m);
	mgr_of_free(m);
	mgr_stats_collect(m);
	mgr_ports_stop(m);
	printf("onvm_mgr: stopped; %u mbufs still in use\n", rte_mempool_in_use_count(m->pool));
	mgr_free_shared(m);
	rte_eal_cleanup();
	/* EAL leaves hugepage files and its runtime directory so secondaries
	 * could re-attach; a stopped manager has none left: remove both. */
	onvm_runtime_remove(prefix);
}

int
main(int argc, char **argv)
{
	struct mgr *m = &g_mgr;
	char err[256];
	int eal_argc, sep = argc;
	char **eal_argv;
	uint16_t tx_queues;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	/* Our own options first: a typo should not cost an EAL start. The
	 * "--" slot becomes their argv[0]. */
	char *no_opts[] = { argv[0], NULL };
	char **mgr_argv = sep < argc ? argv + sep : no_opts;
	int mgr_argc = sep < argc ? argc - sep : 1;
	char *saved = mgr_argv[0];

	mgr_argv[0] = argv[0];
	int parsed = mgr_parse_args(mgr_argc, mgr_argv, &m->cfg, err, sizeof(err));
	mgr_argv[0] = saved;
	if (parsed < 0) {
		if (strcmp(err, "help") == 0) {
			mgr_usage(argv[0]);
			return 0;
		}
		fprintf(stderr, "onvm_mgr: %s\n", err);
		return 1;
	}
	const char *prefix = onvm_eal_file_prefix(sep, argv);

	m->file_prefix = prefix;

	if (onvm_primary_alive(prefix)) {
		fprintf(stderr, "onvm_mgr: a manager is already running with file prefix '%s' "
				"(use --file-prefix to run another)\n", prefix);
		return 1;
	}
	if (!has_arg(sep, argv, "--no-huge") && !hugepages_configured()) {
		fprintf(stderr, "onvm_mgr: no hugepages configured: as root, "
				"echo 512 > /proc/sys/vm/nr_hugepages and mount hugetlbfs\n");
		return 1;
	}
	read_topology(m);
	/* Before EAL: an address in use costs no EAL start, leaves nothing. */
	if (web_server_bind(&m->cfg) < 0)
		return 1;
	eal_argv = eal_args_with_defaults(sep, argv, &eal_argc);
	int eal_rc = eal_argv ? rte_eal_init(eal_argc, eal_argv) : -1;

	free(eal_argv); /* EAL keeps copies of what it needs (eal_save_args) */
	if (eal_rc < 0) {
		fprintf(stderr, "onvm_mgr: DPDK EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		web_server_stop();
		return 1;
	}
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		fprintf(stderr, "onvm_mgr: must run as the DPDK primary process\n");
		web_server_stop();
		return 1;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	init_clock(m);
	nf_registry_init(m);

	m->home_node = mgr_ports_home_node(&m->cfg);
	if (mgr_create_shared(m) < 0)
		goto fail;
	if (plan_lcores(m, &tx_queues) < 0)
		goto fail;
	if (mgr_ports_init(m, m->num_rx, tx_queues) < 0)
		goto fail;
	assign_rx_queues(m);
	if (plan_placement(m) < 0)
		goto fail;
	/* The OpenFlow switch holds the chains too: it exists before them. */
	if (mgr_of_init(m) < 0)
		goto fail;
	if (mgr_chains_init(m) < 0)
		goto fail;
	mgr_telemetry_register(m);
	m->baseline_in_use = rte_mempool_in_use_count(m->pool);
	m->rx_enabled = m->cfg.wait_nfs == 0;

	for (unsigned int i = 0; i < m->num_data; i++)
		rte_eal_remote_launch(dataplane_lcore_main, &m->data[i], m->data[i].lcore_id);
	if (ctl_server_start(m) < 0 || mgr_of_start(m) < 0 || web_server_start(m) < 0) {
		web_server_stop();
		ctl_server_stop();
		mgr_of_stop(m); /* it may have started */
		m->stop = true;
		rte_eal_mp_wait_lcore();
		mgr_telemetry_close();
		mgr_ports_stop(m);
		mgr_free_shared(m);
		rte_eal_cleanup();
		onvm_runtime_remove(prefix);
		return 1;
	}
	__atomic_store_n(&m->shm->mgr_state, ONVM_MGR_RUNNING, __ATOMIC_RELEASE);
	printf("onvm_mgr: ready in %.3f s: %u port(s), %u data lcore(s)%s, file prefix '%s'\n",
	       (double)(rte_get_tsc_cycles() - m->start_tsc) / m->tsc_hz, m->num_ports,
	       m->num_data ? m->num_data : 1, m->num_data ? "" : " (shared with control)", prefix);
	fflush(stdout);

	control_loop(m);
	shutdown_all(m, prefix);
	return 0;

fail:
	web_server_stop();
	m->stop = true;
	rte_eal_mp_wait_lcore();
	rte_eal_cleanup();
	onvm_runtime_remove(prefix);
	return 1;
}
