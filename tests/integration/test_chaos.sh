#!/usr/bin/env bash
# The chaos run, short (tests/chaos/run.sh; docs/testing.md, "Chaos"): a
# 3-NF chain under steady load while NFs are killed and restarted,
# instances come and go, the chain file is reloaded with valid and invalid
# versions, and OpenFlow controllers install, delete and steer flows and
# vanish mid-session; then traffic stops and every counter must add up, the
# mempool be back to its baseline and the flows be the last installed set.
# One minute (ONVM_CHAOS_SECONDS), half as long and at a lower rate on a
# sanitizer build. The seed is drawn and printed; ONVM_CHAOS_SEED replays a
# run.
source "$(dirname "$0")/lib.sh"
test_init chaos
command -v ovs-ofctl >/dev/null || skip "ovs-ofctl not installed"

seconds=${ONVM_CHAOS_SECONDS:-60} rate=50000
if "$SYS_PYTHON" -c 'import json, sys
opts = json.load(open(sys.argv[1]))
sys.exit(0 if any(o["name"] == "sanitize" and o["value"] for o in opts) else 1)' \
	"$BUILD/meson-info/intro-buildoptions.json" 2>/dev/null; then
	seconds=${ONVM_CHAOS_SECONDS:-30} rate=20000
fi
seed=()
[ -n "${ONVM_CHAOS_SEED:-}" ] && seed=(--seed "$ONVM_CHAOS_SEED")
# Its logs go to $WORK: finish() fails the test on any sanitizer report.
check "chaos: $seconds s, every check passed" \
	env ONVM_BUILD_DIR="$BUILD" "$ONVM_ROOT/tests/chaos/run.sh" --seconds "$seconds" \
	--rate "$rate" "${seed[@]}" --workdir "$WORK/chaos"
finish
