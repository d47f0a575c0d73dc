/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * afp_rx_time: when each packet reached a net_af_packet port, as the kernel
 * recorded it.
 *
 * The manager's own clock says when a data lcore *read* a packet. On a
 * busy host that lcore is a thread like any other: descheduled for a few
 * milliseconds, it finds the packets that arrived meanwhile in its
 * af_packet ring and, stamping them on reading, makes their gaps vanish and
 * their delay grow. Measured with the RTP stream of tests/integration/
 * test_qoe_live.sh on two shared CPUs: read time minus the kernel's receive
 * time had a median of 0.06-7 ms and a maximum of 12-74 ms, and the
 * stream's RFC 3550 jitter came out up to 11 ms above what the same
 * interface's capture gave.
 *
 * The kernel writes each packet's receive time into its frame header in
 * the PACKET_RX_RING (struct tpacket2_hdr: tp_sec, tp_nsec; CLOCK_REALTIME
 * in nanoseconds). tcpdump on the same interface gets its timestamps the
 * same way: the very same value when the packet was stamped on entry, else
 * the clock read once per socket, a socket's delivery (microseconds) apart.
 * DPDK 22.11's net_af_packet copies the packet out and hands the frame
 * back without looking at it. So the manager reads the times itself,
 * before the burst: the frames marked TP_STATUS_USER from the queue's next
 * frame on are exactly the packets the next rte_eth_rx_burst returns, in
 * order, and they stay ours (the kernel does not write them) until that
 * burst releases them. Asking the burst for no more packets than were read
 * keeps the two in step.
 *
 * The ring is the PMD's: its position is in the PMD's private RX queue,
 * whose first fields afp_rxq_head mirrors (DPDK 22.11's struct
 * pkt_rx_queue in drivers/net/af_packet/rte_eth_af_packet.c).
 * afp_rxq_check() checks that mirror against facts the PMD cannot fake
 * by chance (its pool and port id, a TPACKET_V2 socket bound to the port's
 * interface, a ring of equal frames) and refuses otherwise: the port then
 * keeps the manager's clock and the manager says so at start.
 */
#ifndef ONVM_AFP_RX_TIME_H
#define ONVM_AFP_RX_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/if_packet.h>
#include <sys/uio.h>

/* The first fields of net_af_packet's RX queue (DPDK 22.11). */
struct afp_rxq_head {
	int sockfd;
	struct iovec *rd;        /* frame i starts at rd[i].iov_base */
	uint8_t *map;
	unsigned int framecount;
	unsigned int framenum;   /* the next frame the PMD reads */
	void *mb_pool;
	uint16_t in_port;
};

/*
 * The kernel's receive time (ns since the epoch) of each packet the next
 * rte_eth_rx_burst on this queue will return, at most `max`; returns how
 * many. Call it on the lcore that reads the queue, right before the burst,
 * and ask the burst for no more than the count.
 */
static inline uint16_t
afp_rx_times(const struct afp_rxq_head *q, uint64_t *ns, uint16_t max)
{
	unsigned int f = q->framenum, count = q->framecount;
	uint16_t n;

	for (n = 0; n < max; n++) {
		const struct tpacket2_hdr *h = (const struct tpacket2_hdr *)q->rd[f].iov_base;

		/* Acquire: the header is complete once the kernel hands it over. */
		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		ns[n] = (uint64_t)h->tp_sec * 1000000000u + h->tp_nsec;
		if (++f == count)
			f = 0;
	}
	return n;
}

/*
 * Whether q looks like net_af_packet's RX queue of `port`, filled from
 * `pool`, judged by its fields alone; on false *why says what did not fit.
 */
bool afp_rxq_plausible(const struct afp_rxq_head *q, uint16_t port, const void *pool,
		       const char **why);

/*
 * afp_rxq_plausible, and its socket is an AF_PACKET socket with TPACKET_V2
 * frames bound to interface `ifindex`. Call it once the port is started:
 * only then does the queue exist.
 */
bool afp_rxq_check(const struct afp_rxq_head *q, uint16_t port, const void *pool, int ifindex,
		   const char **why);

#endif /* ONVM_AFP_RX_TIME_H */
