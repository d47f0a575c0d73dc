/* SPDX-License-Identifier: BSD-3-Clause */
/* The forwarding state and its one publisher (fwd.h). */
#include <pthread.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "fwd.h"
#include "mgr.h"

static struct fwd_state *volatile current;
static pthread_mutex_t publish_lock = PTHREAD_MUTEX_INITIALIZER;

const struct fwd_state *
fwd_current(void)
{
	return __atomic_load_n(&current, __ATOMIC_ACQUIRE);
}

struct fwd_state *
fwd_publish(struct mgr *m, struct fwd_state *next)
{
	struct fwd_state *old;

	pthread_mutex_lock(&publish_lock);
	old = current;
	__atomic_store_n(&current, next, __ATOMIC_SEQ_CST);
	mgr_quiesce(m); /* no data lcore still uses the old state */
	if (m->num_data == 0 && rte_lcore_id() != rte_get_main_lcore()) {
		/* One lcore: the main thread runs the data path between its
		 * control ticks (where it may itself wait for this thread's
		 * lock, so a wait must not depend on its next iteration). It
		 * holds the old state only inside an iteration: wait for that
		 * one to end. The seq-cst store above and load below pair with
		 * main.c's, so either it saw `next` or we see it inside. */
		uint64_t seen = __atomic_load_n(&m->inline_data.epoch, __ATOMIC_ACQUIRE);

		while (__atomic_load_n(&m->inline_data.in_iteration, __ATOMIC_SEQ_CST) &&
		       __atomic_load_n(&m->inline_data.epoch, __ATOMIC_ACQUIRE) == seen)
			rte_delay_us_sleep(10);
	}
	pthread_mutex_unlock(&publish_lock);
	return old;
}

struct fwd_state *
fwd_take_last(void)
{
	return __atomic_exchange_n(&current, NULL, __ATOMIC_ACQ_REL);
}
