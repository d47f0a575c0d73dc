/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * onvm_spsc between two threads: the producer sends 1, 2, 3, ... in bursts
 * of random sizes, the consumer takes bursts of other random sizes and
 * checks that every number arrives once and in order. A small ring keeps
 * both sides at full and empty, and the indices start near 2^32 so that
 * they wrap during the run. Built with -fsanitize=thread (meson.build):
 * ThreadSanitizer then reports any access the ring's acquire/release
 * pairs do not order.
 *
 *   stress_spsc [ELEMENTS]   (default 2,000,000); exit 0 when all arrived
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "onvm_spsc.h"

enum { RING = 64, MAX_BURST = 48 };

static struct onvm_spsc *ring;
static uint64_t total;

static void *
producer(void *arg)
{
	unsigned int seed = 1;
	uint64_t buf[MAX_BURST], next = 1;

	(void)arg;
	while (next <= total) {
		unsigned int n = (unsigned int)rand_r(&seed) % MAX_BURST + 1;

		if (n > total - next + 1)
			n = (unsigned int)(total - next + 1);
		for (unsigned int i = 0; i < n; i++)
			buf[i] = next + i;
		unsigned int done = 0;

		while (done < n)
			done += onvm_spsc_enqueue_burst(ring, buf + done, n - done);
		next += n;
	}
	return NULL;
}

static void *
consumer(void *arg)
{
	unsigned int seed = 2;
	uint64_t buf[MAX_BURST], expect = 1;
	uint64_t *bad = arg;

	while (expect <= total) {
		unsigned int n = (unsigned int)rand_r(&seed) % MAX_BURST + 1;
		unsigned int got = onvm_spsc_dequeue_burst(ring, buf, n);

		for (unsigned int i = 0; i < got; i++, expect++)
			if (buf[i] != expect && (*bad)++ < 5)
				fprintf(stderr, "stress_spsc: got %lu, expected %lu\n",
					(unsigned long)buf[i], (unsigned long)expect);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t p, c;
	uint64_t bad = 0;
	uint32_t start = UINT32_MAX - 100000;

	total = argc > 1 ? strtoull(argv[1], NULL, 0) : 2000000;
	ring = aligned_alloc(ONVM_SPSC_LINE, onvm_spsc_memsize(RING));
	if (ring == NULL || onvm_spsc_init(ring, RING) != 0)
		return 2;
	ring->prod.head = ring->prod.tail_seen = start;
	ring->cons.tail = ring->cons.head_seen = start;
	ring->head = ring->tail = start;
	if (pthread_create(&c, NULL, consumer, &bad) != 0 ||
	    pthread_create(&p, NULL, producer, NULL) != 0)
		return 2;
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	printf("stress_spsc: %lu elements through a %d-slot ring, %lu out of order or lost\n",
	       (unsigned long)total, RING, (unsigned long)bad);
	bool drained = onvm_spsc_count(ring) == 0;

	free(ring);
	return bad == 0 && drained ? 0 : 1;
}
