/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel's receive times read from an af_packet RX ring: from the
 * PMD's next frame on, in ring order across the wrap, up to the first
 * frame still the kernel's; the queue checks that refuse a layout or a
 * socket that is not net_af_packet's; and, with CAP_NET_RAW, a real
 * TPACKET_V2 ring on the loopback interface. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "afp_rx_time.h"

#define FRAMES 8
#define FRAME_SIZE 128

static uint8_t ring[FRAMES * FRAME_SIZE] __attribute__((aligned(64)));
static struct iovec rd[FRAMES];
static int pool_stand_in;

static struct tpacket2_hdr *
frame(unsigned int i)
{
	return (struct tpacket2_hdr *)(ring + i * FRAME_SIZE);
}

/* A ring as the PMD leaves it: every frame the kernel's, next read at `next`. */
static struct afp_rxq_head
fake_queue(unsigned int next)
{
	memset(ring, 0, sizeof(ring));
	for (unsigned int i = 0; i < FRAMES; i++)
		rd[i].iov_base = ring + i * FRAME_SIZE;
	return (struct afp_rxq_head){ .sockfd = -1, .rd = rd, .map = ring, .framecount = FRAMES,
				      .framenum = next, .mb_pool = &pool_stand_in, .in_port = 3 };
}

static void
deliver(unsigned int i, uint32_t sec, uint32_t nsec)
{
	frame(i)->tp_sec = sec;
	frame(i)->tp_nsec = nsec;
	frame(i)->tp_status = TP_STATUS_USER | TP_STATUS_TS_SOFTWARE;
}

static void
test_times_in_ring_order_across_the_wrap(void **state)
{
	struct afp_rxq_head q = fake_queue(6);
	uint64_t ns[FRAMES];

	(void)state;
	deliver(6, 1700000000, 999999999);
	deliver(7, 1700000001, 5);
	deliver(0, 1700000001, 20000000);
	deliver(2, 1700000002, 0); /* after a frame still the kernel's: not this burst's */
	assert_int_equal(afp_rx_times(&q, ns, FRAMES), 3);
	assert_true(ns[0] == 1700000000999999999ULL);
	assert_true(ns[1] == 1700000001000000005ULL);
	assert_true(ns[2] == 1700000001020000000ULL);
	/* The ring is not changed: the burst still finds the three frames. */
	assert_true(frame(6)->tp_status & TP_STATUS_USER);
}

static void
test_no_more_than_asked(void **state)
{
	struct afp_rxq_head q = fake_queue(0);
	uint64_t ns[FRAMES];

	(void)state;
	for (unsigned int i = 0; i < FRAMES; i++)
		deliver(i, 10, i);
	assert_int_equal(afp_rx_times(&q, ns, 5), 5);
	assert_true(ns[4] == 10000000004ULL);
	/* A full ring: all of it, once round. */
	assert_int_equal(afp_rx_times(&q, ns, FRAMES), FRAMES);
	assert_int_equal(afp_rx_times(&q, ns, 0), 0);
}

static void
test_empty_ring(void **state)
{
	struct afp_rxq_head q = fake_queue(4);
	uint64_t ns[FRAMES];

	(void)state;
	assert_int_equal(afp_rx_times(&q, ns, FRAMES), 0);
}

static void
test_plausible_layout(void **state)
{
	struct afp_rxq_head q = fake_queue(2);
	const char *why = NULL;
	int other_pool;

	(void)state;
	assert_true(afp_rxq_plausible(&q, 3, &pool_stand_in, &why));
	assert_false(afp_rxq_plausible(NULL, 3, &pool_stand_in, &why));
	assert_false(afp_rxq_plausible(&q, 4, &pool_stand_in, &why));
	assert_non_null(strstr(why, "layout"));
	assert_false(afp_rxq_plausible(&q, 3, &other_pool, &why));

	q.framenum = FRAMES;
	assert_false(afp_rxq_plausible(&q, 3, &pool_stand_in, &why));
	assert_non_null(strstr(why, "position"));

	q = fake_queue(0);
	rd[5].iov_base = ring + 5 * FRAME_SIZE + 8;
	assert_false(afp_rxq_plausible(&q, 3, &pool_stand_in, &why));
	assert_non_null(strstr(why, "evenly"));

	q = fake_queue(0);
	q.map = ring + FRAME_SIZE;
	assert_false(afp_rxq_plausible(&q, 3, &pool_stand_in, &why));

	q = fake_queue(0);
	for (unsigned int i = 0; i < FRAMES; i++)
		rd[i].iov_base = ring + i * 16; /* smaller than a frame header */
	assert_false(afp_rxq_plausible(&q, 3, &pool_stand_in, &why));
}

static void
test_socket_must_be_af_packet(void **state)
{
	struct afp_rxq_head q = fake_queue(0);
	const char *why = NULL;

	(void)state;
	q.sockfd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(q.sockfd >= 0);
	assert_false(afp_rxq_check(&q, 3, &pool_stand_in, 1, &why));
	assert_non_null(strstr(why, "AF_PACKET"));
	close(q.sockfd);
}

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A TPACKET_V2 RX ring on lo, set up as net_af_packet sets up its own:
 * the check accepts it, and a frame sent on lo shows up with a receive
 * time between just before the send and just after it was seen. */
static void
test_real_ring_on_loopback(void **state)
{
	struct tpacket_req req = { .tp_block_size = 4096, .tp_block_nr = 4,
				   .tp_frame_size = 2048, .tp_frame_nr = 8 };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	int v = TPACKET_V2;
	unsigned int lo = if_nametoindex("lo");
	const char *why = NULL;

	(void)state;
	if (fd < 0 || lo == 0) {
		skip(); /* no CAP_NET_RAW here */
		return;
	}
	assert_int_equal(setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)), 0);
	assert_int_equal(setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)), 0);
	size_t size = (size_t)req.tp_block_size * req.tp_block_nr;
	uint8_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	struct iovec frames[8];
	for (unsigned int i = 0; i < 8; i++)
		frames[i].iov_base = map + i * req.tp_frame_size;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)lo };
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	struct afp_rxq_head q = { .sockfd = fd, .rd = frames, .map = map, .framecount = 8,
				  .framenum = 0, .mb_pool = &pool_stand_in, .in_port = 0 };

	assert_true(afp_rxq_check(&q, 0, &pool_stand_in, (int)lo, &why));
	assert_false(afp_rxq_check(&q, 0, &pool_stand_in, (int)lo + 1000, &why));
	assert_non_null(strstr(why, "interface"));

	/* An Ethernet frame of a protocol nobody speaks, sent on lo. */
	uint8_t pkt[60] = { 0 };
	pkt[12] = 0x88;
	pkt[13] = 0xb5; /* local experimental ethertype */
	uint64_t before = realtime_ns();
	assert_int_equal(sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sll, sizeof(sll)),
			 (ssize_t)sizeof(pkt));
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t ns[8];
	uint16_t n = 0;
	for (int tries = 0; tries < 100 && n == 0; tries++) {
		poll(&p, 1, 10);
		n = afp_rx_times(&q, ns, 8);
	}
	uint64_t after = realtime_ns();
	assert_true(n >= 1);
	assert_true(ns[0] >= before && ns[0] <= after);
	munmap(map, size);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times_in_ring_order_across_the_wrap),
		cmocka_unit_test(test_no_more_than_asked),
		cmocka_unit_test(test_empty_ring),
		cmocka_unit_test(test_plausible_layout),
		cmocka_unit_test(test_socket_must_be_af_packet),
		cmocka_unit_test(test_real_ring_on_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
