/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "byte_order.h"
#include "pkt_parse.h"
#include "st_packet.h"

/* "STLATNCY": marks a stamp as ours, so a foreign packet is not measured. */
#define ST_STAMP_MAGIC 0x53544c41544e4359ULL

static const uint8_t st_src_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

void
st_build_udp_frame(uint8_t *frame, uint16_t len, uint32_t flow, const uint8_t dst_mac[6])
{
	uint8_t *ip = frame + 14, *udp = ip + 20;
	uint16_t ip_len = (uint16_t)(len - 14);

	memset(frame, 0, len);
	memcpy(frame, dst_mac, 6);
	memcpy(frame + 6, st_src_mac, 6);
	be16_store(frame + 12, PKT_ETHERTYPE_IPV4);

	ip[0] = 0x45;
	be16_store(ip + 2, ip_len);
	ip[8] = 64; /* TTL */
	ip[9] = PKT_PROTO_UDP;
	ip[12] = 10, ip[15] = 1; /* 10.0.0.1 */
	ip[16] = 10, ip[19] = 2; /* 10.0.0.2 */
	be16_store(ip + 10, (uint16_t)~pkt_csum_fold(pkt_csum_partial(ip, 20, 0)));

	be16_store(udp, (uint16_t)(1024 + flow % 64512));
	be16_store(udp + 2, 9);
	be16_store(udp + 4, (uint16_t)(ip_len - 20));
}

void
st_stamp_write(uint8_t *frame, uint32_t len, uint64_t tsc)
{
	uint64_t magic = ST_STAMP_MAGIC;

	if (len < ST_MIN_STAMPED)
		return;
	memcpy(frame + len - ST_STAMP_LEN, &magic, 8);
	memcpy(frame + len - 8, &tsc, 8);
}

bool
st_stamp_read(const uint8_t *frame, uint32_t len, uint64_t *tsc)
{
	uint64_t magic;

	if (len < ST_MIN_STAMPED)
		return false;
	memcpy(&magic, frame + len - ST_STAMP_LEN, 8);
	if (magic != ST_STAMP_MAGIC)
		return false;
	memcpy(tsc, frame + len - 8, 8);
	return true;
}

void
st_latency_reset(struct st_latency *l)
{
	l->count = 0;
	l->sum = 0;
	l->min = UINT64_MAX;
	l->max = 0;
}

void
st_latency_add(struct st_latency *l, uint64_t cycles)
{
	l->count++;
	l->sum += cycles;
	if (cycles < l->min)
		l->min = cycles;
	if (cycles > l->max)
		l->max = cycles;
}
