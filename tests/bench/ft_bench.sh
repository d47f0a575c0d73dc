#!/usr/bin/env bash
# The cost of fault tolerance (docs/fault-tolerance.md), in one run: the
# stateful firewall with 2,000 connections replayed without end (net_pcap,
# infinite_rx) through the manager, once as a plain NF and once with --ft;
# prints each one's rate out of the chain (port 1) over DURATION seconds
# and the ratio, and what the protected run's checkpoints were like.
#
#   tests/bench/ft_bench.sh [DURATION_S] [EPOCH_MS]
#
# Runs as root (hugepages). ONVM_BUILD_DIR selects the build (build/).
# Latency (p50, p99 added by holding output) is not measured yet.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../integration/lib.sh"
source "$here/../integration/ft_lib.sh"
test_init ft_bench
DURATION=${1:-5}
EPOCH=${2:-5}

mkdir -p "$WORK/mgr"
"$SYS_PYTHON" "$here/../integration/move_traffic.py" make "$WORK/mgr/in.pcap" --flows 2000 \
	--rounds 5 >/dev/null || exit 1
cat >"$WORK/fw.json" <<'EOT'
{ "default": "deny", "stateful": true, "non_ip": "deny", "max_conns": 65536,
  "rules": [ { "name": "clients-to-web", "action": "allow",
               "ipv4_src": "10.1.0.0/16", "tcp_dst": "80" } ] }
EOT

# run LABEL [go.sh options]: prints the rate in packets per second.
run() {
	local label=$1 t0 t1 a b
	shift
	mkdir -p "$WORK/mgr" "$WORK/nf"
	cd "$WORK/mgr" || return 1
	start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=in.pcap,tx_pcap=sink.pcap,infinite_rx=1" \
		--vdev=net_null1 -- -p 0x3 -c -s none -w "$W" >/dev/null || return 1
	cd "$WORK/nf" || return 1
	start_nf firewall -r 1 "$@" -- -f "$WORK/fw.json" >/dev/null || return 1
	[ "$W" = 1 ] || wait_for 60 ft_protected firewall >/dev/null
	sleep 1 # warm-up
	a=$(port_field 1 tx)
	t0=$(date +%s.%N)
	sleep "$DURATION"
	b=$(port_field 1 tx)
	t1=$(date +%s.%N)
	RATE=$("$SYS_PYTHON" -c "print(int(($b - $a) / ($t1 - $t0)))")
	[ "$W" = 1 ] || FT_JSON=$(ft firewall | tr -d ' \n')
	stop_mgr >/dev/null
	echo "$label: $RATE packets/s"
}

W=1 run "firewall" || exit 1
plain=$RATE
W=2 run "firewall --ft (epoch $EPOCH ms)" --ft --ft-epoch-ms "$EPOCH" || exit 1
ft_rate=$RATE
"$SYS_PYTHON" -c "print(f'with --ft: {100 * $ft_rate / max($plain, 1):.1f}% of the plain NF\'s throughput')"
echo "checkpoints: $FT_JSON"
_checks_passed=1
finish >/dev/null
