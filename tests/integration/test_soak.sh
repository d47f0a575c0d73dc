#!/usr/bin/env bash
# The soak run, short (tests/soak/run.sh; docs/testing.md, "Soak"): a 2-NF
# chain at full rate on net_null ports for two minutes (ONVM_SOAK_SECONDS),
# a line every 10 s; fails on a leak (mbufs outside the rings growing, any
# left once the NFs stop) or a rate per core that sinks under half.
source "$(dirname "$0")/lib.sh"
test_init soak
check "soak: ${ONVM_SOAK_SECONDS:-120} s, no leak, no sinking rate" \
	env ONVM_BUILD_DIR="$BUILD" "$ONVM_ROOT/tests/soak/run.sh" \
	--seconds "${ONVM_SOAK_SECONDS:-120}" --interval 10 --workdir "$WORK/soak"
finish
