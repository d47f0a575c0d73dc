#!/usr/bin/env bash
# A fault-tolerant load balancer (go.sh load_balancer --ft): killing its
# active instance with kill -9 mid-stream changes no connection's backend.
# A capture of 5,000 TCP connections to a VIP with three backends (each
# round, every backend "replies" to every connection, then the client
# sends) replays as fast as the chain takes it; a quarter of the way in
# the active is killed. Frame by frame: every connection kept its backend
# all along, the replies of each connection's backend still left as the
# VIP after the failover (the standby knew the connection), the others
# unchanged; the frames lost are exactly those counted; none duplicated
# or reordered; a new standby was started.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ft_lib.sh"
test_init ft_load_balancer

TRAFFIC=$ONVM_ROOT/tests/integration/ft_lb_traffic.py
mkdir -p "$WORK/mgr"
made=$(cd "$ONVM_ROOT/tests/integration" &&
	"$SYS_PYTHON" "$TRAFFIC" make "$WORK/mgr/in.pcap" --flows 5000 --rounds 12) || exit 1
frames=$(json_get "$made" frames)
cat >"$WORK/lb.json" <<'EOT'
{ "services": [ { "name": "web", "vip": "10.0.0.100", "proto": "tcp", "port": 80,
                  "backends": [ { "ip": "10.0.1.11", "port": 8080 },
                                { "ip": "10.0.1.12", "port": 8080 },
                                { "ip": "10.0.1.13", "port": 8080 } ] } ] }
EOT

ft_start_mgr "" || exit 1
start_nf load_balancer -r 1 --ft -- -f "$WORK/lb.json" || exit 1
active=$NF_PID
check "the manager started a standby, and it took a checkpoint" wait_for 60 ft_protected load_balancer
standby=$(ft_field load_balancer standby_pid)
check "onvmctl ft names the active and the standby" \
	test "$(ft_field load_balancer active_pid):$standby" != "$active:0" -a "$standby" -gt 0

check "the replay started" wait_for 60 rx_at_least $((frames / 4))
log "kill -9 of the active at rx $(port_field 0 rx) of $frames"
kill -9 "$active"
failed_over() {
	[ "$(ft_field load_balancer failovers)" = 1 ] &&
		[ "$(ft_field load_balancer active_pid)" = "$standby" ]
}
check "the standby became the active" wait_for 30 failed_over
check "a new standby was started and is in sync" \
	wait_for 60 ft_new_standby load_balancer "$standby" "$active"
check "the whole capture was read and the chain went idle" wait_for 120 tx_settled "$frames"
counted=$(ft_counted_losses load_balancer)
log "after: $(ft load_balancer | tr -d ' \n')"

check "manager exits 0" stop_mgr
(cd "$ONVM_ROOT/tests/integration" &&
	"$SYS_PYTHON" "$TRAFFIC" check "$WORK/mgr/in.pcap" "$WORK/mgr/out.pcap" --lost-max "$counted") \
	>"$WORK/check.json"
rc=$?
log "frames: $(cat "$WORK/check.json"); $counted counted lost"
check "no connection changed backend, replies rewritten, losses only those counted" test $rc = 0
check "every frame lost was counted (lost = counted)" \
	test "$(json_get "$(cat "$WORK/check.json")" lost)" = "$counted"
check "the failover is in the manager's log" grep -q "failover from NF" "$MGR_LOG"
check_no_mbuf_leak
finish
