/* SPDX-License-Identifier: BSD-3-Clause */
/* Where struct onvm_pkt_meta sits in every mbuf (see onvm_common.h). */
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
