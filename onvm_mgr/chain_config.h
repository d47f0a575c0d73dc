/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * chain_config: load service chains (docs/chains.md) from JSON files into plain
 * structs, validated once. Pure C + jansson, no DPDK: the manager compiles
 * the result into its chain table and its classifier
 * (classifier_add_match(cls, &c->match, c->priority, chain index)).
 *
 *   { "chains": [ { "name": "web-in", "priority": 100,
 *                   "match": { "in_port": 0, "tcp_dst": 80 },
 *                   "hops": ["firewall", "ids", 3], "out_port": 1 } ] }
 *
 * Every mistake is reported as "FILE:LINE: reason" and leaves the set as it
 * was: a file is appended whole or not at all.
 */
#ifndef ONVM_CHAIN_CONFIG_H
#define ONVM_CHAIN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "cfg_file.h"
#include "match.h"

/* Mirrors of the shared-memory limits (onvm_common.h needs DPDK headers,
 * this file must not); checked below when both are included. */
#define CHAIN_MAX_HOPS   8
#define CHAIN_MAX_CHAINS 1023 /* ONVM_MAX_CHAINS less the manager's default chain 0 */
#define CHAIN_MAX_PORTS  16
#define CHAIN_NAME_LEN   32
#define CHAIN_PORT_NONE  0xffff
#define CHAIN_MAX_PRIORITY 65535 /* OpenFlow's range: chains share its table */

#ifdef ONVM_COMMON_H
_Static_assert(CHAIN_MAX_HOPS == ONVM_MAX_HOPS, "chain hops limit");
_Static_assert(CHAIN_MAX_CHAINS + 1 == ONVM_MAX_CHAINS, "chain count limit");
_Static_assert(CHAIN_MAX_PORTS == ONVM_MAX_PORTS, "port limit");
_Static_assert(CHAIN_NAME_LEN == ONVM_NAME_LEN, "name length");
_Static_assert(CHAIN_PORT_NONE == ONVM_PORT_NONE, "no-port marker");
#endif

struct chain_def {
	char name[CHAIN_NAME_LEN];
	uint32_t priority;               /* 0..65535, default 0; higher wins */
	struct onvm_match match;
	uint16_t num_hops;               /* 1..CHAIN_MAX_HOPS */
	uint16_t hops[CHAIN_MAX_HOPS];   /* service ids, as resolved */
	char hop_names[CHAIN_MAX_HOPS][CHAIN_NAME_LEN]; /* as written */
	uint16_t out_port;               /* DPDK port after the last hop, or CHAIN_PORT_NONE */
	char file[128];                  /* where it was defined, for messages */
	unsigned int line;
};

/* Chains in load order: files in the order loaded, chains in file order.
 * The index of a chain is its chain id. */
struct chain_set {
	struct chain_def *chains;
	uint32_t num_chains;
	uint32_t cap;
};

/*
 * Turn a hop as written (a service name, or an id as decimal text) into a
 * service id. Returns 0, or -1 with a short reason in `why` (the error
 * reads "FILE:LINE: chain 'web' hop 2: service 'ruoter': <why>"). The manager's
 * resolver gives an unknown name the next free id, as go.sh -r does; tests pass a
 * fixed table.
 *
 * Resolution runs only after the whole file has passed every other check,
 * hop by hop in file order; it can still fail part-way on an unknown
 * service, so a resolver that assigns ids should stage them and commit only
 * when the load returns 0 (an invalid file must change nothing).
 */
typedef int (*chain_resolve_fn)(void *ctx, const char *name_or_id, uint16_t *service_id,
				char *why, size_t whylen);

void chain_set_init(struct chain_set *set);
void chain_set_free(struct chain_set *set);

/* Append the chains of one file. 0, or -1 with "FILE:LINE: reason". */
int chain_set_load(struct chain_set *set, const char *path, chain_resolve_fn resolve,
		   void *ctx, char *err, size_t errlen);

/* Same, from a file already parsed (used by the fuzzer and by reloads). */
int chain_set_load_cfg(struct chain_set *set, const struct cfg_file *f,
		       chain_resolve_fn resolve, void *ctx, char *err, size_t errlen);

/* The chain named `name`, or NULL. */
const struct chain_def *chain_set_find(const struct chain_set *set, const char *name);

#endif /* ONVM_CHAIN_CONFIG_H */
