#!/usr/bin/env bash
# Moving the QoE monitor's flow records from one instance to another while
# traffic flows: a moved flow's report goes on instead of starting again.
# A capture of 4,000 TCP connections (handshakes, then data both ways)
# replays through `qoe_monitor` (two instances, shared core, a record of
# every active flow each second). An eighth of the way in, `onvmctl move`
# moves half of instance 0's buckets to instance 1. Then, frame by frame
# against the capture: none lost, duplicated or reordered (the monitor
# passes everything on). And flow by flow: every connection is one flow
# with one flow_id across both instances' records and exactly one final
# record, which counts every frame of the connection each way; the moved
# ones end on instance 1 under the id instance 0 gave them, with the
# handshake RTT instance 0 measured.
source "$(dirname "$0")/lib.sh"
test_init elastic_move_qoe

CTL=$BUILD/onvm_mgr/onvmctl
TRAFFIC=$ONVM_ROOT/tests/integration/move_traffic.py
FLOWS=4000
ROUNDS=100

made=$("$SYS_PYTHON" "$TRAFFIC" make "$WORK/in.pcap" --flows $FLOWS --rounds $ROUNDS) || exit 1
frames=$(json_get "$made" frames)
short_path in_pcap "$WORK/in.pcap" || exit 1
short_path out_pcap "$WORK/out.pcap" || exit 1
short_path sink_pcap "$WORK/sink.pcap" || exit 1

# --entry-stall-ms 0: every frame counts, and on a busy machine an NF may
# wait longer than the default 100 ms for a CPU (the replay then waits).
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in_pcap,tx_pcap=$sink_pcap" \
	"--vdev=net_pcap1,tx_pcap=$out_pcap" -- -p 0x3 -c -s none --entry-stall-ms 0 -w 2 || exit 1
start_nf qoe_monitor -r 1 -n 0 -- -o "$WORK/qoe0.json" -i 1 || exit 1
qoe0=$NF_PID
start_nf qoe_monitor -r 1 -n 1 -- -o "$WORK/qoe1.json" -i 1 || exit 1
qoe1=$NF_PID

# Every connection's handshake comes first in the capture (3 frames each).
rx_at_least() { [ "$(port_field 0 rx)" -ge "$1" ]; }
check "the replay started" wait_for 60 rx_at_least $((frames / 8))
check "every connection opened before the move" test $((frames / 8)) -ge $((FLOWS * 3))

"$CTL" move qoe_monitor --from 0 --to 1 --share 0.5 >"$WORK/move.json" 2>"$WORK/move.err"
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

check "manager exits 0" stop_mgr
# The final records are written as each instance stops.
check "both instances exited" wait_for 20 eval '_gone $qoe0 && _gone $qoe1'
"$SYS_PYTHON" "$TRAFFIC" check "$WORK/in.pcap" "$WORK/out.pcap" >"$WORK/check.json"
frames_rc=$?
log "frames: $(cat "$WORK/check.json")"
check "every frame came out once, each connection's in order" test $frames_rc = 0
"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/move_records.py" qoe "$WORK/in.pcap" \
	"$WORK/qoe0.json" "$WORK/qoe1.json" >"$WORK/records.json"
records_rc=$?
log "records: $(cat "$WORK/records.json")"
check "each connection is one flow, one final record with every frame, moved ones continued" \
	test $records_rc = 0
check "the move is in the manager's log" grep -q "moved 512 buckets" "$MGR_LOG"
check_no_mbuf_leak
finish
