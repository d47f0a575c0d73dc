#!/usr/bin/env bash
# Conformance of the manager's OpenFlow 1.3 agent against a suite we did not
# write: the os-ken switch test tool (os_ken/tests/switch/tester.py from
# python3-os-ken) with the OpenFlow 1.3 cases of the os-ken repository.
#
#   controller (osken-manager + tester.py, 127.0.0.1:PORT)
#        |                                   |
#   target: onvm_mgr, dpid 1            tester: Open vSwitch userspace
#   OpenFlow ports 1-3 = DPDK           bridge (datapath_type=netdev),
#   net_af_packet0-2 on tgt1-tgt3       dpid 2, ports 1-3 = tst1-tst3
#        tgt1 ------------ veth ------------ tst1
#        tgt2 ------------ veth ------------ tst2
#        tgt3 ------------ veth ------------ tst3
#
# Everything runs in a private network namespace, with a private
# ovsdb-server / ovs-vswitchd (never the system service). The manager is
# restarted for every selection; each selection is one osken-manager run.
# Not part of tests/run_all.sh: a full run takes a long time, since every
# failing case waits for the tool's timeouts.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TESTER=${OSKEN_TESTER:-/usr/lib/python3/dist-packages/os_ken/tests/switch/tester.py}
OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
DEFAULT_SELECTION=(match action action/25_SET_FIELD group meter)
OSKEN_GIT_URLS=(https://opendev.org/openstack/os-ken https://github.com/openstack/os-ken)

usage() {
	cat <<USAGE
usage: $0 [-c CASES_DIR] [-o OUT_DIR] [-b BUILD_DIR] [-t SECONDS] [SELECTION...]

Runs the os-ken switch test tool against onvm_mgr's OpenFlow 1.3 agent and
prints, per selection, the number of cases, how many passed, and the errors
by category (Markdown tables; also in OUT_DIR/summary.txt, with every
failure message per case file in OUT_DIR/details.txt).

  -c CASES_DIR  the os-ken of13 case directory (os_ken/tests/switch/of13);
                default \$OSKEN_CASES, else a shallow clone of os-ken in
                \${XDG_CACHE_HOME:-~/.cache}/onvm-conformance
  -o OUT_DIR    where logs go (default: a new /tmp/osken_conformance.XXXXXX)
  -b BUILD_DIR  the meson build holding onvm_mgr (default: build)
  -t SECONDS    give up on one selection after this long (default: 20 s per
                case, twice the sending time of throughput cases, plus 120 s)
  SELECTION     folders or files relative to CASES_DIR, e.g. match,
                action/25_SET_FIELD, match/00_IN_PORT.json. A folder means
                its *.json files only (action does not include its
                25_SET_FIELD subfolder). Default: ${DEFAULT_SELECTION[*]}

Needs root (network namespace, veths, DPDK hugepages), osken-manager
(python3-os-ken) and Open vSwitch (openvswitch-switch).
USAGE
}

die() { echo "osken_switch_test: $*" >&2; exit 1; }
say() { echo "osken_switch_test: $*"; }

CASES=${OSKEN_CASES:-}
OUT=
BUILD=$ROOT/build
BUDGET=
while getopts "c:o:b:t:h" opt; do
	case $opt in
	c) CASES=$OPTARG ;;
	o) OUT=$OPTARG ;;
	b) BUILD=$OPTARG ;;
	t) BUDGET=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
SELECTION=("$@")
[ ${#SELECTION[@]} -gt 0 ] || SELECTION=("${DEFAULT_SELECTION[@]}")

[ "$(id -u)" = 0 ] || die "must run as root (network namespace, veths, hugepages)"
case "$BUILD" in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
MGR_BIN=$BUILD/onvm_mgr/onvm_mgr
[ -x "$MGR_BIN" ] || die "no manager at $MGR_BIN (build first: meson setup build && ninja -C build)"
for tool in osken-manager ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ip ethtool; do
	command -v "$tool" >/dev/null || die "$tool not found (scripts/install_deps.sh installs it)"
done
[ -f "$TESTER" ] || die "no tester at $TESTER (python3-os-ken)"

# ---- the cases ----
fetch_cases() {
	local cache=${XDG_CACHE_HOME:-$HOME/.cache}/onvm-conformance/os-ken url
	if [ ! -d "$cache/os_ken/tests/switch/of13" ]; then
		command -v git >/dev/null || die "no -c CASES_DIR given and git is not installed"
		rm -rf "$cache"
		mkdir -p "$(dirname "$cache")"
		for url in "${OSKEN_GIT_URLS[@]}"; do
			say "fetching the of13 cases: git clone --depth 1 $url" >&2
			git clone -q --depth 1 "$url" "$cache" >&2 && break
			rm -rf "$cache"
		done
		[ -d "$cache/os_ken/tests/switch/of13" ] ||
			die "could not download os-ken (${OSKEN_GIT_URLS[*]}); pass -c CASES_DIR or set OSKEN_CASES"
	fi
	echo "$cache/os_ken/tests/switch/of13"
}
[ -n "$CASES" ] || CASES=$(fetch_cases)
[ -d "$CASES" ] || die "case directory $CASES does not exist"
CASES=$(cd "$CASES" && pwd)
for sel in "${SELECTION[@]}"; do
	[ -e "$CASES/$sel" ] || die "no $sel in $CASES"
done

# ---- everything we start is killed by PID on exit ----
NS=osken_conf_$$
PREFIX=osken_conf_$$
PORT=$((30000 + $$ % 20000))
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/osken_conformance.XXXXXX)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
OVS_DIR=$OUT/ovs
MGR_PID=
OSKEN_PID=
OVS_PIDS=()

kill_wait() { # kill_wait PID: SIGTERM, then SIGKILL after 5 s
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local pid
	kill_wait "$OSKEN_PID"
	stop_mgr
	for pid in "${OVS_PIDS[@]}"; do
		kill_wait "$pid"
	done
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "/var/run/dpdk/$PREFIX"
	rm -f /dev/hugepages/"${PREFIX}"map_* 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs a command in the namespace. ip execs it, so for a command started
# with "ip netns exec ... &", $! is the command's own PID; a shell function
# would put a subshell in between, so background starts do not use in_ns.
in_ns() { ip netns exec "$NS" "$@"; }

wait_for() { # wait_for SECONDS command...
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}

# ---- namespace and wires ----
setup_netns() {
	ip netns add "$NS"
	in_ns ip link set lo up
	# No IPv6 on the wires: router solicitations and DAD would be packets
	# the tests do not expect.
	in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	local i
	for i in 1 2 3; do
		in_ns ip link add "tgt$i" type veth peer name "tst$i"
		# VLAN tags (802.1Q and 802.1ad) stay in the frames rather than
		# in socket metadata.
		for dev in "tgt$i" "tst$i"; do
			in_ns ethtool -K "$dev" rxvlan off txvlan off \
				rx-vlan-stag-hw-parse off tx-vlan-stag-hw-insert off >/dev/null 2>&1 ||
				say "warning: could not turn VLAN offloads off on $dev"
		done
		in_ns ip link set "tgt$i" up
		in_ns ip link set "tst$i" up
	done
}

# ---- the tester: a private Open vSwitch ----
vsctl() { in_ns ovs-vsctl --db="unix:$OVS_DIR/db.sock" --timeout=20 "$@"; }

setup_ovs() {
	mkdir -p "$OVS_DIR"
	export OVS_RUNDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR \
		OVS_SYSCONFDIR=$OVS_DIR OVS_PKGDATADIR=$(dirname "$OVS_SCHEMA")
	ovsdb-tool create "$OVS_DIR/conf.db" "$OVS_SCHEMA"
	ip netns exec "$NS" ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" \
		--unixctl="$OVS_DIR/ovsdb-server.ctl" --pidfile="$OVS_DIR/ovsdb-server.pid" \
		--log-file="$OVS_DIR/ovsdb-server.log" >/dev/null 2>&1 &
	OVS_PIDS+=("$!")
	wait_for 20 test -S "$OVS_DIR/db.sock" || die "ovsdb-server did not start (see $OVS_DIR)"
	vsctl --no-wait init
	ip netns exec "$NS" ovs-vswitchd "unix:$OVS_DIR/db.sock" --unixctl="$OVS_DIR/ovs-vswitchd.ctl" \
		--pidfile="$OVS_DIR/ovs-vswitchd.pid" --log-file="$OVS_DIR/ovs-vswitchd.log" \
		>/dev/null 2>&1 &
	OVS_PIDS+=("$!")
	wait_for 20 test -S "$OVS_DIR/ovs-vswitchd.ctl" || die "ovs-vswitchd did not start (see $OVS_DIR)"
	vsctl add-br br0 -- set bridge br0 datapath_type=netdev \
		other-config:datapath-id=0000000000000002 other-config:disable-in-band=true \
		protocols=OpenFlow13 fail_mode=secure
	local i
	for i in 1 2 3; do
		vsctl add-port br0 "tst$i" -- set interface "tst$i" "ofport_request=$i"
	done
	vsctl set-controller br0 "tcp:127.0.0.1:$PORT"
	vsctl set controller br0 max_backoff=1000
}

# ---- the target: onvm_mgr ----
start_mgr() { # start_mgr LOG
	ip netns exec "$NS" "$MGR_BIN" -l 0 --file-prefix "$PREFIX" --no-pci --log-level=lib.eal:warning \
		--vdev=net_af_packet0,iface=tgt1 --vdev=net_af_packet1,iface=tgt2 \
		--vdev=net_af_packet2,iface=tgt3 \
		-- -p 0x7 -s none -d nobody --of-controller "127.0.0.1:$PORT" --of-dpid 1 \
		>"$1" 2>&1 &
	MGR_PID=$!
	wait_for 90 grep -qs "onvm_mgr: ready" "$1" || {
		tail -20 "$1" >&2
		die "the manager did not start (log: $1)"
	}
}

stop_mgr() {
	[ -n "$MGR_PID" ] || return 0
	local i
	kill -INT "$MGR_PID" 2>/dev/null || true
	for i in $(seq 100); do
		kill -0 "$MGR_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$MGR_PID" 2>/dev/null || true
	wait "$MGR_PID" 2>/dev/null || true
	MGR_PID=
}

# ---- one selection: a folder's *.json or one file, in a staging dir ----
stage() { # stage SELECTION DIR: links the cases of SELECTION into DIR
	local src=$CASES/$1 f
	mkdir -p "$2"
	if [ -d "$src" ]; then
		for f in "$src"/*.json; do
			[ -e "$f" ] && ln -s "$f" "$2/"
		done
	else
		ln -s "$src" "$2/"
	fi
	ls "$2"/*.json >/dev/null 2>&1 || die "no *.json in $src"
}

run_selection() { # run_selection SELECTION
	local sel=$1 name dir ncases budget rc=0
	name=$(echo "$sel" | tr '/' '_')
	name=${name%.json}
	dir=$OUT/cases/$name
	stage "$sel" "$dir"
	# The number of cases, and a time budget: 20 s a case plus the
	# duration of the throughput cases (group, meter) that send for 30 s.
	read -r ncases budget < <(/usr/bin/python3 -c 'import json,sys
cases = [t for f in sys.argv[1:] for t in json.load(open(f)) if isinstance(t, dict)]
sending = sum(p["ingress"]["packets"].get("duration_time", 0)
              for t in cases for p in t.get("tests", [])
              if isinstance(p.get("ingress"), dict) and "packets" in p["ingress"])
print(len(cases), 20 * len(cases) + 2 * sending + 120)' "$dir"/*.json)
	[ -n "${budget:-}" ] || die "could not read the cases in $dir"
	budget=${BUDGET:-$budget}
	say "$sel: $ncases cases (at most ${budget}s)"

	ip netns exec "$NS" timeout -s INT "$budget" osken-manager --ofp-tcp-listen-port "$PORT" \
		--test-switch-dir "$dir" --test-switch-target 0000000000000001 \
		--test-switch-tester 0000000000000002 "$TESTER" \
		>"$OUT/$name.osken.log" 2>&1 &
	OSKEN_PID=$!
	start_mgr "$OUT/$name.mgr.log"
	wait "$OSKEN_PID" || rc=$?
	OSKEN_PID=
	if ! kill -0 "$MGR_PID" 2>/dev/null; then
		say "$sel: the manager died during the run (see $OUT/$name.mgr.log)"
	fi
	stop_mgr
	[ "$rc" = 124 ] && say "$sel: stopped after ${budget}s; counts are partial"
	printf '%s\t%s\t%s\n' "$sel" "$ncases" "$OUT/$name.osken.log" >>"$OUT/runs.tsv"
}

say "cases: $CASES"
say "logs:  $OUT"
: >"$OUT/runs.tsv"
setup_netns
setup_ovs
for sel in "${SELECTION[@]}"; do
	run_selection "$sel"
done
/usr/bin/python3 "$HERE/osken_report.py" "$OUT/runs.tsv" --details "$OUT/details.txt" |
	tee "$OUT/summary.txt"
say "logs and summary in $OUT"
