/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_rss: how a port's packets are spread over its RX queues, one per RX
 * lcore. Pure: it decides from what the PMD reports (rte_eth_dev_info),
 * mgr_ports.c applies it.
 *
 * The spread must be symmetric: both directions of a connection (which
 * usually enter on different ports) must reach the same RX queue number,
 * hence the same RX lcore. One lcore then reads a flow's packets in
 * order, whichever way they go, and a stateful NF sees a reply after the
 * request that caused it. (The NF instance a flow meets does not depend on
 * the queue: the manager picks it from its own symmetric hash of the
 * 5-tuple, pkt_5tuple_hash_symmetric.) In order of preference:
 *
 *   - the PMD's symmetric Toeplitz function (DPDK 23.11 and later, where
 *     the PMD lists it in rss_algo_capa);
 *   - Toeplitz with a key of 0x6d5a repeated: every 16-bit half of it is
 *     the same, so swapping source and destination addresses (32 bits) and
 *     ports (16 bits) leaves the hash unchanged (Woo and Park, "Scalable
 *     TCP Session Monitoring with Symmetric Receive-side Scaling", 2012);
 *   - a PMD with several queues but no RSS to configure spreads packets
 *     itself (net_af_packet: the kernel's fanout by flow hash, symmetric;
 *     net_null, net_ring: each queue is a source of its own);
 *   - with one queue (or one RX lcore) there is nothing to spread.
 *
 * The redirection table maps hash values to queues; each port's is set to
 * entry i -> queue i % n, so that ports with equal table sizes agree.
 */
#ifndef ONVM_PORT_RSS_H
#define ONVM_PORT_RSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PORT_RSS_KEY_MAX 64

/* What the PMD says it can do. */
struct port_rss_caps {
	uint16_t max_rx_queues;
	uint64_t rss_offloads;   /* flow_type_rss_offloads */
	uint8_t key_size;        /* hash_key_size; 0: not reported */
	bool symmetric_func;     /* RTE_ETH_HASH_FUNCTION_SYMMETRIC_TOEPLITZ offered */
};

enum port_rss_how {
	PORT_RSS_ONE_QUEUE,      /* one RX queue: nothing to spread */
	PORT_RSS_SYMMETRIC_FUNC, /* the PMD's symmetric Toeplitz */
	PORT_RSS_SYMMETRIC_KEY,  /* Toeplitz with the 0x6d5a key */
	PORT_RSS_DEFAULT_KEY,    /* Toeplitz, the PMD's key: not known to be symmetric */
	PORT_RSS_PMD_SPREADS,    /* several queues, no RSS to configure */
};

struct port_rss_plan {
	uint16_t nb_rxq;
	enum port_rss_how how;
	uint64_t rss_hf;         /* hash types asked for (0: no RSS configured) */
	uint8_t key_len;         /* 0: the PMD's key */
	uint8_t key[PORT_RSS_KEY_MAX];
};

/*
 * The plan for a port read by `rx_lcores` RX lcores: up to one queue per
 * RX lcore (fewer if the PMD has fewer; the RX lcores beyond them do not
 * read this port), hashing the types of want_hf the PMD supports.
 */
void port_rss_plan_make(const struct port_rss_caps *c, unsigned int rx_lcores, uint64_t want_hf,
			struct port_rss_plan *p);

/* The symmetric Toeplitz key: 0x6d5a repeated over len bytes. */
void port_rss_symmetric_key(uint8_t *key, size_t len);

/* "symmetric Toeplitz key", ... for the line that describes a port. */
const char *port_rss_how_name(enum port_rss_how how);

#endif /* ONVM_PORT_RSS_H */
