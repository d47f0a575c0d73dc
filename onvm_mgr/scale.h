/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * scale: setting how many instances a service runs (onvmctl scale), by
 * hand or by the autoscaler (onvmctl autoscale).
 *
 * A job the control loop steps, one at a time, never waiting:
 *   out: start the new instances (nf_launch.h: the program and arguments of
 *        a running instance), wait until each runs its packet loop, then
 *        spread the service's buckets evenly by moves (elastic.h), which
 *        carry the flows' state to the new instances;
 *   in:  move the buckets of the instances that go (the highest numbered)
 *        to those that stay, then ask them to stop and wait until they
 *        have (killed, as their lock's holder, when they do not).
 * The moves keep the move's guarantees: no packet lost or reordered.
 *
 * The autoscaler samples each instance's RX ring every 100 ms: when one
 * stays more than AUTOSCALE_HIGH full for AUTOSCALE_UP_S it adds an
 * instance (up to --max), when all stay under AUTOSCALE_LOW for
 * AUTOSCALE_DOWN_S it removes one (down to --min), and after any change
 * it waits AUTOSCALE_COOLDOWN_S: hysteresis in level and in time. Each
 * decision is logged with its reason.
 */
#ifndef ONVM_SCALE_H
#define ONVM_SCALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct mgr;

#define AUTOSCALE_HIGH       0.50 /* of the ring's capacity */
#define AUTOSCALE_LOW        0.05
#define AUTOSCALE_UP_S       1.0
#define AUTOSCALE_DOWN_S     5.0
#define AUTOSCALE_COOLDOWN_S 3.0

/* Start setting svc's instances to `target`. -1 with err when it makes no
 * sense or another job or move runs; `why` is logged with the outcome
 * ("onvmctl", or the autoscaler's reason). */
int scale_start(struct mgr *m, uint16_t svc, uint16_t target, const char *why, char *err,
		size_t errlen);
/* The control loop's tick: the job, the autoscaler, reaping started NFs. */
void scale_step(struct mgr *m);
bool scale_busy(void);
/* The last job's outcome as JSON (a new reference), NULL while it runs;
 * *failed with its reason in err. */
json_t *scale_last_result(bool *failed, char *err, size_t errlen);
/* Whether the job started the NF in slot id (it places it, not the
 * registry). */
bool scale_started_nf(struct mgr *m, uint16_t id);

/* Autoscaling of svc between min and max instances (max 0: off). */
int autoscale_set(struct mgr *m, uint16_t svc, uint16_t min, uint16_t max, char *err,
		  size_t errlen);
/* svc's autoscaling, for onvmctl services: NULL when off. */
json_t *autoscale_json(uint16_t svc);

#endif /* ONVM_SCALE_H */
