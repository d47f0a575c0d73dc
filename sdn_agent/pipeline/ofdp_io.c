/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rings and pools between the data lcores and the agent thread
 * (PACKET_IN up, PACKET_OUT down), and each data lcore's pipeline state.
 * Set-up and teardown only.
 */
#include <string.h>

#include <rte_malloc.h>

#include "classifier.h"
#include "ofdp.h"

#define PIN_POOL_SIZE 1023
#define PIN_RING_SIZE 1024
#define POUT_SLOTS 64
/* Exact-match cache sizes: table 0 again (every packet back from a
 * service) 64 Ki entries, the later tables 16 Ki each. */
#define CACHE_ORDER_TABLE0 16
#define CACHE_ORDER 14

int
ofdp_io_init(struct ofdp_io *io, int socket_id)
{
	memset(io, 0, sizeof(*io));
	io->pin_pool = rte_mempool_create("onvm_of_pin", PIN_POOL_SIZE, sizeof(struct ofdp_pin_msg),
					  0, 0, NULL, NULL, NULL, NULL, socket_id, 0);
	io->pin_ring = rte_ring_create("onvm_of_pin", PIN_RING_SIZE, socket_id, RING_F_SC_DEQ);
	io->pout_ring = rte_ring_create("onvm_of_pout", POUT_SLOTS * 2, socket_id,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
	io->pout_free = rte_ring_create("onvm_of_pout_free", POUT_SLOTS * 2, socket_id,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
	io->pout_slots = rte_zmalloc_socket("onvm_of_pout", sizeof(struct ofdp_pout_msg) * POUT_SLOTS,
					    RTE_CACHE_LINE_SIZE, socket_id);
	if (!io->pin_pool || !io->pin_ring || !io->pout_ring || !io->pout_free || !io->pout_slots) {
		ofdp_io_free(io);
		return -1;
	}
	for (unsigned int i = 0; i < POUT_SLOTS; i++)
		rte_ring_enqueue(io->pout_free, &io->pout_slots[i]);
	return 0;
}

void
ofdp_io_free(struct ofdp_io *io)
{
	void *obj;

	while (io->pin_ring && rte_ring_dequeue(io->pin_ring, &obj) == 0)
		rte_mempool_put(io->pin_pool, obj);
	/* PACKET_OUT frames not yet sent go back to their pool. */
	while (io->pout_ring && rte_ring_dequeue(io->pout_ring, &obj) == 0)
		rte_pktmbuf_free(((struct ofdp_pout_msg *)obj)->pkt);
	rte_ring_free(io->pin_ring);
	rte_ring_free(io->pout_ring);
	rte_ring_free(io->pout_free);
	rte_mempool_free(io->pin_pool);
	rte_free(io->pout_slots);
	memset(io, 0, sizeof(*io));
}

int
ofdp_lcore_init(struct ofdp_lcore *lc, unsigned int slot)
{
	memset(lc, 0, sizeof(*lc));
	lc->slot = slot;
	/* cache[0] is for the host: table 0 as packets coming back from a
	 * service meet it (arrivals use the host's own cache). */
	for (unsigned int t = 0; t < OFDP_N_TABLES; t++) {
		lc->cache[t] = cls_cache_create(t == 0 ? CACHE_ORDER_TABLE0 : CACHE_ORDER);
		if (lc->cache[t] == NULL) {
			ofdp_lcore_free(lc);
			return -1;
		}
	}
	return 0;
}

void
ofdp_lcore_free(struct ofdp_lcore *lc)
{
	for (unsigned int t = 0; t < OFDP_N_TABLES; t++)
		cls_cache_free(lc->cache[t]);
	memset(lc->cache, 0, sizeof(lc->cache));
}
