#!/usr/bin/env bash
# The soak run (docs/testing.md, "Soak"): a chain at full rate on net_null
# ports for the given time, a line per interval (Mpps, Mpps per core used,
# drops, mbufs in use, on NF rings and outside them); fails on a leak or a
# rate that sinks.
#
#   tests/soak/run.sh --seconds S [--interval S] [--nfs N] [--dedicated]
#                     [--workdir DIR]
#
# Runs as root (hugepages), from any directory. ONVM_BUILD_DIR selects the
# build (build/ by default).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec /usr/bin/python3 -B "$here/soak.py" "$@"
