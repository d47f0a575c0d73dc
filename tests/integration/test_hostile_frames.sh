#!/usr/bin/env bash
# Hostile frames through every NF: hostile_frames.py writes a capture of a
# few hundred malformed and unusual frames (truncated at every header,
# bad IHL and lengths, IP options, fragments, 9,000-byte frames, deep VLAN
# and MPLS stacks, IPv6 extension header chains, broken TCP options, odd
# ARP, runts). It is replayed into port 0 (jumbo frames on, -j) through
# each NF alone and then through the chain firewall -> ids ->
# load_balancer -> router with qoe_monitor on a chain beside it. Each run:
# no crash, the manager exits 0, no mbuf leaks, and every packet is
# accounted for (hostile_accounting.py: port, platform, manager, per-NF
# and per-hop equations from telemetry and the NFs' own counters).
#   test_hostile_frames.sh [NF...]   (default: every NF, then the chain)
source "$(dirname "$0")/lib.sh"
test_init hostile_frames

acct=$ONVM_ROOT/tests/integration/hostile_accounting.py
"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/hostile_frames.py" "$WORK/in.pcap" \
	>"$WORK/frames.txt" 2>/dev/null || { echo "  cannot write the capture (scapy?)"; exit 1; }
frames=$(pcap_count "$WORK/in.pcap")
bytes=$("$SYS_PYTHON" - "$WORK/in.pcap" <<'PY'
import struct, sys
d, off, n = open(sys.argv[1], "rb").read(), 24, 0
while off + 16 <= len(d):
    size = struct.unpack("<I", d[off + 8:off + 12])[0]
    n, off = n + size, off + 16 + size
print(n)
PY
)
log "$(cat "$WORK/frames.txt")"
empty_pcap "$WORK/empty.pcap"

cat >"$WORK/rules.json" <<'JSON'
{ "default": "deny", "stateful": true,
  "rules": [ { "name": "web", "action": "allow", "ip_proto": "tcp", "tcp_dst": 80 },
             { "name": "dns", "action": "allow", "udp_dst": 53 },
             { "name": "ping", "action": "allow", "ip_proto": "icmp" } ] }
JSON
cat >"$WORK/lb.json" <<'JSON'
{ "services": [ { "name": "web", "vip": "10.0.2.100", "proto": "tcp", "port": 80,
                  "backends": [ { "ip": "10.0.2.2", "port": 8080 },
                                { "ip": "10.0.2.3", "port": 8080 } ] } ] }
JSON
printf '10.0.1.0/24 port 0 via-mac 02:00:00:00:01:02\n10.0.2.0/24 port 1 via-mac 02:00:00:00:02:02\n' \
	>"$WORK/routes.txt"
ids_dir=$ONVM_ROOT/nfs/ids/examples

nf_args() { # nf_args NF: its go.sh arguments for this test
	case "$1" in
	firewall) echo "-- -f $WORK/rules.json" ;;
	router) echo "-- -f $WORK/routes.txt" ;;
	load_balancer) echo "-- -f $WORK/lb.json" ;;
	ids) echo "-- -r $ids_dir/web.rules -V $ids_dir/vars.conf -a $WORK/alerts.txt" ;;
	qoe_monitor) echo "-- -o $WORK/qoe.json" ;;
	arp_responder) echo "-- -a 10.0.1.1@0" ;;
	*) echo "" ;;
	esac
}

snapshot() { # snapshot FILE: the four telemetry answers, one a line
	local try
	for try in 1 2 3 4 5; do
		{ telemetry /onvm/ports; echo; telemetry /onvm/nfs; echo; telemetry /onvm/drops; echo
		  telemetry /onvm/mempool; echo; } >"$1" 2>"$1.err"
		# A loaded machine can leave the telemetry socket unanswered:
		# ask again rather than check half a snapshot.
		[ "$(grep -c '^{' "$1")" = 4 ] && return 0
		sleep "$try"
	done
	cat "$1.err"
	return 1
}

# The replay is over once port 0 has every frame and the ports' and
# drops' counters stay the same for a second.
quiet() {
	local a b
	[ "$(port_field 0 rx 2>/dev/null)" = "$frames" ] || return 1
	a=$(telemetry /onvm/ports && telemetry /onvm/drops) 2>/dev/null || return 1
	sleep 1
	b=$(telemetry /onvm/ports && telemetry /onvm/drops) 2>/dev/null || return 1
	[ "$a" = "$b" ]
}

base=$PREFIX
# run NAME CHAINS_JSON NF...: replay the capture through the NFs on these
# chains, then check the accounting. Extra checker options in $ACCT_OPTS.
run() {
	local name=$1 chains=$2 nf pid pids=()
	shift 2
	PREFIX=${base}_$name
	export ONVM_FILE_PREFIX=$PREFIX
	MGR_LOG=$WORK/mgr_$name.log
	echo "$chains" >"$WORK/chains_$name.json"
	start_mgr 0-1 "$(pcap_vdev 0 "$WORK/in.pcap" "$WORK/out0_$name.pcap")" \
		"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1_$name.pcap")" \
		-- -p 0x3 -c -j -w $# -s none -C "$WORK/chains_$name.json" || { check "[$name] manager starts" false; return; }
	for nf in "$@"; do
		# shellcheck disable=SC2046
		start_nf "$nf" $(nf_args "$nf") || { check "[$name] $nf starts" false; return; }
		pids+=("$NF_PID")
	done
	wait_for 60 quiet
	snapshot "$WORK/snapshot_$name.json"
	for pid in "${pids[@]}"; do
		check "[$name] NF pid $pid still running after the replay" kill -0 "$pid"
	done
	check "[$name] manager exits 0" stop_mgr
	check_no_mbuf_leak
	local opts=(--out-pcap "0=$(pcap_count "$WORK/out0_$name.pcap")"
		    --out-pcap "1=$(pcap_count "$WORK/out1_$name.pcap")" ${ACCT_OPTS[@]+"${ACCT_OPTS[@]}"})
	check "[$name] every packet accounted for" \
		"$SYS_PYTHON" "$acct" "$WORK/snapshot_$name.json" "$frames" "${opts[@]}"
}

qoe_line=$("$BUILD/nfs/qoe_monitor/qoe_pcap" -o /dev/null "$WORK/in.pcap" 2>&1)
all_nfs=(firewall router load_balancer ids qoe_monitor simple_forward basic_monitor bridge
	 arp_responder)
want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${all_nfs[@]}" chain)

for nf in "${want[@]}"; do
	[ "$nf" = chain ] && continue
	ACCT_OPTS=()
	[ "$nf" = qoe_monitor ] && ACCT_OPTS=(--qoe-pcap "$qoe_line")
	[ "$nf" = basic_monitor ] && ACCT_OPTS=(--bytes "$bytes")
	run "$nf" "{ \"chains\": [ { \"name\": \"alone\", \"match\": {}, \"hops\": [\"$nf\"], \"out_port\": 1 } ] }" "$nf"
done

if printf '%s\n' "${want[@]}" | grep -qx chain; then
	# IPv4 (after any VLAN tags) through the four NFs; the router picks
	# the port. Everything else (ARP, IPv6, MPLS, runts) past qoe_monitor.
	ACCT_OPTS=(--hops firewall,ids,load_balancer,router --heads firewall,qoe_monitor)
	run chain '{ "chains": [
	  { "name": "ipv4", "priority": 10, "match": { "in_port": 0, "eth_type": 2048 },
	    "hops": ["firewall", "ids", "load_balancer", "router"] },
	  { "name": "rest", "priority": 0, "match": {}, "hops": ["qoe_monitor"], "out_port": 1 } ] }' \
		firewall ids load_balancer router qoe_monitor
fi
finish
