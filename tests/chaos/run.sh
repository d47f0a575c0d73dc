#!/usr/bin/env bash
# The chaos run (docs/testing.md, "Chaos"): a chain under steady load while
# NFs are killed and restarted, instances come and go, the chain file is
# reloaded with valid and invalid versions and OpenFlow controllers install,
# delete and steer flows and vanish; then traffic stops and every counter
# must add up, the mempool be back to its baseline, the flows be the last
# installed set. Prints the seed and every action with its time.
#
#   tests/chaos/run.sh --seconds S [--seed N] [--rate PPS] [--hops N]
#                      [--interval S] [--dedicated] [--workdir DIR]
#
# Runs as root (hugepages), from any directory. ONVM_BUILD_DIR selects the
# build (build/ by default; build-asan/ for the sanitizer run). Exits 0 when
# every check passed, 1 otherwise, 77 when ovs-ofctl is missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec /usr/bin/python3 -B "$here/chaos.py" "$@"
