/* SPDX-License-Identifier: BSD-3-Clause */
/* The Prometheus text format, 0.0.4 (prom_text.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom_text.h"

void
prom_buf_init(struct prom_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
prom_buf_free(struct prom_buf *b)
{
	free(b->data);
	prom_buf_init(b);
}

char *
prom_buf_take(struct prom_buf *b, size_t *len)
{
	char *d;

	prom_buf_append(b, "", 0); /* a buffer even when nothing was written */
	if (b->oom) {
		prom_buf_free(b);
		return NULL;
	}
	d = b->data;
	*len = b->len;
	prom_buf_init(b);
	return d;
}

void
prom_buf_append(struct prom_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (d == NULL) {
			b->oom = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
append_str(struct prom_buf *b, const char *s)
{
	prom_buf_append(b, s, strlen(s));
}

static bool
name_valid(const char *name, bool colon)
{
	if (name == NULL || *name == '\0')
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			  (colon && c == ':') || (p != name && c >= '0' && c <= '9');

		if (!ok)
			return false;
	}
	return true;
}

bool
prom_metric_name_valid(const char *name)
{
	return name_valid(name, true);
}

bool
prom_label_name_valid(const char *name)
{
	/* Names starting with __ are reserved for Prometheus itself. */
	return name_valid(name, false) && strncmp(name, "__", 2) != 0;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0.
 * Overlong forms and surrogates are invalid (RFC 3629). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

void
prom_labels_init(struct prom_labels *l)
{
	l->text[0] = '\0';
	l->len = 0;
	l->bad = false;
}

static void
labels_put(struct prom_labels *l, const char *s, size_t n)
{
	if (l->bad || l->len + n >= sizeof(l->text)) {
		l->bad = true;
		return;
	}
	memcpy(l->text + l->len, s, n);
	l->len += n;
	l->text[l->len] = '\0';
}

void
prom_labels_add(struct prom_labels *l, const char *name, const char *value)
{
	const unsigned char *v = (const unsigned char *)(value ? value : "");
	size_t n = strlen((const char *)v);

	if (!prom_label_name_valid(name)) {
		l->bad = true;
		return;
	}
	if (l->len)
		labels_put(l, ",", 1);
	labels_put(l, name, strlen(name));
	labels_put(l, "=\"", 2);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_len(v + i, n - i);

		if (v[i] == '\\')
			labels_put(l, "\\\\", 2);
		else if (v[i] == '"')
			labels_put(l, "\\\"", 2);
		else if (v[i] == '\n')
			labels_put(l, "\\n", 2);
		else if (k == 0)
			labels_put(l, "?", 1);
		else
			labels_put(l, (const char *)v + i, k);
		i += k ? k : 1;
	}
	labels_put(l, "\"", 1);
}

void
prom_labels_add_u64(struct prom_labels *l, const char *name, uint64_t value)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	prom_labels_add(l, name, buf);
}

void
prom_labels_extend(struct prom_labels *l, const struct prom_labels *from, const char *name,
		   const char *value)
{
	*l = *from;
	prom_labels_add(l, name, value);
}

void
prom_family(struct prom_buf *b, const char *name, const char *type, const char *help)
{
	append_str(b, "# HELP ");
	append_str(b, name);
	append_str(b, " ");
	for (const char *p = help; *p; p++) {
		if (*p == '\\')
			append_str(b, "\\\\");
		else if (*p == '\n')
			append_str(b, "\\n");
		else
			prom_buf_append(b, p, 1);
	}
	append_str(b, "\n# TYPE ");
	append_str(b, name);
	append_str(b, " ");
	append_str(b, type);
	append_str(b, "\n");
}

static bool
sample_start(struct prom_buf *b, const char *name, const struct prom_labels *l)
{
	if (l != NULL && l->bad)
		return false;
	append_str(b, name);
	if (l != NULL && l->len) {
		append_str(b, "{");
		prom_buf_append(b, l->text, l->len);
		append_str(b, "}");
	}
	append_str(b, " ");
	return true;
}

void
prom_sample_u64(struct prom_buf *b, const char *name, const struct prom_labels *l, uint64_t value)
{
	char buf[24];

	if (!sample_start(b, name, l))
		return;
	snprintf(buf, sizeof(buf), "%" PRIu64 "\n", value);
	append_str(b, buf);
}

void
prom_sample_f64(struct prom_buf *b, const char *name, const struct prom_labels *l, double value)
{
	char buf[40];

	if (!sample_start(b, name, l))
		return;
	if (isnan(value))
		snprintf(buf, sizeof(buf), "NaN\n");
	else if (isinf(value))
		snprintf(buf, sizeof(buf), "%sInf\n", value > 0 ? "+" : "-");
	else {
		/* The shortest of these that reads back as the same double. */
		snprintf(buf, sizeof(buf), "%.15g", value);
		if (strtod(buf, NULL) != value)
			snprintf(buf, sizeof(buf), "%.17g", value);
		strcat(buf, "\n");
	}
	append_str(b, buf);
}
