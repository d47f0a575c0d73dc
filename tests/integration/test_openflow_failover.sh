#!/usr/bin/env bash
# A fast-failover group protects a service: its first bucket watches the
# primary NF's service port, the second a backup's. Under load, all
# traffic goes to the primary; kill -9 of the primary moves it to the
# backup with no controller involved; a restarted primary takes it back.
# A fast-failover bucket watching a DPDK port follows the link state.
source "$(dirname "$0")/lib.sh"
test_init openflow_failover
of_test_init 9
in=$(web_capture) || exit 1
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in,infinite_rx=1" \
	--vdev=net_null0 -- -p 0x3 -s none -d nobody --of-listen "$OFPORT"
start_nf simple_forward -r primary
p1=$NF_PID
p1_id=$(nf_id_of "$p1")
start_nf simple_forward -r backup
s_id=$(nf_id_of "$NF_PID")
p=$(sed -n "s/.*joined service \([0-9]*\) 'primary'.*/\1/p" "$MGR_LOG" | head -1)
s=$(sed -n "s/.*joined service \([0-9]*\) 'backup'.*/\1/p" "$MGR_LOG" | head -1)
check "add-group ff: primary, then backup" ofctl add-group "$OF" \
	"group_id=1,type=ff,bucket=watch_port:$((1000 + p)),output:$((1000 + p)),bucket=watch_port:$((1000 + s)),output:$((1000 + s))"
check "port 1 -> group 1" ofctl add-flow "$OF" "priority=100,in_port=1,actions=group:1"
check "both services -> port 2" ofctl add-flow "$OF" "priority=100,in_port=$((1000 + p)),actions=output:2"
ofctl add-flow "$OF" "priority=100,in_port=$((1000 + s)),actions=output:2" >/dev/null
check "a bucket watching a port that does not exist is refused (BAD_WATCH)" \
	bash -c "ovs-ofctl -O OpenFlow13 add-group '$OF' 'group_id=9,type=ff,bucket=watch_port:7,output:2' 2>&1 | grep -q BAD_WATCH"

wait_for 10 test "$(nf_field "$p1_id" rx)" -gt 10000
check "the primary gets the traffic" test "$(nf_field "$p1_id" rx)" -gt 10000
check "the backup gets none" test "$(nf_field "$s_id" rx)" = 0

kill -9 "$p1"
wait_for 5 grep -q "pid $p1) died" "$MGR_LOG"
wait_for 5 test "$(nf_field "$s_id" rx)" -gt 10000
check "after kill -9 of the primary the backup gets it" test "$(nf_field "$s_id" rx)" -gt 10000

start_nf simple_forward -r primary
p2_id=$(nf_id_of "$NF_PID")
wait_for 5 test "$(nf_field "$p2_id" rx)" -gt 10000
check "a restarted primary takes it back" test "$(nf_field "$p2_id" rx)" -gt 10000
s_rx=$(nf_field "$s_id" rx)
sleep 0.5
check "and the backup no longer gets any" test "$(nf_field "$s_id" rx)" = "$s_rx"

# DPDK port liveness: net_null's link is up, so a bucket watching port 2
# is live (the test above used service ports; this one the link state).
check "ff group watching DPDK port 2 (link up)" \
	ofctl add-group "$OF" "group_id=2,type=ff,bucket=watch_port:2,output:2"
check "switch port 1 to it" ofctl mod-flows "$OF" "in_port=1,actions=group:2"
tx=$(port_field 1 tx)
sleep 0.5
check "port 2 keeps sending through the port-watching bucket" test "$(port_field 1 tx)" -gt "$tx"
tm=$(telemetry /onvm/openflow)
check "telemetry: no packet met a fast-failover group with nothing live" \
	test "$(json_get "$tm" /onvm/openflow.failover_dead)" = 0
check "manager exits 0" stop_mgr
check_no_mbuf_leak --under-load
finish
