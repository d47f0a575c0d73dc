/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The service table: names to ids, and the running instances of each.
 * Written by the control thread only; the data lcores read num_instances
 * and instances[] without locks (see svc_remove_instance for why that is
 * safe), and svc_pick_instance is their whole per-packet cost.
 */
#ifndef ONVM_SERVICES_H
#define ONVM_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "onvm_common.h"

/* Table of services[0..max]; index = id, 0 unused. */
void svc_table_init(struct onvm_service *svcs, uint16_t max);

/* Id of the service with this name, or 0. */
uint16_t svc_find(const struct onvm_service *svcs, uint16_t max, const char *name);

/*
 * Resolve "firewall" or "3": a known name gives its id, a new name gets the
 * lowest unused id, a number in 1..max is taken as is. 0 on success, -1 with
 * a reason when the table is full or the number out of range.
 */
int svc_resolve(struct onvm_service *svcs, uint16_t max, const char *name_or_id, uint16_t *id,
		const char **why);

#define SVC_ERR_FULL  -1 /* ONVM_MAX_INSTANCES already run */
#define SVC_ERR_TAKEN -2 /* the instance number asked for is running */
#define SVC_ERR_RANGE -3 /* the instance number asked for is >= ONVM_MAX_INSTANCES */

/*
 * Add a running NF as instance `want` (an NF's -n), or, with
 * ONVM_INSTANCE_ANY, the lowest instance number free. 0, or SVC_ERR_*.
 */
int svc_add_instance(struct onvm_service *s, uint16_t nf_id, uint16_t want,
		     uint16_t *instance_num);

/* NF new_nf takes old_nf's place (its instance number and buckets) in one
 * step: a data lcore picks one or the other, never neither. -1 when
 * old_nf was not an instance. */
int svc_replace_instance(struct onvm_service *s, uint16_t old_nf, uint16_t new_nf);

/* Remove an NF; returns -1 when it was not an instance. */
int svc_remove_instance(struct onvm_service *s, uint16_t nf_id);

/*
 * Buckets: each of a service's ONVM_BUCKETS flow-hash buckets names the
 * instance (NF id) that takes its flows, or ONVM_BUCKET_HELD while a move
 * holds them at the manager. Control thread only; data lcores read single
 * entries (16-bit, atomic) without locks.
 */
/* How many buckets an NF owns. */
uint16_t svc_bucket_count(const struct onvm_service *s, uint16_t nf_id);
/* Even shares over the running instances, moving as few buckets as it can
 * (for NFs without movable state: their flows simply start afresh). */
void svc_rebalance(struct onvm_service *s);
/* An instance left (removed already): its buckets go round robin to the
 * others, or to nobody when none is left. */
void svc_give_orphans(struct onvm_service *s, uint16_t gone_nf);

/*
 * The instance a flow with this hash goes to, 0 when none runs, or
 * ONVM_BUCKET_HELD, given n = num_instances as the caller loaded it
 * (acquire): a caller that needs n too, to know whether to hash at all,
 * reads it only once.
 */
static inline uint16_t
svc_pick_instance_of(const struct onvm_service *s, uint16_t n, uint32_t flow_hash)
{
	if (n == 0)
		return 0;
	if (n == 1)
		return s->instances[0]; /* a move needs two: nothing is held */
	return __atomic_load_n(&s->bucket_nf[flow_hash & (ONVM_BUCKETS - 1)], __ATOMIC_RELAXED);
}

/* The instance a flow with this hash goes to, 0, or ONVM_BUCKET_HELD. */
static inline uint16_t
svc_pick_instance(const struct onvm_service *s, uint32_t flow_hash)
{
	return svc_pick_instance_of(s, __atomic_load_n(&s->num_instances, __ATOMIC_ACQUIRE),
				    flow_hash);
}

#endif /* ONVM_SERVICES_H */
