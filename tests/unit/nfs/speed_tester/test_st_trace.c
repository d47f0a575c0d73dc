/* SPDX-License-Identifier: BSD-3-Clause */
/* speed_tester's pcap loading: which frames it keeps, and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "st_trace.h"

static char path[64];

struct rec {
	uint32_t caplen, len;
};

/* A classic little-endian pcap; frame i is filled with byte i. */
static void
write_pcap(uint32_t linktype, const struct rec *recs, int n)
{
	FILE *f = fopen(path, "wb");
	uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, linktype };
	static uint8_t buf[10000];

	assert_non_null(f);
	fwrite(hdr, sizeof(hdr), 1, f);
	for (int i = 0; i < n; i++) {
		uint32_t rh[4] = { (uint32_t)i, 0, recs[i].caplen, recs[i].len };

		memset(buf, i, recs[i].caplen);
		fwrite(rh, sizeof(rh), 1, f);
		fwrite(buf, recs[i].caplen, 1, f);
	}
	fclose(f);
}

static int
setup(void **state)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_st_trace.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	unlink(path);
	return 0;
}

static void
keeps_whole_ethernet_frames_that_fit(void **state)
{
	const struct rec recs[] = {
		{ 60, 60 }, { 13, 13 } /* shorter than Ethernet */, { 1514, 1514 },
		{ 100, 1514 } /* cut by the capture */, { 3000, 3000 } /* too big */, { 64, 64 },
	};
	struct st_trace t;
	char err[256];

	write_pcap(1, recs, 6);
	assert_int_equal(st_trace_load(&t, path, 100, 2048, err, sizeof(err)), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.skipped, 3);
	assert_int_equal(t.len[0], 60);
	assert_int_equal(t.len[1], 1514);
	assert_int_equal(t.len[2], 64);
	/* the bytes are the right frames' */
	assert_int_equal(t.data[t.off[0]], 0);
	assert_int_equal(t.data[t.off[1] + 1513], 2);
	assert_int_equal(t.data[t.off[2] + 63], 5);
	st_trace_free(&t);
	assert_null(t.data);
}

static void
stops_at_max(void **state)
{
	struct rec recs[300];
	struct st_trace t;
	char err[256];

	for (int i = 0; i < 300; i++)
		recs[i] = (struct rec){ 60 + (uint32_t)i, 60 + (uint32_t)i };
	write_pcap(1, recs, 300);
	assert_int_equal(st_trace_load(&t, path, 200, 2048, err, sizeof(err)), 0);
	assert_int_equal(t.n, 200);
	for (unsigned int i = 0; i < t.n; i++) {
		assert_int_equal(t.len[i], 60 + i);
		assert_int_equal(t.data[t.off[i] + t.len[i] - 1], (uint8_t)i);
	}
	st_trace_free(&t);
}

static void
errors_name_the_file(void **state)
{
	const struct rec small[] = { { 10, 10 } };
	struct st_trace t;
	char err[256];

	write_pcap(105 /* 802.11 */, small, 1);
	assert_int_equal(st_trace_load(&t, path, 10, 2048, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "not an Ethernet capture"));

	write_pcap(1, small, 1);
	assert_int_equal(st_trace_load(&t, path, 10, 2048, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no frame to replay"));

	assert_int_equal(st_trace_load(&t, "/nonexistent/x.pcap", 10, 2048, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/x.pcap"));

	FILE *f = fopen(path, "wb");
	fputs("not a capture at all", f);
	fclose(f);
	assert_int_equal(st_trace_load(&t, path, 10, 2048, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
}

/* A file cut in the middle of a record is refused with libpcap's reason. */
static void
truncated_file(void **state)
{
	const struct rec recs[] = { { 60, 60 }, { 60, 60 }, { 200, 200 } };
	struct st_trace t;
	char err[256];

	write_pcap(1, recs, 3);
	assert_int_equal(truncate(path, 24 + 2 * (16 + 60) + 16 + 100), 0);
	assert_int_equal(st_trace_load(&t, path, 10, 2048, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "truncated"));
	/* reading only the whole frames before the cut is fine */
	assert_int_equal(st_trace_load(&t, path, 2, 2048, err, sizeof(err)), 0);
	assert_int_equal(t.n, 2);
	st_trace_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(keeps_whole_ethernet_frames_that_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(stops_at_max, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_name_the_file, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
