/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DPDK secondary (an NF) can only use the object lists ("tailqs") that
 * the primary registered at start-up: an NF linking a library whose list
 * the manager lacks dies in rte_eal_init with "Cannot initialize tailq".
 * Each library registers its list from a constructor when it is loaded, and
 * the linker drops libraries nothing references; referencing one function
 * of each library NFs build on keeps them loaded here.
 */
#include <rte_acl.h>
#include <rte_fib.h>
#include <rte_hash.h>
#include <rte_lpm.h>
#include <rte_rib.h>

void *const onvm_mgr_tailq_anchors[] __attribute__((used)) = {
	(void *)rte_acl_create,  /* RTE_ACL: firewall */
	(void *)rte_fib_create,  /* RTE_FIB: router */
	(void *)rte_rib_create,  /* RTE_RIB: router (rte_fib's RIB) */
	(void *)rte_hash_create, /* RTE_HASH: load balancer, stateful NFs */
	(void *)rte_lpm_create,  /* RTE_LPM */
};
