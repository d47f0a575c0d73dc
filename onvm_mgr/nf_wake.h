/* SPDX-License-Identifier: BSD-3-Clause */
/* Waking an NF that sleeps in shared-core mode (see nflib_run.c). */
#ifndef ONVM_NF_WAKE_H
#define ONVM_NF_WAKE_H

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "onvm_common.h"

static inline void
nf_wake(struct onvm_nf_slot *s)
{
	/* Pairs with the NF's store to `sleeping` + ring re-check: our ring
	 * enqueue must be visible before we read `sleeping`. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->sleeping, __ATOMIC_RELAXED) == 0)
		return;
	/* One wake-up per sleep: a woken NF may wait a while for its CPU
	 * (another NF on it runs), and a syscall on every burst enqueued
	 * meanwhile would cost the data lcore more than the packets do. */
	if (__atomic_exchange_n(&s->sleeping, 0, __ATOMIC_ACQ_REL) == 0)
		return;
	__atomic_fetch_add(&s->wake_seq, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &s->wake_seq, FUTEX_WAKE, 1, NULL, NULL, 0);
}

#endif /* ONVM_NF_WAKE_H */
