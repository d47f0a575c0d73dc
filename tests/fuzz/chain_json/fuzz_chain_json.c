/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the chain loader: any bytes must give either a
 * valid chain set or a "name:line: reason" error, never a crash, a leak or
 * a half-appended set. Valid sets are compiled into a classifier too, so
 * port-range expansion and rule insertion see hostile values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain_config.h"
#include "classifier.h"

static int
resolve(void *ctx, const char *name, uint16_t *id, char *why, size_t whylen)
{
	static const char *const known[] = { "firewall", "router", "ids", "load_balancer" };
	char *end;
	unsigned long n;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(name, known[i]) == 0) {
			*id = (uint16_t)(i + 1);
			return 0;
		}
	}
	n = strtoul(name, &end, 10);
	if (*name && *end == '\0' && n >= 1 && n <= 64) {
		*id = (uint16_t)n;
		return 0;
	}
	snprintf(why, whylen, "unknown");
	return -1;
}

static void
check_set(const struct chain_set *set)
{
	for (uint32_t i = 0; i < set->num_chains; i++) {
		const struct chain_def *c = &set->chains[i];
		if (c->num_hops < 1 || c->num_hops > CHAIN_MAX_HOPS ||
		    c->priority > CHAIN_MAX_PRIORITY ||
		    (c->out_port != CHAIN_PORT_NONE && c->out_port >= CHAIN_MAX_PORTS) ||
		    c->name[0] == '\0')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char err[CFG_ERR_LEN];
	struct cfg_file f;
	struct chain_set set;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	chain_set_init(&set);
	if (cfg_file_load_string(&f, "fuzz", text, err, sizeof(err)) == 0) {
		for (int pass = 0; pass < 2; pass++) {
			uint32_t before = set.num_chains;
			err[0] = '\0';
			if (chain_set_load_cfg(&set, &f, resolve, NULL, err, sizeof(err)) < 0) {
				/* An error names the input and leaves the set alone. */
				if (strncmp(err, "fuzz:", 5) != 0 || set.num_chains != before)
					abort();
			}
		}
		check_set(&set);
		struct classifier *cls = classifier_create();
		struct flow_key k;
		uint32_t res;
		memset(&k, 0, sizeof(k));
		for (uint32_t i = 0; cls && i < set.num_chains; i++)
			classifier_add_match(cls, &set.chains[i].match, set.chains[i].priority, i);
		if (cls)
			classifier_lookup(cls, &k, &res);
		classifier_free(cls);
		cfg_file_free(&f);
	}
	chain_set_free(&set);
	free(text);
	return 0;
}
