/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dispatch: where a packet goes when an NF hands it back. Pure and inline:
 * the TX loop's only decision, unit-tested on its own.
 *
 *   DROP  -> freed (counted against the NF)
 *   NEXT  -> the following hop of its chain; after the last hop, the chain's
 *            out port (or the port paired with the one it came in on); a
 *            chain with no out port drops it (counted)
 *   TONF  -> that service; if the service is a later hop of the packet's
 *            chain, the packet's chain position jumps there, so NEXT from
 *            it continues the chain
 *   OUT   -> that port
 */
#ifndef ONVM_DISPATCH_H
#define ONVM_DISPATCH_H

#include <stdint.h>

#include "onvm_common.h"

enum dispatch_kind {
	DISPATCH_DROP = 0,
	DISPATCH_SERVICE,
	DISPATCH_PORT,
};

enum dispatch_drop {
	DROP_BY_NF = 0,
	DROP_CHAIN_END,
	DROP_BAD_DEST,
};

struct dispatch {
	uint8_t kind;    /* enum dispatch_kind */
	uint8_t reason;  /* enum dispatch_drop, for DISPATCH_DROP */
	uint16_t target; /* service id or port index */
};

/* Where a packet leaves after the last hop of `chain`. */
static inline int
dispatch_port_enabled(uint32_t port_mask, uint16_t port)
{
	return port < 32 && ((port_mask >> port) & 1);
}

/* Where a packet leaves after the last hop of `chain`. Ports are DPDK port
 * ids; port_mask has a bit per port the manager runs. */
static inline struct dispatch
dispatch_chain_exit(const struct onvm_chain *chain, uint16_t in_port, uint32_t port_mask)
{
	struct dispatch d = { DISPATCH_DROP, DROP_CHAIN_END, 0 };
	uint16_t port = chain->out_port;

	if (port == ONVM_PORT_PAIRED) {
		if (!dispatch_port_enabled(port_mask, in_port))
			return d;
		port = (uint16_t)(in_port ^ 1);
		if (!dispatch_port_enabled(port_mask, port))
			port = in_port; /* no partner port: reflect */
	}
	if (port == ONVM_PORT_NONE)
		return d;
	if (!dispatch_port_enabled(port_mask, port)) {
		d.reason = DROP_BAD_DEST;
		return d;
	}
	d.kind = DISPATCH_PORT;
	d.target = port;
	return d;
}

/* `v` is the NF's verdict; `meta` is the packet's chain position, which
 * NEXT and TONF move on. */
static inline struct dispatch
dispatch_decide(const struct onvm_chain *chain, struct onvm_pkt_meta *meta, struct onvm_verdict v,
		uint32_t port_mask, uint16_t max_services)
{
	struct dispatch d = { DISPATCH_DROP, DROP_BY_NF, 0 };

	switch (v.action) {
	case ONVM_ACTION_NEXT: {
		uint16_t hop = (uint16_t)(meta->chain_hop + 1);

		if (hop < chain->num_hops) {
			meta->chain_hop = (uint8_t)hop;
			d.kind = DISPATCH_SERVICE;
			d.target = chain->hops[hop];
			return d;
		}
		return dispatch_chain_exit(chain, meta->in_port, port_mask);
	}
	case ONVM_ACTION_TONF:
		if (v.destination == 0 || v.destination > max_services) {
			d.reason = DROP_BAD_DEST;
			return d;
		}
		for (uint16_t h = (uint16_t)(meta->chain_hop + 1); h < chain->num_hops; h++) {
			if (chain->hops[h] == v.destination) {
				meta->chain_hop = (uint8_t)h;
				break;
			}
		}
		d.kind = DISPATCH_SERVICE;
		d.target = v.destination;
		return d;
	case ONVM_ACTION_OUT:
		if (!dispatch_port_enabled(port_mask, v.destination)) {
			d.reason = DROP_BAD_DEST;
			return d;
		}
		d.kind = DISPATCH_PORT;
		d.target = v.destination;
		return d;
	default:
		return d;
	}
}

#endif /* ONVM_DISPATCH_H */
