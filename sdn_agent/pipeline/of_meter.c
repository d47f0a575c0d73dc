/* SPDX-License-Identifier: BSD-3-Clause */
/* OpenFlow meters: compiling a meter's bands into GCRA buckets (of_meter.h). */
#include <string.h>

#include "of_meter.h"

static uint64_t
cycles_of(uint64_t units, uint64_t cost_fp)
{
	return (uint64_t)(((unsigned __int128)units * cost_fp) >> OFM_COST_SHIFT);
}

static void
band_compile(struct ofm_band *d, const struct ofp_meter_band *s, uint8_t orig, uint16_t flags,
	     uint64_t hz)
{
	bool pktps = flags & OFPMF_PKTPS;
	/* Units per second: packets, or bytes (1 kb/s = 1000 bit/s = 125 B/s). */
	uint64_t per_sec = pktps ? s->rate : (uint64_t)s->rate * 125u;
	uint64_t floor_units = pktps ? 1 : OFM_MIN_BURST_BYTES;

	memset(d, 0, sizeof(*d));
	d->type = (uint8_t)s->type;
	d->prec_level = s->prec_level;
	d->orig_index = orig;
	d->rate = s->rate;
	if (per_sec == 0)
		per_sec = 1; /* refused at METER_MOD; never divide by zero */
	d->cost_fp = (uint64_t)(((unsigned __int128)hz << OFM_COST_SHIFT) / per_sec);
	if (flags & OFPMF_BURST) {
		/* burst_size is in kilobits or packets. */
		uint64_t units = pktps ? s->burst_size : (uint64_t)s->burst_size * 125u;
		d->tau = cycles_of(units, d->cost_fp);
	} else {
		d->tau = hz * OFM_DEFAULT_BURST_MS / 1000;
	}
	/* Below one packet's cost nothing would ever pass. */
	if (d->tau < cycles_of(floor_units, d->cost_fp))
		d->tau = cycles_of(floor_units, d->cost_fp);
}

void
ofm_meter_init(struct ofm_meter *m, uint32_t meter_id, uint16_t flags,
	       const struct ofp_meter_band *bands, uint16_t n_bands, uint64_t hz)
{
	memset(m, 0, sizeof(*m));
	m->meter_id = meter_id;
	m->pktps = (flags & OFPMF_PKTPS) != 0;
	if (n_bands > OFP_MAX_METER_BANDS)
		n_bands = OFP_MAX_METER_BANDS;
	/* Insertion sort by rate (at most 8 bands); equal rates keep order. */
	for (uint16_t i = 0; i < n_bands; i++) {
		struct ofm_band b;
		int j = m->n_bands;

		band_compile(&b, &bands[i], (uint8_t)i, flags, hz);
		while (j > 0 && m->bands[j - 1].rate > b.rate) {
			m->bands[j] = m->bands[j - 1];
			j--;
		}
		m->bands[j] = b;
		m->n_bands++;
	}
}

bool
ofm_meter_same(const struct ofm_meter *a, const struct ofm_meter *b)
{
	return a->meter_id == b->meter_id && a->pktps == b->pktps && a->n_bands == b->n_bands &&
	       memcmp(a->bands, b->bands, sizeof(a->bands[0]) * a->n_bands) == 0;
}

uint8_t
ofm_dscp_raise(uint8_t dscp, uint8_t prec_level)
{
	uint8_t cls = dscp >> 3, prec = (dscp >> 1) & 3;

	if (cls < 1 || cls > 4 || prec == 0 || (dscp & 1))
		return dscp;
	unsigned np = prec + prec_level;
	if (np > 3)
		np = 3;
	return (uint8_t)((cls << 3) | (np << 1));
}
