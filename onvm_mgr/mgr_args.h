/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The manager's own options (after EAL's "--"). Pure: parses into a plain
 * struct and reports one clear line on error, so it is unit-tested.
 */
#ifndef ONVM_MGR_ARGS_H
#define ONVM_MGR_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "placement.h"

#define MGR_MAX_CHAIN_FILES 16
/* --rx-lcores: at most every data lcore (MGR_MAX_DATA_LCORES, mgr.h) */
#define MGR_MAX_RX_LCORES 8

/*
 * NF ring depth. Small on purpose: every packet queued between the manager
 * and an NF keeps its mbuf lines live, and once rings of both directions
 * are full their packets no longer fit in the cores' L2 caches, so every
 * hop misses to L3 or memory (4,096-deep rings ran a 1-NF chain 3x slower
 * than 512-deep ones: docs/benchmarking.md). --nf-ring-size changes it.
 *
 * NFs sharing a core (-c) get deeper rings: each switch between them
 * costs microseconds, and an NF runs until its RX ring is empty or its TX
 * ring full, so the ring depth is the number of packets a switch pays for
 * (2-NF chain on one core: 15.5 Mpps with 512, 18.8 with 2,048, 17 with
 * 4,096, where the cache misses start to cost more than the switches).
 */
#define ONVM_NF_RING_SIZE        512
#define ONVM_NF_RING_SIZE_SHARED 2048

enum mgr_stats_out { STATS_STDOUT, STATS_STDERR, STATS_WEB, STATS_NONE };

struct mgr_config {
	uint64_t portmask;
	uint16_t num_services;        /* -r: services the table is sized for */
	char default_service[32];     /* -d: id or name; "" = 1 */
	enum mgr_stats_out stats_out; /* -s */
	uint32_t stats_sleep_s;       /* -z */
	uint32_t ttl_s;               /* -t: exit after; 0 = never */
	uint64_t packet_limit;        /* -l (millions, stored as packets); 0 = none */
	bool verbose;                 /* -v */
	bool shared_core;             /* -c */
	bool jumbo;                   /* -j */
	uint16_t wait_nfs;            /* -w: receive only once this many NFs run */
	unsigned int num_chain_files; /* -C / --chains */
	const char *chain_files[MGR_MAX_CHAIN_FILES];
	const char *of_listen;        /* --of-listen [IP:]PORT */
	const char *of_controller;    /* --of-controller IP:PORT */
	const char *of_dpid;          /* --of-dpid */
	const char *web;              /* --web [IP:]PORT */
	unsigned int nf_ring_size;    /* --nf-ring-size; 0 = by mode, mgr_nf_ring_size() */
	uint32_t entry_stall_ms;      /* --entry-stall-ms; 0 = never (see dataplane.c) */
	unsigned int rx_lcores;       /* --rx-lcores; 0 = the default (lcore_plan.h) */
	bool nf_cores_given;          /* -n NF_COREMASK / --nf-cores LIST */
	struct place_cpuset nf_cores;
};

/* How long a chain's entry may make no progress before its waiting packets
 * are dropped, by default. */
#define MGR_ENTRY_STALL_MS_DEFAULT 100

/* Parse argv[0..argc) (argv[0] = program name). 0, or -1 with err set. */
int mgr_parse_args(int argc, char **argv, struct mgr_config *cfg, char *err, size_t errlen);

/* Parse a hex port mask ("0x3" or "3"); 0 on success. */
int mgr_parse_portmask(const char *s, uint64_t *mask);

/* The NF ring depth: --nf-ring-size, else the default of the mode (deeper
 * when NFs share a core, see ONVM_NF_RING_SIZE_SHARED). */
unsigned int mgr_nf_ring_size(const struct mgr_config *cfg);

void mgr_usage(const char *prog);

#endif /* ONVM_MGR_ARGS_H */
