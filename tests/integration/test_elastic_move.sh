#!/usr/bin/env bash
# Moving flows, with their state, between two instances of the stateful
# firewall while traffic flows. A capture of 10,000 TCP connections
# (handshakes, then data both ways; default policy deny, only the clients'
# SYN side allowed by a rule, so every reply passes only on a tracked
# connection) replays through `firewall` (two instances, shared core) as
# fast as the chain takes it. A quarter of the way in, `onvmctl move` moves
# half of instance 0's buckets to instance 1. Then, frame by frame against
# the capture: none lost, none duplicated, each connection's frames in
# order; so the moved connections' replies found their state on instance 1,
# which carried traffic afterwards.
source "$(dirname "$0")/lib.sh"
test_init elastic_move

CTL=$BUILD/onvm_mgr/onvmctl
TRAFFIC=$ONVM_ROOT/tests/integration/move_traffic.py
FLOWS=10000
ROUNDS=40

made=$("$SYS_PYTHON" "$TRAFFIC" make "$WORK/in.pcap" --flows $FLOWS --rounds $ROUNDS) || exit 1
frames=$(json_get "$made" frames)
short_path in_pcap "$WORK/in.pcap" || exit 1
short_path out_pcap "$WORK/out.pcap" || exit 1
short_path sink_pcap "$WORK/sink.pcap" || exit 1
cat >"$WORK/fw.json" <<'EOF'
{ "default": "deny", "stateful": true, "non_ip": "deny", "max_conns": 65536,
  "rules": [ { "name": "clients-to-web", "action": "allow",
               "ipv4_src": "10.1.0.0/16", "tcp_dst": "80" } ] }
EOF

# -w 2: the replay starts once both instances run. Port 1 records what
# the chain (the default one: port 0 in, port 1 out) lets through.
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in_pcap,tx_pcap=$sink_pcap" \
	"--vdev=net_pcap1,tx_pcap=$out_pcap" -- -p 0x3 -c -s none -w 2 || exit 1
start_nf firewall -r 1 -n 0 -- -f "$WORK/fw.json" || exit 1
start_nf firewall -r 1 -n 1 -- -f "$WORK/fw.json" || exit 1

rx_at_least() { [ "$(port_field 0 rx)" -ge "$1" ]; }
check "the replay started" wait_for 60 rx_at_least $((frames / 4))

"$CTL" move firewall --from 0 --to 1 --share 0.5 >"$WORK/move.json" 2>"$WORK/move.err"
move_rc=$?
log "move: $(tr -d ' \n' <"$WORK/move.json") $(cat "$WORK/move.err")"
check "onvmctl move exits 0" test $move_rc = 0
move_field() { json_get "$(cat "$WORK/move.json")" "$1"; }
check "half of instance 0's 1024 buckets moved" test "$(move_field buckets)" = 512
check "the flows of the moved buckets came with them" test "$(move_field flows)" -gt 0
check "the move said how long packets waited" test "$(move_field pause_us)" -ge 0

# The replay is over when port 0 has read the whole capture and port 1's
# count stops moving.
tx_settled() {
	local a b
	a=$(port_field 1 tx)
	sleep 1
	b=$(port_field 1 tx)
	[ "$(port_field 0 rx)" = "$frames" ] && [ "$a" = "$b" ]
}
check "the whole capture was read and the chain went idle" wait_for 120 tx_settled
"$CTL" nfs >"$WORK/nfs.json"
instance_rx() {
	"$SYS_PYTHON" -c 'import json,sys
print(sum(n["rx"] for n in json.load(open(sys.argv[1])) if n["instance"] == int(sys.argv[2])))' \
		"$WORK/nfs.json" "$1"
}
instance_denied() {
	"$SYS_PYTHON" -c 'import json,sys
print(sum(v for n in json.load(open(sys.argv[1])) for k, v in n["counters"].items()
          if "deny" in k))' "$WORK/nfs.json"
}
log "instance 0 rx $(instance_rx 0), instance 1 rx $(instance_rx 1)"
check "instance 1 carried traffic after the move" test "$(instance_rx 1)" -gt 0
check "instance 0 still carried its other half" test "$(instance_rx 0)" -gt $((frames / 4))
check "nothing was denied" test "$(instance_denied)" = 0

check "manager exits 0" stop_mgr
"$SYS_PYTHON" "$TRAFFIC" check "$WORK/in.pcap" "$WORK/out.pcap" >"$WORK/check.json"
log "frames: $(cat "$WORK/check.json")"
check "every frame came out once, each connection's in order" \
	"$SYS_PYTHON" "$TRAFFIC" check "$WORK/in.pcap" "$WORK/out.pcap"
check "the move is in the manager's log" grep -q "moved 512 buckets" "$MGR_LOG"
check_no_mbuf_leak
finish
