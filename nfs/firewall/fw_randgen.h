/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_randgen: reproducible random rule sets and packets in the shape of
 * real firewall policies (prefixes from a few networks, well-known ports,
 * some ranges, some wildcards), so that random packets actually hit random
 * rules. Shared by the unit tests and the benchmark; not part of the NF.
 */
#ifndef FW_RANDGEN_H
#define FW_RANDGEN_H

#include <stdint.h>

#include "fw_config.h"
#include "pkt_parse.h"

struct fw_rng {
	uint64_t s;
};

static inline uint32_t
fw_rng_next(struct fw_rng *r)
{
	/* xorshift64*: fast, good enough, the same everywhere for a seed. */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Fill c with n random rules (c->rules allocated; free with fw_config_free). */
int fw_randgen_rules(struct fw_config *c, uint32_t n, struct fw_rng *rng);

/*
 * A random parsed IPv4 frame: half aimed inside a random rule of c, half
 * anywhere in the same address and port pools; a few without L4 header and
 * a few with a broken IPv4 header. *in_port gets 0-3.
 */
void fw_randgen_packet(const struct fw_config *c, struct fw_rng *rng, struct pkt_info *pi,
		       uint16_t *in_port);

#endif /* FW_RANDGEN_H */
