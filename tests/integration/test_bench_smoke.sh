#!/usr/bin/env bash
# The benchmark command runs end to end: every case measured, the table and
# the JSON written, nothing of its processes left behind. It asserts that
# packets moved, never how fast (speed belongs to the benchmark itself).
source "$(dirname "$0")/lib.sh"
test_init bench_smoke
bench_dirs_before=$(ls /var/run/dpdk 2>/dev/null | grep '^onvmbench_' | sort)

json=$WORK/bench.json
ONVM_BUILD_DIR=$BUILD "$ONVM_ROOT/tests/bench/run.sh" --chains 1,2 --repeat 2 \
	--duration 0.5 --warmup 0.2 --perf 0.5 --json "$json" >"$WORK/bench.out" 2>&1
rc=$?
check "run.sh exits 0" test "$rc" = 0
for case in testpmd 'rings only' 1-NF 2-NF; do
	check "the table has a row for $case" grep -q "^$case " "$WORK/bench.out"
done
check "and the core-to-core line" grep -q '^core to core: ' "$WORK/bench.out"
rows() { "$SYS_PYTHON" - "$json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cases = {r["case"]: r for r in d["rows"]}
ok = set(cases) == {"testpmd", "rings only", "1-NF", "2-NF"}
ok = ok and all(r["mpps"] > 0 and len(r["mpps_all"]) == 2 for r in cases.values())
ok = ok and cases["testpmd"]["ratio"] == 1.0 and 0 < cases["1-NF"]["ratio"]
ok = ok and cases["rings only"]["ratio_rings"] == 1.0 and 0 < cases["1-NF"]["ratio_rings"]
ok = ok and len(d["core_round_trips_by_round"]) == 2 and d["core_round_trip_cycles"] > 0
# testpmd links DPDK as the platform does (a static build is compared with
# the static testpmd that run_all.sh builds next to it).
ok = ok and d["dpdk_link"] in ("shared", "static") and d["testpmd_dpdk_link"] == d["dpdk_link"]
sys.exit(0 if ok else 1)
PY
}
check "JSON: every case measured in both rounds, packets moved, ratios, round trips, testpmd linked as the platform" rows
profile() { "$SYS_PYTHON" - "$json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])).get("perf") or {}
threads = p.get("threads", {})
# The manager's data lcore is a DPDK worker thread; its samples name the
# dataplane's functions.
worker = [t for name, t in threads.items() if "worker" in name]
syms = {s for t in worker for _, s in t["symbols"]}
dataplane = {"rx_port", "tx_nf", "enqueue_runs", "dataplane_iteration"}
sys.exit(0 if p.get("case") == "1-NF" and syms & dataplane else 1)
PY
}
check "--perf: the 1-NF chain's profile names the manager's dataplane functions" profile
check "start-up times reported for the chains" grep -q '^1-NF .*[0-9]\.[0-9][0-9][0-9]' "$WORK/bench.out"
if [ "$rc" != 0 ]; then tail -20 "$WORK/bench.out"; fi

# The rule-set cases, tiny: 50 rules over 200 flows, the 1-NF chain with
# the rules as JSON chains and as OpenFlow flows, two rounds.
if command -v ovs-ofctl >/dev/null; then
	rjson=$WORK/bench_rules.json
	ONVM_BUILD_DIR=$BUILD "$ONVM_ROOT/tests/bench/run.sh" --chains 1 --no-rings --repeat 2 \
		--duration 0.5 --warmup 0.2 --rules 50 --flows 200 --json "$rjson" \
		>"$WORK/bench_rules.out" 2>&1
	rrc=$?
	check "run.sh --rules exits 0" test "$rrc" = 0
	for case in 1-NF/JSON 1-NF/OpenFlow; do
		check "the table has a row for $case" grep -q "^$case " "$WORK/bench_rules.out"
	done
	check "the rule set's masks and hit spread are printed" \
		grep -Eq '^rule set .*50 rules, [0-9]+ distinct masks.* 200 flows hit [0-9]+ rules' \
		"$WORK/bench_rules.out"
	check "the OpenFlow/JSON ratio line, per round and median" \
		grep -Eq '^OpenFlow/JSON 1-NF: round 1 [0-9.]+  round 2 [0-9.]+; median [0-9.]+$' \
		"$WORK/bench_rules.out"
	rule_rows() { "$SYS_PYTHON" - "$rjson" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cases = {r["case"]: r for r in d["rows"]}
js, of = cases.get("1-NF/JSON"), cases.get("1-NF/OpenFlow")
ok = js is not None and of is not None
ok = ok and all(r["mpps"] > 0 and len(r["mpps_all"]) == 2 and r["ratio"] > 0 for r in (js, of))
ok = ok and js["rules"]["chains_loaded"] == 51 and of["rules"]["flows_installed"] == 52
w = d["workload"]
ok = ok and w["rules"] == 50 and w["flows"] == 200 and w["masks"] > 0 and w["rules_hit"] > 25
ok = ok and of["rules"]["rules_hit"] >= 0.9 * w["rules_hit"] and of["rules"]["returned_packets"] > 0
r = d["openflow_vs_json"]["1-NF"]
ok = ok and len(r["by_round"]) == 2 and r["median"] > 0
sys.exit(0 if ok else 1)
PY
	}
	check "JSON: both rule cases in both rounds, rules installed and hit, the ratio" rule_rows
	if [ "$rrc" != 0 ]; then tail -20 "$WORK/bench_rules.out"; fi
else
	echo "  skipped the rule-set cases: ovs-ofctl not installed"
fi

# Only directories this test's runs made: other benchmarks may run beside it.
leftover() {
	! comm -13 <(printf '%s\n' "$bench_dirs_before") \
		<(ls /var/run/dpdk 2>/dev/null | grep '^onvmbench_' | sort) | grep -q .
}
check "no benchmark runtime directory left behind" leftover
finish
