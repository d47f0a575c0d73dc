/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which chain (or OpenFlow flow) each packet of a burst takes: the burst
 * meets the forwarding state's table-0 classifier together, through the
 * lcore's exact-match cache. A packet is parsed here once; its key stays
 * for the OpenFlow pipeline and for its flow hash (picking an instance).
 */
#include <rte_mbuf.h>

#include "classifier.h"
#include "flow_key.h"
#include "fwd.h"
#include "mgr.h"
#include "pkt_parse.h"

uint64_t
mgr_classify_burst(struct cls_cache *cache, const struct fwd_state *st,
		   struct rte_mbuf **pkts, uint16_t n, uint32_t in_ofport, struct flow_key *keys,
		   uint32_t *results)
{
	uint64_t hits = 0;

	if (n == 0 || n > ONVM_BURST || st->table0 == NULL)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *data = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(pkts[i]);
		struct pkt_info pi;

		pkt_parse(data, len, &pi);
		flow_key_from_frame(&keys[i], &pi, data, len, in_ofport);
	}
	/* The classifier answers CLS_BURST_MAX keys at a time. */
	for (uint16_t base = 0; base < n; base += CLS_BURST_MAX) {
		uint16_t chunk = (uint16_t)RTE_MIN(n - base, CLS_BURST_MAX);
		uint64_t hit = classifier_lookup_burst(st->table0, cache, keys + base, chunk,
						       results + base);

		for (uint16_t i = 0; i < chunk; i++)
			if (!((hit >> i) & 1))
				results[base + i] = MGR_NO_MATCH;
		hits += (uint64_t)__builtin_popcountll(hit);
	}
	return hits;
}
