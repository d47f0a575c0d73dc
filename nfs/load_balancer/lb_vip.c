/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_vip.h"

static uint32_t
vip_hash(uint32_t ip, uint8_t proto, uint16_t port)
{
	uint64_t k = ((uint64_t)ip << 24) ^ ((uint64_t)port << 8) ^ proto;

	return (uint32_t)((k * 0x9e3779b97f4a7c15ull) >> 32);
}

int
lb_vips_build(struct lb_vips *v, const struct lb_config *cfg)
{
	memset(v, 0, sizeof(*v));
	v->n = cfg->n_services;
	v->mask = 15;
	while (v->mask + 1 < 2 * v->n)
		v->mask = v->mask * 2 + 1;
	v->svc = calloc(v->n ? v->n : 1, sizeof(*v->svc));
	v->index = malloc(sizeof(*v->index) * (v->mask + 1));
	if (v->svc == NULL || v->index == NULL)
		goto fail;
	memset(v->index, 0xff, sizeof(*v->index) * (v->mask + 1));

	for (uint32_t i = 0; i < v->n; i++) {
		const struct lb_service *s = &cfg->services[i];
		struct lb_vip_svc *d = &v->svc[i];
		char (*names)[24] = calloc(s->n_backends, sizeof(*names));
		const char **ptrs = calloc(s->n_backends, sizeof(*ptrs));
		int rc = -1;

		memcpy(d->name, s->name, sizeof(d->name));
		d->vip = s->vip;
		d->port = s->port;
		d->proto = s->proto;
		d->n_backends = s->n_backends;
		d->backends = malloc(sizeof(*d->backends) * s->n_backends);
		d->backend_conns = calloc(s->n_backends, sizeof(*d->backend_conns));
		if (names != NULL && ptrs != NULL && d->backends != NULL && d->backend_conns != NULL) {
			memcpy(d->backends, s->backends, sizeof(*d->backends) * s->n_backends);
			/* A backend is named by its address, so its slots follow it
			 * wherever it sits in the list across reloads. */
			for (uint16_t b = 0; b < s->n_backends; b++) {
				uint32_t ip = s->backends[b].ip;

				snprintf(names[b], sizeof(names[b]), "%u.%u.%u.%u:%u", ip >> 24,
					 (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff,
					 s->backends[b].port);
				ptrs[b] = names[b];
			}
			rc = lb_maglev_build(&d->maglev, cfg->table_size, ptrs, s->n_backends);
		}
		free(names);
		free(ptrs);
		if (rc < 0)
			goto fail;

		uint32_t slot = vip_hash(s->vip, s->proto, s->port) & v->mask;

		while (v->index[slot] >= 0)
			slot = (slot + 1) & v->mask;
		v->index[slot] = (int32_t)i;
	}
	return 0;
fail:
	lb_vips_free(v);
	return -1;
}

void
lb_vips_free(struct lb_vips *v)
{
	for (uint32_t i = 0; i < v->n && v->svc != NULL; i++) {
		free(v->svc[i].backends);
		free(v->svc[i].backend_conns);
		lb_maglev_free(&v->svc[i].maglev);
	}
	free(v->svc);
	free(v->index);
	memset(v, 0, sizeof(*v));
}

struct lb_vip_svc *
lb_vips_find(const struct lb_vips *v, uint32_t ip, uint8_t proto, uint16_t port)
{
	uint32_t slot = vip_hash(ip, proto, port) & v->mask;

	/* The index is at least half empty, so a probe ends quickly. */
	for (int32_t i; (i = v->index[slot]) >= 0; slot = (slot + 1) & v->mask) {
		struct lb_vip_svc *s = &v->svc[i];

		if (s->vip == ip && s->port == port && s->proto == proto)
			return s;
	}
	return NULL;
}

bool
lb_vips_is_vip(const struct lb_vips *v, uint32_t ip)
{
	for (uint32_t i = 0; i < v->n; i++)
		if (v->svc[i].vip == ip)
			return true;
	return false;
}
