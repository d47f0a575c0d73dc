/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * onvm_spsc: a single-producer, single-consumer ring of 8-byte elements
 * (a packet pointer with a tag, as the NF rings carry), built to move as
 * few cache lines between the two cores as it can.
 *
 * rte_ring in SP/SC mode reads the other side's index on every burst: the
 * producer the consumer's tail, the consumer the producer's tail. Each such
 * read is a cache line that the other core wrote since, i.e. a round trip
 * between the cores (about 1,000 cycles on the VMs measured in
 * docs/benchmarking.md), on top of the slot lines themselves. Here, as in
 * FastForward (Giacomoni et al., PPoPP 2008), MCRingBuffer (Lee et al.,
 * ANCS 2009) and B-Queue (Wang et al., 2013):
 *
 *   - each side keeps the other's index as it last read it (tail_seen,
 *     head_seen) on its own cache line, and reads the real one only when
 *     the cached view cannot satisfy the burst: a producer far from full
 *     never reads the consumer's line, a consumer with a backlog never
 *     reads the producer's;
 *   - indices are published once per burst (store-release), so the
 *     consumer sees whole bursts, and its slot lines were filled before it
 *     could see them.
 *
 * The published head and tail sit on lines of their own, and neither side's
 * private state shares a line with anything the other side writes.
 *
 * Pure C11-style atomics (GCC __atomic builtins), no DPDK: it lives in
 * shared memory like any other struct (no pointers inside), and the unit
 * tests and the ThreadSanitizer stress test build without EAL.
 *
 * Indices are free-running uint32_t; size is a power of two and every slot
 * is usable (head - tail == size is full).
 */
#ifndef ONVM_SPSC_H
#define ONVM_SPSC_H

#include <stddef.h>
#include <stdint.h>

#define ONVM_SPSC_LINE 64

struct onvm_spsc {
	/* Read-only after init: both sides read it, nobody writes. */
	uint32_t size;
	uint32_t mask;
	/* The producer's own line. */
	struct {
		uint32_t head;      /* next slot to fill */
		uint32_t tail_seen; /* the consumer's published tail, as last read */
	} prod __attribute__((aligned(ONVM_SPSC_LINE)));
	/* The consumer's own line. */
	struct {
		uint32_t tail;      /* next slot to read */
		uint32_t head_seen; /* the producer's published head, as last read */
	} cons __attribute__((aligned(ONVM_SPSC_LINE)));
	/* Published by the producer: every slot below it is filled. */
	uint32_t head __attribute__((aligned(ONVM_SPSC_LINE)));
	/* Published by the consumer: every slot below it may be reused. */
	uint32_t tail __attribute__((aligned(ONVM_SPSC_LINE)));
	uint64_t slots[] __attribute__((aligned(ONVM_SPSC_LINE)));
};

/* Bytes a ring of `size` slots needs (size a power of two). */
static inline size_t
onvm_spsc_memsize(uint32_t size)
{
	return sizeof(struct onvm_spsc) + (size_t)size * sizeof(uint64_t);
}

/* 0, or -1 when size is not a power of two of at least 2. */
static inline int
onvm_spsc_init(struct onvm_spsc *r, uint32_t size)
{
	if (size < 2 || (size & (size - 1)) != 0)
		return -1;
	r->size = size;
	r->mask = size - 1;
	r->prod.head = r->prod.tail_seen = 0;
	r->cons.tail = r->cons.head_seen = 0;
	__atomic_store_n(&r->head, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->tail, 0, __ATOMIC_RELAXED);
	return 0;
}

/* Producer only: enqueue up to n elements, as many as fit; returns how many. */
static inline unsigned int
onvm_spsc_enqueue_burst(struct onvm_spsc *r, const uint64_t *objs, unsigned int n)
{
	uint32_t head = r->prod.head;
	uint32_t room = r->size - (head - r->prod.tail_seen);

	if (room < n) {
		/* Acquire: the consumer's reads of those slots are done
		 * before they are overwritten. */
		r->prod.tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		room = r->size - (head - r->prod.tail_seen);
		if (room < n)
			n = room;
	}
	if (n == 0)
		return 0;
	uint32_t at = head & r->mask, first = r->size - at;

	if (first > n)
		first = n;
	for (uint32_t i = 0; i < first; i++)
		r->slots[at + i] = objs[i];
	for (uint32_t i = first; i < n; i++)
		r->slots[i - first] = objs[i];
	r->prod.head = head + n;
	/* Release: the slots are written before the consumer can see them. */
	__atomic_store_n(&r->head, head + n, __ATOMIC_RELEASE);
	return n;
}

/* Consumer only: dequeue up to n elements, as many as there are. */
static inline unsigned int
onvm_spsc_dequeue_burst(struct onvm_spsc *r, uint64_t *objs, unsigned int n)
{
	uint32_t tail = r->cons.tail;
	uint32_t avail = r->cons.head_seen - tail;

	if (avail < n) {
		/* Acquire: the slots below head are written. */
		r->cons.head_seen = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		avail = r->cons.head_seen - tail;
		if (avail < n)
			n = avail;
	}
	if (n == 0)
		return 0;
	uint32_t at = tail & r->mask, first = r->size - at;

	if (first > n)
		first = n;
	for (uint32_t i = 0; i < first; i++)
		objs[i] = r->slots[at + i];
	for (uint32_t i = first; i < n; i++)
		objs[i] = r->slots[i - first];
	r->cons.tail = tail + n;
	/* Release: the slots are read before the producer may refill them. */
	__atomic_store_n(&r->tail, tail + n, __ATOMIC_RELEASE);
	return n;
}

/* Producer only: free slots, at least `want` if that many are free (the
 * consumer's index is read only when the cached view shows fewer). */
static inline uint32_t
onvm_spsc_room(struct onvm_spsc *r, uint32_t want)
{
	uint32_t room = r->size - (r->prod.head - r->prod.tail_seen);

	if (room < want) {
		r->prod.tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		room = r->size - (r->prod.head - r->prod.tail_seen);
	}
	return room;
}

/* Elements in the ring as either side could see them now (for stats and
 * tests; costs a read of both published lines). */
static inline uint32_t
onvm_spsc_count(const struct onvm_spsc *r)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) - tail;
}

#endif /* ONVM_SPSC_H */
