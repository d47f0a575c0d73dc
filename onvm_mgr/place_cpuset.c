/* SPDX-License-Identifier: BSD-3-Clause */
/* CPU sets for placement.h: set operations, cpulists and hex masks. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "placement.h"

#define WORDS (PLACE_MAX_CPUS / 64)

unsigned int
place_cpuset_count(const struct place_cpuset *s)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < WORDS; i++)
		n += (unsigned int)__builtin_popcountll(s->w[i]);
	return n;
}

bool
place_cpuset_empty(const struct place_cpuset *s)
{
	return place_cpuset_count(s) == 0;
}

int
place_cpuset_first(const struct place_cpuset *s)
{
	for (unsigned int i = 0; i < WORDS; i++)
		if (s->w[i])
			return (int)(i * 64 + (unsigned int)__builtin_ctzll(s->w[i]));
	return -1;
}

void
place_cpuset_and(struct place_cpuset *a, const struct place_cpuset *b)
{
	for (unsigned int i = 0; i < WORDS; i++)
		a->w[i] &= b->w[i];
}

void
place_cpuset_or(struct place_cpuset *a, const struct place_cpuset *b)
{
	for (unsigned int i = 0; i < WORDS; i++)
		a->w[i] |= b->w[i];
}

void
place_cpuset_andnot(struct place_cpuset *a, const struct place_cpuset *b)
{
	for (unsigned int i = 0; i < WORDS; i++)
		a->w[i] &= ~b->w[i];
}

static int
parse_cpu(const char **p, unsigned int *cpu)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)**p))
		return -1;
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v >= PLACE_MAX_CPUS)
		return -1;
	*cpu = (unsigned int)v;
	*p = end;
	return 0;
}

int
place_cpuset_parse_list(const char *s, struct place_cpuset *out)
{
	const char *p = s;

	memset(out, 0, sizeof(*out));
	/* sysfs files end in a newline; an empty file is an empty set */
	while (*p && *p != '\n') {
		unsigned int lo, hi;

		if (parse_cpu(&p, &lo) < 0)
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &hi) < 0 || hi < lo)
				return -1;
		}
		for (unsigned int c = lo; c <= hi; c++)
			place_cpuset_set(out, c);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -1;
	}
	return 0;
}

int
place_cpuset_parse_hex(const char *s, struct place_cpuset *out)
{
	size_t len;
	unsigned int bit = 0;

	memset(out, 0, sizeof(*out));
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	if (len == 0 || len > PLACE_MAX_CPUS / 4)
		return -1;
	/* From the last digit, which holds CPUs 0-3. */
	for (size_t i = len; i-- > 0; bit += 4) {
		int c = tolower((unsigned char)s[i]);
		unsigned int v;

		if (c >= '0' && c <= '9')
			v = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = (unsigned int)(c - 'a' + 10);
		else
			return -1;
		for (unsigned int b = 0; b < 4; b++)
			if (v >> b & 1)
				place_cpuset_set(out, bit + b);
	}
	return 0;
}

void
place_cpuset_format(const struct place_cpuset *s, char *buf, size_t len)
{
	size_t at = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (unsigned int c = 0; c < PLACE_MAX_CPUS && at < len; c++) {
		unsigned int hi = c;
		int w;

		if (!place_cpuset_has(s, c))
			continue;
		while (hi + 1 < PLACE_MAX_CPUS && place_cpuset_has(s, hi + 1))
			hi++;
		if (hi == c)
			w = snprintf(buf + at, len - at, "%s%u", at ? "," : "", c);
		else
			w = snprintf(buf + at, len - at, "%s%u-%u", at ? "," : "", c, hi);
		at += w > 0 ? (size_t)w : 0;
		c = hi;
	}
	if (at == 0)
		snprintf(buf, len, "none");
}
