#!/usr/bin/env bash
# A fault-tolerant stateful firewall (go.sh firewall --ft) loses no
# connection it let through when its active instance is killed with
# kill -9 mid-stream. A capture of 10,000 TCP connections (handshakes,
# then data both ways; default deny, only the clients' side allowed by a
# rule, so every reply passes only on a tracked connection) replays as
# fast as the chain takes it. A quarter of the way in, the active is
# killed. Then, frame by frame against the capture: the standby took over
# with the connections of the last committed checkpoint (nothing is
# denied after the failover, replies included), the frames lost are
# exactly those the manager counted (at the failover, or for want of an
# instance), no frame is duplicated or reordered, and the manager started
# a new standby.
source "$(dirname "$0")/lib.sh"
test_init ft_firewall

CTL=$BUILD/onvm_mgr/onvmctl
TRAFFIC=$ONVM_ROOT/tests/integration/move_traffic.py
FLOWS=10000
ROUNDS=20

# The manager runs in $WORK/mgr and names its capture files relatively:
# every NF (a DPDK secondary) replays the manager's net_pcap ports and
# opens their files, which truncates a tx_pcap; the standbys the manager
# starts mid-stream run in $WORK/nf, where those names are other files.
mkdir -p "$WORK/mgr" "$WORK/nf"
made=$("$SYS_PYTHON" "$TRAFFIC" make "$WORK/mgr/in.pcap" --flows $FLOWS --rounds $ROUNDS) || exit 1
frames=$(json_get "$made" frames)
cat >"$WORK/fw.json" <<'EOT'
{ "default": "deny", "stateful": true, "non_ip": "deny", "max_conns": 65536,
  "rules": [ { "name": "clients-to-web", "action": "allow",
               "ipv4_src": "10.1.0.0/16", "tcp_dst": "80" } ] }
EOT

# -w 2: the replay starts once the active and its standby run.
cd "$WORK/mgr" || exit 1
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=in.pcap,tx_pcap=sink.pcap" \
	"--vdev=net_pcap1,tx_pcap=out.pcap" -- -p 0x3 -c -s none -w 2 || exit 1
cd "$WORK/nf" || exit 1
start_nf firewall -r 1 --ft -- -f "$WORK/fw.json" || exit 1
active=$NF_PID

ft() { "$CTL" ft firewall >"$WORK/ft.json" 2>"$WORK/ft.err" && cat "$WORK/ft.json"; }
ft_field() { json_get "$(ft)" "$1"; }
protected() { [ "$(ft_field protected)" = True ]; }
check "the manager started a standby, and it took a checkpoint" wait_for 60 protected
standby=$(ft_field standby_pid)
check "onvmctl ft names the active by its PID" test "$(ft_field active_pid)" = "$active"
check "the standby is another process" test "$standby" -gt 0 -a "$standby" != "$active"

rx_at_least() { [ "$(port_field 0 rx)" -ge "$1" ]; }
check "the replay started" wait_for 60 rx_at_least $((frames / 4))
before=$(ft)
log "before the kill: rx $(port_field 0 rx) of $frames; $(tr -d ' \n' <<<"$before" | cut -c1-400)"
kill -9 "$active"

failed_over() { [ "$(ft_field failovers)" = 1 ] && [ "$(ft_field active_pid)" = "$standby" ]; }
check "the standby became the active" wait_for 30 failed_over
new_standby() {
	local p
	p=$(ft_field standby_pid)
	[ "$p" -gt 0 ] && [ "$p" != "$standby" ] && [ "$p" != "$active" ] && protected
}
check "a new standby was started and is in sync" wait_for 60 new_standby

tx_settled() {
	local a b
	a=$(port_field 1 tx)
	sleep 1
	b=$(port_field 1 tx)
	[ "$(port_field 0 rx)" = "$frames" ] && [ "$a" = "$b" ]
}
check "the whole capture was read and the chain went idle" wait_for 120 tx_settled
after=$(ft)
log "after: $(tr -d ' \n' <<<"$after")"
lost_ft=$(json_get "$after" lost_at_failover)
no_inst=$(json_get "$(telemetry /onvm/drops)" "/onvm/drops.no_instance")
entry=$(port_field 0 entry_drop)
counted=$((lost_ft + no_inst + entry))
log "counted: $lost_ft lost at the failover, $no_inst without an instance, $entry at the entry;" \
	"the failover took $(json_get "$after" last_failover_us) us"
"$CTL" nfs >"$WORK/nfs.json"
denied=$("$SYS_PYTHON" -c 'import json,sys
print(sum(v for n in json.load(open(sys.argv[1])) for k, v in n["counters"].items()
          if "deny" in k))' "$WORK/nfs.json")
check "nothing was denied after the failover (replies found their connections)" test "$denied" = 0

check "manager exits 0" stop_mgr
"$SYS_PYTHON" "$TRAFFIC" check "$WORK/mgr/in.pcap" "$WORK/mgr/out.pcap" --lost-max "$counted" >"$WORK/check.json"
log "frames: $(cat "$WORK/check.json")"
check "no frame lost beyond those counted, none duplicated or reordered" \
	"$SYS_PYTHON" "$TRAFFIC" check "$WORK/mgr/in.pcap" "$WORK/mgr/out.pcap" --lost-max "$counted"
check "every frame lost was counted (lost = counted)" \
	test "$(json_get "$(cat "$WORK/check.json")" lost)" = "$counted"
check "the failover is in the manager's log" grep -q "failover from NF" "$MGR_LOG"
check_no_mbuf_leak
finish
