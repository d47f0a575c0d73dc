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
