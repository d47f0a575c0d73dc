/* SPDX-License-Identifier: BSD-3-Clause */
/* A JSON result as a table for people (ctl_table.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_table.h"

/* The value at a dotted path, or NULL. */
static const json_t *
at_path(const json_t *v, const char *path)
{
	char key[64];

	while (v && *path) {
		size_t len = strcspn(path, ".");

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		v = json_object_get(v, key);
		path += len;
		path += *path == '.';
	}
	return v;
}

/* A scalar's text into f; false for lists and objects. */
static int
put_scalar(FILE *f, const json_t *v)
{
	if (v == NULL || json_is_null(v))
		fputs("-", f);
	else if (json_is_string(v))
		fputs(json_string_value(v), f);
	else if (json_is_integer(v))
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		fprintf(f, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "yes" : "no", f);
	else
		return 0;
	return 1;
}

/* The text of value v in column col. */
static char *
cell_of(const json_t *v, const struct ctl_column *col)
{
	const json_t *item;
	const char *key;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	if ((col->flags & CTL_COL_SUM) && json_is_object(v)) {
		json_int_t sum = 0;

		json_object_foreach((json_t *)v, key, item)
			sum += json_is_integer(item) ? json_integer_value(item) : 0;
		fprintf(f, "%" JSON_INTEGER_FORMAT, sum);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (i)
				fputs(col->sep ? col->sep : ",", f);
			if (!put_scalar(f, item))
				fputs("...", f);
		}
	} else if (json_is_object(v)) {
		int first = 1;

		json_object_foreach((json_t *)v, key, item) {
			fprintf(f, "%s%s=", first ? "" : " ", key);
			if (!put_scalar(f, item))
				fputs("...", f);
			first = 0;
		}
	} else {
		put_scalar(f, v);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *
ctl_table_cell(const json_t *row, const struct ctl_column *col)
{
	return cell_of(at_path(row, col->key), col);
}

/* An object as "key  value" lines; anything else as its JSON. */
static char *
format_pairs(const json_t *result)
{
	static const struct ctl_column plain = { NULL, NULL, 0, NULL };
	const char *key;
	const json_t *v;
	size_t width = 0, len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	if (!json_is_object(result)) {
		char *s = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);

		fprintf(f, "%s\n", s ? s : "?");
		free(s);
	}
	json_object_foreach((json_t *)result, key, v)
		if (strlen(key) > width)
			width = strlen(key);
	json_object_foreach((json_t *)result, key, v) {
		char *cell = cell_of(v, &plain);

		fprintf(f, "%-*s  %s\n", (int)width, key, cell ? cell : "?");
		free(cell);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
put_padded(FILE *f, const char *s, size_t width, unsigned int flags, int last)
{
	if (flags & CTL_COL_RIGHT)
		fprintf(f, "%*s", (int)width, s);
	else if (last)
		fputs(s, f); /* no trailing blanks */
	else
		fprintf(f, "%-*s", (int)width, s);
}

/* No line ends in blanks (an empty last cell leaves its separator). */
static void
trim_lines(char *buf)
{
	char *out = buf;

	for (char *p = buf; *p; p++) {
		if (*p == '\n')
			while (out > buf && out[-1] == ' ')
				out--;
		*out++ = *p;
	}
	*out = '\0';
}

char *
ctl_table_format(const json_t *result, const struct ctl_column *cols, size_t ncols)
{
	size_t nrows, width[16] = { 0 }, len = 0;
	char **cells, *buf = NULL;
	FILE *f;

	if (!json_is_array(result) || ncols == 0 || ncols > 16)
		return format_pairs(result);
	nrows = json_array_size(result);
	cells = calloc(nrows * ncols + 1, sizeof(*cells));
	if (cells == NULL)
		return NULL;
	for (size_t c = 0; c < ncols; c++)
		width[c] = strlen(cols[c].header);
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			char *s = ctl_table_cell(json_array_get(result, r), &cols[c]);

			cells[r * ncols + c] = s;
			if (s && strlen(s) > width[c])
				width[c] = strlen(s);
		}
	f = open_memstream(&buf, &len);
	for (size_t r = 0; f && r <= nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *s = r == 0 ? cols[c].header : cells[(r - 1) * ncols + c];

			if (c)
				fputs("  ", f);
			put_padded(f, s ? s : "?", width[c], cols[c].flags, c == ncols - 1);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < nrows * ncols; i++)
		free(cells[i]);
	free(cells);
	if (f == NULL || fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	trim_lines(buf);
	return buf;
}
