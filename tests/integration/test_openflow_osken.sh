#!/usr/bin/env bash
# An unmodified os-ken controller drives the manager through
# --of-controller: two network namespaces joined by the manager ping each
# other only once the learning switch in tests/osken_learning_switch.py
# has answered PACKET_INs with FLOW_MODs and PACKET_OUTs; the agent
# reconnects with backoff when the controller starts late; idle timeouts
# send FLOW_REMOVED and NFs coming and going PORT_STATUS; every message
# the agent sent decodes in tshark without malformed-packet errors.
source "$(dirname "$0")/lib.sh"
test_init openflow_osken
command -v osken-manager >/dev/null || skip "osken-manager not installed"

tag=$$
CPORT=$((20000 + ($$ + 13) % 20000))
LPORT=$((CPORT + 1))
make_host "onvm_oa$tag" "qa$tag" 10.78.0.1/24
make_host "onvm_ob$tag" "qb$tag" 10.78.0.2/24
tshark -i lo -f "tcp port $CPORT" -w "$WORK/of.pcapng" >/dev/null 2>&1 &
capture=$!
_pids+=("$capture")
start_mgr 0-1 "--vdev=net_af_packet0,iface=qa$tag" "--vdev=net_af_packet1,iface=qb$tag" \
	-- -p 0x3 -s none -d nobody --of-controller "127.0.0.1:$CPORT" --of-listen "$LPORT"

check "no controller, no table-miss flow: no ping" \
	bash -c "! ip netns exec onvm_oa$tag ping -c 2 -i 0.2 -W 1 10.78.0.2 >/dev/null"

OSKEN_EVENTS=$WORK/events.log osken-manager --ofp-tcp-listen-port "$CPORT" \
	"$ONVM_ROOT/tests/osken_learning_switch.py" >"$WORK/osken.log" 2>&1 &
_pids+=("$!")
check "the agent connected to the controller (after backoff)" \
	wait_for 60 grep -q "connected to controller" "$MGR_LOG"
check "controller saw the features" wait_for 10 grep -q "features dpid=" "$WORK/events.log"
check "ping a -> b through the learning switch" \
	wait_for 10 ip netns exec "onvm_oa$tag" ping -c 3 -i 0.2 -W 2 10.78.0.2
check "ping b -> a" ip netns exec "onvm_ob$tag" ping -c 3 -i 0.2 -W 2 10.78.0.1
check "PACKET_IN reached the controller" grep -q "packet_in in_port=1" "$WORK/events.log"
check "the controller installed flows" grep -q "flow_mod in_port=" "$WORK/events.log"
check "no ERROR came back" no_match '^error' "$WORK/events.log"
ovs-ofctl -O OpenFlow13 dump-flows "tcp:127.0.0.1:$LPORT" >"$WORK/flows.txt" 2>&1
check "dump-flows shows the learned flows with packets" \
	grep -q "n_packets=[1-9].*priority=1,in_port=1,dl_src=" "$WORK/flows.txt"
check "and the table-miss flow" grep -q "priority=0 actions=CONTROLLER:65535" "$WORK/flows.txt"
check "idle timeout: FLOW_REMOVED reached the controller" \
	wait_for 5 grep -q "flow_removed cookie=0x77 reason=0" "$WORK/events.log"
start_nf simple_forward -r svcx
svc=$(sed -n "s/.*joined service \([0-9]*\) 'svcx'.*/\1/p" "$MGR_LOG" | head -1)
check "an NF joining raised PORT_STATUS add for its service port" \
	wait_for 5 grep -q "port_status reason=0 port=$((1000 + svc)) name=svcx" "$WORK/events.log"
kill -9 "$NF_PID"
check "its death raised PORT_STATUS delete" \
	wait_for 5 grep -q "port_status reason=1 port=$((1000 + svc))" "$WORK/events.log"
check "manager exits 0" stop_mgr
# The capture is complete once tshark has stopped and written it out.
kill -INT "$capture"
wait_for 10 _gone "$capture"
tshark -r "$WORK/of.pcapng" -d "tcp.port==$CPORT,openflow" -Y "openflow_v4" -T fields \
	-e openflow_v4.type >"$WORK/types.txt" 2>/dev/null
# tshark's expert errors for the whole capture; none may say malformed.
no_malformed() {
	if ! tshark -r "$WORK/of.pcapng" -d "tcp.port==$CPORT,openflow" -z expert,error -q \
		>"$WORK/expert.txt" 2>"$WORK/expert.err"; then
		echo "    tshark failed: $(tail -1 "$WORK/expert.err")"
		return 1
	fi
	no_match -i malformed "$WORK/expert.txt"
}
log "OpenFlow messages on the wire: $(sort "$WORK/types.txt" | uniq -c | tr -s ' \n' ' ')"
check "tshark decoded PACKET_INs" grep -qw 10 "$WORK/types.txt"
check "no malformed OpenFlow on the wire" no_malformed
finish
