/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_ct_internal: the connection table's layout, shared by fw_conntrack.c
 * (the packet path) and fw_ct_state.c (moving entries between instances).
 * Nothing else includes it.
 */
#ifndef FW_CT_INTERNAL_H
#define FW_CT_INTERNAL_H

#include <rte_hash.h>

#include "bucket_list.h"

#include "fw_conntrack.h"

/* Both directions of a connection give the same key: lower endpoint first. */
struct fw_ct_key {
	uint32_t ip_lo;
	uint32_t ip_hi;
	uint16_t port_lo;
	uint16_t port_hi;
	uint8_t proto;
	uint8_t pad[3];     /* zero: keys are hashed and compared as bytes */
};

enum fw_ct_state {
	CT_FREE = 0,
	CT_OPEN,
	CT_CLOSING,         /* RST or both FINs seen: lingers, then goes */
};

#define CT_FIN_ORIG  0x1
#define CT_FIN_REPLY 0x2

struct fw_conn {
	struct fw_ct_key key;
	uint64_t expires_ns;
	uint32_t orig_src_ip;   /* who opened it: tells the directions apart */
	uint16_t orig_src_port;
	uint8_t state;
	uint8_t fins;
	uint16_t bucket;        /* the flow-hash bucket its first packet came in */
};

_Static_assert(FW_CT_BURST_MAX <= RTE_HASH_LOOKUP_BULK_MAX, "one bulk lookup per burst");

/* How many slots one full-table insert may scan for an expired entry. */
#define CT_RECLAIM_SCAN 64

struct fw_conntrack {
	struct rte_hash *hash;
	struct fw_conn *conns;  /* indexed by rte_hash key position */
	uint32_t nslots;
	uint32_t sweep_next;
	struct fw_ct_stats stats;
	/* The slots of each flow-hash bucket: a checkpoint's export and drop
	 * walk the flows of its buckets, not the table. */
	struct bucket_list *by_bucket;
	/* Import: the slots this import wrote hold its generation (a
	 * duplicate record meets it), so no per-import clearing. */
	uint32_t *import_mark;
	uint32_t import_gen;
};

void fw_ct_key_of(const struct pkt_5tuple *t, struct fw_ct_key *k);

#endif /* FW_CT_INTERNAL_H */
