/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_meter: OpenFlow 1.3 meters (5.7) as the data lcores run them. Pure C
 * (time is passed in as TSC cycles), so rates unit-test over simulated
 * time.
 *
 * Each band is a token bucket in its GCRA form (the "virtual scheduling"
 * of ITU-T I.371): one 64-bit word, the band's theoretical arrival time
 * (TAT, in cycles). A packet costing `cost` cycles at the band's rate
 * conforms when max(TAT, now) + cost - now <= tau (tau: the burst, in
 * cycles), and then TAT moves to max(TAT, now) + cost; a packet that does
 * not conform leaves TAT alone. That is exactly a token bucket of depth
 * tau refilled at the band's rate, but its whole state is one word, so
 * the data lcores share it with a compare-and-swap and no lock. Per-lcore
 * buckets at rate / n_lcores were the alternative; they under-serve a
 * meter whose traffic arrives on one lcore (one port, one RX queue),
 * which is the common case here. DPDK's rte_meter (srTCM/trTCM) keeps
 * several words per meter updated without atomics, so it could only be
 * shared behind a lock, and it has no notion of OpenFlow's bands.
 *
 * A packet is measured by every band; the band that applies is the one
 * with the highest rate among those it exceeded (5.7). Bands that the
 * packet conformed to are charged; a packet a higher band drops still
 * charged the lower ones, as the measured rate includes it.
 */
#ifndef ONVM_OF_METER_H
#define ONVM_OF_METER_H

#include <stdbool.h>
#include <stdint.h>

#include "ofp.h"

#define OFM_COST_SHIFT 16          /* cost_fp: cycles per unit, 48.16 fixed point */
#define OFM_MIN_BURST_BYTES 1518   /* a kbps meter always lets one full frame pass */
#define OFM_DEFAULT_BURST_MS 100   /* burst without OFPMF_BURST: 100 ms at the rate */
#define OFM_NO_BAND (-1)

struct ofm_band {
	uint8_t type;        /* OFPMBT_DROP or OFPMBT_DSCP_REMARK */
	uint8_t prec_level;
	uint8_t orig_index;  /* position in the METER_MOD, for the band counters */
	uint32_t rate;
	uint64_t cost_fp;    /* cycles per byte (kbps) or per packet (pktps) << 16 */
	uint64_t tau;        /* burst tolerance, cycles */
};

struct ofm_meter {
	uint32_t meter_id;
	uint8_t pktps;       /* measure packets, not bytes */
	uint8_t n_bands;
	struct ofm_band bands[OFP_MAX_METER_BANDS]; /* by rate, lowest first */
	uint64_t tat[OFP_MAX_METER_BANDS];          /* shared by the lcores: atomics only */
};

/* Compile a meter's configuration for a clock of hz cycles per second.
 * Buckets start full (TAT 0). */
void ofm_meter_init(struct ofm_meter *m, uint32_t meter_id, uint16_t flags,
		    const struct ofp_meter_band *bands, uint16_t n_bands, uint64_t hz);

/* Do two compiled meters measure the same way (so bucket state may be
 * carried from one to the other across a recompile)? */
bool ofm_meter_same(const struct ofm_meter *a, const struct ofm_meter *b);

/* One band's bucket: does a packet of `units` (bytes or 1) conform at
 * `now`? Charges the bucket when it does. Lock-free, any lcore. */
static inline bool
ofm_band_conform(const struct ofm_band *b, uint64_t *tat_p, uint32_t units, uint64_t now)
{
	uint64_t cost = (uint64_t)(((unsigned __int128)units * b->cost_fp) >> OFM_COST_SHIFT);
	uint64_t tat = __atomic_load_n(tat_p, __ATOMIC_RELAXED);

	for (;;) {
		uint64_t base = tat > now ? tat : now;
		uint64_t next = base + cost;

		if (next - now > b->tau)
			return false;
		/* On failure tat is reloaded: another lcore charged first. */
		if (__atomic_compare_exchange_n(tat_p, &tat, next, true, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return true;
	}
}

/* Measure one packet of `bytes` at `now`: the index (into m->bands) of the
 * band that applies, or OFM_NO_BAND when the packet is within every rate. */
static inline int
ofm_meter_apply(struct ofm_meter *m, uint32_t bytes, uint64_t now)
{
	uint32_t units = m->pktps ? 1 : bytes;
	int applied = OFM_NO_BAND;

	for (int i = 0; i < m->n_bands; i++)
		if (!ofm_band_conform(&m->bands[i], &m->tat[i], units, now))
			applied = i; /* bands are by rate: the last exceeded is the highest */
	return applied;
}

/*
 * DSCP_REMARK: raise the drop precedence of a DSCP by prec_level. Only the
 * Assured Forwarding codepoints (RFC 2597: AFxy = 8x + 2y, class x 1..4,
 * drop precedence y 1..3) have a drop precedence; y grows by prec_level
 * and stops at 3 (AF21 + 1 = AF22, DSCP 18 -> 20). Other codepoints (best
 * effort, EF, class selectors) are returned unchanged.
 */
uint8_t ofm_dscp_raise(uint8_t dscp, uint8_t prec_level);

#endif /* ONVM_OF_METER_H */
