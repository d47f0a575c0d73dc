#!/usr/bin/env bash
# The benchmark (docs/benchmarking.md): dpdk-testpmd io forwarding and chains
# of 1, 2 and 3 simple_forward NFs on net_null ports, 64-byte packets, in one
# run; prints one table (Mpps, cycles/packet, ratio to testpmd) and the
# start-up times.
#
#   tests/bench/run.sh [--duration S] [--warmup S] [--repeat N] [--chains 1,2,3]
#                      [--plot out.png] [--json out.json] [--no-testpmd]
#                      [--rules N [--flows N] [--seed S]]
#
# --rules N adds, per chain length, the chain selected through N generated
# rules (tests/bench/ruleset.py) as JSON chains and as OpenFlow flows
# (ovs-ofctl add-flows), with their OpenFlow/JSON ratio per round.
#
# Runs as root (hugepages), from any directory. ONVM_BUILD_DIR selects the
# build (build/ by default).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec /usr/bin/python3 -B "$here/bench.py" "$@"
