/* SPDX-License-Identifier: BSD-3-Clause */
/* afp_rx_time: is this really net_af_packet's RX queue? (afp_rx_time.h) */
#include <linux/if_packet.h>
#include <sys/socket.h>

#include "afp_rx_time.h"

#define AFP_MAX_FRAMES (1u << 20)

bool
afp_rxq_plausible(const struct afp_rxq_head *q, uint16_t port, const void *pool,
		  const char **why)
{
	/* Plain fields first: only when they match is a pointer followed. */
	if (q == NULL) {
		*why = "no RX queue";
		return false;
	}
	if (q->mb_pool != pool || q->in_port != port) {
		*why = "the queue's layout is not DPDK 22.11's (pool or port id elsewhere)";
		return false;
	}
	if (q->framecount == 0 || q->framecount > AFP_MAX_FRAMES || q->framenum >= q->framecount ||
	    q->rd == NULL || q->map == NULL) {
		*why = "the queue's ring position is out of range";
		return false;
	}
	/* The PMD lays its frames out back to back from the start of its map. */
	if ((uint8_t *)q->rd[0].iov_base != q->map) {
		*why = "the ring's first frame is not at the start of its map";
		return false;
	}
	if (q->framecount == 1)
		return true;
	size_t stride = (size_t)((uint8_t *)q->rd[1].iov_base - q->map);
	if ((uint8_t *)q->rd[1].iov_base < q->map || stride < TPACKET2_HDRLEN) {
		*why = "the ring's frames are smaller than their header";
		return false;
	}
	for (unsigned int i = 2; i < q->framecount; i++) {
		if ((uint8_t *)q->rd[i].iov_base != q->map + i * stride) {
			*why = "the ring's frames are not evenly spaced";
			return false;
		}
	}
	return true;
}

bool
afp_rxq_check(const struct afp_rxq_head *q, uint16_t port, const void *pool, int ifindex,
	      const char **why)
{
	int v = 0;
	socklen_t len = sizeof(v);
	struct sockaddr_ll sll = { 0 };
	socklen_t sll_len = sizeof(sll);

	if (!afp_rxq_plausible(q, port, pool, why))
		return false;
	if (getsockopt(q->sockfd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 || v != AF_PACKET) {
		*why = "the queue's socket is not an AF_PACKET socket";
		return false;
	}
	len = sizeof(v);
	if (getsockopt(q->sockfd, SOL_PACKET, PACKET_VERSION, &v, &len) < 0 || v != TPACKET_V2) {
		*why = "the queue's socket does not use TPACKET_V2 frames";
		return false;
	}
	if (getsockname(q->sockfd, (struct sockaddr *)&sll, &sll_len) < 0 ||
	    sll.sll_ifindex != ifindex) {
		*why = "the queue's socket is not bound to the port's interface";
		return false;
	}
	return true;
}
