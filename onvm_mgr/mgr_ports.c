/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethdev set-up: one RX queue per port, one TX queue per TX-capable lcore. */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_pdump.h>

#include "afp_rx_time.h"
#include "mgr.h"

#define RX_DESC 1024
#define TX_DESC 1024
#define JUMBO_MTU 9000

/* A net_af_packet port: take each packet's arrival time from the kernel's
 * frame header rather than from the lcore that reads it (afp_rx_time.h). */
static void
port_rx_times(struct mgr *m, uint16_t port, const struct rte_eth_dev_info *info)
{
	const char *why;

	if (strcmp(info->driver_name, "net_af_packet") != 0)
		return;
	const struct afp_rxq_head *q = rte_eth_fp_ops[port].rxq.data[0];

	if (afp_rxq_check(q, port, m->pool, (int)info->if_index, &why)) {
		m->port_afp[port] = q;
		printf("onvm_mgr: port %u (net_af_packet): arrival times from the kernel\n", port);
	} else {
		printf("onvm_mgr: port %u (net_af_packet): arrival times from the manager's clock "
		       "when read, ms late on a busy host (%s)\n", port, why);
	}
}

static int
port_setup(struct mgr *m, uint16_t port, uint16_t tx_queues)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nb_rx = RX_DESC, nb_tx = TX_DESC;
	int rc;

	rc = rte_eth_dev_info_get(port, &info);
	if (rc < 0)
		return rc;
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
		fprintf(stderr, "onvm_mgr: port %u (%s) has %u TX queues, %u data lcores need one each\n",
			port, info.driver_name, info.max_tx_queues, tx_queues);
		return -EINVAL;
	}
	rc = rte_eth_dev_configure(port, 1, tx_queues, &conf);
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
	rc = rte_eth_rx_queue_setup(port, 0, nb_rx, rte_eth_dev_socket_id(port), NULL, m->pool);
	if (rc < 0)
		return rc;
	for (uint16_t q = 0; q < tx_queues; q++) {
		rc = rte_eth_tx_queue_setup(port, q, nb_tx, rte_eth_dev_socket_id(port), NULL);
		if (rc < 0)
			return rc;
	}
	rc = rte_eth_dev_start(port);
	if (rc < 0)
		return rc;
	rte_eth_promiscuous_enable(port); /* virtual ports may refuse: harmless */
	port_rx_times(m, port, &info);
	return 0;
}

int
mgr_ports_init(struct mgr *m, uint16_t tx_queues)
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
		int rc = port_setup(m, port, tx_queues);
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
