/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethdev set-up: one RX queue per RX lcore, spread by RSS (port_rss.h), and
 * one TX queue per lcore that sends to ports (lcore_plan.h).
 */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_pdump.h>
#include <rte_version.h>

#include "afp_rx_time.h"
#include "mgr.h"
#include "port_rss.h"

#define RX_DESC 1024
#define TX_DESC 1024
#define JUMBO_MTU 9000
/* What RSS hashes on: addresses, and TCP/UDP/SCTP ports, IPv4 and IPv6. */
#define MGR_RSS_HF (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_SCTP)
#define MGR_RETA_MAX 4096

/* The PMD reads the key through the configuration's pointer when the port
 * starts (and again if it restarts): it must outlive port_setup. */
static struct port_rss_plan rss_plans[ONVM_MAX_PORTS];

/* A net_af_packet port: take each packet's arrival time from the kernel's
 * frame header rather than from the lcore that reads it (afp_rx_time.h). */
static void
port_rx_times(struct mgr *m, uint16_t port, uint16_t nb_rxq, const struct rte_eth_dev_info *info)
{
	const char *why = NULL;
	uint16_t ok = 0;

	if (strcmp(info->driver_name, "net_af_packet") != 0)
		return;
	for (uint16_t q = 0; q < nb_rxq; q++) {
		const struct afp_rxq_head *h = rte_eth_fp_ops[port].rxq.data[q];

		if (afp_rxq_check(h, port, m->pool, (int)info->if_index, &why)) {
			m->port_afp[port][q] = h;
			ok++;
		}
	}
	if (ok == nb_rxq)
		printf("onvm_mgr: port %u (net_af_packet): arrival times from the kernel\n", port);
	else
		printf("onvm_mgr: port %u (net_af_packet): arrival times from the manager's clock "
		       "when read on %u of %u queues, ms late on a busy host (%s)\n", port,
		       nb_rxq - ok, nb_rxq, why);
}

static void
rss_caps_of(const struct rte_eth_dev_info *info, struct port_rss_caps *c)
{
	c->max_rx_queues = info->max_rx_queues;
	c->rss_offloads = info->flow_type_rss_offloads;
	c->key_size = info->hash_key_size;
#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
	c->symmetric_func =
		(info->rss_algo_capa & RTE_ETH_HASH_ALGO_CAPA_MASK(SYMMETRIC_TOEPLITZ)) != 0;
#else
	c->symmetric_func = false; /* rss_conf has no algorithm before DPDK 23.11 */
#endif
}

static void
rss_conf_of(const struct port_rss_plan *p, struct rte_eth_conf *conf)
{
	if (p->rss_hf == 0)
		return;
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = p->rss_hf;
	conf->rx_adv_conf.rss_conf.rss_key = p->key_len ? (uint8_t *)p->key : NULL;
	conf->rx_adv_conf.rss_conf.rss_key_len = p->key_len;
#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
	if (p->how == PORT_RSS_SYMMETRIC_FUNC)
		conf->rx_adv_conf.rss_conf.algorithm = RTE_ETH_HASH_FUNCTION_SYMMETRIC_TOEPLITZ;
#endif
}

/* Redirection table entry i -> queue i % n on every port: ports with equal
 * table sizes then send a hash value to the same queue number. */
static void
rss_set_reta(uint16_t port, uint16_t reta_size, uint16_t nb_rxq)
{
	struct rte_eth_rss_reta_entry64 reta[MGR_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	int rc;

	if (reta_size == 0 || reta_size > MGR_RETA_MAX)
		return;
	memset(reta, 0, sizeof(reta));
	for (uint16_t i = 0; i < reta_size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] = i % nb_rxq;
	}
	rc = rte_eth_dev_rss_reta_update(port, reta, reta_size);
	if (rc < 0)
		printf("onvm_mgr: port %u: its RSS redirection table stays the PMD's (%s)\n", port,
		       rte_strerror(-rc));
}

static int
port_setup(struct mgr *m, uint16_t port, unsigned int rx_lcores, uint16_t tx_queues)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	struct port_rss_caps caps;
	struct port_rss_plan *rss = &rss_plans[port];
	uint16_t nb_rx = RX_DESC, nb_tx = TX_DESC;
	int rc;

	rc = rte_eth_dev_info_get(port, &info);
	if (rc < 0)
		return rc;
	rss_caps_of(&info, &caps);
	port_rss_plan_make(&caps, rx_lcores, MGR_RSS_HF, rss);
	rss_conf_of(rss, &conf);
	/* Keep a replayed capture's timestamps: NFs measuring flows (QoE, IDS
	 * alerts) want arrival, not processing time. Only net_pcap's: its unit
	 * and epoch are known (microseconds since 1970, onvm_nflib_pkt_time_ns);
	 * a NIC's timestamp counts its own clock in its own unit, so its
	 * packets keep the manager's time instead. */
	if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) &&
	    strcmp(info.driver_name, "net_pcap") == 0)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	if (tx_queues > info.max_tx_queues) {
		fprintf(stderr, "onvm_mgr: port %u (%s) has %u TX queues; the data lcores need %u, one "
			"for each that sends to ports\n", port, info.driver_name, info.max_tx_queues,
			tx_queues);
		return -EINVAL;
	}
	rc = rte_eth_dev_configure(port, rss->nb_rxq, tx_queues, &conf);
	if (rc < 0)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rx, &nb_tx);
	if (rc < 0)
		return rc;
	if (m->cfg.jumbo) {
		rc = rte_eth_dev_set_mtu(port, JUMBO_MTU);
		if (rc < 0 && rc != -ENOTSUP)
			return rc;
	}
	for (uint16_t q = 0; q < rss->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nb_rx, rte_eth_dev_socket_id(port), NULL, m->pool);
		if (rc < 0)
			return rc;
	}
	for (uint16_t q = 0; q < tx_queues; q++) {
		rc = rte_eth_tx_queue_setup(port, q, nb_tx, rte_eth_dev_socket_id(port), NULL);
		if (rc < 0)
			return rc;
	}
	rc = rte_eth_dev_start(port);
	if (rc < 0)
		return rc;
	rte_eth_promiscuous_enable(port); /* virtual ports may refuse: harmless */
	if (rss->rss_hf)
		rss_set_reta(port, info.reta_size, rss->nb_rxq);
	m->port_rxq[port] = rss->nb_rxq;
	if (rss->how == PORT_RSS_ONE_QUEUE)
		printf("onvm_mgr: port %u (%s, NUMA node %d): 1 RX queue, %u TX queue%s\n", port,
		       info.driver_name, rte_eth_dev_socket_id(port), tx_queues, tx_queues > 1 ? "s" : "");
	else
		printf("onvm_mgr: port %u (%s, NUMA node %d): %u RX queues (%s), %u TX queue%s\n", port,
		       info.driver_name, rte_eth_dev_socket_id(port), rss->nb_rxq,
		       port_rss_how_name(rss->how), tx_queues, tx_queues > 1 ? "s" : "");
	port_rx_times(m, port, rss->nb_rxq, &info);
	return 0;
}

int
mgr_ports_home_node(const struct mgr_config *cfg)
{
	int nodes[ONVM_MAX_PORTS];
	unsigned int n = 0;

	for (uint16_t port = 0; port < ONVM_MAX_PORTS; port++)
		if ((cfg->portmask & (1ULL << port)) && rte_eth_dev_is_valid_port(port))
			nodes[n++] = rte_eth_dev_socket_id(port);
	return place_home_node(nodes, n, (int)rte_socket_id());
}

int
mgr_ports_init(struct mgr *m, unsigned int rx_lcores, uint16_t tx_queues)
{
	uint16_t avail = rte_eth_dev_count_avail();

	m->num_ports = 0;
	for (uint16_t port = 0; port < 64; port++) {
		if (!(m->cfg.portmask & (1ULL << port)))
			continue;
		if (port >= avail || !rte_eth_dev_is_valid_port(port)) {
			fprintf(stderr,
				"onvm_mgr: portmask 0x%llx names port %u, but only %u port(s) exist "
				"(give NICs or --vdev devices to EAL)\n",
				(unsigned long long)m->cfg.portmask, port, avail);
			return -1;
		}
		if (port >= ONVM_MAX_PORTS) {
			fprintf(stderr, "onvm_mgr: ports 0-%d only\n", ONVM_MAX_PORTS - 1);
			return -1;
		}
		int rc = port_setup(m, port, rx_lcores, tx_queues);
		if (rc < 0) {
			fprintf(stderr, "onvm_mgr: cannot start port %u: %s\n", port, rte_strerror(-rc));
			return -1;
		}
		struct onvm_port_info *pi = &m->shm->ports[port];
		pi->port_id = port;
		pi->enabled = 1;
		m->port_mask |= 1u << port;
		rte_eth_macaddr_get(port, &pi->mac);
		rte_eth_dev_get_name_by_port(port, pi->name);
		m->port_ids[m->num_ports++] = port;
	}
	/* NFs see ports by DPDK id: the table spans up to the highest one. */
	m->shm->num_ports = m->num_ports ? (uint16_t)(m->port_ids[m->num_ports - 1] + 1) : 0;
	m->shm->port_mask = m->port_mask;
	/* Packet capture: dpdk-dumpcap and dpdk-pdump, secondaries, ask the
	 * primary to copy its ports' packets to them (docs/operations.md,
	 * "Capture"). Until one asks, this costs the data path nothing. */
	if (rte_pdump_init() < 0)
		fprintf(stderr, "onvm_mgr: packet capture unavailable: %s\n",
			rte_strerror(rte_errno));
	return 0;
}

void
mgr_ports_stop(struct mgr *m)
{
	rte_pdump_uninit();
	for (uint16_t i = 0; i < m->num_ports; i++) {
		rte_eth_dev_stop(m->port_ids[i]);
		rte_eth_dev_close(m->port_ids[i]);
	}
}
