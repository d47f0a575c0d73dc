/* SPDX-License-Identifier: BSD-3-Clause */
/* onvmctl --table: a JSON result as a table for people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_table.h"

static void
expect_table(json_t *result, const struct ctl_column *cols, size_t n, const char *want)
{
	char *got = ctl_table_format(result, cols, n);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	json_decref(result);
}

static void
rows_become_aligned_columns(void **state)
{
	static const struct ctl_column cols[] = {
		{ "ID", "id", CTL_COL_RIGHT, NULL },
		{ "NAME", "name", 0, NULL },
		{ "PKTS", "pkts", CTL_COL_RIGHT, NULL },
		{ "HOPS", "hops", 0, " -> " },
	};
	json_t *rows = json_pack("[{s:i, s:s, s:i, s:[s,s]}, {s:i, s:s, s:I, s:[s]}]",
				 "id", 0, "name", "default", "pkts", 7, "hops", "fw", "router",
				 "id", 12, "name", "web", "pkts", (json_int_t)123456789012, "hops",
				 "ids");

	expect_table(rows, cols, 4,
		     "ID  NAME             PKTS  HOPS\n"
		     " 0  default             7  fw -> router\n"
		     "12  web      123456789012  ids\n");
}

static void
cells_of_every_kind(void **state)
{
	static const struct ctl_column cols[] = {
		{ "A", "missing", 0, NULL },      { "B", "null", 0, NULL },
		{ "C", "yes", 0, NULL },          { "D", "real", 0, NULL },
		{ "E", "drops", CTL_COL_SUM, NULL }, { "F", "drops", 0, NULL },
		{ "G", "nested.x", 0, NULL },     { "H", "list", 0, NULL },
	};
	json_t *rows = json_pack("[{s:n, s:b, s:f, s:{s:i, s:i}, s:{s:s}, s:[i,i,[]]}]", "null",
				 "yes", 1, "real", 0.5, "drops", "a", 3, "b", 4, "nested", "x",
				 "deep", "list", 1, 2);

	expect_table(rows, cols, 8,
		     "A  B  C    D    E  F        G     H\n"
		     "-  -  yes  0.5  7  a=3 b=4  deep  1,2,...\n");
}

static void
no_line_ends_in_blanks(void **state)
{
	static const struct ctl_column cols[] = {
		{ "NAME", "name", 0, NULL },
		{ "NFS", "nfs", 0, "," },
	};
	json_t *rows = json_pack("[{s:s, s:[]}, {s:s, s:[i,i]}]", "name", "idle", "nfs", "name",
				 "busy", "nfs", 3, 4);

	expect_table(rows, cols, 2,
		     "NAME  NFS\n"
		     "idle\n"
		     "busy  3,4\n");
}

static void
empty_list_is_a_header(void **state)
{
	static const struct ctl_column cols[] = { { "ID", "id", CTL_COL_RIGHT, NULL } };

	expect_table(json_array(), cols, 1, "ID\n");
}

static void
an_object_is_key_value_lines(void **state)
{
	json_t *r = json_pack("{s:b, s:i, s:i}", "reloaded", 1, "generation", 1, "chains", 3);

	expect_table(r, NULL, 0,
		     "reloaded    yes\n"
		     "generation  1\n"
		     "chains      3\n");
	expect_table(json_integer(5), NULL, 0, "5\n");
	/* A list with no columns given: its JSON. */
	expect_table(json_pack("[i]", 1), NULL, 0, "[1]\n");
}

/*
 * Random tables against the rule: in every line, cell c starts at the sum
 * of the widths before it plus two spaces each, padded on the left when
 * right-aligned; widths are the widest cell or header.
 */
static void
random_tables_keep_the_layout(void **state)
{
	static const struct ctl_column cols[] = {
		{ "ID", "id", CTL_COL_RIGHT, NULL },
		{ "NAME", "name", 0, NULL },
		{ "N", "n", CTL_COL_RIGHT, NULL },
		{ "LAST", "last", 0, NULL },
	};
	const size_t nc = 4;

	srand(7);
	for (int round = 0; round < 200; round++) {
		size_t nrows = (size_t)(rand() % 6), width[4];
		json_t *rows = json_array();
		char *text[8][4];
		char *out, *line;

		for (size_t c = 0; c < nc; c++)
			width[c] = strlen(cols[c].header);
		for (size_t r = 0; r < nrows; r++) {
			char name[24], last[24];
			int id = rand() % 100000, n = rand();
			int ln = rand() % 20, ll = rand() % 5;

			for (int i = 0; i < ln; i++)
				name[i] = (char)('a' + rand() % 26);
			name[ln] = '\0';
			for (int i = 0; i < ll; i++)
				last[i] = (char)('A' + rand() % 26);
			last[ll] = '\0';
			json_array_append_new(rows, json_pack("{s:i, s:s, s:i, s:s}", "id", id,
							      "name", name, "n", n, "last", last));
			assert_true(asprintf(&text[r][0], "%d", id) > 0);
			text[r][1] = strdup(name);
			assert_true(asprintf(&text[r][2], "%d", n) > 0);
			text[r][3] = strdup(last);
			for (size_t c = 0; c < nc; c++)
				if (strlen(text[r][c]) > width[c])
					width[c] = strlen(text[r][c]);
		}
		out = ctl_table_format(rows, cols, nc);
		assert_non_null(out);
		line = out;
		for (size_t r = 0; r <= nrows; r++) {
			char *end = strchr(line, '\n');
			size_t at = 0;

			assert_non_null(end);
			assert_true(end == line || end[-1] != ' ');
			for (size_t c = 0; c < nc; c++) {
				const char *cell = r == 0 ? cols[c].header : text[r - 1][c];
				size_t pad = (cols[c].flags & CTL_COL_RIGHT) ? width[c] - strlen(cell) : 0;

				if (strlen(cell) > 0) {
					assert_true(line + at + pad + strlen(cell) <= end);
					assert_memory_equal(line + at + pad, cell, strlen(cell));
				}
				at += width[c] + 2;
			}
			line = end + 1;
		}
		assert_int_equal(*line, '\0');
		for (size_t r = 0; r < nrows; r++)
			for (size_t c = 0; c < nc; c++)
				free(text[r][c]);
		free(out);
		json_decref(rows);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_become_aligned_columns),
		cmocka_unit_test(cells_of_every_kind),
		cmocka_unit_test(no_line_ends_in_blanks),
		cmocka_unit_test(empty_list_is_a_header),
		cmocka_unit_test(an_object_is_key_value_lines),
		cmocka_unit_test(random_tables_keep_the_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
