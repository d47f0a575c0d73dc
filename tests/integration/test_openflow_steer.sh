#!/usr/bin/env bash
# OpenFlow end to end with a real ovs-ofctl against --of-listen: `show`
# lists the DPDK ports and the service ports; add-flow steers
# tcp_src=80 of a capture into a service, and when its NF says NEXT the
# packet re-enters the table with in_port = the service port, where a
# second flow sends it out of port 2: the output capture is exactly the
# tshark-filtered input. dump-flows shows the controller's flows and the
# JSON chain (cookie = chain id) with counters; packet-out sends a frame;
# del-flows empties the table.
source "$(dirname "$0")/lib.sh"
test_init openflow_steer
of_test_init 0
in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
cat >"$WORK/chains.json" <<'JSON'
{ "chains": [ { "name": "udp-chain", "priority": 7, "match": { "ip_proto": "udp", "udp_dst": 53 },
                "hops": ["dns"], "out_port": 0 } ] }
JSON
# -w 2: nothing is received until the second NF runs, after the flows.
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" \
	-- -p 0x3 -w 2 -s none -d sink -C "$WORK/chains.json" --of-listen "$OFPORT" --of-dpid 0x2a
check "agent listens" grep -q "openflow: listening on $OFPORT" "$MGR_LOG"
start_nf simple_forward -r web
web=$(sed -n "s/.*joined service \([0-9]*\) 'web'.*/\1/p" "$MGR_LOG" | head -1)
log "service web is $web (OpenFlow port $((1000 + web)))"

ofctl show "$OF" >"$WORK/show.txt"
check "show: datapath id from --of-dpid" grep -q "dpid:000000000000002a" "$WORK/show.txt"
check "show: DPDK port 0 is OpenFlow port 1" grep -q " 1(net_pcap0)" "$WORK/show.txt"
check "show: DPDK port 1 is OpenFlow port 2" grep -q " 2(net_pcap1)" "$WORK/show.txt"
check "show: the running service is port 1000+id" grep -q " $((1000 + web))(web)" "$WORK/show.txt"

check "add-flow to the service" ofctl add-flow "$OF" "priority=100,tcp,tp_src=80,actions=output:$((1000 + web))"
check "add-flow from the service to port 2" ofctl add-flow "$OF" "priority=200,in_port=$((1000 + web)),actions=output:2"
check "add-flow drop the rest" ofctl add-flow "$OF" "priority=1,actions=drop"
out=$(ofctl add-flow "$OF" "priority=5,ip,actions=set_queue:1,output:2")
check "an action the switch cannot run is refused (BAD_QUEUE: no queues)" grep -q "OFPBAC_BAD_QUEUE" <<<"$out"
out=$(ofctl add-flow "$OF" "table=8,priority=5,actions=output:2")
check "a table past the last (7) is refused (BAD_TABLE_ID)" grep -q "OFPFMFC_BAD_TABLE_ID" <<<"$out"
out=$(ofctl add-flow "$OF" "priority=5,actions=goto_table:8")
check "goto_table past the last table refused (BAD_TABLE_ID)" grep -q "OFPBIC_BAD_TABLE_ID" <<<"$out"
out=$(ofctl add-flow "$OF" "priority=5,actions=output:7")
check "a port that does not exist is refused (BAD_OUT_PORT)" grep -q "OFPBAC_BAD_OUT_PORT" <<<"$out"

start_nf simple_forward -r other
tshark -r "$in" -Y "tcp.srcport == 80" -F pcap -w "$WORK/want.pcap" 2>/dev/null
n=$(pcap_count "$WORK/want.pcap")
log "capture: $n packets from port 80"
wait_for 30 test "$(port_field 1 tx)" -ge "$n"
sleep 0.5
check "port 2 sent exactly the tcp_src=80 packets, in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/want.pcap" "$WORK/out1.pcap"

ofctl dump-flows "$OF" >"$WORK/flows.txt"
check "dump-flows: the JSON chain, cookie = chain id" \
	grep -q "cookie=0x1,.*priority=7,udp,tp_dst=53 actions=output:10" "$WORK/flows.txt"
check "dump-flows: the steering flow counted every packet" \
	grep -q "n_packets=$n,.*priority=100,tcp,tp_src=80 actions=output:$((1000 + web))" "$WORK/flows.txt"
ofctl dump-ports "$OF" >"$WORK/ports.txt"
check "dump-ports: port 2 sent them" \
	bash -c "grep -A1 'port  2:' '$WORK/ports.txt' | grep -q 'tx pkts=$n,'"
check "dump-ports: the service port" grep -q "port *$((1000 + web)):" "$WORK/ports.txt"

arp=ffffffffffff00000000000108060001080006040001000000000001c0a80001000000000000c0a80002
check "packet-out to port 2" ofctl packet-out "$OF" "in_port=controller packet=$arp actions=output:2"
check "port 2 sent it" wait_for 5 test "$(port_field 1 tx)" = $((n + 1))
sed -i 's/"priority": 7/"priority": 8/' "$WORK/chains.json"
kill -HUP "$MGR_PID"
check "SIGHUP reload with the agent" wait_for 5 grep -q "chains reloaded" "$MGR_LOG"
ofctl dump-flows "$OF" >"$WORK/flows2.txt"
check "the reloaded chain replaced the old one in the table" \
	bash -c "grep -q 'cookie=0x1,.*priority=8,udp' $WORK/flows2.txt && ! grep -q 'priority=7,udp' $WORK/flows2.txt"
check "controller flows kept across the reload" grep -q "priority=100,tcp,tp_src=80" "$WORK/flows2.txt"
check "del-flows" ofctl del-flows "$OF"
check "dump-flows is empty after del-flows" ofctl_lacks cookie= dump-flows "$OF"
check "manager alive and exits 0" stop_mgr
check_no_mbuf_leak
finish
