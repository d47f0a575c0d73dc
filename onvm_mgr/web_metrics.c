/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /metrics: a web_api snapshot as Prometheus text (web.h). Pure: JSON in,
 * text out, so every name and label is unit-tested on a snapshot.
 *
 * Counters go through the counter keeper (counter_keeper.h) under their
 * family and label set: an NF's series are fed by whichever NF runs that
 * service's instance (its start time names the source), a chain's by the
 * chain of that name in force, a port's by the port. Each counter family
 * also lists the series it kept whose source is gone, with their totals,
 * so a series never disappears and comes back lower.
 */
#include <stdio.h>
#include <string.h>

#include "counter_keeper.h"
#include "prom_text.h"
#include "web.h"

struct mw {
	struct prom_buf *b;
	struct ckeep *k;
	const char *family; /* the counter family being written */
};

static uint64_t
u64_at(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

static void
counter(struct mw *w, const struct prom_labels *l, uint64_t src, uint64_t raw)
{
	if (l->bad)
		return;
	prom_sample_u64(w->b, w->family, l, ckeep_observe(w->k, w->family, l->text, src, raw));
}

static void
write_missing(const char *labels, uint64_t value, void *arg)
{
	struct mw *w = arg;
	struct prom_labels l;

	prom_labels_init(&l);
	snprintf(l.text, sizeof(l.text), "%s", labels);
	l.len = strlen(l.text);
	prom_sample_u64(w->b, w->family, &l, value);
}

static void
family_begin(struct mw *w, const char *name, const char *type, const char *help)
{
	prom_family(w->b, name, type, help);
	w->family = name;
}

/* The counter family's series kept from earlier scrapes, not seen now. */
static void
family_end(struct mw *w)
{
	ckeep_foreach_missing(w->k, w->family, write_missing, w);
}

/* ---- ports ---- */

/* Where a port's drop reasons are read: the manager's counters of the
 * port, then the PMD's ("nic"). */
static const struct {
	const char *reason;
	bool nic;
} port_drops[] = {
	{ "tx_drop", false }, { "no_chain", false },  { "entry_drop", false },
	{ "imissed", true },  { "ierrors", true },    { "rx_nombuf", true },
	{ "oerrors", true },
};

static void
port_labels(struct prom_labels *l, const json_t *p)
{
	prom_labels_init(l);
	prom_labels_add_u64(l, "port", u64_at(p, "id"));
}

static void
port_counter(struct mw *w, const json_t *ports, const char *key, bool nic)
{
	const json_t *p;
	size_t i;

	json_array_foreach(ports, i, p) {
		struct prom_labels l;

		port_labels(&l, p);
		counter(w, &l, 0, u64_at(nic ? json_object_get(p, "nic") : p, key));
	}
	family_end(w);
}

static void
write_ports(struct mw *w, const json_t *ports)
{
	const json_t *p;
	size_t i;

	family_begin(w, "onvm_port_info", "gauge",
		     "A port of the manager: its DPDK id and device name (always 1).");
	json_array_foreach(ports, i, p) {
		struct prom_labels l;

		port_labels(&l, p);
		prom_labels_add(&l, "name", json_string_value(json_object_get(p, "name")));
		prom_sample_u64(w->b, w->family, &l, 1);
	}
	family_begin(w, "onvm_port_rx_packets_total", "counter",
		     "Packets the manager received from the port.");
	port_counter(w, ports, "rx", false);
	family_begin(w, "onvm_port_tx_packets_total", "counter",
		     "Packets the port took for sending.");
	port_counter(w, ports, "tx", false);
	family_begin(w, "onvm_port_rx_bytes_total", "counter",
		     "Bytes the port received, as its driver counts them.");
	port_counter(w, ports, "ibytes", true);
	family_begin(w, "onvm_port_tx_bytes_total", "counter",
		     "Bytes the port sent, as its driver counts them.");
	port_counter(w, ports, "obytes", true);
	family_begin(w, "onvm_port_drops_total", "counter",
		     "Packets dropped at the port, by reason: the manager's (tx_drop, no_chain, "
		     "entry_drop) and the driver's (imissed, ierrors, rx_nombuf, oerrors).");
	json_array_foreach(ports, i, p) {
		struct prom_labels base, l;

		port_labels(&base, p);
		for (size_t k = 0; k < sizeof(port_drops) / sizeof(port_drops[0]); k++) {
			const json_t *from = port_drops[k].nic ? json_object_get(p, "nic") : p;

			prom_labels_extend(&l, &base, "reason", port_drops[k].reason);
			counter(w, &l, 0, u64_at(from, port_drops[k].reason));
		}
	}
	family_end(w);
}

/* ---- NFs ---- */

/* Only running NFs feed series: one NF at a time runs an instance of a
 * service, and a stopping one leaves its series to the next. */
static bool
nf_running(const json_t *nf)
{
	const char *st = json_string_value(json_object_get(nf, "state"));

	return st != NULL && strcmp(st, "running") == 0;
}

static void
nf_labels(struct prom_labels *l, const json_t *nf)
{
	prom_labels_init(l);
	prom_labels_add(l, "service", json_string_value(json_object_get(nf, "service_name")));
	prom_labels_add_u64(l, "instance", u64_at(nf, "instance"));
}

/* A counter family of the NFs: field `key` of each, or, with `label`,
 * one series per (label value, field) pair of `pairs`. */
struct nf_pair {
	const char *value, *key;
};

static void
nf_counter(struct mw *w, const json_t *nfs, const char *label, const struct nf_pair *pairs,
	   size_t n)
{
	const json_t *nf;
	size_t i;

	json_array_foreach(nfs, i, nf) {
		struct prom_labels base, l;
		uint64_t src = u64_at(nf, "started_us");

		if (!nf_running(nf))
			continue;
		nf_labels(&base, nf);
		for (size_t k = 0; k < n; k++) {
			if (label)
				prom_labels_extend(&l, &base, label, pairs[k].value);
			else
				l = base;
			counter(w, &l, src, u64_at(nf, pairs[k].key));
		}
	}
	family_end(w);
}

static void
nf_gauge(struct mw *w, const json_t *nfs, const char *ring, const char *key)
{
	const json_t *nf;
	size_t i;

	json_array_foreach(nfs, i, nf) {
		struct prom_labels l;

		if (!nf_running(nf))
			continue;
		nf_labels(&l, nf);
		prom_sample_u64(w->b, w->family, &l, u64_at(json_object_get(nf, ring), key));
	}
}

static void
write_nfs(struct mw *w, const json_t *nfs)
{
	static const struct nf_pair rx = { NULL, "rx" }, tx = { NULL, "tx" },
				    full = { NULL, "tx_wait" };
	static const struct nf_pair verdicts[] = {
		{ "drop", "act_drop" }, { "next", "act_next" },
		{ "to_nf", "act_tonf" }, { "out", "act_out" },
	};
	static const struct nf_pair drops[] = { { "nf_drop", "act_drop" },
						{ "entry_drop", "entry_drop" } };
	const json_t *nf;
	size_t i;

	family_begin(w, "onvm_nf_info", "gauge",
		     "A running NF: the service instance it is, its NF id and program (always 1).");
	json_array_foreach(nfs, i, nf) {
		struct prom_labels l;

		if (!nf_running(nf))
			continue;
		nf_labels(&l, nf);
		prom_labels_add_u64(&l, "id", u64_at(nf, "id"));
		prom_labels_add(&l, "program", json_string_value(json_object_get(nf, "name")));
		prom_sample_u64(w->b, w->family, &l, 1);
	}
	family_begin(w, "onvm_nf_rx_packets_total", "counter",
		     "Packets the service instance's NF received.");
	nf_counter(w, nfs, NULL, &rx, 1);
	family_begin(w, "onvm_nf_tx_packets_total", "counter",
		     "Packets the service instance's NF returned to the manager, with any verdict.");
	nf_counter(w, nfs, NULL, &tx, 1);
	family_begin(w, "onvm_nf_verdicts_total", "counter",
		     "The NF's verdicts on the packets it returned: drop, next, to_nf, out.");
	nf_counter(w, nfs, "verdict", verdicts, 4);
	family_begin(w, "onvm_nf_drops_total", "counter",
		     "Packets dropped at the NF: nf_drop (its verdict), entry_drop (its RX ring "
		     "stayed full at a chain's entry).");
	nf_counter(w, nfs, "reason", drops, 2);
	family_begin(w, "onvm_nf_tx_ring_full_total", "counter",
		     "Times the NF found its TX ring full (backpressure from the manager).");
	nf_counter(w, nfs, NULL, &full, 1);
	family_begin(w, "onvm_nf_rx_ring_fill", "gauge",
		     "Packets waiting on the NF's RX ring.");
	nf_gauge(w, nfs, "rx_ring", "count");
	family_begin(w, "onvm_nf_rx_ring_size", "gauge", "Packets the NF's RX ring holds.");
	nf_gauge(w, nfs, "rx_ring", "size");
	family_begin(w, "onvm_nf_tx_ring_fill", "gauge",
		     "Packets the NF returned that wait on its TX ring for the manager.");
	nf_gauge(w, nfs, "tx_ring", "count");
	family_begin(w, "onvm_nf_counter", "gauge",
		     "The NF's own named counters, as it publishes them (running totals or "
		     "gauges: see the NF's README); they restart with the NF.");
	json_array_foreach(nfs, i, nf) {
		struct prom_labels base, l;
		const char *name;
		json_t *v;

		if (!nf_running(nf))
			continue;
		nf_labels(&base, nf);
		json_object_foreach(json_object_get(nf, "counters"), name, v) {
			prom_labels_extend(&l, &base, "counter", name);
			prom_sample_u64(w->b, w->family, &l, u64_at(json_object_get(nf, "counters"),
								    name));
		}
	}
}

static void
service_labels(struct prom_labels *l, const json_t *s)
{
	prom_labels_init(l);
	prom_labels_add(l, "service", json_string_value(json_object_get(s, "name")));
}

/* The autoscaler's words for what it is doing (scale.h). */
static const char *const autoscale_states[] = { "scaling", "cooldown", "high", "low", "steady" };

static void
write_autoscale(struct mw *w, const json_t *services)
{
	static const char *const decisions[] = { "out", "in", "refused" };
	const json_t *s, *a;
	size_t i;

	/* One sample per service the autoscaler watches, from its JSON. */
	static const struct {
		const char *name, *help, *key;
		bool fraction;
	} gauges[] = {
		{ "onvm_service_autoscale_min",
		  "The fewest instances the autoscaler keeps (only while it is on).", "min", false },
		{ "onvm_service_autoscale_max",
		  "The most instances the autoscaler runs (only while it is on).", "max", false },
		{ "onvm_service_autoscale_ring_fill",
		  "The fullest instance RX ring at the autoscaler's last sample, 0 to 1.", "fill", true },
	};
	for (size_t g = 0; g < sizeof(gauges) / sizeof(gauges[0]); g++) {
		family_begin(w, gauges[g].name, "gauge", gauges[g].help);
		json_array_foreach(services, i, s) {
			struct prom_labels l;

			if (!json_is_object(a = json_object_get(s, "autoscale")))
				continue;
			service_labels(&l, s);
			if (gauges[g].fraction)
				prom_sample_f64(w->b, w->family, &l,
						json_number_value(json_object_get(a, gauges[g].key)));
			else
				prom_sample_u64(w->b, w->family, &l, u64_at(a, gauges[g].key));
		}
	}
	family_begin(w, "onvm_service_autoscale_state", "gauge",
		     "What the autoscaler is doing: 1 for the state it is in (scaling, cooldown, "
		     "high, low, steady), 0 for the others.");
	json_array_foreach(services, i, s) {
		const char *st;

		if (!json_is_object(a = json_object_get(s, "autoscale")))
			continue;
		st = json_string_value(json_object_get(a, "state"));
		for (size_t k = 0; k < sizeof(autoscale_states) / sizeof(autoscale_states[0]); k++) {
			struct prom_labels base, l;

			service_labels(&base, s);
			prom_labels_extend(&l, &base, "state", autoscale_states[k]);
			prom_sample_u64(w->b, w->family, &l,
					st != NULL && strcmp(st, autoscale_states[k]) == 0);
		}
	}
	family_begin(w, "onvm_service_autoscale_decisions_total", "counter",
		     "The autoscaler's decisions: out (an instance more), in (one fewer), refused "
		     "(the change could not start).");
	json_array_foreach(services, i, s) {
		if (!json_is_object(a = json_object_get(s, "autoscale")))
			continue;
		for (size_t k = 0; k < 3; k++) {
			struct prom_labels base, l;

			service_labels(&base, s);
			prom_labels_extend(&l, &base, "decision", decisions[k]);
			counter(w, &l, 0, u64_at(json_object_get(a, "decisions"), decisions[k]));
		}
	}
	family_end(w);
}

static void
write_services(struct mw *w, const json_t *services)
{
	const json_t *s;
	size_t i;

	family_begin(w, "onvm_service_instances", "gauge",
		     "Running instances of the service.");
	json_array_foreach(services, i, s) {
		struct prom_labels l;

		service_labels(&l, s);
		prom_sample_u64(w->b, w->family, &l, u64_at(s, "instances"));
	}
	family_begin(w, "onvm_service_buckets", "gauge",
		     "The service's flow-hash buckets each instance takes (buckets held by a move "
		     "count for none).");
	json_array_foreach(services, i, s) {
		const json_t *nums = json_object_get(s, "instance_nums");
		const json_t *buckets = json_object_get(s, "buckets");

		for (size_t k = 0; k < json_array_size(nums) && k < json_array_size(buckets); k++) {
			struct prom_labels l;
			json_int_t inst = json_integer_value(json_array_get(nums, k));
			json_int_t b = json_integer_value(json_array_get(buckets, k));

			service_labels(&l, s);
			prom_labels_add_u64(&l, "instance", inst > 0 ? (uint64_t)inst : 0);
			prom_sample_u64(w->b, w->family, &l, b > 0 ? (uint64_t)b : 0);
		}
	}
	write_autoscale(w, services);
}

/* ---- chains ---- */

static void
chain_labels(struct prom_labels *l, const json_t *c)
{
	prom_labels_init(l);
	prom_labels_add(l, "chain", json_string_value(json_object_get(c, "name")));
}

/* "a,b,c" of a list of strings. */
static void
join_hops(char *buf, size_t len, const json_t *hops)
{
	const json_t *h;
	size_t i, at = 0;

	buf[0] = '\0';
	json_array_foreach(hops, i, h) {
		int n = snprintf(buf + at, len - at, "%s%s", i ? "," : "",
				 json_string_value(h) ? json_string_value(h) : "?");

		if (n < 0 || (size_t)n >= len - at)
			break;
		at += (size_t)n;
	}
}

static void
write_chains(struct mw *w, const json_t *chains)
{
	const json_t *c;
	size_t i;

	family_begin(w, "onvm_chain_info", "gauge",
		     "A chain in force: its id, hops (services in order) and out port (always 1).");
	json_array_foreach(chains, i, c) {
		struct prom_labels l;
		const json_t *out = json_object_get(c, "out_port");
		char hops[256], port[24];

		chain_labels(&l, c);
		prom_labels_add_u64(&l, "id", u64_at(c, "id"));
		join_hops(hops, sizeof(hops), json_object_get(c, "hops"));
		prom_labels_add(&l, "hops", hops);
		if (json_is_string(out))
			snprintf(port, sizeof(port), "%s", json_string_value(out));
		else if (json_is_integer(out))
			snprintf(port, sizeof(port), "%" JSON_INTEGER_FORMAT, json_integer_value(out));
		else
			snprintf(port, sizeof(port), "none");
		prom_labels_add(&l, "out_port", port);
		prom_sample_u64(w->b, w->family, &l, 1);
	}
	family_begin(w, "onvm_chain_packets_total", "counter", "Packets that entered the chain.");
	json_array_foreach(chains, i, c) {
		struct prom_labels l;

		chain_labels(&l, c);
		counter(w, &l, 0, u64_at(c, "pkts"));
	}
	family_end(w);
	family_begin(w, "onvm_chain_bytes_total", "counter",
		     "Bytes of the packets that entered the chain (frame length, no FCS).");
	json_array_foreach(chains, i, c) {
		struct prom_labels l;

		chain_labels(&l, c);
		counter(w, &l, 0, u64_at(c, "bytes"));
	}
	family_end(w);
	family_begin(w, "onvm_chain_drops_total", "counter",
		     "Packets of the chain dropped, by reason: nf_drop, chain_end, no_instance, "
		     "hop_stuck, bad_dest, entry_drop.");
	json_array_foreach(chains, i, c) {
		struct prom_labels base, l;
		const json_t *drops = json_object_get(c, "drops");
		const char *reason;
		json_t *v;

		chain_labels(&base, c);
		json_object_foreach((json_t *)drops, reason, v) {
			prom_labels_extend(&l, &base, "reason", reason);
			counter(w, &l, 0, u64_at(drops, reason));
		}
	}
	family_end(w);
}

/* ---- fault tolerance ---- */

/* A gauge of every protected service: key in its object (or in its
 * sub-object sub), scaled by mul. */
static void
ft_gauge(struct mw *w, const json_t *ft, const char *sub, const char *key, double mul)
{
	const json_t *s;
	size_t i;

	json_array_foreach(ft, i, s) {
		struct prom_labels l;
		const json_t *o = sub ? json_object_get(s, sub) : s;

		prom_labels_init(&l);
		prom_labels_add(&l, "service", json_string_value(json_object_get(s, "service")));
		prom_sample_f64(w->b, w->family, &l, (double)u64_at(o, key) * mul);
	}
}

/* A counter of every protected service: its ft group keeps it (failovers
 * included), so one source. */
static void
ft_counter(struct mw *w, const json_t *ft, const char *key)
{
	const json_t *s;
	size_t i;

	json_array_foreach(ft, i, s) {
		struct prom_labels l;

		prom_labels_init(&l);
		prom_labels_add(&l, "service", json_string_value(json_object_get(s, "service")));
		counter(w, &l, 0, u64_at(s, key));
	}
	family_end(w);
}

static void
write_ft(struct mw *w, const json_t *ft)
{
	static const struct {
		const char *name, *key, *help;
	} counters[] = {
		{ "onvm_ft_epochs_total", "epochs", "Checkpoints committed (the standby holds them)." },
		{ "onvm_ft_checkpoint_bytes_total", "checkpoint_bytes_total",
		  "Bytes of the checkpoints committed." },
		{ "onvm_ft_full_checkpoints_total", "full_checkpoints",
		  "Checkpoints of every bucket (a new standby's first, or after a refusal)." },
		{ "onvm_ft_refused_checkpoints_total", "refused_checkpoints",
		  "Checkpoints the standby refused to import." },
		{ "onvm_ft_failovers_total", "failovers",
		  "Times the standby took the place of a dead active." },
		{ "onvm_ft_lost_at_failover_total", "lost_at_failover",
		  "Packets a dead active held (uncommitted output, unprocessed input), dropped and "
		  "counted at its failover." },
		{ "onvm_ft_standby_starts_total", "standby_starts",
		  "Standbys the manager started." },
	};
	static const char *const phases[] = { "export", "import", "total" };
	static const char *const roles[] = { "active", "standby" };
	const json_t *s;
	size_t i;

	family_begin(w, "onvm_ft_protected", "gauge",
		     "1 while the service's active has a standby in sync, else 0.");
	json_array_foreach(ft, i, s) {
		struct prom_labels l;

		prom_labels_init(&l);
		prom_labels_add(&l, "service", json_string_value(json_object_get(s, "service")));
		prom_sample_u64(w->b, w->family, &l, json_is_true(json_object_get(s, "protected")));
	}
	family_begin(w, "onvm_ft_pid", "gauge",
		     "The host PID of the service's active and standby instances (0: none).");
	json_array_foreach(ft, i, s) {
		for (size_t k = 0; k < 2; k++) {
			struct prom_labels base, l;
			char key[16];

			prom_labels_init(&base);
			prom_labels_add(&base, "service",
					json_string_value(json_object_get(s, "service")));
			prom_labels_extend(&l, &base, "role", roles[k]);
			snprintf(key, sizeof(key), "%s_pid", roles[k]);
			prom_sample_u64(w->b, w->family, &l, u64_at(s, key));
		}
	}
	for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++) {
		family_begin(w, counters[k].name, "counter", counters[k].help);
		ft_counter(w, ft, counters[k].key);
	}
	family_begin(w, "onvm_ft_last_checkpoint_bytes", "gauge",
		     "The size of the last checkpoint committed.");
	ft_gauge(w, ft, "last_checkpoint", "bytes", 1);
	family_begin(w, "onvm_ft_last_checkpoint_flows", "gauge",
		     "Flows in the last checkpoint committed (those of its dirty buckets).");
	ft_gauge(w, ft, "last_checkpoint", "flows", 1);
	family_begin(w, "onvm_ft_last_checkpoint_seconds", "gauge",
		     "How long the last checkpoint took: the active's export, the standby's import, "
		     "and from start to commit (total).");
	json_array_foreach(ft, i, s) {
		const json_t *cp = json_object_get(s, "last_checkpoint");

		for (size_t k = 0; k < 3; k++) {
			struct prom_labels base, l;
			char key[16];

			prom_labels_init(&base);
			prom_labels_add(&base, "service",
					json_string_value(json_object_get(s, "service")));
			prom_labels_extend(&l, &base, "phase", phases[k]);
			snprintf(key, sizeof(key), "%s_us", phases[k]);
			prom_sample_f64(w->b, w->family, &l, (double)u64_at(cp, key) / 1e6);
		}
	}
	family_begin(w, "onvm_ft_held_packets", "gauge",
		     "Packets the active emitted that wait for their checkpoint's commit.");
	ft_gauge(w, ft, NULL, "held_packets", 1);
	family_begin(w, "onvm_ft_hold_seconds", "gauge",
		     "How long the manager held the active's output before releasing it (what "
		     "output commit adds to latency), at the quantile, since the active started.");
	json_array_foreach(ft, i, s) {
		static const struct {
			const char *q, *key;
		} qs[] = { { "0.5", "p50_ns" }, { "0.99", "p99_ns" } };
		const json_t *h = json_object_get(s, "hold_time");

		for (size_t k = 0; k < 2; k++) {
			struct prom_labels base, l;

			prom_labels_init(&base);
			prom_labels_add(&base, "service",
					json_string_value(json_object_get(s, "service")));
			prom_labels_extend(&l, &base, "quantile", qs[k].q);
			prom_sample_f64(w->b, w->family, &l, (double)u64_at(h, qs[k].key) / 1e9);
		}
	}
}

/* ---- the rest ---- */

static void
write_global(struct mw *w, const json_t *snap)
{
	const json_t *drops = json_object_get(snap, "drops"), *pool = json_object_get(snap, "mempool");
	const char *reason;
	json_t *v;

	family_begin(w, "onvm_drops_total", "counter",
		     "Packets the data path dropped, by reason (the manager's, and with the "
		     "OpenFlow agent its pipeline's).");
	json_object_foreach((json_t *)drops, reason, v) {
		struct prom_labels l;

		prom_labels_init(&l);
		prom_labels_add(&l, "reason", reason);
		counter(w, &l, 0, u64_at(drops, reason));
	}
	family_end(w);
	family_begin(w, "onvm_mempool_in_use", "gauge", "Packet buffers in use.");
	prom_sample_u64(w->b, w->family, NULL, u64_at(pool, "in_use"));
	family_begin(w, "onvm_mempool_baseline", "gauge",
		     "Packet buffers in use once the ports started (drivers keep some): with no "
		     "traffic, in use returns to it.");
	prom_sample_u64(w->b, w->family, NULL, u64_at(pool, "baseline"));
	family_begin(w, "onvm_mempool_size", "gauge", "Packet buffers in the pool.");
	prom_sample_u64(w->b, w->family, NULL, u64_at(pool, "size"));
	family_begin(w, "onvm_start_time_seconds", "gauge",
		     "When the manager started, in seconds since 1970.");
	prom_sample_f64(w->b, w->family, NULL, json_number_value(json_object_get(snap, "start_time")));
}

void
web_metrics_write(const json_t *snap, struct ckeep *k, struct prom_buf *out)
{
	struct mw w = { .b = out, .k = k };

	ckeep_begin(k);
	write_ports(&w, json_object_get(snap, "ports"));
	write_nfs(&w, json_object_get(snap, "nfs"));
	write_services(&w, json_object_get(snap, "services"));
	write_chains(&w, json_object_get(snap, "chains"));
	write_ft(&w, json_object_get(snap, "ft"));
	write_global(&w, snap);
	family_begin(&w, "onvm_metrics_unkept_total", "counter",
		     "Observations of counter series beyond the most this page keeps (they may "
		     "go down); 0 unless a manager runs for long with very many chains or NFs.");
	prom_sample_u64(out, w.family, NULL, ckeep_unkept(k));
	ckeep_end(k);
}
