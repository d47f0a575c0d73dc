#!/usr/bin/env bash
# The whole test suite: build, unit tests, integration tests (real manager
# and NF processes on virtual ports and network namespaces), the unit and
# pcap tests again under AddressSanitizer + UBSan, a few integration tests
# on the statically linked build (-Ddpdk_link=static), and short fuzz runs.
# Ends with one line: "N passed, N failed, N skipped". A test that cannot
# run here (a tool it needs is missing) exits 77 and is counted as
# skipped, never as passed. Needs root (hugepages, namespaces): run
# scripts/install_deps.sh and scripts/setup_hugepages.sh first, or use the
# quick start.
#
#   tests/run_all.sh [--no-asan] [--no-static] [--no-fuzz] [--no-skips] [PATTERN]
#   PATTERN selects integration tests by name (e.g. "kill").
#   --no-skips counts a skipped test as failed (CI, which installs every tool).
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

asan=1 static=1 fuzz=1 no_skips=0 pattern=""
for a in "$@"; do
	case "$a" in
	--no-asan) asan=0 ;;
	--no-static) static=0 ;;
	--no-fuzz) fuzz=0 ;;
	--no-skips) no_skips=1 ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	*) pattern=$a ;;
	esac
done

passed=0 failed=0 skipped=0 failures=() skips=()
# 77 is "skipped", as for meson and automake.
record() { # record NAME STATUS
	if [ "$2" = 0 ]; then
		passed=$((passed + 1))
		echo "PASS $1"
	elif [ "$2" = 77 ] && [ "$no_skips" = 0 ]; then
		skipped=$((skipped + 1))
		skips+=("$1")
		echo "SKIP $1"
	elif [ "$2" = 77 ]; then
		failed=$((failed + 1))
		failures+=("$1")
		echo "FAIL $1 (skipped, and --no-skips)"
	else
		failed=$((failed + 1))
		failures+=("$1")
		echo "FAIL $1"
	fi
}

build() { # build DIR [meson options...]
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	else
		meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	fi
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -40 "$dir.ninja.log"; return 1; }
}

meson_suite() { # meson_suite DIR LABEL SUITE: each test of a meson suite, one by one
	local dir=$1 label=$2 suite=$3 name rc
	local tests
	tests=$(meson introspect "$dir" --tests | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if any(x.split(":")[-1] == sys.argv[1] for x in t["suite"]):
        print(t["name"])' "$suite")
	for name in $tests; do
		meson test -C "$dir" --suite "$suite" --print-errorlogs "$name" >"$dir/${suite}_$name.log" 2>&1
		rc=$?
		# meson exits 0 when its one test was skipped; its log says so.
		[ $rc = 0 ] && meson_skipped "$dir" "$name" && rc=77
		[ $rc = 0 ] || tail -30 "$dir/${suite}_$name.log"
		record "${label:+$label }$suite/$name" $rc
	done
}

unit_tests() { # unit_tests DIR LABEL
	meson_suite "$1" "$2" unit
}

meson_skipped() { # meson_skipped DIR NAME: the last `meson test` skipped NAME
	python3 - "$1/meson-logs/testlog.json" "$2" <<'PY'
import json, sys
results = [json.loads(line) for line in open(sys.argv[1])]
sys.exit(0 if any(r["name"] == sys.argv[2] and r["result"] == "SKIP" for r in results) else 1)
PY
}

integration_tests() { # integration_tests BUILD_DIR LABEL TESTS...
	local dir=$1 label=$2 t name rc
	shift 2
	for t in "$@"; do
		name=$(basename "$t" .sh)
		name=${name#test_}
		echo "---- ${label:+$label }$name"
		ONVM_BUILD_DIR=$dir timeout 600 bash "$t"
		rc=$?
		record "${label:+$label }integration/$name" $rc
	done
}

# The scripts of the named integration tests that exist and match PATTERN.
integration_subset() {
	local name
	for name in "$@"; do
		[ -f "tests/integration/test_$name.sh" ] && echo "tests/integration/test_$name.sh"
	done | grep -e "${pattern:-.}"
}

echo "==== build"
build build -Dbuildtype=release
record "build" $?

echo "==== unit tests"
unit_tests build ""

echo "==== interoperability with ovs-ofctl and os-ken"
meson_suite build "" interop

echo "==== integration tests"
# The capture of real web traffic most of them replay, recorded once per
# build (a test records it itself if it is missing).
bash tests/integration/make_web_capture.sh build/testdata/web.pcap >/dev/null
record "web capture" $?
mapfile -t itests < <(ls tests/integration/test_*.sh | grep -e "${pattern:-.}")
integration_tests build "" "${itests[@]}"

if [ "$asan" = 1 ]; then
	echo "==== AddressSanitizer + UBSan build"
	build build-asan -Dsanitize=true -Dbuildtype=debugoptimized
	rc=$?
	record "asan build" $rc
	if [ $rc = 0 ]; then
		unit_tests build-asan "asan"
		mapfile -t asan_tests < <(integration_subset pcap_forward chain3_shared_core \
			nf_kill firewall ids e2e_nfs openflow_pipeline openflow_pbb openflow_groups \
			openflow_stall onvmctl elastic_faults elastic_move elastic_scale ft_firewall \
			hostile_frames nf_counters chaos)
		integration_tests build-asan "asan" "${asan_tests[@]}"
	fi
fi

if [ "$static" = 1 ]; then
	# The NF tests only: unit tests do not depend on how DPDK is linked.
	echo "==== DPDK linked statically"
	build build-static -Ddpdk_link=static -Dtests=false -Dbuildtype=release
	rc=$?
	record "static build" $rc
	if [ $rc = 0 ]; then
		mapfile -t static_tests < <(integration_subset pcap_forward chain3_shared_core \
			nf_kill namespaces attach_50 clean_stop bench_smoke)
		if printf '%s\n' "${static_tests[@]}" | grep -q bench_smoke; then
			# The benchmark's like-for-like reference (bench_smoke
			# checks that it is the one used).
			scripts/build_static_testpmd.sh build-static
			record "static testpmd build" $?
		fi
		integration_tests build-static "static" "${static_tests[@]}"
	fi
fi

if [ "$fuzz" = 1 ]; then
	echo "==== fuzzing (short runs)"
	if command -v clang >/dev/null; then
		tests/fuzz/run.sh --seconds 8 # 15 targets: 2 minutes
		record "fuzz smoke" $?
	else
		echo "clang not installed: the libFuzzer harnesses cannot be built"
		record "fuzz smoke" 77
	fi
fi

echo
if [ "$skipped" -gt 0 ]; then
	echo "skipped: ${skips[*]}"
fi
if [ "$failed" -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
