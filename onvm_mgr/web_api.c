/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What /api/stats answers, and what /metrics is written from (web.h): one
 * snapshot of the manager, as JSON. The NFs, services and chains are
 * mgr_json.c's objects, as onvmctl shows them; the rest reads what the
 * control side keeps (shared memory after mgr_stats_collect, the pool's
 * and rings' counts, the ports' own statistics, as DPDK telemetry does).
 * Never a data lcore's structures.
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "ft.h"
#include "mgr.h"
#include "mgr_json.h"
#include "mgr_openflow.h"
#include "web.h"

static int
set_u64(json_t *o, const char *key, uint64_t v)
{
	return json_object_set_new(o, key, json_integer((json_int_t)v));
}

/* The port as the PMD counts it: bytes, and the drops the manager never
 * sees (the NIC's missed and erroneous packets). */
static json_t *
port_nic_json(uint16_t port)
{
	struct rte_eth_stats st;
	json_t *o;

	if (rte_eth_stats_get(port, &st) != 0)
		return json_null();
	o = json_object();
	if (o == NULL)
		return NULL;
	set_u64(o, "ipackets", st.ipackets);
	set_u64(o, "opackets", st.opackets);
	set_u64(o, "ibytes", st.ibytes);
	set_u64(o, "obytes", st.obytes);
	set_u64(o, "imissed", st.imissed);
	set_u64(o, "ierrors", st.ierrors);
	set_u64(o, "oerrors", st.oerrors);
	set_u64(o, "rx_nombuf", st.rx_nombuf);
	return o;
}

/* After a collect: the manager's counters of each port, then the PMD's. */
static json_t *
ports_json(struct mgr *m)
{
	json_t *list = json_array();

	for (uint16_t i = 0; list != NULL && i < m->num_ports; i++) {
		const struct onvm_port_info *pi = &m->shm->ports[m->port_ids[i]];
		json_t *o = json_object();

		if (o == NULL) {
			json_decref(list);
			return NULL;
		}
		json_object_set_new(o, "id", json_integer(pi->port_id));
		json_object_set_new(o, "name", json_string(pi->name));
		for (unsigned int k = 0; k < ONVM_PORT_N_COUNTERS; k++)
			set_u64(o, onvm_port_counter_names[k], pi->stats.c[k]);
		json_object_set_new(o, "nic", port_nic_json(pi->port_id));
		json_array_append_new(list, o);
	}
	return list;
}

static json_t *
ring_json(const struct rte_ring *r)
{
	return json_pack("{s:I, s:I}", "count", (json_int_t)rte_ring_count(r), "size",
			 (json_int_t)rte_ring_get_capacity(r));
}

/* mgr_json's NFs, with when each started (the Unix time in us at which it
 * claimed its slot: it also tells one run of an NF from the next in the
 * same slot) and how full its rings are. */
static json_t *
nfs_json(struct mgr *m)
{
	json_t *list = mgr_json_nfs(m, 1, ONVM_MAX_NFS, false), *o;
	size_t i;

	json_array_foreach(list, i, o) {
		json_int_t id = json_integer_value(json_object_get(o, "id"));
		const struct onvm_nf_slot *s;

		if (id < 1 || id > ONVM_MAX_NFS)
			continue;
		s = &m->shm->nfs[id];
		set_u64(o, "started_us", tsc_clock_ns(&m->clock, s->claimed_tsc) / 1000);
		json_object_set_new(o, "rx_ring", ring_json(s->rx_ring));
		json_object_set_new(o, "tx_ring", ring_json(s->tx_ring));
	}
	return list;
}

/* Every drop reason of the data path, as /onvm/drops. */
static json_t *
drops_json(struct mgr *m)
{
	json_t *o = json_object();

	for (unsigned int k = 0; o != NULL && k < MGR_DROP_N; k++)
		set_u64(o, mgr_drop_names[k], mgr_stats_drop_total(k));
	for (unsigned int k = 0; o != NULL && k < mgr_of_drop_count(m); k++)
		set_u64(o, mgr_of_drop_name(k), mgr_of_drop_total(m, k));
	return o;
}

static json_t *
mempool_json(struct mgr *m)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "in_use",
			 (json_int_t)rte_mempool_in_use_count(m->pool), "baseline",
			 (json_int_t)m->baseline_in_use, "available",
			 (json_int_t)rte_mempool_avail_count(m->pool), "size",
			 (json_int_t)m->pool->size);
}

json_t *
web_api_snapshot(struct mgr *m)
{
	struct timespec now;
	json_t *o = json_object(), *nfs;
	uint64_t tsc;

	if (o == NULL)
		return NULL;
	/* The NFs first: mgr_json_nfs sums every counter (mgr_stats_collect),
	 * and the ports and drops below read those sums. The time is theirs. */
	nfs = nfs_json(m);
	tsc = rte_get_tsc_cycles();
	clock_gettime(CLOCK_REALTIME, &now);
	json_object_set_new(o, "time", json_real((double)now.tv_sec + now.tv_nsec / 1e9));
	json_object_set_new(o, "uptime_s", json_real((double)(tsc - m->start_tsc) / m->tsc_hz));
	/* The wall clock when the manager started (init_clock). */
	json_object_set_new(o, "start_time", json_real(m->clock.ns_base / 1e9));
	json_object_set_new(o, "ports", ports_json(m));
	json_object_set_new(o, "nfs", nfs);
	json_object_set_new(o, "services", mgr_json_services(m));
	json_object_set_new(o, "chains", mgr_json_chains(m, 0, ONVM_MAX_CHAINS - 1));
	json_object_set_new(o, "drops", drops_json(m));
	json_object_set_new(o, "mempool", mempool_json(m));
	/* onvmctl ft of every fault-tolerant service. */
	json_object_set_new(o, "ft", ft_json_all(m));
	/* A part that could not be made (out of memory) is missing, and a
	 * reader can tell: every part is always there otherwise. */
	return o;
}
