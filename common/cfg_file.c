/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_file.h"

#define CFG_MAX_BYTES (256u << 20) /* a 1M-route table fits; a runaway file does not */

static char *
read_whole_file(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (fp == NULL) {
		snprintf(err, errlen, "%s:0: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s:0: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if ((unsigned long)size > CFG_MAX_BYTES) {
		snprintf(err, errlen, "%s:0: file too large (%ld bytes)", path, size);
		goto out;
	}
	buf = malloc((size_t)size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, fp) != (size_t)size) {
		snprintf(err, errlen, "%s:0: cannot read: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[size] = '\0';
out:
	fclose(fp);
	return buf;
}

int
cfg_file_load_string(struct cfg_file *f, const char *name, const char *text, char *err,
		     size_t errlen)
{
	json_error_t jerr;

	memset(f, 0, sizeof(*f));
	f->root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (f->root == NULL) {
		snprintf(err, errlen, "%s:%d: %s", name, jerr.line < 0 ? 0 : jerr.line, jerr.text);
		return -1;
	}
	f->path = strdup(name);
	f->text = strdup(text);
	if (f->path == NULL || f->text == NULL) {
		cfg_file_free(f);
		snprintf(err, errlen, "%s:0: out of memory", name);
		return -1;
	}
	return 0;
}

int
cfg_file_load(struct cfg_file *f, const char *path, char *err, size_t errlen)
{
	char *text = read_whole_file(path, err, errlen);
	int rc;

	memset(f, 0, sizeof(*f));
	if (text == NULL)
		return -1;
	rc = cfg_file_load_string(f, path, text, err, errlen);
	free(text);
	return rc;
}

void
cfg_file_free(struct cfg_file *f)
{
	json_decref(f->root);
	free(f->text);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

/* ---- locating a value by JSON pointer in the raw text ---- */

struct cursor {
	const char *p;
	unsigned int line;
};

static void
skip_ws(struct cursor *c)
{
	while (*c->p && isspace((unsigned char)*c->p)) {
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
}

/* Past a string starting at '"'; copies up to cap-1 raw bytes into out. */
static void
skip_string(struct cursor *c, char *out, size_t cap)
{
	size_t n = 0;

	c->p++;
	while (*c->p && *c->p != '"') {
		if (*c->p == '\\' && c->p[1])
			c->p++;
		if (out && n + 1 < cap)
			out[n++] = *c->p;
		c->p++;
	}
	if (*c->p == '"')
		c->p++;
	if (out)
		out[n] = '\0';
}

static void
skip_value(struct cursor *c)
{
	int depth = 0;

	skip_ws(c);
	do {
		switch (*c->p) {
		case '\0':
			return;
		case '"':
			skip_string(c, NULL, 0);
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			depth--;
			break;
		case '\n':
			c->line++;
			break;
		case ',':
			if (depth == 0)
				return;
			break;
		default:
			break;
		}
		c->p++;
	} while (depth > 0 || (*c->p && *c->p != ',' && *c->p != '}' && *c->p != ']'));
}

/* Next reference token of the pointer into tok (with ~0 ~1 unescaped). */
static const char *
next_token(const char *ptr, char *tok, size_t cap)
{
	size_t n = 0;

	while (*ptr && *ptr != '/') {
		char ch = *ptr++;
		if (ch == '~' && (*ptr == '0' || *ptr == '1'))
			ch = *ptr++ == '0' ? '~' : '/';
		if (n + 1 < cap)
			tok[n++] = ch;
	}
	tok[n] = '\0';
	return ptr;
}

static int
descend(struct cursor *c, const char *tok)
{
	skip_ws(c);
	if (*c->p == '{') {
		char key[256];

		c->p++;
		for (;;) {
			skip_ws(c);
			if (*c->p != '"')
				return -1;
			skip_string(c, key, sizeof(key));
			skip_ws(c);
			if (*c->p != ':')
				return -1;
			c->p++;
			skip_ws(c);
			if (strcmp(key, tok) == 0)
				return 0;
			skip_value(c);
			skip_ws(c);
			if (*c->p != ',')
				return -1;
			c->p++;
		}
	}
	if (*c->p == '[') {
		char *end;
		unsigned long idx = strtoul(tok, &end, 10);

		if (*tok == '\0' || *end != '\0')
			return -1;
		c->p++;
		for (unsigned long i = 0;; i++) {
			skip_ws(c);
			if (*c->p == ']')
				return -1;
			if (i == idx)
				return 0;
			skip_value(c);
			skip_ws(c);
			if (*c->p != ',')
				return -1;
			c->p++;
		}
	}
	return -1;
}

unsigned int
cfg_line_of(const char *text, const char *pointer)
{
	struct cursor c = { text, 1 };
	char tok[256];

	if (text == NULL)
		return 0;
	while (pointer && *pointer == '/') {
		pointer = next_token(pointer + 1, tok, sizeof(tok));
		if (descend(&c, tok) < 0)
			return 0;
	}
	skip_ws(&c);
	return c.line;
}

int
cfg_error(const struct cfg_file *f, char *err, size_t errlen, const char *pointer,
	  const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s:%u: ", f->path ? f->path : "?",
		     cfg_line_of(f->text, pointer));
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- field parsers ---- */

static int
parse_dotted_quad(const char *s, const char **end, uint32_t *addr)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned int v = 0, digits = 0;

		while (isdigit((unsigned char)*s) && digits < 4) {
			v = v * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -1;
		a = (a << 8) | v;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	*addr = a;
	*end = s;
	return 0;
}

int
cfg_parse_ipv4_prefix(const char *s, uint32_t *addr, uint8_t *len)
{
	const char *p;
	uint32_t a;
	unsigned long l = 32;

	if (s == NULL || parse_dotted_quad(s, &p, &a) < 0)
		return -1;
	if (*p == '/') {
		char *end;

		if (!isdigit((unsigned char)p[1]))
			return -1;
		l = strtoul(p + 1, &end, 10);
		if (*end != '\0' || l > 32)
			return -1;
	} else if (*p != '\0') {
		return -1;
	}
	*addr = a;
	*len = (uint8_t)l;
	return 0;
}

int
cfg_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (s == NULL || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
				&b[4], &b[5], &tail) != 6)
		return -1;
	if (strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int
parse_port_text(const char *s, char **end, uint16_t *out)
{
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, end, 10);
	if (errno || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int
cfg_parse_port_range(const json_t *v, uint16_t *lo, uint16_t *hi)
{
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		if (n < 0 || n > 65535)
			return -1;
		*lo = *hi = (uint16_t)n;
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;

		if (parse_port_text(s, &end, lo) < 0)
			return -1;
		if (*end == '\0') {
			*hi = *lo;
			return 0;
		}
		if (*end != '-' || parse_port_text(end + 1, &end, hi) < 0 || *end != '\0' ||
		    *hi < *lo)
			return -1;
		return 0;
	}
	return -1;
}

int
cfg_parse_ip_proto(const json_t *v, uint8_t *proto)
{
	static const struct {
		const char *name;
		uint8_t num;
	} names[] = { { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "sctp", 132 },
		      { "icmpv6", 58 } };

	if (json_is_string(v)) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strcasecmp(json_string_value(v), names[i].name) == 0) {
				*proto = names[i].num;
				return 0;
			}
		}
	}
	uint64_t n;

	if (cfg_parse_uint(v, 0, 255, &n) < 0)
		return -1;
	*proto = (uint8_t)n;
	return 0;
}

int
cfg_parse_uint(const json_t *v, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t n;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return -1;
		n = (uint64_t)json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;

		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		n = strtoull(s, &end, 0);
		if (errno || *end != '\0')
			return -1;
	} else {
		return -1;
	}
	if (n < min || n > max)
		return -1;
	*out = n;
	return 0;
}
