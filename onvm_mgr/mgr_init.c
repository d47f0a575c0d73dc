/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The objects the manager shares with NFs: one memzone with every table, the
 * packet pool (each mbuf carries struct onvm_pkt_meta in its private area),
 * the message ring, and a pair of rings per NF slot created up front so
 * admitting an NF never allocates.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_mbuf_dyn.h>
#include <rte_memzone.h>

#include "mgr.h"
#include "services.h"

#define MGR_NUM_MBUFS       65535
#define MGR_NUM_MBUFS_JUMBO 16383
#define MGR_MBUF_CACHE      256
/*
 * The pool's shared part is a LIFO stack, not DPDK's default FIFO ring.
 * With NF rings deep enough to hold thousands of packets the per-lcore
 * caches overflow into the shared part; a FIFO hands back the mbuf freed
 * longest ago, so every allocation touched a cold mbuf (net_null's RX was
 * 43% of the data lcore, on its first write to each mbuf), while a stack
 * hands back the one just freed, still in cache: 2-NF chain on a shared
 * core 18-19 -> 28-29 Mpps, 3-NF 13.6 -> 17-18 (docs/benchmarking.md).
 */
#define MGR_POOL_OPS        "stack"
#define MGR_JUMBO_DATAROOM  (9216 + RTE_PKTMBUF_HEADROOM)

/* Whether EAL reserved hugepage memory on NUMA node `node`. */
static bool
node_has_memory(int node)
{
	struct rte_malloc_socket_stats st;

	return rte_malloc_get_socket_stats(node, &st) == 0 && st.heap_totalsz_bytes > 0;
}

static int
create_nf_rings(struct mgr *m)
{
	/* NF->NF hops are enqueued by TX lcores while the RX lcore enqueues
	 * first hops: with more than one data lcore (3+ lcores, see main.c),
	 * RX rings are multi-producer. Decided from the EAL lcore count, as
	 * the data lcores are planned only after the shared memory exists. */
	unsigned int rx_flags = RING_F_SC_DEQ | (rte_lcore_count() > 2 ? 0 : RING_F_SP_ENQ);
	unsigned int tx_flags = RING_F_SP_ENQ | RING_F_SC_DEQ;
	unsigned int size = mgr_nf_ring_size(&m->cfg);
	char name[RTE_RING_NAMESIZE];

	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		struct onvm_nf_slot *s = &m->shm->nfs[id];

		snprintf(name, sizeof(name), ONVM_NF_RX_RING_FMT, id);
		s->rx_ring = rte_ring_create(name, size, m->home_node, rx_flags);
		snprintf(name, sizeof(name), ONVM_NF_TX_RING_FMT, id);
		s->tx_ring = rte_ring_create_elem(name, sizeof(onvm_tx_elem), size, m->home_node,
						  tx_flags);
		if (s->rx_ring == NULL || s->tx_ring == NULL) {
			fprintf(stderr, "onvm_mgr: cannot create NF rings: %s\n",
				rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

static void
check_chunk(struct rte_mempool *mp, void *arg, struct rte_mempool_memhdr *hdr, unsigned int idx)
{
	bool *fits = arg;

	if ((uint64_t)(uintptr_t)hdr->addr + hdr->len - 1 > ONVM_TX_PTR_MASK)
		*fits = false;
}

/* Every mbuf address must fit the pointer bits of an onvm_tx_elem. */
static bool
pool_fits_tx_elems(struct rte_mempool *mp)
{
	bool fits = true;

	rte_mempool_mem_iter(mp, check_chunk, &fits);
	return fits;
}

int
mgr_create_shared(struct mgr *m)
{
	const struct rte_memzone *mz;
	unsigned int n = m->cfg.jumbo ? MGR_NUM_MBUFS_JUMBO : MGR_NUM_MBUFS;
	uint16_t room = m->cfg.jumbo ? MGR_JUMBO_DATAROOM : RTE_MBUF_DEFAULT_BUF_SIZE;

	/*
	 * Everything the data lcores touch per packet goes on the ports' NUMA
	 * node (mgr_ports_home_node): the NICs write packets into the pool,
	 * and the data lcores should run there too. A node without hugepages
	 * of its own (EAL's --socket-mem) cannot take them: then any node,
	 * and the manager says so.
	 */
	if (m->home_node != SOCKET_ID_ANY && !node_has_memory(m->home_node)) {
		printf("onvm_mgr: NUMA node %d, the ports', has no hugepage memory: the packet pool "
		       "and rings go anywhere (give --socket-mem)\n", m->home_node);
		m->home_node = SOCKET_ID_ANY;
	}
	mz = rte_memzone_reserve(ONVM_MZ_SHARED, sizeof(struct onvm_shared), m->home_node,
				 RTE_MEMZONE_2MB | RTE_MEMZONE_SIZE_HINT_ONLY);
	if (mz == NULL) {
		fprintf(stderr, "onvm_mgr: cannot reserve shared memory: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	m->shm = mz->addr;
	memset(m->shm, 0, sizeof(*m->shm));
	m->shm->magic = ONVM_SHARED_MAGIC;
	m->shm->abi_version = ONVM_ABI_VERSION;
	m->shm->mgr_state = ONVM_MGR_STARTING;
	m->shm->shared_core = m->cfg.shared_core;
	m->shm->mgr_pid = getpid();
	for (uint16_t id = 0; id <= ONVM_MAX_NFS; id++)
		m->shm->nfs[id].id = id;
	svc_table_init(m->shm->services, ONVM_MAX_SERVICES);

	if (onvm_meta_register() < 0) {
		fprintf(stderr, "onvm_mgr: no room for packet metadata in the mbuf: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	m->pool = rte_pktmbuf_pool_create_by_ops(ONVM_PKTMBUF_POOL, n, MGR_MBUF_CACHE, 0, room,
						 m->home_node, MGR_POOL_OPS);
	if (m->pool == NULL && rte_errno == EINVAL) {
		/* A DPDK built without the stack driver: its default works. */
		fprintf(stderr, "onvm_mgr: mempool driver '%s' not available, using '%s'\n",
			MGR_POOL_OPS, rte_mbuf_best_mempool_ops());
		m->pool = rte_pktmbuf_pool_create(ONVM_PKTMBUF_POOL, n, MGR_MBUF_CACHE, 0, room,
						  m->home_node);
	}
	if (m->pool == NULL) {
		fprintf(stderr, "onvm_mgr: cannot create the packet pool (%u mbufs): %s\n", n,
			rte_strerror(rte_errno));
		return -1;
	}
	snprintf(m->shm->pool_ops, sizeof(m->shm->pool_ops), "%s",
		 rte_mempool_get_ops(m->pool->ops_index)->name);
	if (!pool_fits_tx_elems(m->pool)) {
		fprintf(stderr, "onvm_mgr: the packet pool lies above 2^%d in virtual memory, where NF "
			"TX ring elements cannot address it: use a lower --base-virtaddr\n",
			ONVM_TX_PTR_BITS);
		return -1;
	}
	/* Register the RX timestamp field up front, so it exists for NFs to
	 * look up whatever the ports support. */
	int ts_off;
	uint64_t ts_flag;
	if (rte_mbuf_dyn_rx_timestamp_register(&ts_off, &ts_flag) < 0)
		fprintf(stderr, "onvm_mgr: no RX timestamp field: NFs use arrival time\n");
	m->msg_ring = rte_ring_create(ONVM_MSG_RING, ONVM_MSG_RING_SIZE, m->home_node,
				      RING_F_SC_DEQ);
	if (m->msg_ring == NULL) {
		fprintf(stderr, "onvm_mgr: cannot create the message ring: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	return create_nf_rings(m);
}

void
mgr_free_shared(struct mgr *m)
{
	for (uint16_t id = 1; id <= ONVM_MAX_NFS && m->shm; id++) {
		rte_ring_free(m->shm->nfs[id].rx_ring);
		rte_ring_free(m->shm->nfs[id].tx_ring);
	}
	rte_ring_free(m->msg_ring);
	rte_mempool_free(m->pool);
	rte_memzone_free(rte_memzone_lookup(ONVM_MZ_SHARED));
}
