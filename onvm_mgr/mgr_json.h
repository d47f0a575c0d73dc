/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mgr_json: what the manager shows of itself, as JSON values: the results
 * of onvmctl's nfs, services and chains, and what DPDK telemetry's
 * /onvm/nfs and /onvm/chains are made of (mgr_telemetry.c). Any other
 * reader (a web API, a metrics exporter) takes the same values, so every
 * view names a counter the same way.
 *
 * Each call sums the counters first (mgr_stats_collect) and reads only
 * what the control thread aggregates and the shared tables: never the
 * data lcores' own structures. Safe from any thread but a data lcore.
 */
#ifndef ONVM_MGR_JSON_H
#define ONVM_MGR_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct mgr;

/*
 * NFs with ids first..last, in id order, as a list of objects:
 *   id, name, pid, service, service_name, instance, state, ready, cpu,
 *   rx, tx, act_drop, act_next, act_tonf, act_out, tx_wait, wakeups
 *     (the NF's counters of its own packets and verdicts),
 *   enqueued, entry_drop, dequeued, reclaimed (the manager's about it),
 *   counters: { the NF's named counters }
 * running_only: only NFs in state running (else every slot in use).
 */
json_t *mgr_json_nfs(struct mgr *m, uint16_t first, uint16_t last, bool running_only);

/* Services in use, as a list of { id, name, instances, nfs: [NF ids] }. */
json_t *mgr_json_services(struct mgr *m);

/*
 * Chains in force with ids first..last, as a list of objects:
 *   id, name, priority, hops: [service names, or ids of unnamed services],
 *   hop_ids: [service ids], out_port (a port, "paired" for the default
 *   chain, null: none), generation,
 *   pkts, bytes (foreach_mgr_chain_counter), drops: { reason: packets }
 * Chain 0 is the default chain.
 */
json_t *mgr_json_chains(struct mgr *m, uint32_t first, uint32_t last);

#endif /* ONVM_MGR_JSON_H */
