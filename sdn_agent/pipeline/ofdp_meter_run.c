/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The meter instruction on the data path: measure the packet against the
 * meter's bands (of_meter.h, lock-free, shared by the data lcores), count
 * it in this lcore's row, and apply the band: DROP drops, DSCP_REMARK
 * raises an IP packet's drop precedence (non-IP packets pass unchanged).
 */
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "ofdp.h"
#include "of_hdr_edit.h"
#include "pkt_parse.h"

static void
dscp_remark(struct rte_mbuf *pkt, uint8_t prec_level)
{
	uint8_t *frame = rte_pktmbuf_mtod(pkt, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(pkt);
	struct pkt_info pi;

	pkt_parse(frame, len, &pi);
	if (!(pi.flags & (PKT_F_IPV4 | PKT_F_IPV6)))
		return;
	uint8_t dscp = pi.ip_tos >> 2, raised = ofm_dscp_raise(dscp, prec_level);
	if (raised != dscp)
		ofhe_set_field(frame, len, OFPXMT_OFB_IP_DSCP, &raised);
}

bool
ofdp_meter_run(const struct ofdp_table *t, unsigned int slot, uint16_t idx, struct rte_mbuf *pkt)
{
	struct ofm_meter *m = &t->meters[idx];
	struct ofdp_meter_counter *mc = &t->meter_ctr[slot][idx];
	uint32_t bytes = rte_pktmbuf_pkt_len(pkt);
	int band = ofm_meter_apply(m, bytes, rte_rdtsc());

	mc->packets++;
	mc->bytes += bytes;
	if (band == OFM_NO_BAND)
		return true;
	const struct ofm_band *b = &m->bands[band];
	mc->band[b->orig_index].packets++;
	mc->band[b->orig_index].bytes += bytes;
	if (b->type == OFPMBT_DROP)
		return false;
	dscp_remark(pkt, b->prec_level);
	return true;
}
