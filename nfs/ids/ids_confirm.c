/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exact confirmation of one rule against one packet.
 *
 * The payload part is a search for positions of the rule's elements, in
 * rule order, that satisfy every constraint; when a later element fails, an
 * earlier one moves to its next position (as Snort and Suricata retry). A
 * step budget bounds the work on hostile payloads.
 */
#include <ctype.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "ids_match.h"

static bool
addr_port_match(const struct ids_rule *r, uint32_t sip, uint16_t sp, uint32_t dip, uint16_t dp,
		bool ports)
{
	return ids_set_contains(&r->src_addr, sip) && ids_set_contains(&r->dst_addr, dip) &&
	       (!ports || (ids_set_contains(&r->src_port, sp) && ids_set_contains(&r->dst_port, dp)));
}

bool
ids_rule_header_match(const struct ids_rule *r, const struct ids_pkt *p)
{
	static const uint8_t proto_num[] = { 0, 6, 17, 1 };

	if (r->proto != IDS_PROTO_IP && p->proto != proto_num[r->proto])
		return false;
	if ((r->flow & IDS_FLOW_TO_SERVER) && !(p->flow & IDS_FLOW_TO_SERVER))
		return false;
	if ((r->flow & IDS_FLOW_TO_CLIENT) && !(p->flow & IDS_FLOW_TO_CLIENT))
		return false;
	if ((r->flow & IDS_FLOW_ESTABLISHED) && !(p->flow & IDS_FLOW_ESTABLISHED))
		return false;
	/* ip/icmp rules have 'any' ports; tcp/udp rules check them. */
	bool ports = r->proto == IDS_PROTO_TCP || r->proto == IDS_PROTO_UDP;
	if (addr_port_match(r, p->src_ip, p->src_port, p->dst_ip, p->dst_port, ports))
		return true;
	return r->bidir &&
	       addr_port_match(r, p->dst_ip, p->dst_port, p->src_ip, p->src_port, ports);
}

struct confirm {
	const struct ids_rule *r;
	const struct ids_pkt *p;
	pcre2_match_data *md;
	uint32_t *budget;
};

/* First position >= from where the content starts and ends by `end`. */
static int64_t
find_content(const struct ids_elem *el, const uint8_t *d, int64_t from, int64_t end)
{
	if (end - from < (int64_t)el->len)
		return -1;
	if (!el->nocase) {
		const uint8_t *hit = memmem(d + from, (size_t)(end - from), el->bytes, el->len);
		return hit ? hit - d : -1;
	}
	uint8_t first = (uint8_t)tolower(el->bytes[0]);
	for (int64_t i = from; i + el->len <= end; i++) {
		if ((uint8_t)tolower(d[i]) != first)
			continue;
		uint32_t k = 1;
		while (k < el->len && tolower(d[i + k]) == tolower(el->bytes[k]))
			k++;
		if (k == el->len)
			return i;
	}
	return -1;
}

static bool elem_from(struct confirm *c, uint32_t i, int64_t prev_end, bool has_new);

static bool
content_from(struct confirm *c, const struct ids_elem *el, uint32_t i, int64_t prev_end,
	     bool has_new)
{
	const struct ids_pkt *p = c->p;
	int64_t lo, hi;

	if (el->relative) {
		int64_t base = prev_end + el->distance;
		lo = base;
		hi = el->has_within ? base + el->within : p->len;
	} else {
		/* offset/depth count from the start of the stream. */
		int64_t off = el->has_offset ? el->offset : 0;
		lo = off - (int64_t)p->stream_off;
		hi = el->has_depth ? off + el->depth - (int64_t)p->stream_off : p->len;
	}
	if (lo < 0)
		lo = 0;
	if (hi > p->len)
		hi = p->len;
	for (int64_t pos = lo; pos + el->len <= hi; pos++) {
		pos = find_content(el, p->data, pos, hi);
		if (pos < 0)
			return false;
		if (*c->budget == 0)
			return false;
		(*c->budget)--;
		int64_t end = pos + el->len;
		if (elem_from(c, i + 1, end, has_new || end > p->new_start))
			return true;
	}
	return false;
}

/*
 * A relative pcre sees the buffer from prev_end on, so '^' anchors there, as
 * in Snort and Suricata. Each leftmost match is tried in turn.
 */
static bool
pcre_from(struct confirm *c, const struct ids_elem *el, uint32_t i, int64_t prev_end,
	  bool has_new)
{
	const struct ids_pkt *p = c->p;
	int64_t base = el->relative ? prev_end : 0;

	if (base < 0)
		base = 0;
	if (base > p->len)
		return false;
	for (int64_t start = 0; base + start <= p->len;) {
		if (*c->budget == 0)
			return false;
		(*c->budget)--;
		int rc = pcre2_match(el->re, p->data + base, (PCRE2_SIZE)(p->len - base),
				     (PCRE2_SIZE)start, 0, c->md, NULL);
		if (rc < 0)
			return false;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
		int64_t s = base + (int64_t)ov[0], e = base + (int64_t)ov[1];
		if (elem_from(c, i + 1, e, has_new || e > p->new_start || s >= p->new_start))
			return true;
		start = s - base + 1; /* the next leftmost match starts later */
	}
	return false;
}

static bool
elem_from(struct confirm *c, uint32_t i, int64_t prev_end, bool has_new)
{
	if (i == c->r->n_elems)
		return has_new;
	const struct ids_elem *el = &c->r->elems[i];
	if (el->kind == IDS_ELEM_CONTENT)
		return content_from(c, el, i, prev_end, has_new);
	return pcre_from(c, el, i, prev_end, has_new);
}

bool
ids_rule_payload_match(const struct ids_rule *r, const struct ids_pkt *p, void *md,
		       uint32_t *budget)
{
	struct confirm c = { .r = r, .p = p, .md = md, .budget = budget };

	if (r->n_elems == 0)
		return true;
	if (p->len <= p->new_start)
		return false;
	return elem_from(&c, 0, 0, false);
}
