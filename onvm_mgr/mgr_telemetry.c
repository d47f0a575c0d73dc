/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry: /onvm/... next to DPDK's own commands. Each command
 * sums the counters first (fresh, not the last stats tick's).
 *
 * A reply must fit DPDK's output buffer (16 KiB in DPDK 22.11; what does
 * not fit is left out without a word), and 64 NFs with their counters, or
 * a thousand chains, do not. /onvm/nfs and /onvm/chains therefore answer
 * a page: the entries of the id range asked for ("/onvm/nfs,17-32",
 * "/onvm/nfs,17"; none: from the first) that fit in TM_PAGE_BYTES, and,
 * when some were left for another page, "next": the range to ask next.
 * Their entries are mgr_json.c's objects, nested objects flattened and
 * lists joined by commas (DPDK nests containers one level deep only).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "ft.h"
#include "classifier.h"
#include "mgr.h"
#include "mgr_json.h"
#include "mgr_openflow.h"

static pthread_rwlock_t tm_gate = PTHREAD_RWLOCK_INITIALIZER;
static bool tm_closed;

bool
mgr_telemetry_enter(void)
{
	pthread_rwlock_rdlock(&tm_gate);
	if (!tm_closed)
		return true;
	pthread_rwlock_unlock(&tm_gate);
	return false;
}

void
mgr_telemetry_exit(void)
{
	pthread_rwlock_unlock(&tm_gate);
}

void
mgr_telemetry_close(void)
{
	pthread_rwlock_wrlock(&tm_gate);
	tm_closed = true;
	pthread_rwlock_unlock(&tm_gate);
}

/* Well under the 16 KiB buffer: the estimate below is of compact JSON,
 * close to what DPDK writes but not the same. */
#define TM_PAGE_BYTES (12 * 1024)

/* "FIRST", "FIRST-LAST" or nothing, within [lo, hi]. */
static int
page_range(const char *params, uint32_t lo, uint32_t hi, uint32_t *first, uint32_t *last)
{
	unsigned long a = lo, b = hi;
	char *end;

	if (params != NULL && *params != '\0') {
		a = strtoul(params, &end, 10);
		if (end == params)
			return -EINVAL;
		if (*end == '-') {
			const char *p = end + 1;

			b = strtoul(p, &end, 10);
			if (end == p)
				return -EINVAL;
		}
		if (*end != '\0' || a > b)
			return -EINVAL;
	}
	*first = (uint32_t)RTE_MAX(a, (unsigned long)lo);
	*last = (uint32_t)RTE_MIN(b, (unsigned long)hi);
	return 0;
}

/* A JSON scalar into dict d under key; lists as their items joined by
 * commas, nested objects flattened into d. */
static void
tm_add_value(struct rte_tel_data *d, const char *key, const json_t *v)
{
	const char *k;
	json_t *item;
	size_t i;

	if (json_is_string(v)) {
		rte_tel_data_add_dict_string(d, key, json_string_value(v));
	} else if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);

		if (x >= 0)
			rte_tel_data_add_dict_u64(d, key, (uint64_t)x);
		else
			rte_tel_data_add_dict_int(d, key, (int)x);
	} else if (json_is_boolean(v)) {
		rte_tel_data_add_dict_int(d, key, json_is_true(v));
	} else if (json_is_array(v)) {
		char buf[RTE_TEL_MAX_STRING_LEN] = "";
		size_t at = 0;

		json_array_foreach(v, i, item) {
			int n = json_is_string(item)
					? snprintf(buf + at, sizeof(buf) - at, "%s%s", i ? "," : "",
						   json_string_value(item))
					: snprintf(buf + at, sizeof(buf) - at, "%s%" JSON_INTEGER_FORMAT,
						   i ? "," : "", json_integer_value(item));
			if (n < 0 || (size_t)n >= sizeof(buf) - at)
				break; /* cut at DPDK's string length */
			at += (size_t)n;
		}
		rte_tel_data_add_dict_string(d, key, buf);
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, item)
			tm_add_value(d, k, item);
	}
	/* null: left out */
}

/*
 * A page of a list of mgr_json objects, keyed by their "id": as many as
 * fit in TM_PAGE_BYTES (one at least), then "next" when some are left.
 */
static int
tm_page(struct rte_tel_data *d, json_t *list, uint32_t last)
{
	size_t used = 0, i;
	json_t *o;

	if (list == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	json_array_foreach(list, i, o) {
		json_int_t id = json_integer_value(json_object_get(o, "id"));
		char *text = json_dumps(o, JSON_COMPACT);
		size_t len = (text ? strlen(text) : 0) + 16;
		struct rte_tel_data *e;
		const char *k;
		json_t *v;
		char key[32];

		free(text);
		if (i > 0 && used + len > TM_PAGE_BYTES) {
			snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT "-%u", id, last);
			rte_tel_data_add_dict_string(d, "next", key);
			break;
		}
		used += len;
		e = rte_tel_data_alloc();
		if (e == NULL) {
			json_decref(list);
			return -ENOMEM;
		}
		rte_tel_data_start_dict(e);
		json_object_foreach(o, k, v)
			if (strcmp(k, "id") != 0)
				tm_add_value(e, k, v);
		snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT, id);
		rte_tel_data_add_dict_container(d, key, e, 0);
	}
	json_decref(list);
	return 0;
}

static int
tm_nfs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint32_t first, last;

	if (page_range(params, 1, ONVM_MAX_NFS, &first, &last) < 0)
		return -EINVAL;
	return tm_page(d, mgr_json_nfs(&g_mgr, (uint16_t)first, (uint16_t)last, true), last);
}

static int
tm_chains(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint32_t first, last;

	if (page_range(params, 0, ONVM_MAX_CHAINS - 1, &first, &last) < 0)
		return -EINVAL;
	return tm_page(d, mgr_json_chains(&g_mgr, first, last), last);
}

static int
tm_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	mgr_stats_collect(&g_mgr); /* fresh sums, not the last stats tick's */
	struct mgr *m = &g_mgr;

	rte_tel_data_start_dict(d);
	for (uint16_t i = 0; i < m->num_ports; i++) {
		const struct onvm_port_info *pi = &m->shm->ports[m->port_ids[i]];
		struct rte_tel_data *p = rte_tel_data_alloc();
		char key[16];

		if (p == NULL)
			return -1;
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_string(p, "name", pi->name);
		for (unsigned int k = 0; k < ONVM_PORT_N_COUNTERS; k++)
			rte_tel_data_add_dict_u64(p, onvm_port_counter_names[k], pi->stats.c[k]);
		snprintf(key, sizeof(key), "%u", pi->port_id);
		rte_tel_data_add_dict_container(d, key, p, 0);
	}
	return 0;
}

/*
 * The data lcores and how many loops each has run: with the ports' and
 * NFs' packet counters, packets per loop (a loop that moves few packets
 * pays the cross-core ring synchronisation for few).
 */
static const char *
role_name(unsigned int role)
{
	if (role == (ROLE_RX | ROLE_TX))
		return "rx+tx";
	return role == ROLE_RX ? "rx" : "tx";
}

static int
tm_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int n;
	const struct mgr_data_lcore *ls = mgr_data_lcores(&g_mgr, &n);

	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < n; i++) {
		const struct mgr_data_lcore *dl = &ls[i];
		struct rte_tel_data *l = rte_tel_data_alloc();
		char key[16];

		if (l == NULL)
			return -1;
		uint64_t rx = 0;

		for (uint16_t k = 0; k < dl->num_rxq; k++)
			rx += __atomic_load_n(&dl->counters.port[dl->rxq[k].port][ONVM_PORT_RX],
					      __ATOMIC_RELAXED);
		rte_tel_data_start_dict(l);
		rte_tel_data_add_dict_string(l, "role", role_name(dl->role));
		rte_tel_data_add_dict_u64(l, "loops", __atomic_load_n(&dl->epoch, __ATOMIC_RELAXED));
		/* Packets this lcore has held for moves of flows, ever, and
		 * those in its hold queue now (elastic.c). */
		rte_tel_data_add_dict_u64(l, "held",
					  __atomic_load_n(&dl->counters.held, __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(l, "holding", dl->hold ? rte_ring_count(dl->hold) : 0);
		rte_tel_data_add_dict_int(l, "cpu", (int)mgr_lcore_cpu(dl->lcore_id));
		rte_tel_data_add_dict_int(l, "numa_node", (int)rte_lcore_to_socket_id(dl->lcore_id));
		/* RSS queue it reads on each port (-1: a TX lcore), and its packets */
		rte_tel_data_add_dict_int(l, "rx_queue",
					  dl->role & ROLE_RX ? (int)dl->rx_queue : -1);
		rte_tel_data_add_dict_int(l, "rx_ports", dl->num_rxq);
		rte_tel_data_add_dict_u64(l, "rx", rx);
		if (dl->cls_cache != NULL) {
			struct cls_cache_stats cs;

			cls_cache_get_stats(dl->cls_cache, &cs);
			rte_tel_data_add_dict_u64(l, "cls_hits", cs.hits);
			rte_tel_data_add_dict_u64(l, "cls_misses", cs.misses);
			rte_tel_data_add_dict_u64(l, "cls_walked", cs.walked);
			rte_tel_data_add_dict_u64(l, "cls_evictions", cs.evictions);
		}
		snprintf(key, sizeof(key), "%u", dl->lcore_id);
		rte_tel_data_add_dict_container(d, key, l, 0);
	}
	return 0;
}

static int
tm_services(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct onvm_shared *shm = g_mgr.shm;

	rte_tel_data_start_dict(d);
	for (uint16_t id = 1; id <= g_mgr.cfg.num_services; id++) {
		const struct onvm_service *s = &shm->services[id];
		struct rte_tel_data *sv;
		char key[16];

		if (!(s->flags & ONVM_SVC_F_USED))
			continue;
		sv = rte_tel_data_alloc();
		if (sv == NULL)
			return -1;
		rte_tel_data_start_dict(sv);
		rte_tel_data_add_dict_string(sv, "name", s->name);
		rte_tel_data_add_dict_int(sv, "instances", s->num_instances);
		snprintf(key, sizeof(key), "%u", id);
		rte_tel_data_add_dict_container(d, key, sv, 0);
	}
	return 0;
}

static int
tm_mempool(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t on_rings = 0;

	mgr_stats_collect(&g_mgr); /* fresh sums, not the last stats tick's */
	/* Read next to in_use, so that in_use - baseline - on_rings (bursts
	 * in motion, or held by NFs or the manager) is not skewed by rings
	 * that filled or emptied between two telemetry commands: a leak
	 * shows as that difference growing. */
	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		const struct onvm_nf_slot *s = &g_mgr.shm->nfs[id];

		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == ONVM_NF_RUNNING)
			on_rings += rte_ring_count(s->rx_ring) + rte_ring_count(s->tx_ring);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "in_use", rte_mempool_in_use_count(g_mgr.pool));
	rte_tel_data_add_dict_u64(d, "on_rings", on_rings);
	/* Some PMDs keep mbufs of their own (net_pcap's infinite_rx copy of
	 * the capture): the baseline is the count once ports started. */
	rte_tel_data_add_dict_u64(d, "baseline", g_mgr.baseline_in_use);
	rte_tel_data_add_dict_u64(d, "available", rte_mempool_avail_count(g_mgr.pool));
	rte_tel_data_add_dict_u64(d, "size", g_mgr.pool->size);
	return 0;
}

/* Every drop reason of the data path under its declared name: the
 * manager's (foreach_mgr_drop) and, with the agent, the OpenFlow
 * pipeline's. Ports' drops are in /onvm/ports. */
static int
tm_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct mgr *m = &g_mgr;

	mgr_stats_collect(m);
	rte_tel_data_start_dict(d);
	for (unsigned int k = 0; k < MGR_DROP_N; k++)
		rte_tel_data_add_dict_u64(d, mgr_drop_names[k], mgr_stats_drop_total(k));
	for (unsigned int k = 0; k < mgr_of_drop_count(m); k++)
		rte_tel_data_add_dict_u64(d, mgr_of_drop_name(k), mgr_of_drop_total(m, k));
	return 0;
}

/* One service's onvmctl ft object into d, nested objects flattened with
 * their name as a prefix ("hold_time_p99_ns"). */
static void
tm_ft_fields(struct rte_tel_data *d, const json_t *o, const char *prefix)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		char key[RTE_TEL_MAX_STRING_LEN];

		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "_" : "", k);
		if (json_is_object(v))
			tm_ft_fields(d, v, key);
		else
			tm_add_value(d, key, v);
	}
}

/* /onvm/ft: every protected service's checkpoints, hold and failovers,
 * keyed by service; "/onvm/ft,SERVICE": that one's alone. */
static int
tm_ft(const char *cmd, const char *params, struct rte_tel_data *d)
{
	json_t *list, *o;
	size_t i;

	(void)cmd;
	if (params != NULL && *params != '\0') {
		char err[160];

		o = ft_json(&g_mgr, params, err, sizeof(err));
		if (o == NULL)
			return -EINVAL;
		rte_tel_data_start_dict(d);
		tm_ft_fields(d, o, "");
		json_decref(o);
		return 0;
	}
	list = ft_json_all(&g_mgr);
	if (list == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	json_array_foreach(list, i, o) {
		struct rte_tel_data *sv = rte_tel_data_alloc();

		if (sv == NULL)
			break;
		rte_tel_data_start_dict(sv);
		tm_ft_fields(sv, o, "");
		rte_tel_data_add_dict_container(d, json_string_value(json_object_get(o, "service")),
						sv, 0);
	}
	json_decref(list);
	return 0;
}

/* The commands, each registered through a gated wrapper (see
 * mgr_telemetry_enter): DPDK replies null to a negative return. */
#define foreach_tm_command                                                                     \
	_(nfs, "/onvm/nfs", "Running NFs and their counters. Params: FIRST[-LAST] NF ids")        \
	_(chains, "/onvm/chains", "Chains and their counters. Params: FIRST[-LAST] chain ids")   \
	_(ports, "/onvm/ports", "Platform port counters")                                         \
	_(services, "/onvm/services", "Services and instance counts")                            \
	_(lcores, "/onvm/lcores", "Data lcores: role, CPU, RX queue, packets read, loops run, packets held for moves") \
	_(mempool, "/onvm/mempool", "Packet pool usage")                                          \
	_(drops, "/onvm/drops", "Data path drops by reason")                                      \
	_(ft, "/onvm/ft", "Fault-tolerant services: checkpoints, held output, failovers. "     \
	  "Params: SERVICE")

#define _(fn, path, help)                                                                      \
	static int tm_##fn##_gated(const char *cmd, const char *params, struct rte_tel_data *d) \
	{                                                                                       \
		int rc;                                                                         \
                                                                                                \
		if (!mgr_telemetry_enter())                                                     \
			return -ENODEV;                                                         \
		rc = tm_##fn(cmd, params, d);                                                   \
		mgr_telemetry_exit();                                                           \
		return rc;                                                                      \
	}
foreach_tm_command
#undef _

void
mgr_telemetry_register(struct mgr *m)
{
	(void)m;
#define _(fn, path, help) rte_telemetry_register_cmd(path, tm_##fn##_gated, help);
	foreach_tm_command
#undef _
}
