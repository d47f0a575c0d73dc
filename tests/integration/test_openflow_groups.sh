#!/usr/bin/env bash
# OpenFlow groups and robustness, with a real ovs-ofctl: a select group
# over two services spreads the flows of a capture over both (each NF
# returns them and they leave by port 2), dump-group-stats counts them;
# malformed messages get an OFPT_ERROR and neither the connection nor
# the manager dies.
source "$(dirname "$0")/lib.sh"
test_init openflow_groups
of_test_init 7
in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" \
	-- -p 0x3 -w 3 -s none -d sink --of-listen "$OFPORT"
start_nf simple_forward -r a
a_nf=$(nf_id_of "$NF_PID")
start_nf simple_forward -r b
b_nf=$(nf_id_of "$NF_PID")
a=$(sed -n "s/.*joined service \([0-9]*\) 'a'.*/\1/p" "$MGR_LOG" | head -1)
b=$(sed -n "s/.*joined service \([0-9]*\) 'b'.*/\1/p" "$MGR_LOG" | head -1)
check "add-group select over both services" \
	ofctl add-group "$OF" "group_id=1,type=select,bucket=output:$((1000 + a)),bucket=output:$((1000 + b))"
check "add-group indirect" ofctl add-group "$OF" "group_id=2,type=indirect,bucket=output:2"
check "tcp to the select group" ofctl add-flow "$OF" "priority=100,in_port=1,tcp,actions=group:1"
check "back from a: the indirect group" ofctl add-flow "$OF" "priority=100,in_port=$((1000 + a)),actions=group:2"
check "back from b: port 2" ofctl add-flow "$OF" "priority=100,in_port=$((1000 + b)),actions=output:2"
ofctl dump-groups "$OF" >"$WORK/groups.txt"
check "dump-groups lists them" grep -q "group_id=1,type=select" "$WORK/groups.txt"

check "malformed messages: ERROR each, connection survives" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/of_malformed.py" "$OFPORT"

start_nf simple_forward -r go   # the third NF: receiving starts
tshark -r "$in" -Y "tcp" -F pcap -w "$WORK/want.pcap" 2>/dev/null
n=$(pcap_count "$WORK/want.pcap")
wait_for 30 test "$(port_field 1 tx)" -ge "$n"
check "every tcp packet left by port 2" test "$(port_field 1 tx)" = "$n"
ra=$(nf_field "$a_nf" rx)
rb=$(nf_field "$b_nf" rx)
log "select group: service a got $ra, service b got $rb of $n"
check "both services got flows" test "$ra" -gt 0 -a "$rb" -gt 0
check "and all of them between them" test $((ra + rb)) = "$n"
ofctl dump-group-stats "$OF" >"$WORK/gstats.txt"
check "dump-group-stats counts the select group" \
	grep -q "group_id=1,.*packet_count=$n," "$WORK/gstats.txt"
tm=$(telemetry /onvm/openflow)
check "telemetry /onvm/openflow: 3 flows, 2 groups" \
	test "$(json_get "$tm" /onvm/openflow.flows)/$(json_get "$tm" /onvm/openflow.groups)" = 3/2
check "telemetry: no table re-entry missed" test "$(json_get "$tm" /onvm/openflow.reenter_miss)" = 0
check "manager still answers" bash -c "ovs-ofctl -O OpenFlow13 show $OF >/dev/null"
check "manager exits 0" stop_mgr
check_no_mbuf_leak
finish
