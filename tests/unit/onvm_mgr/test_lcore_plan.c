/* SPDX-License-Identifier: BSD-3-Clause */
/* What each lcore does, for every layout (onvm_mgr/lcore_plan.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lcore_plan.h"

#define MAX 8

static void
one_lcore_does_everything(void **state)
{
	struct lcore_plan p;
	char err[256];

	(void)state;
	assert_int_equal(lcore_plan_make(1, MAX, 0, false, &p, err, sizeof(err)), 0);
	assert_int_equal(p.num_data, 0);
	assert_int_equal(p.lc[0].role, ROLE_RX | ROLE_TX);
	assert_int_equal(p.lc[0].rx_queue, 0);
	assert_int_equal(p.tx_queues, 1);
	assert_int_equal(lcore_plan_make(1, MAX, 1, false, &p, err, sizeof(err)), 0);
	assert_int_equal(lcore_plan_make(1, MAX, 2, false, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--rx-lcores 2 needs 2 data lcores"));
}

static void
two_lcores_one_data_lcore(void **state)
{
	struct lcore_plan p;
	char err[256];

	(void)state;
	assert_int_equal(lcore_plan_make(2, MAX, 0, true, &p, err, sizeof(err)), 0);
	assert_int_equal(p.num_data, 1);
	assert_int_equal(p.num_rx, 1);
	assert_int_equal(p.num_tx, 1);
	assert_int_equal(p.lc[0].role, ROLE_RX | ROLE_TX);
	assert_int_equal(p.tx_queues, 1);
}

static void
default_is_one_rx_lcore(void **state)
{
	struct lcore_plan p;
	char err[256];

	(void)state;
	/* -l 0-3: control, RX, two TX lcores (as before --rx-lcores existed) */
	assert_int_equal(lcore_plan_make(4, MAX, 0, false, &p, err, sizeof(err)), 0);
	assert_int_equal(p.num_rx, 1);
	assert_int_equal(p.num_tx, 2);
	assert_int_equal(p.lc[0].role, ROLE_RX);
	assert_int_equal(p.lc[0].rx_queue, 0);
	assert_int_equal(p.lc[1].role, ROLE_TX);
	assert_int_equal(p.lc[1].rx_queue, LCORE_PLAN_NO_RX);
	assert_int_equal(p.lc[1].tx_queue, 0);
	assert_int_equal(p.lc[2].tx_index, 1);
	/* the RX lcore never sends without OpenFlow: no queue for it */
	assert_int_equal(p.tx_queues, 2);
}

static void
rx_lcores_split(void **state)
{
	struct lcore_plan p;
	char err[256];

	(void)state;
	/* -l 0-4 --rx-lcores 2: RX queues 0 and 1, TX queues 0 and 1 */
	assert_int_equal(lcore_plan_make(5, MAX, 2, false, &p, err, sizeof(err)), 0);
	assert_int_equal(p.num_rx, 2);
	assert_int_equal(p.num_tx, 2);
	assert_int_equal(p.lc[1].role, ROLE_RX);
	assert_int_equal(p.lc[1].rx_queue, 1);
	assert_int_equal(p.lc[2].role, ROLE_TX);
	assert_int_equal(p.lc[3].tx_queue, 1);
	assert_int_equal(p.tx_queues, 2);
	/* with OpenFlow the RX lcores send too: queues 2 and 3 are theirs */
	assert_int_equal(lcore_plan_make(5, MAX, 2, true, &p, err, sizeof(err)), 0);
	assert_int_equal(p.tx_queues, 4);
	assert_int_equal(p.lc[0].tx_queue, 2);
	assert_int_equal(p.lc[1].tx_queue, 3);
	/* every TX queue is one lcore's */
	for (unsigned int i = 0; i < p.num_data; i++)
		for (unsigned int j = i + 1; j < p.num_data; j++)
			assert_int_not_equal(p.lc[i].tx_queue, p.lc[j].tx_queue);
}

static void
every_data_lcore_reads(void **state)
{
	struct lcore_plan p;
	char err[256];

	(void)state;
	/* --lcores=0@0,1@1,2@1 --rx-lcores 2: both do RX and TX */
	assert_int_equal(lcore_plan_make(3, MAX, 2, false, &p, err, sizeof(err)), 0);
	assert_int_equal(p.num_rx, 2);
	assert_int_equal(p.num_tx, 2);
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(p.lc[i].role, ROLE_RX | ROLE_TX);
		assert_int_equal(p.lc[i].rx_queue, i);
		assert_int_equal(p.lc[i].tx_queue, i);
		assert_int_equal(p.lc[i].tx_index, i);
	}
	assert_int_equal(p.tx_queues, 2);
}

static void
too_many(void **state)
{
	struct lcore_plan p;
	char err[256];

	(void)state;
	assert_int_equal(lcore_plan_make(3, MAX, 3, false, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--rx-lcores 3: there are 2 data lcores"));
	/* lcores beyond the most the manager runs stay idle, and are counted */
	assert_int_equal(lcore_plan_make(20, MAX, 4, false, &p, err, sizeof(err)), 0);
	assert_int_equal(p.num_data, MAX);
	assert_int_equal(p.unused, 11);
	assert_int_equal(p.num_tx, MAX - 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_lcore_does_everything),
		cmocka_unit_test(two_lcores_one_data_lcore),
		cmocka_unit_test(default_is_one_rx_lcore),
		cmocka_unit_test(rx_lcores_split),
		cmocka_unit_test(every_data_lcore_reads),
		cmocka_unit_test(too_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
