#!/usr/bin/env bash
# The demo: two Linux hosts on two subnets, in network namespaces, joined
# only through the platform. The manager owns two net_af_packet ports on
# veth pairs; one chain, arp_responder -> firewall -> router, answers the
# hosts' ARP for their gateways, filters, and routes between the subnets.
# Real traffic crosses it (ping, a TCP transfer, a port the firewall
# denies) while the live stats refresh; then everything stops cleanly.
#
#   scripts/demo.sh [SECONDS_OF_STATS]     (as root, after a build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${ONVM_BUILD_DIR:-$root/build}
linger=${1:-4}
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

host() { # host NS HOST_IFACE ADDR/LEN GATEWAY
	ip netns del "$1" 2>/dev/null || true
	ip link del "$2" 2>/dev/null || true
	ip netns add "$1"
	ip link add "$2" type veth peer name eth0 netns "$1"
	ip link set "$2" up
	ip -n "$1" addr add "$3" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" link set lo up
	ip -n "$1" route add default via "$4"
	# Checksums left for "hardware" would reach the other host unfinished.
	ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	ip netns exec "$1" ethtool -K eth0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
}
mac_of() { ip netns exec "$1" cat /sys/class/net/eth0/address; }

say "two hosts on two subnets, wired only to the platform"
host demo_h1 demo_p0 10.0.1.2/24 10.0.1.1
host demo_h2 demo_p1 10.0.2.2/24 10.0.2.1
echo "demo_h1 10.0.1.2 (gateway 10.0.1.1, platform port 0)"
echo "demo_h2 10.0.2.2 (gateway 10.0.2.1, platform port 1)"

cat >"$work/chains.json" <<'EOF'
{ "chains": [ { "name": "routed", "match": {},
                "hops": ["arp_responder", "firewall", "router"] } ] }
EOF
cat >"$work/rules.json" <<'EOF'
{ "default": "deny", "stateful": true,
  "rules": [ { "name": "ping", "action": "allow", "ip_proto": "icmp" },
             { "name": "transfer", "action": "allow", "tcp_dst": 5001 } ] }
EOF
cat >"$work/routes.txt" <<EOF
10.0.1.0/24 port 0 via-mac $(mac_of demo_h1)
10.0.2.0/24 port 1 via-mac $(mac_of demo_h2)
EOF

say "onvm_mgr on two net_af_packet ports, chain arp_responder -> firewall -> router"
"$build/onvm_mgr/onvm_mgr" -l 0-1 --file-prefix $prefix --no-pci --log-level=lib.eal:warning \
	--vdev=net_af_packet0,iface=demo_p0 --vdev=net_af_packet1,iface=demo_p1 \
	-- -p 0x3 -c -z 2 -v -s stdout -C "$work/chains.json" >"$work/mgr.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "ready" "$work/mgr.log" && break; sleep 0.1; done
grep -E "ready|chain 1" "$work/mgr.log"

say "NFs (shared-core mode: they sleep when idle)"
"$root/go.sh" arp_responder -- -a 10.0.1.1@0,10.0.2.1@1 >"$work/arp.log" 2>&1 &
pids+=($!)
"$root/go.sh" firewall -- -f "$work/rules.json" >"$work/fw.log" 2>&1 &
pids+=($!)
"$root/go.sh" router -- -f "$work/routes.txt" >"$work/rt.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do [ "$(grep -c joined "$work/mgr.log")" -ge 3 ] && break; sleep 0.1; done
grep "joined" "$work/mgr.log"

say "ping demo_h1 -> demo_h2 (ARP answered by the platform, then routed)"
ip netns exec demo_h1 ping -c 4 -i 0.3 10.0.2.2

say "TCP port 5001 (allowed): 20 MB from demo_h1 to demo_h2"
head -c 20000000 /dev/urandom >"$work/payload"
xfer=$root/tests/integration/tcp_transfer.py
ip netns exec demo_h2 /usr/bin/python3 "$xfer" serve 5001 "$work/recv" 60 &
srv=$!
start=$(date +%s.%N)
ip netns exec demo_h1 /usr/bin/python3 "$xfer" send 10.0.2.2 5001 "$work/payload" 60
wait $srv
end=$(date +%s.%N)
if cmp -s "$work/payload" "$work/recv"; then
	python3 -c "print(f'20 MB arrived intact in {$end - $start:.2f} s ({160 / ($end - $start):.0f} Mbit/s)')"
else
	echo "TCP transfer corrupted!"
	exit 1
fi

say "TCP port 5002 (denied by the firewall)"
ip netns exec demo_h2 /usr/bin/python3 "$xfer" serve 5002 "$work/recv2" 5 2>/dev/null &
srv=$!
if ip netns exec demo_h1 timeout 4 /usr/bin/python3 "$xfer" send 10.0.2.2 5002 "$work/payload" 3 2>/dev/null; then
	echo "port 5002 was NOT blocked!"
	exit 1
fi
echo "connection to 10.0.2.2:5002 timed out: the firewall dropped it"
wait $srv 2>/dev/null || true

say "live stats from the manager"
sleep "$linger"
awk '/^PORTS/ { block = "" } { block = block $0 "\n" } END { printf "%s", block }' "$work/mgr.log"

say "clean stop (SIGINT to the manager)"
kill -INT "${pids[0]}"
wait "${pids[0]}" && echo "manager exited 0"
grep -E "stopped" "$work/mgr.log" | tail -4
pids=()
