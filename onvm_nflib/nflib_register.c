/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attaching to the manager's shared objects and the registration handshake:
 *
 *   1. take an flock() on a lock file of our own in the runtime directory:
 *      the manager watches it, and the kernel releases it however we die.
 *      Its name is random, not our pid: in a container's PID namespace two
 *      NFs can both be pid 2. The manager learns our pid from the kernel
 *      (who holds the lock), never from us;
 *   2. claim a free NF slot (CAS FREE -> CLAIMED) and describe ourselves;
 *   3. tell the manager on its message ring and wait for RUNNING/REJECTED.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_memzone.h>
#include <rte_pause.h>

#include "nflib_internal.h"

#define REGISTER_TIMEOUT_S 5

int
nflib_attach(struct onvm_nf_ctx *nf)
{
	const struct rte_memzone *mz = rte_memzone_lookup(ONVM_MZ_SHARED);

	if (mz == NULL)
		nflib_die("%s: the DPDK primary on this file prefix is not an onvm manager", nf->name);
	nf->shm = mz->addr;
	if (nf->shm->magic != ONVM_SHARED_MAGIC || nf->shm->abi_version != ONVM_ABI_VERSION)
		nflib_die("%s: manager speaks ABI %u, this NF was built for %u: rebuild one of them",
			  nf->name, nf->shm->abi_version, ONVM_ABI_VERSION);
	/* A manager still setting up its ports is worth waiting for. */
	for (int i = 0; i < 300 && nf->shm->mgr_state == ONVM_MGR_STARTING; i++)
		usleep(100 * 1000);
	if (nf->shm->mgr_state != ONVM_MGR_RUNNING)
		nflib_die("%s: the manager is not running (starting or shutting down)", nf->name);
	if (onvm_meta_lookup() < 0)
		nflib_die("%s: the manager registered no packet metadata field", nf->name);
	nf->pool = rte_mempool_lookup(ONVM_PKTMBUF_POOL);
	nf->msg_ring = rte_ring_lookup(ONVM_MSG_RING);
	if (nf->pool == NULL || nf->msg_ring == NULL)
		nflib_die("%s: cannot find the manager's packet pool or message ring", nf->name);
	/* DPDK numbers mempool drivers in the order each process loaded them. */
	if (strcmp(rte_mempool_get_ops(nf->pool->ops_index)->name, nf->shm->pool_ops) != 0)
		nflib_die("%s: the manager's packet pool uses mempool driver '%s', which this "
			  "process's DPDK numbers differently ('%s'): run NFs from the manager's "
			  "build (same DPDK, same -Ddpdk_link)", nf->name, nf->shm->pool_ops,
			  rte_mempool_get_ops(nf->pool->ops_index)->name);
	return 0;
}

static void
take_lock_file(struct onvm_nf_ctx *nf)
{
	uint64_t token;

	do {
		if (getrandom(&token, sizeof(token), 0) != sizeof(token))
			token = rte_get_tsc_cycles() ^ ((uint64_t)getpid() << 32);
		snprintf(nf->lock_path, sizeof(nf->lock_path), "%s/onvm_nf_%016" PRIx64 ".lock",
			 rte_eal_get_runtime_dir(), token);
		nf->lock_fd = open(nf->lock_path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	} while (nf->lock_fd < 0 && errno == EEXIST);
	if (nf->lock_fd < 0 || flock(nf->lock_fd, LOCK_EX) < 0)
		nflib_die("%s: cannot lock %s: %s", nf->name, nf->lock_path, strerror(errno));
	/* A POSIX lock on it too: the manager asks the kernel who holds it
	 * (F_GETLK, our pid as its PID namespace sees it) instead of reading
	 * every lock of the machine from /proc/locks (nf_lock.h). Only a
	 * shortcut: without it the manager still finds us. */
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	(void)fcntl(nf->lock_fd, F_SETLK, &fl);
}

/* Not admitted: the lock file is ours to remove (once admitted, the
 * manager removes it when it retires us). */
static void
drop_lock_file(struct onvm_nf_ctx *nf)
{
	unlink(nf->lock_path);
	close(nf->lock_fd);
	nf->lock_fd = -1;
}

static struct onvm_nf_slot *
claim_slot(struct onvm_nf_ctx *nf)
{
	for (uint16_t id = 1; id <= ONVM_MAX_NFS; id++) {
		struct onvm_nf_slot *s = &nf->shm->nfs[id];
		uint32_t expected = ONVM_NF_FREE;

		if (__atomic_compare_exchange_n(&s->state, &expected, ONVM_NF_CLAIMED, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return s;
	}
	return NULL;
}

static void
describe_request(struct onvm_nf_ctx *nf, struct onvm_nf_slot *s)
{
	unsigned long v;

	s->pid = 0; /* the manager fills it in from the kernel's view */
	s->claimed_tsc = rte_get_tsc_cycles();
	snprintf(s->name, sizeof(s->name), "%s", nf->name);
	snprintf(s->lock_path, sizeof(s->lock_path), "%s", nf->lock_path);
	s->reject_reason[0] = '\0';
	s->requested_service = 0;
	s->service_name[0] = '\0';
	if (nf->service_arg[0] != '\0' &&
	    onvm_arg_uint(nf->service_arg, 1, ONVM_MAX_SERVICES, &v) == 0)
		s->requested_service = (uint16_t)v;
	else
		snprintf(s->service_name, sizeof(s->service_name), "%s",
			 nf->service_arg[0] ? nf->service_arg : nf->name);
	s->instance = nf->instance_hint < 0 ? ONVM_INSTANCE_ANY : (uint16_t)nf->instance_hint;
	s->cpu = nf->cpu_given ? (uint32_t)sched_getcpu() : UINT32_MAX;
	s->ft_epoch_ms = nf->ft_epoch_ms;
	s->num_counters = 0;
	s->stop_asked = 0;
	memset(&s->nf_stats, 0, sizeof(s->nf_stats));
}

int
nflib_register(struct onvm_nf_ctx *nf)
{
	struct onvm_nf_slot *s;
	uint64_t deadline;

	take_lock_file(nf);
	s = claim_slot(nf);
	if (s == NULL) {
		drop_lock_file(nf);
		nflib_die("%s: all %d NF slots are in use", nf->name, ONVM_MAX_NFS);
	}
	nf->slot = s;
	describe_request(nf, s);
	if (rte_ring_mp_enqueue(nf->msg_ring, onvm_msg_encode(ONVM_MSG_NF_CLAIMED, s->id)) < 0) {
		drop_lock_file(nf);
		nf->slot = NULL; /* not ours any more: nothing to leave at exit */
		__atomic_store_n(&s->state, ONVM_NF_FREE, __ATOMIC_RELEASE);
		nflib_die("%s: the manager's message ring is full", nf->name);
	}

	deadline = rte_get_tsc_cycles() + REGISTER_TIMEOUT_S * rte_get_tsc_hz();
	for (;;) {
		uint32_t st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

		if (st == ONVM_NF_RUNNING)
			break;
		if (st == ONVM_NF_REJECTED) {
			char reason[sizeof(s->reject_reason)];

			memcpy(reason, s->reject_reason, sizeof(reason));
			drop_lock_file(nf);
			nf->slot = NULL;
			__atomic_store_n(&s->state, ONVM_NF_FREE, __ATOMIC_RELEASE);
			nflib_die("%s: the manager refused it: %s", nf->name, reason);
		}
		if (rte_get_tsc_cycles() > deadline)
			nflib_die("%s: the manager did not answer within %d s", nf->name,
				  REGISTER_TIMEOUT_S);
		usleep(1000);
	}
	nf->rx_ring = s->rx_ring;
	nf->tx_ring = s->tx_ring;
	return 0;
}

void
nflib_unregister(struct onvm_nf_ctx *nf)
{
	struct onvm_nf_slot *s = nf->slot;

	if (s == NULL)
		return;
	/* From here on the manager owns our rings and any packet left in them. */
	__atomic_store_n(&s->state, ONVM_NF_STOPPING, __ATOMIC_RELEASE);
	if (nf->shm->mgr_state != ONVM_MGR_STOPPING)
		rte_ring_mp_enqueue(nf->msg_ring, onvm_msg_encode(ONVM_MSG_NF_STOPPING, s->id));
	nf->slot = NULL;
}
