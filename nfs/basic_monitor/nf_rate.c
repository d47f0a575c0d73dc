/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "nf_rate.h"

struct nf_rate
nf_rate_between(const struct nf_rate_sample *prev, const struct nf_rate_sample *cur)
{
	struct nf_rate r = { 0.0, 0.0 };
	double secs;

	if (cur->time_ns <= prev->time_ns)
		return r;
	secs = (double)(cur->time_ns - prev->time_ns) / 1e9;
	if (cur->pkts >= prev->pkts)
		r.pps = (double)(cur->pkts - prev->pkts) / secs;
	if (cur->bytes >= prev->bytes)
		r.bps = (double)(cur->bytes - prev->bytes) * 8.0 / secs;
	return r;
}

const char *
nf_rate_format(double value, char *buf, size_t len)
{
	static const char prefixes[] = { 'k', 'M', 'G', 'T' };
	int p = -1;

	if (value < 0)
		value = 0;
	/* Step up before printing rounds to 1000: 999.6 is "1.00 k", not "1000". */
	while (p < 3 && value >= (p < 0 ? 999.5 : 999.995)) {
		value /= 1000.0;
		p++;
	}
	if (p < 0)
		snprintf(buf, len, "%.0f ", value);
	else
		snprintf(buf, len, "%.2f %c", value, prefixes[p]);
	return buf;
}
