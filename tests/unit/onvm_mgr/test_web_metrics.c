/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /metrics from /api/stats snapshots: every family named and typed once,
 * the labels of the contract, and counters that never go down when NFs
 * restart, chains come and go and ports are reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "counter_keeper.h"
#include "prom_text.h"
#include "web.h"

/* A snapshot as web_api_snapshot makes it, with the numbers given. */
static json_t *
snapshot(uint64_t port_rx, uint64_t nf_started, uint64_t nf_rx, const char *nf_state,
	 bool with_web_chain, uint64_t chain_pkts)
{
	static const char *fmt =
		"{\"time\": 1700000100.5, \"uptime_s\": 100.25, \"start_time\": 1700000000.25,"
		" \"ports\": [{\"id\": 0, \"name\": \"net_pcap0\", \"rx\": %llu, \"tx\": %llu,"
		"   \"tx_drop\": 1, \"no_chain\": 2, \"entry_drop\": 3,"
		"   \"nic\": {\"ipackets\": %llu, \"opackets\": 0, \"ibytes\": %llu, \"obytes\": 0,"
		"     \"imissed\": 4, \"ierrors\": 0, \"oerrors\": 0, \"rx_nombuf\": 0}}],"
		" \"nfs\": [{\"id\": 3, \"name\": \"firewall\", \"service_name\": \"fw\","
		"   \"service\": 1, \"instance\": 0, \"state\": \"%s\", \"started_us\": %llu,"
		"   \"rx\": %llu, \"tx\": %llu, \"act_drop\": 5, \"act_next\": %llu,"
		"   \"act_tonf\": 0, \"act_out\": 0, \"tx_wait\": 0, \"wakeups\": 0,"
		"   \"enqueued\": %llu, \"entry_drop\": 6, \"dequeued\": %llu, \"reclaimed\": 0,"
		"   \"counters\": {\"denied\": 5, \"we\\\"ird\": 1},"
		"   \"rx_ring\": {\"count\": 17, \"size\": 512},"
		"   \"tx_ring\": {\"count\": 2, \"size\": 512}},"
		"  {\"id\": 4, \"name\": \"router\", \"service_name\": \"rt\", \"service\": 2,"
		"   \"instance\": 1, \"state\": \"stopping\", \"started_us\": 7,"
		"   \"rx\": 999, \"tx\": 999, \"counters\": {}}],"
		" \"services\": [{\"id\": 1, \"name\": \"fw\", \"instances\": 1, \"nfs\": [3],"
		"   \"instance_nums\": [0], \"buckets\": [1024], \"stateful\": true,"
		"   \"autoscale\": null}],"
		" \"chains\": [{\"id\": 1, \"name\": \"web-in\", \"priority\": 10,"
		"   \"hops\": [\"fw\"], \"hop_ids\": [1], \"out_port\": 1, \"generation\": 0,"
		"   \"pkts\": %llu, \"bytes\": %llu,"
		"   \"drops\": {\"nf_drop\": 5, \"entry_drop\": 6}}],"
		" \"drops\": {\"nf_drop\": 5, \"no_instance\": 7},"
		" \"mempool\": {\"in_use\": 600, \"baseline\": 512, \"available\": 1000,"
		"   \"size\": 1600}}";
	char text[4096];
	json_error_t e;
	json_t *s;

	snprintf(text, sizeof(text), fmt, (unsigned long long)port_rx,
		 (unsigned long long)port_rx / 2, (unsigned long long)port_rx,
		 (unsigned long long)port_rx * 64, nf_state, (unsigned long long)nf_started,
		 (unsigned long long)nf_rx, (unsigned long long)nf_rx,
		 (unsigned long long)nf_rx - 5, (unsigned long long)nf_rx,
		 (unsigned long long)nf_rx, (unsigned long long)chain_pkts,
		 (unsigned long long)chain_pkts * 100);
	s = json_loads(text, 0, &e);
	if (s == NULL)
		fail_msg("fixture: %s at %d", e.text, e.position);
	if (!with_web_chain)
		json_array_clear(json_object_get(s, "chains"));
	return s;
}

static char *
scrape(struct ckeep *k, json_t *snap)
{
	struct prom_buf b;
	size_t len;
	char *t;

	prom_buf_init(&b);
	web_metrics_write(snap, k, &b);
	json_decref(snap);
	t = prom_buf_take(&b, &len);
	assert_non_null(t);
	return t;
}

/* The value of the sample `series` (name{labels}), or -1 if absent. */
static long long
value(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, series, n) == 0 && l[n] == ' ')
			return atoll(l + n + 1);
	return -1;
}

static int
count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static void
contract_names_and_labels(void **state)
{
	struct ckeep *k = ckeep_create(1024);
	char *t = scrape(k, snapshot(100, 1000, 50, "running", true, 40));

	assert_int_equal(value(t, "onvm_port_rx_packets_total{port=\"0\"}"), 100);
	assert_int_equal(value(t, "onvm_port_tx_packets_total{port=\"0\"}"), 50);
	assert_int_equal(value(t, "onvm_port_rx_bytes_total{port=\"0\"}"), 6400);
	assert_int_equal(value(t, "onvm_port_drops_total{port=\"0\",reason=\"entry_drop\"}"), 3);
	assert_int_equal(value(t, "onvm_port_drops_total{port=\"0\",reason=\"imissed\"}"), 4);
	assert_int_equal(value(t, "onvm_port_info{port=\"0\",name=\"net_pcap0\"}"), 1);
	assert_int_equal(value(t, "onvm_nf_rx_packets_total{service=\"fw\",instance=\"0\"}"), 50);
	assert_int_equal(value(t, "onvm_nf_tx_packets_total{service=\"fw\",instance=\"0\"}"), 50);
	assert_int_equal(value(t, "onvm_nf_verdicts_total{service=\"fw\",instance=\"0\","
				  "verdict=\"next\"}"), 45);
	assert_int_equal(value(t, "onvm_nf_drops_total{service=\"fw\",instance=\"0\","
				  "reason=\"nf_drop\"}"), 5);
	assert_int_equal(value(t, "onvm_nf_drops_total{service=\"fw\",instance=\"0\","
				  "reason=\"entry_drop\"}"), 6);
	assert_int_equal(value(t, "onvm_nf_rx_ring_fill{service=\"fw\",instance=\"0\"}"), 17);
	assert_int_equal(value(t, "onvm_nf_rx_ring_size{service=\"fw\",instance=\"0\"}"), 512);
	assert_int_equal(value(t, "onvm_nf_counter{service=\"fw\",instance=\"0\","
				  "counter=\"denied\"}"), 5);
	assert_int_equal(value(t, "onvm_nf_counter{service=\"fw\",instance=\"0\","
				  "counter=\"we\\\"ird\"}"), 1);
	assert_int_equal(value(t, "onvm_nf_info{service=\"fw\",instance=\"0\",id=\"3\","
				  "program=\"firewall\"}"), 1);
	assert_int_equal(value(t, "onvm_service_instances{service=\"fw\"}"), 1);
	assert_int_equal(value(t, "onvm_chain_packets_total{chain=\"web-in\"}"), 40);
	assert_int_equal(value(t, "onvm_chain_bytes_total{chain=\"web-in\"}"), 4000);
	assert_int_equal(value(t, "onvm_chain_drops_total{chain=\"web-in\",reason=\"nf_drop\"}"),
			 5);
	assert_int_equal(value(t, "onvm_chain_info{chain=\"web-in\",id=\"1\",hops=\"fw\","
				  "out_port=\"1\"}"), 1);
	assert_int_equal(value(t, "onvm_drops_total{reason=\"no_instance\"}"), 7);
	assert_int_equal(value(t, "onvm_mempool_in_use"), 600);
	assert_int_equal(value(t, "onvm_mempool_size"), 1600);
	assert_int_equal(value(t, "onvm_start_time_seconds"), 1700000000);
	/* A stopping NF feeds no series: the next instance's NF will. */
	assert_int_equal(count_lines(t, "onvm_nf_rx_packets_total{service=\"rt\""), 0);
	free(t);
	ckeep_free(k);
}

/* Every sample's family has HELP then TYPE before it, once. */
static void
every_family_is_declared_once(void **state)
{
	struct ckeep *k = ckeep_create(1024);
	char *t = scrape(k, snapshot(100, 1000, 50, "running", true, 40));
	char declared[64][64];
	int nd = 0;

	for (char *l = strtok(t, "\n"); l; l = strtok(NULL, "\n")) {
		char name[64];

		if (strncmp(l, "# HELP ", 7) == 0) {
			sscanf(l + 7, "%63s", name);
			for (int i = 0; i < nd; i++)
				assert_string_not_equal(declared[i], name);
			assert_true(prom_metric_name_valid(name));
			snprintf(declared[nd++], sizeof(declared[0]), "%s", name);
			l = strtok(NULL, "\n");
			assert_non_null(l);
			assert_true(strncmp(l, "# TYPE ", 7) == 0);
			assert_true(strncmp(l + 7, name, strlen(name)) == 0);
			assert_true(strcmp(l + 7 + strlen(name), " counter") == 0 ||
				    strcmp(l + 7 + strlen(name), " gauge") == 0);
			/* Counters are named *_total (the unkept one too). */
			if (strcmp(l + 7 + strlen(name), " counter") == 0)
				assert_string_equal(name + strlen(name) - 6, "_total");
			continue;
		}
		sscanf(l, "%63[^{ ]", name);
		assert_true(nd > 0);
		assert_string_equal(declared[nd - 1], name);
	}
	assert_true(nd >= 25);
	free(t);
	ckeep_free(k);
}

static void
an_nf_restart_never_lowers_its_counters(void **state)
{
	struct ckeep *k = ckeep_create(1024);
	const char *rx = "onvm_nf_rx_packets_total{service=\"fw\",instance=\"0\"}";
	const char *drop = "onvm_nf_drops_total{service=\"fw\",instance=\"0\",reason=\"nf_drop\"}";
	char *t;

	t = scrape(k, snapshot(100, 1000, 50, "running", true, 40));
	assert_int_equal(value(t, rx), 50);
	free(t);
	/* The NF left: its series stay with their totals. */
	t = scrape(k, snapshot(110, 1000, 70, "stopping", true, 45));
	assert_int_equal(value(t, rx), 50);
	assert_int_equal(value(t, drop), 5);
	assert_int_equal(count_lines(t, "onvm_nf_info{service=\"fw\""), 0);
	free(t);
	/* Another NF runs the instance, from zero: the series go on. */
	t = scrape(k, snapshot(120, 2000, 8, "running", true, 50));
	assert_int_equal(value(t, rx), 58);
	assert_int_equal(value(t, drop), 10);
	free(t);
	/* Or one replaced it between two scrapes. */
	t = scrape(k, snapshot(130, 3000, 20, "running", true, 55));
	assert_int_equal(value(t, rx), 78);
	free(t);
	ckeep_free(k);
}

static void
a_chain_removed_and_back_goes_on(void **state)
{
	struct ckeep *k = ckeep_create(1024);
	const char *pkts = "onvm_chain_packets_total{chain=\"web-in\"}";
	char *t;

	t = scrape(k, snapshot(100, 1000, 50, "running", true, 40));
	assert_int_equal(value(t, pkts), 40);
	free(t);
	t = scrape(k, snapshot(100, 1000, 50, "running", false, 0));
	assert_int_equal(value(t, pkts), 40); /* kept, not in force */
	assert_int_equal(count_lines(t, "onvm_chain_info{chain=\"web-in\""), 0);
	free(t);
	t = scrape(k, snapshot(100, 1000, 50, "running", true, 3));
	assert_int_equal(value(t, pkts), 43);
	free(t);
	ckeep_free(k);
}

static void
a_port_reset_never_lowers_its_counters(void **state)
{
	struct ckeep *k = ckeep_create(1024);
	const char *rx = "onvm_port_rx_bytes_total{port=\"0\"}";
	char *t;

	t = scrape(k, snapshot(100, 1000, 50, "running", true, 40));
	assert_int_equal(value(t, rx), 6400);
	free(t);
	t = scrape(k, snapshot(10, 1000, 50, "running", true, 40));
	assert_int_equal(value(t, rx), 6400 + 640);
	free(t);
	ckeep_free(k);
}

/* A service as onvmctl services shows it, autoscaled (decisions: how
 * many times it scaled out) or not (out < 0). */
static json_t *
services_snapshot(int out)
{
	json_t *as = out < 0 ? json_null()
			     : json_pack("{s:i, s:i, s:f, s:s, s:{s:i, s:i, s:i}}", "min", 1, "max",
					 3, "fill", 0.75, "state", "high", "decisions", "out", out,
					 "in", 1, "refused", 0);
	json_t *svc = json_pack("{s:i, s:s, s:i, s:[i,i], s:[i,i], s:[i,i], s:b, s:o}", "id", 2,
				"name", "mon", "instances", 2, "nfs", 4, 5, "instance_nums", 0,
				1, "buckets", 600, 424, "stateful", false, "autoscale", as);

	return json_pack("{s:[o]}", "services", svc);
}

static void
services_show_buckets_and_the_autoscaler(void **state)
{
	struct ckeep *k = ckeep_create(1024);
	const char *outs = "onvm_service_autoscale_decisions_total{service=\"mon\","
			   "decision=\"out\"}";
	char *t = scrape(k, services_snapshot(2));

	assert_int_equal(value(t, "onvm_service_instances{service=\"mon\"}"), 2);
	assert_int_equal(value(t, "onvm_service_buckets{service=\"mon\",instance=\"0\"}"), 600);
	assert_int_equal(value(t, "onvm_service_buckets{service=\"mon\",instance=\"1\"}"), 424);
	assert_int_equal(value(t, "onvm_service_autoscale_min{service=\"mon\"}"), 1);
	assert_int_equal(value(t, "onvm_service_autoscale_max{service=\"mon\"}"), 3);
	assert_non_null(strstr(t, "onvm_service_autoscale_ring_fill{service=\"mon\"} 0.75\n"));
	assert_int_equal(value(t, "onvm_service_autoscale_state{service=\"mon\",state=\"high\"}"),
			 1);
	assert_int_equal(value(t, "onvm_service_autoscale_state{service=\"mon\","
				  "state=\"steady\"}"), 0);
	assert_int_equal(count_lines(t, "onvm_service_autoscale_state{service=\"mon\""), 5);
	assert_int_equal(value(t, outs), 2);
	assert_int_equal(value(t, "onvm_service_autoscale_decisions_total{service=\"mon\","
				  "decision=\"in\"}"), 1);
	free(t);
	/* Turned off: no bounds nor state, and its decisions keep their count. */
	t = scrape(k, services_snapshot(-1));
	assert_int_equal(count_lines(t, "onvm_service_autoscale_max{"), 0);
	assert_int_equal(count_lines(t, "onvm_service_autoscale_state{"), 0);
	assert_int_equal(value(t, outs), 2);
	free(t);
	/* On again, the manager counts afresh (scale.c): added to the total. */
	t = scrape(k, services_snapshot(3));
	assert_int_equal(value(t, outs), 5);
	free(t);
	ckeep_free(k);
}

/* A protected service (onvmctl ft's object in the snapshot's "ft"). */
static void
fault_tolerance_series(void **state)
{
	struct ckeep *k = ckeep_create(1024);
	json_error_t e;
	json_t *snap = json_object(), *ft = json_loads(
		"[{\"service\": \"fw\", \"protected\": true, \"active_pid\": 100,"
		"  \"standby_pid\": 200, \"epochs\": 42, \"checkpoint_bytes_total\": 4200,"
		"  \"full_checkpoints\": 1, \"refused_checkpoints\": 0, \"failovers\": 2,"
		"  \"lost_at_failover\": 7, \"standby_starts\": 3, \"held_packets\": 64,"
		"  \"last_checkpoint\": {\"bytes\": 100, \"flows\": 3, \"export_us\": 250,"
		"    \"import_us\": 500, \"total_us\": 1000},"
		"  \"hold_time\": {\"p50_ns\": 2000000, \"p99_ns\": 8000000}}]", 0, &e);
	char *t;

	(void)state;
	assert_non_null(ft);
	json_object_set_new(snap, "ft", ft);
	t = scrape(k, snap);
	assert_int_equal(value(t, "onvm_ft_protected{service=\"fw\"}"), 1);
	assert_int_equal(value(t, "onvm_ft_pid{service=\"fw\",role=\"active\"}"), 100);
	assert_int_equal(value(t, "onvm_ft_pid{service=\"fw\",role=\"standby\"}"), 200);
	assert_int_equal(value(t, "onvm_ft_epochs_total{service=\"fw\"}"), 42);
	assert_int_equal(value(t, "onvm_ft_failovers_total{service=\"fw\"}"), 2);
	assert_int_equal(value(t, "onvm_ft_lost_at_failover_total{service=\"fw\"}"), 7);
	assert_int_equal(value(t, "onvm_ft_held_packets{service=\"fw\"}"), 64);
	assert_int_equal(value(t, "onvm_ft_last_checkpoint_flows{service=\"fw\"}"), 3);
	assert_non_null(strstr(t, "onvm_ft_last_checkpoint_seconds{service=\"fw\",phase=\"total\"} "
				  "0.001\n"));
	assert_non_null(strstr(t, "onvm_ft_hold_seconds{service=\"fw\",quantile=\"0.99\"} 0.008\n"));
	assert_int_equal(count_lines(t, "# HELP onvm_ft_"), 14);
	free(t);
	ckeep_free(k);
}

static void
missing_parts_write_families_without_samples(void **state)
{
	struct ckeep *k = ckeep_create(1024);
	char *t = scrape(k, json_object());

	assert_true(count_lines(t, "# TYPE onvm_port_rx_packets_total counter") == 1);
	assert_int_equal(value(t, "onvm_mempool_in_use"), 0);
	free(t);
	ckeep_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contract_names_and_labels),
		cmocka_unit_test(every_family_is_declared_once),
		cmocka_unit_test(an_nf_restart_never_lowers_its_counters),
		cmocka_unit_test(a_chain_removed_and_back_goes_on),
		cmocka_unit_test(a_port_reset_never_lowers_its_counters),
		cmocka_unit_test(services_show_buckets_and_the_autoscaler),
		cmocka_unit_test(fault_tolerance_series),
		cmocka_unit_test(missing_parts_write_families_without_samples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
