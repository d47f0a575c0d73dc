/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "ofp_buf.h"

void
ofp_buf_init(struct ofp_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
ofp_buf_free(struct ofp_buf *b)
{
	free(b->data);
	ofp_buf_init(b);
}

void
ofp_buf_reset(struct ofp_buf *b)
{
	b->len = 0;
	b->failed = false;
}

uint8_t *
ofp_buf_put_zeros(struct ofp_buf *b, size_t n)
{
	if (b->failed)
		return NULL;
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2) {
				b->failed = true;
				return NULL;
			}
			cap *= 2;
		}
		uint8_t *d = realloc(b->data, cap);
		if (d == NULL) {
			b->failed = true;
			return NULL;
		}
		b->data = d;
		b->cap = cap;
	}
	uint8_t *p = b->data + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

void
ofp_buf_put(struct ofp_buf *b, const void *p, size_t n)
{
	uint8_t *d = ofp_buf_put_zeros(b, n);

	if (d != NULL && n > 0)
		memcpy(d, p, n);
}

void
ofp_buf_put_u8(struct ofp_buf *b, uint8_t v)
{
	uint8_t *d = ofp_buf_put_zeros(b, 1);

	if (d != NULL)
		d[0] = v;
}

void
ofp_buf_put_be16(struct ofp_buf *b, uint16_t v)
{
	uint8_t *d = ofp_buf_put_zeros(b, 2);

	if (d != NULL)
		be16_store(d, v);
}

void
ofp_buf_put_be32(struct ofp_buf *b, uint32_t v)
{
	uint8_t *d = ofp_buf_put_zeros(b, 4);

	if (d != NULL)
		be32_store(d, v);
}

void
ofp_buf_put_be64(struct ofp_buf *b, uint64_t v)
{
	uint8_t *d = ofp_buf_put_zeros(b, 8);

	if (d != NULL)
		be64_store(d, v);
}

void
ofp_buf_pad8(struct ofp_buf *b, size_t start)
{
	size_t used = b->len - start;

	ofp_buf_put_zeros(b, (8 - used % 8) % 8);
}

void
ofp_buf_set_be16(struct ofp_buf *b, size_t off, uint16_t v)
{
	if (!b->failed && off + 2 <= b->len)
		be16_store(b->data + off, v);
}

void
ofp_buf_set_be32(struct ofp_buf *b, size_t off, uint32_t v)
{
	if (!b->failed && off + 4 <= b->len)
		be32_store(b->data + off, v);
}

bool
ofp_rd_skip(struct ofp_rd *r, size_t n)
{
	if (n > ofp_rd_left(r))
		return false;
	r->off += n;
	return true;
}

bool
ofp_rd_bytes(struct ofp_rd *r, void *out, size_t n)
{
	if (n > ofp_rd_left(r))
		return false;
	memcpy(out, r->p + r->off, n);
	r->off += n;
	return true;
}

bool
ofp_rd_u8(struct ofp_rd *r, uint8_t *v)
{
	if (ofp_rd_left(r) < 1)
		return false;
	*v = r->p[r->off++];
	return true;
}

bool
ofp_rd_be16(struct ofp_rd *r, uint16_t *v)
{
	if (ofp_rd_left(r) < 2)
		return false;
	*v = be16_load(r->p + r->off);
	r->off += 2;
	return true;
}

bool
ofp_rd_be32(struct ofp_rd *r, uint32_t *v)
{
	if (ofp_rd_left(r) < 4)
		return false;
	*v = be32_load(r->p + r->off);
	r->off += 4;
	return true;
}

bool
ofp_rd_be64(struct ofp_rd *r, uint64_t *v)
{
	if (ofp_rd_left(r) < 8)
		return false;
	*v = be64_load(r->p + r->off);
	r->off += 8;
	return true;
}

bool
ofp_rd_sub(struct ofp_rd *r, size_t n, struct ofp_rd *sub)
{
	if (n > ofp_rd_left(r))
		return false;
	ofp_rd_init(sub, r->p + r->off, n);
	r->off += n;
	return true;
}
