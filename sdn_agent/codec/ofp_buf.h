/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofp_buf: the two byte-order-explicit helpers every OpenFlow codec file
 * uses: a growable output buffer and a bounds-checked reader, plus the
 * error value decoders return (an OFPT_ERROR type/code pair).
 */
#ifndef OFP_BUF_H
#define OFP_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "byte_order.h"

/*
 * A decode result: 0 is success; anything else carries the OFPT_ERROR
 * type and code the spec names for the failure, so the agent can answer
 * with exactly that ERROR.
 */
typedef uint32_t ofp_err_t;
#define OFP_OK 0u
#define OFP_ERR(type, code) \
	((ofp_err_t)(0x80000000u | ((uint32_t)((type) & 0x7fff) << 16) | ((uint32_t)(code) & 0xffff)))
#define OFP_ERR_TYPE(e) ((uint16_t)(((e) >> 16) & 0x7fff))
#define OFP_ERR_CODE(e) ((uint16_t)((e) & 0xffff))

/* Growable output buffer. On allocation failure `failed` is set and later
 * writes are dropped, so callers check once at the end. */
struct ofp_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool failed;
};

void ofp_buf_init(struct ofp_buf *b);
void ofp_buf_free(struct ofp_buf *b);
void ofp_buf_reset(struct ofp_buf *b); /* len = 0, keeps the memory */
/* Append n zero bytes; returns their start, or NULL after a failure. */
uint8_t *ofp_buf_put_zeros(struct ofp_buf *b, size_t n);
void ofp_buf_put(struct ofp_buf *b, const void *p, size_t n);
void ofp_buf_put_u8(struct ofp_buf *b, uint8_t v);
void ofp_buf_put_be16(struct ofp_buf *b, uint16_t v);
void ofp_buf_put_be32(struct ofp_buf *b, uint32_t v);
void ofp_buf_put_be64(struct ofp_buf *b, uint64_t v);
/* Pad with zeros to the next multiple of 8 from `start`. */
void ofp_buf_pad8(struct ofp_buf *b, size_t start);
/* Overwrite a 16-bit field already written (length fields). */
void ofp_buf_set_be16(struct ofp_buf *b, size_t off, uint16_t v);
void ofp_buf_set_be32(struct ofp_buf *b, size_t off, uint32_t v);

/* Bounds-checked reader over [p, p+len). Reads past the end fail and
 * leave the reader unchanged. */
struct ofp_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline void
ofp_rd_init(struct ofp_rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

static inline size_t
ofp_rd_left(const struct ofp_rd *r)
{
	return r->len - r->off;
}

static inline const uint8_t *
ofp_rd_ptr(const struct ofp_rd *r)
{
	return r->p + r->off;
}

bool ofp_rd_skip(struct ofp_rd *r, size_t n);
bool ofp_rd_bytes(struct ofp_rd *r, void *out, size_t n);
bool ofp_rd_u8(struct ofp_rd *r, uint8_t *v);
bool ofp_rd_be16(struct ofp_rd *r, uint16_t *v);
bool ofp_rd_be32(struct ofp_rd *r, uint32_t *v);
bool ofp_rd_be64(struct ofp_rd *r, uint64_t *v);
/* Split off the next n bytes as a sub-reader. */
bool ofp_rd_sub(struct ofp_rd *r, size_t n, struct ofp_rd *sub);

#endif /* OFP_BUF_H */
