#!/usr/bin/env bash
# The demo: two Linux hosts in network namespaces, joined only through the
# platform. The manager owns two net_af_packet ports on veth pairs; a chain
# of NFs sits between the hosts; real traffic crosses it (ping, a TCP
# transfer) while the live stats refresh; then everything stops cleanly.
#
#   scripts/demo.sh [SECONDS_OF_STATS]     (as root, after a build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${ONVM_BUILD_DIR:-$root/build}
linger=${1:-5}
prefix=onvm_demo
export ONVM_FILE_PREFIX=$prefix
work=$(mktemp -d /tmp/onvm_demo.XXXXXX)
pids=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	sleep 1
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	for ns in demo_h1 demo_h2; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

host() { # host NS HOST_IFACE ADDR/LEN
	ip netns del "$1" 2>/dev/null || true
	ip link del "$2" 2>/dev/null || true
	ip netns add "$1"
	ip link add "$2" type veth peer name eth0 netns "$1"
	ip link set "$2" up
	ip -n "$1" addr add "$3" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" link set lo up
	ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	ip netns exec "$1" ethtool -K eth0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
}

say "two hosts: demo_h1 (10.99.0.1) and demo_h2 (10.99.0.2), wired only to the platform"
host demo_h1 demo_p0 10.99.0.1/24
host demo_h2 demo_p1 10.99.0.2/24

say "onvm_mgr on two net_af_packet ports (stats every 2 s)"
"$build/onvm_mgr/onvm_mgr" -l 0-1 --file-prefix $prefix --no-pci --log-level=lib.eal:warning \
	--vdev=net_af_packet0,iface=demo_p0 --vdev=net_af_packet1,iface=demo_p1 \
	-- -p 0x3 -c -z 2 -s stdout >"$work/mgr.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "ready" "$work/mgr.log" && break; sleep 0.1; done
grep "ready" "$work/mgr.log"

say "NFs: basic_monitor -> simple_forward (shared-core mode: they sleep when idle)"
if [ -x "$build/nfs/basic_monitor/basic_monitor" ]; then
	"$root/go.sh" basic_monitor -r 1 -- -d 2 >"$work/nf1.log" 2>&1 &
	pids+=($!)
	"$root/go.sh" simple_forward -r 2 >"$work/nf2.log" 2>&1 &
	pids+=($!)
else
	"$root/go.sh" simple_forward -r 1 >"$work/nf1.log" 2>&1 &
	pids+=($!)
fi
sleep 2
grep "joined" "$work/mgr.log" || true

say "ping demo_h1 -> demo_h2"
ip netns exec demo_h1 ping -c 4 -i 0.3 10.99.0.2

say "TCP: 20 MB from demo_h1 to demo_h2"
head -c 20000000 /dev/urandom >"$work/payload"
ip netns exec demo_h2 /usr/bin/python3 "$root/tests/integration/tcp_transfer.py" serve 5001 "$work/recv" 60 &
srv=$!
start=$(date +%s.%N)
ip netns exec demo_h1 /usr/bin/python3 "$root/tests/integration/tcp_transfer.py" send 10.99.0.2 5001 "$work/payload" 60
wait $srv
end=$(date +%s.%N)
if cmp -s "$work/payload" "$work/recv"; then
	python3 -c "print(f'20 MB arrived intact in {$end - $start:.2f} s ({160 / ($end - $start):.0f} Mbit/s)')"
else
	echo "TCP transfer corrupted!"; exit 1
fi

say "live stats from the manager"
sleep "$linger"
tail -n 12 "$work/mgr.log"

say "clean stop (SIGINT to the manager)"
kill -INT "${pids[0]}"
wait "${pids[0]}" && echo "manager exited 0"
grep -E "stopped|reclaimed" "$work/mgr.log" | tail -4
pids=()
