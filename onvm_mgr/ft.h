/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ft: fault-tolerant NFs (docs/fault-tolerance.md). An NF started with
 * --ft runs as a protected pair: the active instance takes the service's
 * traffic, a standby the manager starts from the active's command line
 * (nf_launch.h) takes none. Every epoch (--ft-epoch-ms, default 5) the
 * control loop checkpoints the active into the standby through the state
 * API (onvm_nflib_state.h): the active exports the flows of the buckets
 * it touched, the standby replaces those buckets with them. Output commit:
 * what the active emits waits at the manager (mgr_ft_out, in order,
 * bounded) and leaves only once the checkpoint covering it is in the
 * standby (ft_epoch.h). When the active dies the standby takes its place
 * in the service from the last committed checkpoint; what the dead one
 * held (uncommitted output, unprocessed input) is counted as lost at the
 * failover; a new standby is started.
 *
 * All of it runs on the control thread, except ft_json (any thread) and
 * the data lcores' part on mgr_ft_out (dataplane.c).
 */
#ifndef ONVM_FT_H
#define ONVM_FT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct mgr;

enum ft_role {
	FT_ROLE_NONE = 0, /* not protected: an ordinary instance */
	FT_ROLE_ACTIVE,   /* the protected instance: takes the traffic */
	FT_ROLE_STANDBY,  /* its copy: takes checkpoints, no traffic */
	FT_ROLE_REFUSED,  /* may not join (why says it) */
};

/* Admission (nf_registry.c): the role NF id, asking to join service svc,
 * takes; then ft_admitted() before it is set running. */
enum ft_role ft_admit_role(struct mgr *m, uint16_t id, uint16_t svc, char *why, size_t whylen);
void ft_admitted(struct mgr *m, uint16_t id, uint16_t svc, enum ft_role role);

/* Retirement (nf_registry.c), in order: the NF leaves (before it leaves
 * its service: the standby of a leaving active takes its place), then,
 * once no data lcore touches it, its held output is freed (returns how
 * many), then the total it lost is known. */
void ft_nf_leaving(struct mgr *m, uint16_t id);
unsigned int ft_nf_reclaim(struct mgr *m, uint16_t id);
void ft_nf_retired(struct mgr *m, uint16_t id, unsigned int lost);

/* The control loop's tick: deaths, checkpoints, standbys to start. */
void ft_step(struct mgr *m);
/* A checkpoint is in flight: the control loop ticks faster meanwhile. */
bool ft_busy(void);
/* Whether svc runs protected (moves and scaling are refused). */
bool ft_protects(uint16_t svc);
/* The CPU of svc's active (a standby is placed elsewhere if it can be),
 * or UINT32_MAX. */
uint32_t ft_active_cpu(struct mgr *m, uint16_t svc);
/* Whether NF id is a standby (it takes no traffic). */
bool ft_is_standby(uint16_t id);

/* onvmctl ft SERVICE: a new reference, or NULL and why. Any thread. */
json_t *ft_json(struct mgr *m, const char *service, char *err, size_t errlen);
/* ft_json of every protected service, as a list (/api/stats, /onvm/ft). */
json_t *ft_json_all(struct mgr *m);

#endif /* ONVM_FT_H */
