#!/usr/bin/env bash
# Moving the load balancer's connections, with their backends, from one
# instance to another while traffic flows. A capture of 4,000 TCP
# connections to one VIP (the clients' side: SYN, ACK, then data; the
# replies take another path) replays through `load_balancer` (two
# instances, shared core). Instance 0 balances over four backends;
# instance 1's pool has eight (the same four and four more), so its Maglev
# table would send about half of the connections it has never seen to a
# backend instance 0 does not have. An eighth of the way in, after every
# connection opened on instance 0, `onvmctl move` moves all of instance
# 0's buckets (a whole instance: the balancer's limit, see its README) to
# instance 1 (the capture is long enough that the move meets traffic).
# Then, frame by frame against the capture: none lost, duplicated or
# reordered, and every frame of a connection left for the same backend, so
# no connection changed backend and none reached one of instance 1's own
# four.
source "$(dirname "$0")/lib.sh"
test_init elastic_move_lb

CTL=$BUILD/onvm_mgr/onvmctl
TRAFFIC=$ONVM_ROOT/tests/integration/move_traffic.py
FLOWS=4000
ROUNDS=200

made=$("$SYS_PYTHON" "$TRAFFIC" make "$WORK/in.pcap" --flows $FLOWS --rounds $ROUNDS \
	--server 10.0.0.100 --one-way) || exit 1
frames=$(json_get "$made" frames)
short_path in_pcap "$WORK/in.pcap" || exit 1
short_path out_pcap "$WORK/out.pcap" || exit 1
short_path sink_pcap "$WORK/sink.pcap" || exit 1
pool() { # pool N: a service on the VIP with backends 10.0.1.1 .. 10.0.1.N
	local i sep=""
	printf '{ "services": [ { "name": "web", "vip": "10.0.0.100", "proto": "tcp", "port": 80,\n'
	printf '                  "backends": ['
	for i in $(seq "$1"); do
		printf '%s { "ip": "10.0.1.%d", "port": 8080 }' "$sep" "$i"
		sep=,
	done
	printf ' ] } ] }\n'
}
pool 4 >"$WORK/lb0.json"
pool 8 >"$WORK/lb1.json"

# --entry-stall-ms 0: every frame counts, and on a busy machine an NF may
# wait longer than the default 100 ms for a CPU (the replay then waits).
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in_pcap,tx_pcap=$sink_pcap" \
	"--vdev=net_pcap1,tx_pcap=$out_pcap" -- -p 0x3 -c -s none --entry-stall-ms 0 -w 2 || exit 1
start_nf load_balancer -r 1 -n 0 -- -f "$WORK/lb0.json" || exit 1
start_nf load_balancer -r 1 -n 1 -- -f "$WORK/lb1.json" || exit 1

# Every connection's SYN and ACK come first in the capture (2 frames each).
rx_at_least() { [ "$(port_field 0 rx)" -ge "$1" ]; }
check "the replay started" wait_for 60 rx_at_least $((frames / 8))
check "every connection opened before the move" test $((frames / 8)) -ge $((FLOWS * 2))

"$CTL" move load_balancer --from 0 --to 1 >"$WORK/move.json" 2>"$WORK/move.err"
move_rc=$?
rx_after=$(port_field 0 rx)
log "move: $(tr -d ' \n' <"$WORK/move.json") $(cat "$WORK/move.err")"
check "onvmctl move exits 0" test $move_rc = 0
check "the capture was still being read after the move ($rx_after of $frames)" \
	test "$rx_after" -lt "$frames"
move_field() { json_get "$(cat "$WORK/move.json")" "$1"; }
check "all of instance 0's 1024 buckets moved" test "$(move_field buckets)" = 1024
check "every connection came with them" test "$(move_field flows)" = $FLOWS

tx_settled() {
	local a b
	a=$(port_field 1 tx)
	sleep 1
	b=$(port_field 1 tx)
	[ "$(port_field 0 rx)" = "$frames" ] && [ "$a" = "$b" ]
}
check "the whole capture was read and the chain went idle" wait_for 120 tx_settled
# Where packets went if any is missing (entry_drop: a chain that made no
# progress for 100 ms, an NF starved of CPU, had its waiting packets dropped).
log "ports: $(telemetry /onvm/ports | tr -d ' \n')"
"$CTL" nfs >"$WORK/nfs.json"
instance() { # instance N FIELD: a field of instance N, or a counter
	"$SYS_PYTHON" -c 'import json,sys
n=[n for n in json.load(open(sys.argv[1])) if n["instance"] == int(sys.argv[2])][0]
print(n.get(sys.argv[3], n["counters"].get(sys.argv[3], 0)))' "$WORK/nfs.json" "$1" "$2"
}
log "instance 0 rx $(instance 0 rx), instance 1 rx $(instance 1 rx)"
check "instance 1 carried traffic after the move" test "$(instance 1 rx)" -gt 0
check "instance 1 met no connection anew" test "$(instance 1 new_conns)" = 0

check "manager exits 0" stop_mgr
"$SYS_PYTHON" "$TRAFFIC" check "$WORK/in.pcap" "$WORK/out.pcap" --one-dst >"$WORK/check.json"
frames_rc=$?
log "frames: $(cat "$WORK/check.json")"
check "every frame came out once, each connection's in order, on one backend" \
	test $frames_rc = 0
check "only instance 0's four backends were used" \
	test "$(json_get "$(cat "$WORK/check.json")" destinations)" = 4
check "the move is in the manager's log" grep -q "moved 1024 buckets" "$MGR_LOG"
check_no_mbuf_leak
finish
