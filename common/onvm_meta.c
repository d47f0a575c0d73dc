/* SPDX-License-Identifier: BSD-3-Clause */
/* Where struct onvm_pkt_meta sits in every mbuf, and the names of the
 * counters the shared memory carries (see onvm_common.h). */
#include <rte_errno.h>
#include <rte_mbuf_dyn.h>

#include "onvm_common.h"

int onvm_meta_offset = -1;

static const struct rte_mbuf_dynfield meta_field = {
	.name = ONVM_META_DYNFIELD,
	.size = sizeof(struct onvm_pkt_meta),
	.align = __alignof__(struct onvm_pkt_meta),
};

int
onvm_meta_register(void)
{
	onvm_meta_offset = rte_mbuf_dynfield_register(&meta_field);
	return onvm_meta_offset < 0 ? -rte_errno : 0;
}

int
onvm_meta_lookup(void)
{
	onvm_meta_offset = rte_mbuf_dynfield_lookup(ONVM_META_DYNFIELD, NULL);
	return onvm_meta_offset < 0 ? -rte_errno : 0;
}

const char *const onvm_port_counter_names[ONVM_PORT_N_COUNTERS] = {
#define _(sym, name, help) [ONVM_PORT_##sym] = name,
	foreach_onvm_port_counter
#undef _
};

const char *const onvm_port_counter_help[ONVM_PORT_N_COUNTERS] = {
#define _(sym, name, help) [ONVM_PORT_##sym] = help,
	foreach_onvm_port_counter
#undef _
};
