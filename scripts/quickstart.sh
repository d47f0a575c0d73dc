#!/usr/bin/env bash
# The first quick-start command: install what is missing, build, set up
# hugepages, and run the demo (as root on Debian 12).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/install_deps.sh
[ -f build/build.ninja ] || meson setup build -Dbuildtype=release
ninja -C build
scripts/setup_hugepages.sh 1024
scripts/demo.sh
