# Shared helpers for integration tests: start the manager and NFs as real
# processes on virtual ports, check what comes out, and always clean up.
#
# A test script sources this file, calls `test_init NAME`, does its work
# with start_mgr / start_nf / ..., calls `check` for each assertion and
# ends with `finish`. It exits 0 when every check passed, and 77 (skipped,
# as meson and automake count it) through `skip` when it cannot run here.
#
# ONVM_BUILD_DIR selects the build (build/ by default; build-asan/ for the
# sanitizer run).

ONVM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${ONVM_BUILD_DIR:-$ONVM_ROOT/build}
case "$BUILD" in /*) ;; *) BUILD=$ONVM_ROOT/$BUILD ;; esac
MGR_BIN=$BUILD/onvm_mgr/onvm_mgr
# ONVM_TESTDATA: optional, a directory holding another capture of web
# traffic (64B_download.pcap) that some tests also run their checks on.
SYS_PYTHON=/usr/bin/python3

_pids=()
_nf_pids=()
_links=()
_checks_failed=0
_checks_passed=0

test_init() {
	TEST_NAME=$1
	PREFIX=t_${TEST_NAME}_$$
	WORK=$(mktemp -d "/tmp/onvm_${TEST_NAME}.XXXXXX")
	MGR_LOG=$WORK/mgr.log
	trap _cleanup EXIT
	export ONVM_FILE_PREFIX=$PREFIX
	# Sanitizer builds: fail on the first error, report leaks at exit
	# (finish fails the test on any report in a log). Whole stacks: the
	# fast unwinder stops in libraries built without frame pointers
	# (libpcap), before the frames tests/lsan.supp names.
	export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0}
	export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ONVM_ROOT/tests/lsan.supp:print_suppressions=0}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
}

_cleanup() {
	local pid
	for pid in "${_pids[@]}"; do
		pkill -9 -P "$pid" 2>/dev/null || true # e.g. tshark's dumpcap
		kill -9 "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	_cleanup_netns
	[ ${#_links[@]} = 0 ] || rm -f "${_links[@]}"
	rm -rf "/var/run/dpdk/$PREFIX"
	rm -f /dev/hugepages/"${PREFIX}"map_* 2>/dev/null || true
	if [ "${KEEP_WORK:-0}" != 1 ] && [ "$_checks_failed" = 0 ]; then
		rm -rf "$WORK"
	else
		echo "  (artifacts kept in $WORK)"
	fi
}

log() { echo "  [$TEST_NAME] $*"; }

check() { # check "description" command...
	local what=$1
	shift
	# In a pipeline or $(...) the counts below would die with the subshell
	# and the FAIL line could be eaten by the next command: refuse, loudly,
	# and let finish() count it.
	if [ "$BASH_SUBSHELL" -gt 0 ]; then
		echo "  FAIL - $what (check run in a subshell, its result would be lost)" >&2
		echo "$what" >>"$WORK/lost_checks"
		return 1
	fi
	if "$@"; then
		_checks_passed=$((_checks_passed + 1))
		echo "  ok   - $what"
	else
		_checks_failed=$((_checks_failed + 1))
		echo "  FAIL - $what"
	fi
}

# skip REASON: the test cannot run on this machine (a tool it needs is
# missing). 77, not 0: a test that did not run must not count as passed.
skip() {
	echo "  skipped: $*"
	exit 77
}

# What ASan, LSan and UBSan print when they find something.
SANITIZER_REPORT='ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY: AddressSanitizer|SUMMARY: UndefinedBehaviorSanitizer|runtime error:'

# The text files under $WORK (every manager and NF log, and what the test
# wrote there itself) hold no sanitizer report.
_no_sanitizer_report() {
	local hits
	hits=$(grep -rIlE "$SANITIZER_REPORT" "$WORK" 2>/dev/null)
	[ -z "$hits" ] && return 0
	local f
	for f in $hits; do
		echo "    $f:"
		grep -E -A12 "$SANITIZER_REPORT" "$f" | head -40 | sed 's/^/      /'
	done
	return 1
}

finish() {
	# An NF reports leaks as it exits, after the manager that told it to
	# stop: let the ones still exiting finish their report.
	local pid own_checks=$_checks_passed
	if [ -z "${MGR_PID:-}" ] || ! kill -0 "$MGR_PID" 2>/dev/null; then
		for pid in "${_nf_pids[@]}"; do
			wait_for 10 _gone "$pid" >/dev/null 2>&1
		done
	fi
	check "no sanitizer report in any log" _no_sanitizer_report
	if [ -s "$WORK/lost_checks" ]; then
		_checks_failed=$((_checks_failed + $(wc -l <"$WORK/lost_checks")))
	fi
	echo "  $TEST_NAME: $_checks_passed checks passed, $_checks_failed failed"
	[ "$_checks_failed" = 0 ] && [ "$own_checks" -gt 0 ]
	exit $?
}

# wait_for SECONDS command...: poll until the command succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while [ $SECONDS -lt $deadline ]; do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

empty_pcap() {
	printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' >"$1"
}

# pcap_port IDX RX_PCAP TX_PCAP: a --vdev argument for a pcap-backed port.
pcap_vdev() {
	echo "--vdev=net_pcap$1,rx_pcap=$2,tx_pcap=$3"
}

# Until the manager says it is ready; at once false when it exited.
wait_for_mgr_ready() {
	local deadline=$((SECONDS + $1))
	while [ $SECONDS -lt $deadline ]; do
		grep -qs "onvm_mgr: ready" "$MGR_LOG" && return 0
		kill -0 "$MGR_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	grep -qs "onvm_mgr: ready" "$MGR_LOG"
}

# start_mgr LCORES [EAL args...] -- [manager args...]
# LCORES is a list for -l ("0-1"), or a whole --lcores=... argument.
start_mgr() {
	local lcores=$1
	shift
	case "$lcores" in --lcores=*) ;; *) lcores="-l$lcores" ;; esac
	# A log left by an earlier manager of this test must not say "ready"
	# before this one has even opened it.
	: >"$MGR_LOG"
	"$MGR_BIN" "$lcores" --file-prefix "$PREFIX" --no-pci --log-level=lib.eal:warning \
		"$@" >"$MGR_LOG" 2>&1 &
	MGR_PID=$!
	_pids+=("$MGR_PID")
	local t0=$SECONDS
	if ! wait_for_mgr_ready 90; then
		if kill -0 "$MGR_PID" 2>/dev/null; then
			echo "  manager did not start within $((SECONDS - t0)) s (still running):"
		else
			wait "$MGR_PID"
			echo "  manager exited with status $? after $((SECONDS - t0)) s:"
		fi
		sed 's/^/    /' "$MGR_LOG" | tail -20
		return 1
	fi
}

# start_nf NAME [go.sh args...]: starts it, waits until the manager admits it,
# sets NF_PID. Output goes to $WORK/NAME.N.log.
_nf_count=0
start_nf() {
	local name=$1
	shift
	_nf_count=$((_nf_count + 1))
	local joined_before
	joined_before=$(grep -c "joined service" "$MGR_LOG")
	NF_LOG=$WORK/$name.$_nf_count.log
	ONVM_BUILD_DIR=$BUILD "$ONVM_ROOT/go.sh" "$name" "$@" >"$NF_LOG" 2>&1 &
	NF_PID=$!
	_pids+=("$NF_PID")
	_nf_pids+=("$NF_PID")
	if ! wait_for 60 _joined_more "$joined_before"; then
		echo "  NF $name did not join:"
		sed 's/^/    /' "$NF_LOG" | tail -10
		return 1
	fi
}

_gone() { ! kill -0 "$1" 2>/dev/null; }

# exited_0 PID: the process (started by this test) ended within 10 s, with
# status 0.
exited_0() {
	wait_for 10 _gone "$1" || return 1
	wait "$1"
}

# no_match [GREP OPTIONS] PATTERN FILE: FILE was read and no line matches.
# `! grep -q` would also pass on a file that is missing or unreadable.
no_match() {
	grep -q "$@"
	[ $? = 1 ]
}

_joined_more() {
	[ "$(grep -c "joined service" "$MGR_LOG")" -gt "$1" ]
}

# stop_mgr: SIGINT, wait up to 15 s; returns the manager's exit status.
stop_mgr() {
	kill -INT "$MGR_PID" 2>/dev/null || return 1
	local i
	for i in $(seq 150); do
		kill -0 "$MGR_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$MGR_PID" 2>/dev/null; then
		echo "  manager did not exit within 15 s"
		return 1
	fi
	wait "$MGR_PID"
}

# check_no_mbuf_leak [--under-load]: after stop_mgr. "0 mbufs still in
# use" alone cannot see an NF that leaks: it prints after the manager has
# reclaimed every mbuf an NF held. Each NF's retirement line says how many
# it held ("reclaimed N packets (Q queued, H it held)"): an NF that stopped
# holds none, and none was killed for not stopping. --under-load: traffic
# still flowed when the manager stopped, so an NF it stopped may hold the
# one burst (ONVM_BURST, 128) its full TX ring refused then.
check_no_mbuf_leak() {
	local max_held=0
	[ "${1:-}" = --under-load ] && max_held=128
	check "no mbuf leaked: every NF that stopped returned what it held" \
		"$SYS_PYTHON" - "$MGR_LOG" "$max_held" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
ok, stopping = True, False
for line in lines:
    if line == "onvm_mgr: stopping":
        stopping = True
    m = re.match(r"onvm_mgr: NF (\d+) \(.*\) (.*); reclaimed \d+ packets \(\d+ queued, (\d+) it held\)$", line)
    if not m:
        continue
    how, held = m.group(2), int(m.group(3))
    if how == "died":
        continue  # killed by the test: what it held is the manager's to reclaim
    limit = int(sys.argv[2]) if stopping else 0
    if how != "stopped" or held > limit:
        print(f"    {line} (at most {limit} held)")
        ok = False
if "onvm_mgr: stopped; 0 mbufs still in use" not in lines:
    print("    no 'onvm_mgr: stopped; 0 mbufs still in use'")
    ok = False
sys.exit(0 if ok else 1)
PY
}

# telemetry CMD: query the manager's DPDK telemetry socket; prints JSON.
telemetry() {
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/telemetry.py" "/var/run/dpdk/$PREFIX" "$1"
}

# json_get JSON PATH: print a value from JSON, PATH like '/onvm/mempool.in_use'.
json_get() {
	"$SYS_PYTHON" -c 'import json,sys
v=json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v=v[k]
print(v)' "$1" "$2"
}

# Mbufs in use above the baseline the ports hold by themselves.
mempool_in_use() {
	local j
	j=$(telemetry /onvm/mempool)
	echo $(($(json_get "$j" "/onvm/mempool.in_use") - $(json_get "$j" "/onvm/mempool.baseline")))
}

# nf_field NF_ID FIELD: a counter of a running NF from telemetry (or "none").
nf_field() {
	"$SYS_PYTHON" -c 'import json,sys
v=json.loads(sys.argv[1])["/onvm/nfs"]
print(v.get(sys.argv[2], {}).get(sys.argv[3], "none"))' "$(telemetry /onvm/nfs)" "$1" "$2"
}

# port_field PORT FIELD: a platform port counter from telemetry.
port_field() {
	json_get "$(telemetry /onvm/ports)" "/onvm/ports.$1.$2"
}

# nf_id_of PID: the NF id the manager gave the process PID.
nf_id_of() {
	sed -n "s/^onvm_mgr: NF \([0-9]*\) ([^,]*, pid $1) joined.*/\1/p" "$MGR_LOG" | tail -1
}

# OpenFlow tests: skipped without ovs-ofctl, then OFPORT (this test's TCP port
# for --of-listen; SALT keeps tests started in the same second apart) and
# OF (the target ovs-ofctl connects to).
of_test_init() { # of_test_init SALT
	command -v ovs-ofctl >/dev/null || skip "ovs-ofctl not installed"
	OFPORT=$((20000 + ($$ + $1) % 20000))
	OF="tcp:127.0.0.1:$OFPORT"
}

# ovs-ofctl speaking OpenFlow 1.3, its errors in the output for grep.
ofctl() { ovs-ofctl -O OpenFlow13 "$@" 2>&1; }

# ofctl_lacks PATTERN ARGS...: ovs-ofctl ARGS answers, and no line of the
# answer matches PATTERN (an ovs-ofctl that failed has nothing to match).
ofctl_lacks() {
	local pattern=$1 out
	shift
	if ! out=$(ofctl "$@"); then
		echo "    ovs-ofctl $* failed: $out"
		return 1
	fi
	! grep -q -- "$pattern" <<<"$out"
}

pcap_count() {
	"$SYS_PYTHON" - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
n, off = 0, 24
while off + 16 <= len(d):
    off += 16 + struct.unpack("<I", d[off + 8:off + 12])[0]
    n += 1
print(n)
PY
}

# ---- test hosts in network namespaces ----
_netns=()

# make_host NS HOST_IFACE ADDR/LEN: a namespace NS with eth0 at ADDR, wired
# by a veth pair to HOST_IFACE in the root namespace (where a DPDK
# net_af_packet port opens it). Offloads are off: a checksum the kernel
# left for "hardware" would arrive unfinished at the other host.
make_host() {
	local ns=$1 hif=$2 addr=$3
	ip netns add "$ns"
	_netns+=("$ns")
	ip link add "$hif" type veth peer name eth0 netns "$ns"
	ip link set "$hif" up
	ip -n "$ns" addr add "$addr" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	ethtool -K "$hif" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	ip netns exec "$ns" ethtool -K eth0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
}

host_mac() { ip netns exec "$1" cat /sys/class/net/eth0/address; }

_cleanup_netns() {
	local ns
	for ns in "${_netns[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null || true
	done
}

# ---- captures ----

# web_capture: prints the path of this build's capture of real web traffic
# (client 11.0.0.17, server 11.0.0.19:80, a few hundred short downloads),
# recording it the first time (make_web_capture.sh: a few seconds, under a
# lock). On failure the script says why on stderr; use it as
#   in=$(web_capture) || exit 1
web_capture() {
	local cap=$BUILD/testdata/web.pcap link

	bash "$ONVM_ROOT/tests/integration/make_web_capture.sh" "$cap" >/dev/null || return 1
	# NFs (DPDK secondaries) see the manager's net_pcap arguments cut short
	# when they are long, and a cut inside ",infinite_rx=1" crashes their
	# EAL (strtol on a missing value). A short name keeps the whole
	# argument list below that, wherever the repository was cloned.
	link=/tmp/onvm-web-$(printf %s "$cap" | cksum | cut -d' ' -f1).pcap
	ln -sfn "$cap" "$link" && echo "$link"
}

# short_path VAR FILE: sets VAR to a short name for FILE (a symlink in
# /tmp, removed at exit), for --vdev arguments: NFs see the manager's cut
# at 63 characters (see web_capture). FILE need not exist yet (a tx_pcap).
short_path() {
	local link
	link=/tmp/onvm-$$-$(printf %s "$2" | cksum | cut -d' ' -f1 | cut -c1-6).pcap
	ln -sfn "$2" "$link" || return 1
	_links+=("$link")
	printf -v "$1" %s "$link"
}

# extra_capture: prints $ONVM_TESTDATA/64B_download.pcap if it is there,
# nothing otherwise. Tests never need it; some also check it when given.
extra_capture() {
	if [ -n "${ONVM_TESTDATA:-}" ] && [ -f "$ONVM_TESTDATA/64B_download.pcap" ]; then
		echo "$ONVM_TESTDATA/64B_download.pcap"
	fi
}
