/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which chain a packet entering the platform takes. Until chains are loaded
 * from JSON, every packet takes chain 0, the default chain: the default
 * service (-d), then out of the port paired with the one it came in on.
 */
#include <stdio.h>
#include <string.h>

#include "mgr.h"

int
mgr_chains_init(struct mgr *m)
{
	const char *dflt = m->cfg.default_service[0] ? m->cfg.default_service : "1";
	struct onvm_chain_table *t = &m->shm->chain_gens[0];
	struct onvm_chain *c = &t->chains[0];
	char why[128];
	uint16_t svc;

	if (nf_registry_resolve_service(m, dflt, &svc, why, sizeof(why)) < 0) {
		fprintf(stderr, "onvm_mgr: -d: %s\n", why);
		return -1;
	}
	m->shm->default_service = svc;
	snprintf(c->name, sizeof(c->name), "default");
	c->num_hops = 1;
	c->hops[0] = svc;
	c->out_port = ONVM_PORT_PAIRED;
	c->priority = -1;
	t->num_chains = 1;
	m->shm->chain_gens[1] = *t;
	m->shm->active_gen = 0;
	return 0;
}

uint16_t
mgr_classify(struct mgr *m, struct rte_mbuf *pkt, uint16_t port, uint32_t gen)
{
	return m->shm->default_service ? 0 : MGR_NO_CHAIN;
}
