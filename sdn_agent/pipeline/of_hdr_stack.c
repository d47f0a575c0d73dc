/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_hdr_stack: the TTL actions and MPLS / PBB push and pop over a
 * frame's bytes (see of_hdr_edit.h for the contract).
 */
#include <string.h>

#include "of_hdr_edit.h"
#include "of_hdr_priv.h"
#include "pkt_parse.h"

/* ---- TTLs ---- */

/* The IP TTL byte of the header at ip (avail bytes), with its version
 * told by the first nibble, for the MPLS payload; NULL when not IP. */
static uint8_t *
ip_ttl_at(uint8_t *ip, uint32_t avail, bool *v4)
{
	if (avail >= 20 && ip[0] >> 4 == 4 && (ip[0] & 0x0f) >= 5 && avail >= (ip[0] & 0x0fu) * 4) {
		*v4 = true;
		return ip + 8;
	}
	if (avail >= 40 && ip[0] >> 4 == 6) {
		*v4 = false;
		return ip + 7;
	}
	return NULL;
}

/* Write an IP TTL; an IPv4 one goes through the header checksum (the TTL
 * shares its word with the protocol). */
static void
write_ip_ttl(uint8_t *ttl, bool v4, uint8_t v)
{
	if (v4) {
		uint8_t *ip = ttl - 8;
		uint8_t w[2] = { v, ip[9] };

		replace_csummed(ip + 8, w, 2, ip + 10);
	} else {
		*ttl = v;
	}
}

static uint8_t *
nw_ttl(uint8_t *frame, uint32_t len, bool *v4)
{
	struct pkt_info pi;

	pkt_parse(frame, len, &pi);
	*v4 = (pi.flags & PKT_F_IPV4) != 0;
	if (pi.flags & PKT_F_IPV4)
		return frame + pi.l3_off + 8;
	if (pi.flags & PKT_F_IPV6)
		return frame + pi.l3_off + 7;
	return NULL;
}

bool
ofhe_set_nw_ttl(uint8_t *frame, uint32_t len, uint8_t ttl)
{
	bool v4;
	uint8_t *t = nw_ttl(frame, len, &v4);

	if (t == NULL)
		return false;
	write_ip_ttl(t, v4, ttl);
	return true;
}

bool
ofhe_dec_nw_ttl(uint8_t *frame, uint32_t len)
{
	bool v4;
	uint8_t *t = nw_ttl(frame, len, &v4);

	if (t == NULL || *t == 0)
		return false;
	write_ip_ttl(t, v4, (uint8_t)(*t - 1));
	return true;
}

bool
ofhe_set_mpls_ttl(uint8_t *frame, uint32_t len, uint8_t ttl)
{
	uint8_t *e = mpls_top(frame, len);

	if (e == NULL)
		return false;
	e[3] = ttl;
	return true;
}

bool
ofhe_dec_mpls_ttl(uint8_t *frame, uint32_t len)
{
	uint8_t *e = mpls_top(frame, len);

	if (e == NULL || e[3] == 0)
		return false;
	e[3]--;
	return true;
}

/* The TTL one level in from the top MPLS entry e: the next entry's, or
 * the IP header's under the bottom of stack. */
static uint8_t *
inner_ttl(uint8_t *frame, uint32_t len, uint8_t *e, bool *is_ip_v4, bool *is_ip)
{
	uint32_t next = (uint32_t)(e + 4 - frame);

	*is_ip = false;
	if (!(e[2] & 1))
		return len >= next + 4 ? frame + next + 3 : NULL;
	*is_ip = true;
	return ip_ttl_at(frame + next, len - next, is_ip_v4);
}

bool
ofhe_copy_ttl_out(uint8_t *frame, uint32_t len)
{
	uint8_t *e = mpls_top(frame, len), *in;
	bool v4, ip;

	if (e == NULL || (in = inner_ttl(frame, len, e, &v4, &ip)) == NULL)
		return false;
	e[3] = *in;
	return true;
}

bool
ofhe_copy_ttl_in(uint8_t *frame, uint32_t len)
{
	uint8_t *e = mpls_top(frame, len), *in;
	bool v4 = false, ip;

	if (e == NULL || (in = inner_ttl(frame, len, e, &v4, &ip)) == NULL)
		return false;
	if (ip)
		write_ip_ttl(in, v4, e[3]);
	else
		*in = e[3];
	return true;
}

/* ---- push / pop MPLS ---- */

int
ofhe_push_mpls_prepare(const uint8_t *frame, uint32_t len, uint8_t entry[4])
{
	int t = l2_type_off(frame, len);

	if (t < 0)
		return -1;
	uint32_t off = (uint32_t)t + 2;
	uint16_t type = be16_load(frame + t);

	if (is_mpls_type(type)) {
		if (len < off + 4)
			return -1;
		/* A new outer entry copies the old top one, minus bottom of stack. */
		memcpy(entry, frame + off, 4);
		entry[2] &= 0xfe;
		return t;
	}
	/* First entry: label 0, tc 0, bottom of stack, TTL from the IP header. */
	struct pkt_info pi;

	pkt_parse(frame, len, &pi);
	entry[0] = entry[1] = 0;
	entry[2] = 1;
	entry[3] = (pi.flags & (PKT_F_IPV4 | PKT_F_IPV6)) ? pi.ip_ttl : 0;
	return t;
}

void
ofhe_push_mpls_finish(uint8_t *p, uint32_t type_off, uint16_t ethertype, const uint8_t entry[4])
{
	memmove(p, p + 4, type_off);
	be16_store(p + type_off, ethertype);
	memcpy(p + type_off + 2, entry, 4);
}

bool
ofhe_pop_mpls(uint8_t *frame, uint32_t len, uint16_t ethertype)
{
	if (mpls_top(frame, len) == NULL)
		return false;
	uint32_t t = (uint32_t)l2_type_off(frame, len);

	/* The new ethertype lands just before the payload, the MACs and tags
	 * slide up over the old one and the entry. */
	be16_store(frame + t + 4, ethertype);
	memmove(frame + 4, frame, t);
	return true;
}

/* ---- push / pop PBB ---- */

bool
ofhe_push_pbb_prepare(const uint8_t *frame, uint32_t len, uint8_t itag[4])
{
	const uint8_t *old = pbb_itag(frame, len);

	if (len < 14)
		return false;
	itag[0] = 0; /* PCP 0, DEI 0, UCA 0, reserved */
	if (old != NULL)
		memcpy(itag + 1, old + 1, 3);
	else
		itag[1] = itag[2] = itag[3] = 0;
	return true;
}

void
ofhe_push_pbb_finish(uint8_t *p, const uint8_t itag[4])
{
	memcpy(p, p + OFHE_PBB_HDR_LEN, 12);
	be16_store(p + 12, ETHERTYPE_PBB);
	memcpy(p + 14, itag, PBB_ITAG_LEN);
}

uint32_t
ofhe_pop_pbb_len(const uint8_t *frame, uint32_t len)
{
	const uint8_t *it = pbb_itag(frame, len);
	uint32_t outer;

	if (it == NULL)
		return 0;
	outer = (uint32_t)(it - frame) + PBB_ITAG_LEN;
	return len >= outer + 14 ? outer : 0;
}
