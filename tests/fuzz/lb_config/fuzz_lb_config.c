/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the load balancer's service file
 * (nfs/load_balancer/lb_config.c) and what is compiled from it: the VIP
 * index and each service's Maglev table (lb_vip.c, lb_maglev.c).
 *
 * Aborts when a refusal does not read "fuzz:LINE: reason", when an
 * accepted file breaks what the loader promises (1..LB_MAX_BACKENDS
 * backends a service, a prime table larger than every pool, protocol TCP
 * or UDP, names NUL-terminated), when a service cannot be found at its own
 * VIP, or when a Maglev slot names a backend that does not exist.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lb_config.h"
#include "lb_maglev.h"
#include "lb_vip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Building a Maglev table costs M steps a service: larger tables are
 * checked by the loader only, so one input stays fast. */
#define FUZZ_MAX_TABLE 70000u

static void
check_config(const struct lb_config *c)
{
	if (c->n_services > LB_MAX_SERVICES || !lb_is_prime(c->table_size))
		abort();
	for (uint32_t i = 0; i < c->n_services; i++) {
		const struct lb_service *s = &c->services[i];

		if (s->n_backends == 0 || s->n_backends > LB_MAX_BACKENDS ||
		    s->n_backends >= c->table_size)
			abort();
		if (s->proto != 6 && s->proto != 17)
			abort();
		if (memchr(s->name, '\0', sizeof(s->name)) == NULL)
			abort();
	}
}

static void
check_vips(const struct lb_config *c)
{
	struct lb_vips v;

	if (c->table_size > FUZZ_MAX_TABLE || lb_vips_build(&v, c) < 0)
		return;
	for (uint32_t i = 0; i < c->n_services; i++) {
		const struct lb_service *s = &c->services[i];
		struct lb_vip_svc *found = lb_vips_find(&v, s->vip, s->proto, s->port);

		if (found == NULL || !lb_vips_is_vip(&v, s->vip) ||
		    found->n_backends != s->n_backends)
			abort();
		for (uint32_t h = 0; h < 64; h++)
			if (lb_maglev_pick(&found->maglev, h * 2654435761u) >= found->n_backends)
				abort();
	}
	lb_vips_free(&v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	struct lb_config c;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (lb_config_load_string("fuzz", text, &c, err, sizeof(err)) < 0) {
		if (strncmp(err, "fuzz:", 5) != 0 || err[5] < '0' || err[5] > '9')
			abort();
	} else {
		check_config(&c);
		check_vips(&c);
		lb_config_free(&c);
	}
	free(text);
	return 0;
}
