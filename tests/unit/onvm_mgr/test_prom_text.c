/* SPDX-License-Identifier: BSD-3-Clause */
/* The Prometheus text writer: names, HELP/TYPE lines, label escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "prom_text.h"

static char *
text_of(struct prom_buf *b)
{
	size_t len;
	char *t = prom_buf_take(b, &len);

	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	return t;
}

static void
names(void **state)
{
	assert_true(prom_metric_name_valid("onvm_port_rx_packets_total"));
	assert_true(prom_metric_name_valid("a:b_c9"));
	assert_true(prom_metric_name_valid("_x"));
	assert_false(prom_metric_name_valid(""));
	assert_false(prom_metric_name_valid("9lives"));
	assert_false(prom_metric_name_valid("a-b"));
	assert_false(prom_metric_name_valid("a b"));
	assert_true(prom_label_name_valid("service"));
	assert_false(prom_label_name_valid("a:b"));   /* no colon in label names */
	assert_false(prom_label_name_valid("__name")); /* reserved */
	assert_false(prom_label_name_valid("1x"));
}

static void
family_and_samples(void **state)
{
	struct prom_buf b;
	struct prom_labels l;
	char *t;

	prom_buf_init(&b);
	prom_family(&b, "onvm_port_rx_packets_total", "counter", "Packets\nreceived \\ here.");
	prom_labels_init(&l);
	prom_labels_add_u64(&l, "port", 0);
	prom_sample_u64(&b, "onvm_port_rx_packets_total", &l, 18446744073709551615ull);
	prom_sample_u64(&b, "onvm_port_rx_packets_total", NULL, 7);
	t = text_of(&b);
	assert_string_equal(t, "# HELP onvm_port_rx_packets_total Packets\\nreceived \\\\ here.\n"
			       "# TYPE onvm_port_rx_packets_total counter\n"
			       "onvm_port_rx_packets_total{port=\"0\"} 18446744073709551615\n"
			       "onvm_port_rx_packets_total 7\n");
	free(t);
}

static void
label_values_are_escaped(void **state)
{
	struct prom_labels l;

	prom_labels_init(&l);
	prom_labels_add(&l, "service", "fw\"1\\\n");
	prom_labels_add(&l, "instance", "0");
	assert_false(l.bad);
	assert_string_equal(l.text, "service=\"fw\\\"1\\\\\\n\",instance=\"0\"");
}

static void
invalid_utf8_becomes_question_marks(void **state)
{
	struct prom_labels l;

	prom_labels_init(&l);
	/* é (valid), a lone continuation byte, an overlong '/', a surrogate, ü */
	prom_labels_add(&l, "c", "\xc3\xa9-\x80-\xc0\xaf-\xed\xa0\x80-\xc3\xbc");
	assert_string_equal(l.text, "c=\"\xc3\xa9-?-?" "?-?" "?" "?-\xc3\xbc\"");
	prom_labels_init(&l);
	prom_labels_add(&l, "c", "cut\xe2\x82"); /* a sequence cut short */
	assert_string_equal(l.text, "c=\"cut?" "?\"");
}

static void
bad_labels_write_nothing(void **state)
{
	struct prom_buf b;
	struct prom_labels l, l2;
	char long_value[PROM_LABELS_MAX];
	char *t;

	prom_buf_init(&b);
	prom_labels_init(&l);
	prom_labels_add(&l, "bad-name", "x");
	assert_true(l.bad);
	prom_sample_u64(&b, "m", &l, 1);
	memset(long_value, 'a', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	prom_labels_init(&l);
	prom_labels_add(&l, "ok", "1");
	prom_labels_extend(&l2, &l, "v", long_value);
	assert_true(l2.bad);
	assert_false(l.bad); /* extend leaves its source as it was */
	prom_sample_u64(&b, "m", &l2, 1);
	prom_sample_u64(&b, "m", &l, 2);
	t = text_of(&b);
	assert_string_equal(t, "m{ok=\"1\"} 2\n");
	free(t);
}

static void
floats(void **state)
{
	struct prom_buf b;
	char *t;

	prom_buf_init(&b);
	prom_sample_f64(&b, "a", NULL, 0.1);
	prom_sample_f64(&b, "b", NULL, 1712345678.123456);
	prom_sample_f64(&b, "c", NULL, 1.0 / 0.0);
	prom_sample_f64(&b, "d", NULL, 0.0 / 0.0);
	prom_sample_f64(&b, "e", NULL, 3);
	t = text_of(&b);
	assert_string_equal(t, "a 0.1\nb 1712345678.123456\nc +Inf\nd NaN\ne 3\n");
	free(t);
}

static void
empty_buffer_is_text(void **state)
{
	struct prom_buf b;
	char *t;

	prom_buf_init(&b);
	t = text_of(&b);
	assert_string_equal(t, "");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(family_and_samples),
		cmocka_unit_test(label_values_are_escaped),
		cmocka_unit_test(invalid_utf8_becomes_question_marks),
		cmocka_unit_test(bad_labels_write_nothing),
		cmocka_unit_test(floats),
		cmocka_unit_test(empty_buffer_is_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
