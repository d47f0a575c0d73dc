/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services.h"

void
svc_table_init(struct onvm_service *svcs, uint16_t max)
{
	memset(svcs, 0, sizeof(*svcs) * (max + 1u));
	for (uint16_t id = 0; id <= max; id++)
		svcs[id].id = id;
}

uint16_t
svc_find(const struct onvm_service *svcs, uint16_t max, const char *name)
{
	for (uint16_t id = 1; id <= max; id++)
		if (svcs[id].name[0] && strcmp(svcs[id].name, name) == 0)
			return id;
	return 0;
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int
svc_resolve(struct onvm_service *svcs, uint16_t max, const char *name_or_id, uint16_t *id,
	    const char **why)
{
	if (all_digits(name_or_id)) {
		unsigned long v = strtoul(name_or_id, NULL, 10);

		if (v < 1 || v > max) {
			*why = "service id out of range";
			return -1;
		}
		/* A number names whatever service has that id; it does not
		 * reserve the id against names, so `-d 1` (the default) and
		 * the first NF to start, by name, meet at service 1. */
		*id = (uint16_t)v;
		return 0;
	}
	if (strlen(name_or_id) >= sizeof(svcs[0].name)) {
		*why = "service name too long";
		return -1;
	}
	*id = svc_find(svcs, max, name_or_id);
	if (*id)
		return 0;
	for (uint16_t i = 1; i <= max; i++) {
		if (!(svcs[i].flags & ONVM_SVC_F_USED) && svcs[i].num_instances == 0) {
			snprintf(svcs[i].name, sizeof(svcs[i].name), "%s", name_or_id);
			svcs[i].flags |= ONVM_SVC_F_USED;
			*id = i;
			return 0;
		}
	}
	*why = "no free service id (raise -r)";
	return -1;
}

static bool
instance_taken(const struct onvm_service *s, uint16_t num)
{
	for (uint16_t i = 0; i < s->num_instances; i++)
		if (s->instance_nums[i] == num)
			return true;
	return false;
}

int
svc_add_instance(struct onvm_service *s, uint16_t nf_id, uint16_t want, uint16_t *instance_num)
{
	uint16_t n = s->num_instances;
	uint16_t num = 0;

	if (want != ONVM_INSTANCE_ANY && want >= ONVM_MAX_INSTANCES)
		return SVC_ERR_RANGE;
	if (n >= ONVM_MAX_INSTANCES)
		return SVC_ERR_FULL;
	if (want != ONVM_INSTANCE_ANY) {
		if (instance_taken(s, want))
			return SVC_ERR_TAKEN;
		num = want;
	} else {
		/* Lowest instance number not held by a running instance. */
		while (instance_taken(s, num))
			num++;
	}
	s->instances[n] = nf_id;
	s->instance_nums[n] = num;
	s->flags |= ONVM_SVC_F_USED;
	/* Publish the entry before the count that makes it visible. */
	__atomic_store_n(&s->num_instances, (uint16_t)(n + 1), __ATOMIC_RELEASE);
	*instance_num = num;
	return 0;
}

int
svc_replace_instance(struct onvm_service *s, uint16_t old_nf, uint16_t new_nf)
{
	for (uint16_t i = 0; i < s->num_instances; i++) {
		if (s->instances[i] != old_nf)
			continue;
		for (uint16_t b = 0; b < ONVM_BUCKETS; b++)
			if (s->bucket_nf[b] == old_nf)
				__atomic_store_n(&s->bucket_nf[b], new_nf, __ATOMIC_RELAXED);
		__atomic_store_n(&s->instances[i], new_nf, __ATOMIC_RELEASE);
		return 0;
	}
	return -1;
}

int
svc_remove_instance(struct onvm_service *s, uint16_t nf_id)
{
	uint16_t n = s->num_instances;

	for (uint16_t i = 0; i < n; i++) {
		if (s->instances[i] != nf_id)
			continue;
		/*
		 * Move the last entry into the hole, then shrink. A data lcore
		 * reading concurrently sees either the old or the new array,
		 * each naming NFs that exist; it still checks the NF's state
		 * before enqueueing, so a stale pick is dropped, not misrouted.
		 */
		s->instances[i] = s->instances[n - 1];
		s->instance_nums[i] = s->instance_nums[n - 1];
		__atomic_store_n(&s->num_instances, (uint16_t)(n - 1), __ATOMIC_RELEASE);
		return 0;
	}
	return -1;
}

/* ---- buckets ---- */

uint16_t
svc_bucket_count(const struct onvm_service *s, uint16_t nf_id)
{
	uint16_t n = 0;

	for (uint16_t b = 0; b < ONVM_BUCKETS; b++)
		n += s->bucket_nf[b] == nf_id;
	return n;
}

/*
 * Even shares, moving as few buckets as possible: every instance keeps
 * what it has up to its share (ONVM_BUCKETS / n, the first ONVM_BUCKETS % n
 * instances one more), and only the excess, and buckets owned by nobody
 * running, go to those below their share. Held buckets are left alone.
 */
void
svc_rebalance(struct onvm_service *s)
{
	uint16_t n = s->num_instances, count[ONVM_MAX_INSTANCES] = { 0 };
	uint16_t quota[ONVM_MAX_INSTANCES];
	bool spare[ONVM_BUCKETS];

	if (n == 0) {
		for (uint16_t b = 0; b < ONVM_BUCKETS; b++)
			if (s->bucket_nf[b] != ONVM_BUCKET_HELD)
				__atomic_store_n(&s->bucket_nf[b], 0, __ATOMIC_RELAXED);
		return;
	}
	for (uint16_t i = 0; i < n; i++)
		quota[i] = (uint16_t)(ONVM_BUCKETS / n + (i < ONVM_BUCKETS % n));
	for (uint16_t b = 0; b < ONVM_BUCKETS; b++) {
		uint16_t owner = s->bucket_nf[b], i = 0;

		spare[b] = false;
		if (owner == ONVM_BUCKET_HELD)
			continue;
		while (i < n && s->instances[i] != owner)
			i++;
		if (i < n && count[i] < quota[i])
			count[i]++;
		else
			spare[b] = true;
	}
	for (uint16_t b = 0, i = 0; b < ONVM_BUCKETS; b++) {
		if (!spare[b])
			continue;
		while (i < n && count[i] >= quota[i])
			i++;
		if (i == n)
			break; /* cannot happen: the quotas add up to ONVM_BUCKETS */
		count[i]++;
		__atomic_store_n(&s->bucket_nf[b], s->instances[i], __ATOMIC_RELAXED);
	}
}

void
svc_give_orphans(struct onvm_service *s, uint16_t gone_nf)
{
	uint16_t n = s->num_instances, next = 0;

	for (uint16_t b = 0; b < ONVM_BUCKETS; b++) {
		if (s->bucket_nf[b] != gone_nf)
			continue;
		/* Round robin over who is left: an even spread of the orphans. */
		__atomic_store_n(&s->bucket_nf[b], n ? s->instances[next++ % n] : 0,
				 __ATOMIC_RELAXED);
	}
}
