/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "byte_order.h"
#include "csum_ref.h"
#include "lb_frames.h"

static unsigned int
l4_len(const uint8_t *f)
{
	const uint8_t *ip = f + LBF_ETH;

	return be16_load(ip + 2) - 20u;
}

/* The L4 checksum over pseudo-header + segment, with the field taken as 0. */
static uint16_t
l4_csum(const uint8_t *f)
{
	const uint8_t *ip = f + LBF_ETH, *l4 = ip + 20;
	unsigned int len = l4_len(f), off = ip[9] == 6 ? 16 : 6;
	uint8_t seg[LBF_MAX];

	memcpy(seg, l4, len);
	seg[off] = seg[off + 1] = 0;
	uint16_t c = csum_ref(seg, len, csum_ref_pseudo4(ip, len));

	return (ip[9] == 17 && c == 0) ? 0xffff : c;
}

static uint16_t
ip_csum(const uint8_t *f)
{
	uint8_t h[20];

	memcpy(h, f + LBF_ETH, 20);
	h[10] = h[11] = 0;
	return csum_ref(h, 20, 0);
}

uint32_t
lbf_make(uint8_t *f, const struct lbf_spec *s)
{
	uint8_t *ip = f + LBF_ETH, *l4 = ip + 20;
	unsigned int hl = s->proto == 6 ? 20 : 8, len = hl + s->payload;

	memset(f, 0, LBF_MAX);
	memcpy(f, (uint8_t[12]){ 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 }, 12);
	be16_store(f + 12, 0x0800);
	ip[0] = 0x45;
	be16_store(ip + 2, (uint16_t)(20 + len));
	be16_store(ip + 4, (uint16_t)s->seed);
	ip[8] = 64;
	ip[9] = s->proto;
	be32_store(ip + 12, s->sip);
	be32_store(ip + 16, s->dip);
	be16_store(l4, s->sport);
	be16_store(l4 + 2, s->dport);
	if (s->proto == 6) {
		be32_store(l4 + 4, s->seed * 2654435761u);
		l4[12] = 0x50;
		l4[13] = s->tcp_flags;
		be16_store(l4 + 14, 29200);
	} else {
		be16_store(l4 + 4, (uint16_t)len);
	}
	srand(s->seed);
	for (unsigned int i = 0; i < s->payload; i++)
		l4[hl + i] = (uint8_t)rand();
	be16_store(ip + 10, ip_csum(f));
	if (!(s->proto == 17 && s->udp_no_csum))
		be16_store(l4 + (s->proto == 6 ? 16 : 6), l4_csum(f));
	return LBF_ETH + 20 + len;
}

int
lbf_checksums_ok(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + LBF_ETH;
	uint16_t stored_l4 = lbf_l4_csum(f);

	(void)len;
	if (be16_load(ip + 10) != ip_csum(f))
		return 0;
	if (ip[9] == 17 && stored_l4 == 0)
		return 1;
	return stored_l4 == l4_csum(f);
}

uint32_t lbf_src_ip(const uint8_t *f) { return be32_load(f + LBF_ETH + 12); }
uint32_t lbf_dst_ip(const uint8_t *f) { return be32_load(f + LBF_ETH + 16); }
uint16_t lbf_src_port(const uint8_t *f) { return be16_load(f + LBF_ETH + 20); }
uint16_t lbf_dst_port(const uint8_t *f) { return be16_load(f + LBF_ETH + 22); }

uint16_t
lbf_l4_csum(const uint8_t *f)
{
	const uint8_t *ip = f + LBF_ETH;

	return be16_load(ip + 20 + (ip[9] == 6 ? 16 : 6));
}
