/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_table: a command's JSON result as a table for people (onvmctl
 * --table). Pure C and jansson.
 *
 * A result that is a list of objects becomes one row per object, with the
 * columns given; any other result is printed as "key  value" lines.
 * A cell is the value at the column's key (a dotted path for nested
 * objects): text as is, numbers in decimal, null or missing as "-", a
 * list joined by the column's separator, an object as "k=v" pairs, or,
 * with CTL_COL_SUM, the sum of an object's numbers.
 */
#ifndef ONVM_CTL_TABLE_H
#define ONVM_CTL_TABLE_H

#include <stddef.h>

#include <jansson.h>

#define CTL_COL_RIGHT 0x1 /* right-aligned (numbers) */
#define CTL_COL_SUM   0x2 /* an object's numbers, summed */

struct ctl_column {
	const char *header;
	const char *key;  /* dotted path into the row */
	unsigned int flags;
	const char *sep;  /* between a list's items; NULL: "," */
};

/*
 * The table, malloc'd, every line ending with a newline: a header line,
 * then one line per row, columns two spaces apart, each as wide as its
 * widest cell. NULL when out of memory.
 */
char *ctl_table_format(const json_t *result, const struct ctl_column *cols, size_t ncols);

/* One cell's text (malloc'd), as described above. */
char *ctl_table_cell(const json_t *row, const struct ctl_column *col);

#endif /* ONVM_CTL_TABLE_H */
