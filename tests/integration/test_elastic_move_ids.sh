#!/usr/bin/env bash
# Moving the IDS's flows (handshake state, stream positions and windows)
# from one instance to another while traffic flows. A capture of 2,000 TCP
# connections (handshakes, then data both ways) replays through `ids` (two
# instances, shared core) with one rule that alerts on a client's segment
# of an established connection when the low byte of the frame's index (in
# its payload) is 0: about one client frame in 256, spread over every
# connection and the whole replay. An eighth of the way in, `onvmctl move`
# moves half of instance 0's buckets to instance 1. Then: every frame came
# out once and in order, and the two instances' alerts together are the
# alerts one IDS that saw the whole capture writes (the offline runner,
# ids_pcap), flow by flow, each flow under one flow_id. A moved flow whose
# handshake instance 1 never saw still counts as established there.
source "$(dirname "$0")/lib.sh"
test_init elastic_move_ids

CTL=$BUILD/onvm_mgr/onvmctl
TRAFFIC=$ONVM_ROOT/tests/integration/move_traffic.py
FLOWS=2000
ROUNDS=100

made=$("$SYS_PYTHON" "$TRAFFIC" make "$WORK/in.pcap" --flows $FLOWS --rounds $ROUNDS) || exit 1
frames=$(json_get "$made" frames)
short_path in_pcap "$WORK/in.pcap" || exit 1
short_path out_pcap "$WORK/out.pcap" || exit 1
short_path sink_pcap "$WORK/sink.pcap" || exit 1
# The payload: "MOVE", the frame's index (4 bytes, big-endian), its connection.
cat >"$WORK/move.rules" <<'RULES'
alert tcp any any -> any 80 (msg:"index ends in 00"; flow:established,to_server; \
    content:"MOVE"; content:"|00|"; distance:3; within:1; sid:1000101; rev:1;)
RULES
"$BUILD/nfs/ids/ids_pcap" -r "$WORK/move.rules" -a "$WORK/reference.json" -i "$WORK/in.pcap" \
	>/dev/null 2>&1 || exit 1

# --entry-stall-ms 0: every frame counts, and on a busy machine an NF may
# wait longer than the default 100 ms for a CPU (the replay then waits).
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in_pcap,tx_pcap=$sink_pcap" \
	"--vdev=net_pcap1,tx_pcap=$out_pcap" -- -p 0x3 -c -s none --entry-stall-ms 0 -w 2 || exit 1
start_nf ids -r 1 -n 0 -- -r "$WORK/move.rules" -a "$WORK/alerts0.json" || exit 1
ids0=$NF_PID
start_nf ids -r 1 -n 1 -- -r "$WORK/move.rules" -a "$WORK/alerts1.json" || exit 1
ids1=$NF_PID

# Every connection's handshake comes first in the capture (3 frames each).
rx_at_least() { [ "$(port_field 0 rx)" -ge "$1" ]; }
check "the replay started" wait_for 60 rx_at_least $((frames / 8))
check "every connection opened before the move" test $((frames / 8)) -ge $((FLOWS * 3))

"$CTL" move ids --from 0 --to 1 --share 0.5 >"$WORK/move.json" 2>"$WORK/move.err"
move_rc=$?
rx_after=$(port_field 0 rx)
log "move: $(tr -d ' \n' <"$WORK/move.json") $(cat "$WORK/move.err")"
check "onvmctl move exits 0" test $move_rc = 0
check "the capture was still being read after the move ($rx_after of $frames)" \
	test "$rx_after" -lt "$frames"
move_field() { json_get "$(cat "$WORK/move.json")" "$1"; }
check "half of instance 0's 1024 buckets moved" test "$(move_field buckets)" = 512
check "the flows of the moved buckets came with them" test "$(move_field flows)" -gt 0

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
alerts_of() { # alerts_of N: the alert counter of instance N
	"$SYS_PYTHON" -c 'import json,sys
print([n for n in json.load(open(sys.argv[1])) if n["instance"] == int(sys.argv[2])][0]
      ["counters"].get("alerts", 0))' "$WORK/nfs.json" "$1"
}
log "alerts: instance 0 $(alerts_of 0), instance 1 $(alerts_of 1)"
check "instance 1 alerted on flows it took over" test "$(alerts_of 1)" -gt 0

check "manager exits 0" stop_mgr
check "both instances exited" wait_for 20 eval '_gone $ids0 && _gone $ids1'
"$SYS_PYTHON" "$TRAFFIC" check "$WORK/in.pcap" "$WORK/out.pcap" >"$WORK/check.json"
frames_rc=$?
log "frames: $(cat "$WORK/check.json")"
check "every frame came out once, each connection's in order" test $frames_rc = 0
"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/move_records.py" ids \
	"$WORK/alerts0.json" "$WORK/alerts1.json" --reference "$WORK/reference.json" \
	>"$WORK/alerts.json"
alerts_rc=$?
log "alerts: $(cat "$WORK/alerts.json")"
check "the alerts are those of one IDS that saw everything, each flow under one id" \
	test $alerts_rc = 0
check "the move is in the manager's log" grep -q "moved 512 buckets" "$MGR_LOG"
check_no_mbuf_leak
finish
