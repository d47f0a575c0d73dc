#!/usr/bin/env bash
# Killing the standby of a fault-tolerant firewall (kill -9) is invisible
# to traffic: a capture of 10,000 TCP connections (replies pass only on
# tracked connections) replays through `firewall --ft`; a quarter of the
# way in the standby is killed. Every frame comes out once, in order,
# nothing is denied, nothing counted lost; the manager starts a new standby,
# which takes the active's whole state and is in sync again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ft_lib.sh"
test_init ft_standby_kill

TRAFFIC=$ONVM_ROOT/tests/integration/move_traffic.py
mkdir -p "$WORK/mgr"
made=$("$SYS_PYTHON" "$TRAFFIC" make "$WORK/mgr/in.pcap" --flows 10000 --rounds 10) || exit 1
frames=$(json_get "$made" frames)
cat >"$WORK/fw.json" <<'EOT'
{ "default": "deny", "stateful": true, "non_ip": "deny", "max_conns": 65536,
  "rules": [ { "name": "clients-to-web", "action": "allow",
               "ipv4_src": "10.1.0.0/16", "tcp_dst": "80" } ] }
EOT

ft_start_mgr "" || exit 1
start_nf firewall -r 1 --ft -- -f "$WORK/fw.json" || exit 1
active=$NF_PID
check "the manager started a standby, and it took a checkpoint" wait_for 60 ft_protected firewall
standby=$(ft_field firewall standby_pid)
check "the replay started" wait_for 60 rx_at_least $((frames / 4))
log "kill -9 of the standby (pid $standby) at rx $(port_field 0 rx) of $frames"
kill -9 "$standby"
check "a new standby was started and is in sync" wait_for 60 ft_new_standby firewall "$standby"
check "the active is still the same process" test "$(ft_field firewall active_pid)" = "$active"
check "no failover" test "$(ft_field firewall failovers)" = 0
check "the whole capture was read and the chain went idle" wait_for 120 tx_settled "$frames"
log "after: $(ft firewall | tr -d ' \n')"
check "the lost standby is counted" test "$(ft_field firewall standbys_lost)" = 1
check "nothing counted lost" test "$(ft_counted_losses firewall)" = 0

check "manager exits 0" stop_mgr
"$SYS_PYTHON" "$TRAFFIC" check "$WORK/mgr/in.pcap" "$WORK/mgr/out.pcap" >"$WORK/check.json"
rc=$?
log "frames: $(cat "$WORK/check.json")"
check "every frame came out once, each connection's in order" test $rc = 0
check_no_mbuf_leak
finish
