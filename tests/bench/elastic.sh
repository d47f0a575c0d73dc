#!/usr/bin/env bash
# The elastic benchmark (docs/elastic.md): throughput by instance count,
# the pause of moves of the stateful firewall's connections, and a time
# series of a scale-out under load (SVG).
#
#   tests/bench/elastic.sh [--flows N] [--moves N] [--instances 2,3]
#                          [--svg out.svg] [--json out.json]
#
# Runs as root (hugepages), from any directory. ONVM_BUILD_DIR selects the
# build (build/ by default).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec /usr/bin/python3 -B "$here/elastic.py" "$@"
