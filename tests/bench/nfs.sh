#!/usr/bin/env bash
# Benchmark rows for the operator NFs' classification engines, each with a
# realistic configuration, measured on one core without the platform
# around them (the chain benchmark, run.sh, measures the platform):
#   firewall       rte_acl over 10 / 1,000 / 10,000 rules
#   router         1,000,000 random routes: load time, rte_fib lookups
#   load_balancer  one VIP, 16 backends, Maglev + connection table
#   ids            1 / 100 / 1,000 content rules with Hyperscan over a real capture
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${ONVM_BUILD_DIR:-$root/build}
# The ids row's capture: the tests' capture of real web traffic (recorded
# into the build the first time), or $ONVM_TESTDATA/64B_download.pcap when
# that is given.
if [ -n "${ONVM_TESTDATA:-}" ]; then
	capture=$ONVM_TESTDATA/64B_download.pcap
	[ -f "$capture" ] || { echo "nfs.sh: $capture not found" >&2; exit 1; }
else
	capture=$(bash "$root/tests/integration/make_web_capture.sh" "$build/testdata/web.pcap") || exit 1
fi

row() { printf '\n== %s\n' "$1"; }
quiet() { grep -v '^EAL: \|^TELEMETRY' ; }

row "firewall (build/nfs/firewall/fw_bench)"
"$build/nfs/firewall/fw_bench" 2>&1 | quiet
row "router (build/nfs/router/rt_bench: 1M routes)"
"$build/nfs/router/rt_bench" 2>&1 | quiet
row "load_balancer (build/nfs/load_balancer/lb_bench: 16 backends)"
"$build/nfs/load_balancer/lb_bench" 2>&1 | quiet
row "ids (build/nfs/ids/ids_bench over $(basename "$capture"))"
"$build/nfs/ids/ids_bench" "$capture" 1 2>&1 | quiet
