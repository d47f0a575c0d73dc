/* SPDX-License-Identifier: BSD-3-Clause */
/* NF start-up, identity, counters, packet origination and shutdown. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf_dyn.h>

#include "nflib_internal.h"
#include "onvm_runtime.h"

static struct onvm_nf_ctx *signal_ctx;

void
nflib_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

/* An NF that exits without onvm_nflib_close() (a usage error after init,
 * exit() from a handler) still leaves the manager cleanly. */
static void
leave_at_exit(void)
{
	if (signal_ctx && signal_ctx->slot)
		nflib_unregister(signal_ctx);
}

static void
on_signal(int sig)
{
	if (signal_ctx)
		signal_ctx->stop = 1;
}

static void
pin_to_assigned_cpu(struct onvm_nf_ctx *nf)
{
	cpu_set_t set;

	if (nf->cpu_given || nf->slot->cpu == UINT32_MAX)
		return;
	CPU_ZERO(&set);
	CPU_SET(nf->slot->cpu, &set);
	/* Best effort: a container may not allow the CPU; the NF still runs. */
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

struct onvm_nf_ctx *
onvm_nflib_init(int argc, char **argv, const char *nf_name)
{
	struct onvm_nf_ctx *nf = calloc(1, sizeof(*nf));
	int eal_argc;
	char **eal_argv;

	if (nf == NULL)
		nflib_die("%s: out of memory", nf_name);
	/*
	 * Pid 1: the NF is the init of a container's PID namespace
	 * (go.sh --container runs it so under systemd-nspawn), and its parent
	 * is the container runtime. Should the runtime be killed, nothing
	 * would stop the NF any more: die with it. (Only a runtime killed in
	 * the instant before this call escapes; the manager's shutdown still
	 * stops such an NF.)
	 */
	if (getpid() == 1)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	nf->name = nf_name;
	nf->instance_hint = -1;
	nf->lock_fd = -1;
	if (nflib_split_args(nf, argc, argv, &eal_argc, &eal_argv) < 0)
		exit(EXIT_FAILURE);

	const char *prefix = onvm_eal_file_prefix(eal_argc, eal_argv);

	if (!onvm_primary_alive(prefix))
		nflib_die("%s: no manager is running (file prefix '%s'); start onvm_mgr first%s",
			  nf_name, prefix,
			  getenv("ONVM_FILE_PREFIX") ? "" : " or set ONVM_FILE_PREFIX");

	rte_log_set_global_level(RTE_LOG_WARNING);
	if (rte_eal_init(eal_argc, eal_argv) < 0)
		nflib_die("%s: cannot attach to the manager: %s", nf_name, rte_strerror(rte_errno));
	free(eal_argv);

	signal_ctx = nf;
	atexit(leave_at_exit);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	nflib_attach(nf);
	nflib_register(nf);
	pin_to_assigned_cpu(nf);

	nf->ts_dynfield = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, NULL);
	int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, NULL);
	nf->ts_dynflag = bit >= 0 ? (1ULL << bit) : 0;

	printf("%s: NF %u, service %u (%s), instance %u, cpu %d\n", nf_name, nf->slot->id,
	       nf->slot->service_id, nf->shm->services[nf->slot->service_id].name,
	       nf->slot->instance, sched_getcpu());
	fflush(stdout);
	return nf;
}

int
onvm_nflib_app_argc(const struct onvm_nf_ctx *nf)
{
	return nf->app_argc;
}

char **
onvm_nflib_app_argv(const struct onvm_nf_ctx *nf)
{
	return nf->app_argv;
}

uint16_t
onvm_nflib_nf_id(const struct onvm_nf_ctx *nf)
{
	return nf->slot ? nf->slot->id : 0;
}

uint16_t
onvm_nflib_service_id(const struct onvm_nf_ctx *nf)
{
	return nf->slot ? nf->slot->service_id : 0;
}

uint16_t
onvm_nflib_instance(const struct onvm_nf_ctx *nf)
{
	return nf->slot ? nf->slot->instance : 0;
}

const char *
onvm_nflib_name(const struct onvm_nf_ctx *nf)
{
	return nf->name;
}

uint16_t
onvm_nflib_service_lookup(const struct onvm_nf_ctx *nf, const char *name)
{
	unsigned long v;

	if (onvm_arg_uint(name, 1, ONVM_MAX_SERVICES, &v) == 0)
		return (uint16_t)v;
	for (uint16_t id = 1; id <= ONVM_MAX_SERVICES; id++)
		if (strcmp(nf->shm->services[id].name, name) == 0)
			return id;
	return 0;
}

uint16_t
onvm_nflib_num_ports(const struct onvm_nf_ctx *nf)
{
	return nf->shm->num_ports;
}

int
onvm_nflib_port_mac(const struct onvm_nf_ctx *nf, uint16_t port, struct rte_ether_addr *mac)
{
	if (port >= ONVM_MAX_PORTS || !nf->shm->ports[port].enabled)
		return -1;
	*mac = nf->shm->ports[port].mac;
	return 0;
}

void
onvm_nflib_set_user(struct onvm_nf_ctx *nf, void *user)
{
	nf->user = user;
}

void *
onvm_nflib_user(const struct onvm_nf_ctx *nf)
{
	return nf->user;
}

void
onvm_nflib_set_tick(struct onvm_nf_ctx *nf, onvm_tick_fn fn, uint32_t interval_ms)
{
	nf->tick = fn;
	nf->tick_interval_ns = (uint64_t)(interval_ms ? interval_ms : 1) * 1000000ULL;
	nf->next_tick_ns = onvm_nflib_now_ns() + nf->tick_interval_ns;
}

int
onvm_nflib_counter_register(struct onvm_nf_ctx *nf, const char *name)
{
	struct onvm_nf_slot *s = nf->slot;
	uint32_t idx = s->num_counters;

	if (idx >= ONVM_NF_MAX_COUNTERS)
		return -1;
	snprintf(s->counters[idx].name, sizeof(s->counters[idx].name), "%s", name);
	s->counters[idx].value = 0;
	__atomic_store_n(&s->num_counters, idx + 1, __ATOMIC_RELEASE);
	return (int)idx;
}

void
onvm_nflib_counter_add(struct onvm_nf_ctx *nf, int idx, uint64_t n)
{
	if (idx >= 0 && idx < ONVM_NF_MAX_COUNTERS)
		nf->slot->counters[idx].value += n;
}

void
onvm_nflib_counter_set(struct onvm_nf_ctx *nf, int idx, uint64_t value)
{
	if (idx >= 0 && idx < ONVM_NF_MAX_COUNTERS)
		nf->slot->counters[idx].value = value;
}

uint16_t
onvm_nflib_service_instances(const struct onvm_nf_ctx *nf, uint16_t service_id)
{
	if (service_id == 0 || service_id > ONVM_MAX_SERVICES)
		return 0;
	return __atomic_load_n(&nf->shm->services[service_id].num_instances, __ATOMIC_ACQUIRE);
}

void
onvm_nflib_stop(struct onvm_nf_ctx *nf)
{
	nf->stop = 1;
}

bool
onvm_nflib_stopping(const struct onvm_nf_ctx *nf)
{
	return nf->stop || nf->shm->mgr_state == ONVM_MGR_STOPPING ||
	       (nf->slot != NULL && nf->slot->stop_asked);
}

int
onvm_nflib_close(struct onvm_nf_ctx *nf)
{
	nflib_unregister(nf);
	/*
	 * No rte_eal_cleanup(): in a secondary it detaches the primary's
	 * virtual devices, which asks the primary over IPC to remove them
	 * from every process and stalls for seconds while the manager is
	 * shutting down. The process exits right after; the kernel releases
	 * its mappings, and the manager owns everything shared.
	 */
	if (signal_ctx == nf)
		signal_ctx = NULL; /* leave_at_exit() and on_signal() must not see it freed */
	free(nf->app_argv);
	free(nf);
	return 0;
}

/* ---- packets the NF makes itself ---- */

int
onvm_nflib_alloc_bulk(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts, unsigned int n)
{
	/*
	 * No per-lcore cache: NFs share lcore ids with each other and with
	 * the manager, and a cache used by two processes would corrupt the
	 * pool. The manager, which has distinct lcores, frees them later.
	 */
	if (rte_mempool_generic_get(nf->pool, (void **)pkts, n, NULL) < 0)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		struct onvm_pkt_meta *meta;

		rte_pktmbuf_reset(pkts[i]);
		rte_mbuf_refcnt_set(pkts[i], 1);
		meta = onvm_pkt_meta(pkts[i]);
		memset(meta, 0, sizeof(*meta));
		meta->owner = nf->slot->id;
		meta->in_port = ONVM_PORT_NONE;
		meta->rx_ns = onvm_nflib_now_ns();
	}
	return 0;
}

struct rte_mbuf *
onvm_nflib_alloc_pkt(struct onvm_nf_ctx *nf)
{
	struct rte_mbuf *m;

	return onvm_nflib_alloc_bulk(nf, &m, 1) == 0 ? m : NULL;
}

void
onvm_nflib_free_unsent(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		onvm_pkt_meta(pkts[i])->owner = 0;
	rte_mempool_generic_put(nf->pool, (void **)pkts, n, NULL);
}

unsigned int
onvm_nflib_send(struct onvm_nf_ctx *nf, struct rte_mbuf **pkts, unsigned int n,
		struct onvm_verdict v)
{
	onvm_tx_elem elems[ONVM_BURST];
	unsigned int sent = 0;

	while (sent < n) {
		unsigned int chunk = RTE_MIN(n - sent, (unsigned int)ONVM_BURST), ok;

		for (unsigned int i = 0; i < chunk; i++)
			elems[i] = onvm_tx_pack(pkts[sent + i], v);
		ok = rte_ring_sp_enqueue_burst_elem(nf->tx_ring, elems, sizeof(elems[0]), chunk,
						    NULL);
		sent += ok;
		if (ok < chunk)
			break;
	}
	*nflib_action_counter(&nf->slot->nf_stats, v.action) += sent;
	nf->slot->nf_stats.tx += sent;
	return sent;
}

uint64_t
onvm_nflib_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t
onvm_nflib_pkt_time_ns(const struct onvm_nf_ctx *nf, struct rte_mbuf *pkt)
{
	/* net_pcap's RX timestamp is the capture time in microseconds. */
	if (nf->ts_dynfield >= 0 && (pkt->ol_flags & nf->ts_dynflag))
		return *RTE_MBUF_DYNFIELD(pkt, nf->ts_dynfield, uint64_t *) * 1000ULL;
	return onvm_pkt_meta(pkt)->rx_ns;
}

uint16_t
onvm_nflib_in_port(const struct onvm_nf_ctx *nf)
{
	return nf->in_ports[nf->cur];
}

const uint16_t *
onvm_nflib_burst_in_ports(const struct onvm_nf_ctx *nf)
{
	return nf->in_ports;
}
