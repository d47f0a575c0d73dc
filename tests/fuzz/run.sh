#!/usr/bin/env bash
# Build the libFuzzer harnesses (clang) and run each on its corpus.
#   tests/fuzz/run.sh [--seconds N | N] [TARGET...]  (default 60 s each, all targets)
# A bare number is the seconds: `tests/fuzz/run.sh 30` runs every target 30 s.
# <target>.dict and <target>.options (more libFuzzer flags, one line) are
# used when present. The seed corpus in tests/fuzz/<target>/corpus is
# copied, never modified; crashes are saved as tests/fuzz/<target>/crash-*
# for a test to keep.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
seconds=60
targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=$2; shift 2 ;;
	*[!0-9]*) targets+=("$1"); shift ;;
	[0-9]*) seconds=$1; shift ;;
	*) targets+=("$1"); shift ;;
	esac
done
if [ ${#targets[@]} -eq 0 ]; then
	for d in tests/fuzz/*/; do
		[ -f "$d/meson.build" ] && targets+=("$(basename "$d")")
	done
fi

if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false -Dbuildtype=debugoptimized \
		>build-fuzz.setup.log 2>&1 || { tail -20 build-fuzz.setup.log; exit 1; }
fi
ninja -C build-fuzz >build-fuzz.ninja.log 2>&1 || { tail -30 build-fuzz.ninja.log; exit 1; }

status=0
for t in "${targets[@]}"; do
	exe=$(find "build-fuzz/tests/fuzz/$t" -maxdepth 1 -type f -perm -u+x 2>/dev/null | head -1)
	if [ -z "$exe" ]; then
		echo "fuzz $t: no harness built"
		status=1
		continue
	fi
	work=$(mktemp -d)
	cp -r "tests/fuzz/$t/corpus/." "$work/" 2>/dev/null
	dict=()
	[ -f "tests/fuzz/$t/$t.dict" ] && dict=(-dict="tests/fuzz/$t/$t.dict")
	opts=()
	[ -f "tests/fuzz/$t/$t.options" ] && read -r -a opts <"tests/fuzz/$t/$t.options"
	if "$exe" "$work" ${dict[@]+"${dict[@]}"} ${opts[@]+"${opts[@]}"} \
		-max_total_time="$seconds" -rss_limit_mb=2048 \
		-artifact_prefix="tests/fuzz/$t/" -print_final_stats=1 >"$work.log" 2>&1; then
		echo "fuzz $t: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work.log" | awk '{print $2}') runs in ${seconds} s, no crash"
	else
		echo "fuzz $t: FAILED"
		grep -E "ERROR|SUMMARY|artifact" "$work.log" | head -5
		status=1
	fi
	rm -rf "$work" "$work.log"
done
exit $status
