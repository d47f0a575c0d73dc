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
	__atomic_fetch_add(&s->wake_seq, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &s->wake_seq, FUTEX_WAKE, 1, NULL, NULL, 0);
}

#endif /* ONVM_NF_WAKE_H */
