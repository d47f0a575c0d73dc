/* SPDX-License-Identifier: BSD-3-Clause */
/* How a port spreads packets over its RX queues (port_rss.h). */
#include <string.h>

#include "port_rss.h"

void
port_rss_symmetric_key(uint8_t *key, size_t len)
{
	for (size_t i = 0; i < len; i++)
		key[i] = i % 2 ? 0x5a : 0x6d;
}

void
port_rss_plan_make(const struct port_rss_caps *c, unsigned int rx_lcores, uint64_t want_hf,
		   struct port_rss_plan *p)
{
	unsigned int n = rx_lcores < c->max_rx_queues ? rx_lcores : c->max_rx_queues;

	memset(p, 0, sizeof(*p));
	p->nb_rxq = (uint16_t)(n ? n : 1);
	p->how = PORT_RSS_ONE_QUEUE;
	if (p->nb_rxq == 1)
		return;
	p->rss_hf = want_hf & c->rss_offloads;
	if (p->rss_hf == 0) {
		p->how = PORT_RSS_PMD_SPREADS;
		return;
	}
	if (c->symmetric_func) {
		p->how = PORT_RSS_SYMMETRIC_FUNC;
		return;
	}
	if (c->key_size == 0 || c->key_size > PORT_RSS_KEY_MAX) {
		/* No key length to fill: the PMD's own key, whatever it is. */
		p->how = PORT_RSS_DEFAULT_KEY;
		return;
	}
	p->how = PORT_RSS_SYMMETRIC_KEY;
	p->key_len = c->key_size;
	port_rss_symmetric_key(p->key, p->key_len);
}

const char *
port_rss_how_name(enum port_rss_how how)
{
	switch (how) {
	case PORT_RSS_ONE_QUEUE:
		return "one RX queue";
	case PORT_RSS_SYMMETRIC_FUNC:
		return "RSS, the PMD's symmetric Toeplitz";
	case PORT_RSS_SYMMETRIC_KEY:
		return "RSS, Toeplitz with the symmetric key 0x6d5a";
	case PORT_RSS_DEFAULT_KEY:
		return "RSS with the PMD's own key (no key size reported): "
		       "both directions of a flow may reach different RX lcores";
	case PORT_RSS_PMD_SPREADS:
		return "no RSS to configure: the PMD spreads packets over the queues itself";
	}
	return "?";
}
