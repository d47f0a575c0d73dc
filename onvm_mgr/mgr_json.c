/* SPDX-License-Identifier: BSD-3-Clause */
/* What the manager shows of itself, as JSON (mgr_json.h). */
#include <stdlib.h>
#include <string.h>

#include "mgr.h"
#include "mgr_json.h"
#include "scale.h"
#include "services.h"

/* json_integer takes a signed 64-bit value; counters stay below 2^63. */
static int
set_u64(json_t *o, const char *key, uint64_t v)
{
	return json_object_set_new(o, key, json_integer((json_int_t)v));
}

static json_t *
nf_json(struct mgr *m, uint16_t id, const struct onvm_nf_slot *s)
{
	json_t *o = json_object(), *named = json_object();
	const struct onvm_nf_counters *c = &s->nf_stats;
	const struct onvm_nf_mgr_counters *mc = &s->mgr_stats;
	char buf[8];

	if (o == NULL || named == NULL) {
		json_decref(o);
		json_decref(named);
		return NULL;
	}
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "name", json_stringn(s->name, strnlen(s->name, ONVM_NAME_LEN)));
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "service", json_integer(s->service_id));
	json_object_set_new(o, "service_name",
			    json_string(mgr_service_label(m, s->service_id, buf, sizeof(buf))));
	json_object_set_new(o, "instance", json_integer(s->instance));
	json_object_set_new(o, "state", json_string(mgr_nf_state_name(s->state)));
	json_object_set_new(o, "ready", json_boolean(s->ready));
	json_object_set_new(o, "cpu", json_integer((int)s->cpu));
	set_u64(o, "rx", c->rx);
	set_u64(o, "tx", c->tx);
	set_u64(o, "act_drop", c->act_drop);
	set_u64(o, "act_next", c->act_next);
	set_u64(o, "act_tonf", c->act_tonf);
	set_u64(o, "act_out", c->act_out);
	set_u64(o, "tx_wait", c->tx_wait);
	set_u64(o, "wakeups", c->wakeups);
	set_u64(o, "enqueued", mc->enqueued);
	set_u64(o, "entry_drop", mc->enq_drop);
	set_u64(o, "dequeued", mc->dequeued);
	set_u64(o, "reclaimed", mc->reclaimed);
	/* What the rings hold now: with enqueued, rx, tx and dequeued, where
	 * every packet given to the NF is. */
	set_u64(o, "rx_ring", rte_ring_count(s->rx_ring));
	set_u64(o, "tx_ring", rte_ring_count(s->tx_ring));
	for (uint32_t k = 0; k < s->num_counters && k < ONVM_NF_MAX_COUNTERS; k++) {
		char name[sizeof(s->counters[k].name) + 1];

		/* The NF writes its names: never trust them to end. */
		memcpy(name, s->counters[k].name, sizeof(s->counters[k].name));
		name[sizeof(name) - 1] = '\0';
		set_u64(named, name, s->counters[k].value);
	}
	json_object_set_new(o, "counters", named);
	return o;
}

json_t *
mgr_json_nfs(struct mgr *m, uint16_t first, uint16_t last, bool running_only)
{
	json_t *list = json_array();

	if (list == NULL)
		return NULL;
	mgr_stats_collect(m);
	for (uint32_t id = RTE_MAX(first, 1); id <= last && id <= ONVM_MAX_NFS; id++) {
		const struct onvm_nf_slot *s = &m->shm->nfs[id];
		uint32_t st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

		if (st == ONVM_NF_FREE || (running_only && st != ONVM_NF_RUNNING))
			continue;
		if (json_array_append_new(list, nf_json(m, (uint16_t)id, s)) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

json_t *
mgr_json_services(struct mgr *m)
{
	json_t *list = json_array();

	for (uint16_t id = 1; list && id <= m->cfg.num_services && id <= ONVM_MAX_SERVICES; id++) {
		const struct onvm_service *s = &m->shm->services[id];
		uint16_t n = __atomic_load_n(&s->num_instances, __ATOMIC_ACQUIRE);
		json_t *nfs = json_array(), *o;

		if (!(s->flags & ONVM_SVC_F_USED)) {
			json_decref(nfs);
			continue;
		}
		json_t *nums = json_array(), *buckets = json_array();

		for (uint16_t i = 0; nfs && nums && buckets && i < n && i < ONVM_MAX_INSTANCES; i++) {
			json_array_append_new(nfs, json_integer(s->instances[i]));
			json_array_append_new(nums, json_integer(s->instance_nums[i]));
			/* Each NF's share of the flow-hash buckets (a move
			 * changes them; held ones are counted for nobody). */
			json_array_append_new(buckets,
					      json_integer(svc_bucket_count(s, s->instances[i])));
		}
		json_t *as = autoscale_json(id);

		o = json_pack("{s:i, s:s%, s:i, s:o*, s:o*, s:o*, s:b, s:o}", "id", id, "name",
			      s->name, strnlen(s->name, ONVM_NAME_LEN), "instances", n, "nfs", nfs,
			      "instance_nums", nums, "buckets", buckets, "stateful",
			      (s->flags & ONVM_SVC_F_STATEFUL) != 0, "autoscale",
			      as ? as : json_null());
		if (json_array_append_new(list, o) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

static json_t *
chain_json(struct mgr *m, uint32_t gen, uint32_t id, const struct mgr_chain_counters *tot)
{
	const struct onvm_chain *c = &m->shm->chain_gens[gen].chains[id];
	json_t *o = json_object(), *hops = json_array(), *ids = json_array(), *drops = json_object();
	char name[ONVM_NAME_LEN + 1], buf[8];

	if (o == NULL || hops == NULL || ids == NULL || drops == NULL) {
		json_decref(o);
		json_decref(hops);
		json_decref(ids);
		json_decref(drops);
		return NULL;
	}
	memcpy(name, c->name, ONVM_NAME_LEN);
	name[ONVM_NAME_LEN] = '\0';
	for (uint16_t h = 0; h < c->num_hops && h < ONVM_MAX_HOPS; h++) {
		json_array_append_new(hops, json_string(mgr_service_label(m, c->hops[h], buf,
									  sizeof(buf))));
		json_array_append_new(ids, json_integer(c->hops[h]));
	}
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "priority", json_integer(c->priority));
	json_object_set_new(o, "hops", hops);
	json_object_set_new(o, "hop_ids", ids);
	if (c->out_port == ONVM_PORT_PAIRED)
		json_object_set_new(o, "out_port", json_string("paired"));
	else if (c->out_port == ONVM_PORT_NONE)
		json_object_set_new(o, "out_port", json_null());
	else
		json_object_set_new(o, "out_port", json_integer(c->out_port));
	json_object_set_new(o, "generation", json_integer(gen));
	for (unsigned int k = 0; k < MGR_CHAIN_N_COUNTERS; k++)
		set_u64(o, mgr_chain_counter_names[k], tot->c[k]);
	for (unsigned int k = 0; k < MGR_CHAIN_N_DROPS; k++)
		set_u64(drops, mgr_chain_drop_name(k), tot->drops[k]);
	json_object_set_new(o, "drops", drops);
	return o;
}

json_t *
mgr_json_chains(struct mgr *m, uint32_t first, uint32_t last)
{
	struct mgr_chain_counters *tot = calloc(ONVM_MAX_CHAINS, sizeof(*tot));
	json_t *list = json_array();
	uint32_t gen, n;

	if (tot == NULL || list == NULL) {
		free(tot);
		json_decref(list);
		return NULL;
	}
	n = mgr_stats_chains(m, &gen, tot, ONVM_MAX_CHAINS);
	for (uint32_t id = first; id <= last && id < n; id++) {
		if (json_array_append_new(list, chain_json(m, gen, id, &tot[id])) < 0) {
			json_decref(list);
			list = NULL;
			break;
		}
	}
	free(tot);
	return list;
}
