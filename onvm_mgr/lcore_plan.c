/* SPDX-License-Identifier: BSD-3-Clause */
/* What each lcore does (lcore_plan.h). */
#include <stdio.h>
#include <string.h>

#include "lcore_plan.h"

int
lcore_plan_make(unsigned int eal_lcores, unsigned int max_data, unsigned int rx_lcores,
		bool rx_sends, struct lcore_plan *p, char *err, size_t errlen)
{
	unsigned int data = eal_lcores > 0 ? eal_lcores - 1 : 0;
	unsigned int rx = rx_lcores ? rx_lcores : 1;

	memset(p, 0, sizeof(*p));
	if (max_data > LCORE_PLAN_MAX)
		max_data = LCORE_PLAN_MAX;
	if (data > max_data) {
		p->unused = data - max_data;
		data = max_data;
	}
	if (data == 0) {
		if (rx > 1) {
			snprintf(err, errlen, "--rx-lcores %u needs %u data lcores besides the main one; "
				 "EAL gave one lcore (give more with -l or --lcores)", rx, rx);
			return -1;
		}
		p->num_rx = p->num_tx = 1;
		p->tx_queues = 1;
		p->lc[0] = (struct lcore_plan_entry){ ROLE_RX | ROLE_TX, 0, 0, 0 };
		return 0;
	}
	if (rx > data) {
		snprintf(err, errlen, "--rx-lcores %u: there are %u data lcores (EAL's lcores besides "
			 "the main one%s); give more lcores (-l, --lcores) or fewer RX lcores", rx, data,
			 p->unused ? ", up to the most the manager runs" : "");
		return -1;
	}
	p->num_data = data;
	p->num_rx = rx;
	if (rx == data) {
		/* Every data lcore reads its own RX queues and drains its share of NFs. */
		for (unsigned int i = 0; i < data; i++)
			p->lc[i] = (struct lcore_plan_entry){ ROLE_RX | ROLE_TX, (uint16_t)i, (uint16_t)i,
							      (uint16_t)i };
		p->num_tx = data;
		p->tx_queues = (uint16_t)data;
		return 0;
	}
	p->num_tx = data - rx;
	for (unsigned int i = 0; i < data; i++) {
		if (i < rx) {
			/* Queues after the TX lcores', used only if it sends. */
			p->lc[i] = (struct lcore_plan_entry){ ROLE_RX, (uint16_t)i,
							      (uint16_t)(p->num_tx + i), 0 };
		} else {
			uint16_t t = (uint16_t)(i - rx);

			p->lc[i] = (struct lcore_plan_entry){ ROLE_TX, LCORE_PLAN_NO_RX, t, t };
		}
	}
	p->tx_queues = (uint16_t)(rx_sends ? data : p->num_tx);
	return 0;
}
