#!/usr/bin/env bash
# tunnel_id as a pipeline field (no tunnel ports: every packet enters with
# tunnel_id 0): table 0 sets it on web responses with set_field and sends
# every TCP packet to table 1, which steers on it: tunnel_id 12345 to port
# 2, tunnel_id 0 to port 3. The port counters and the captures tell where
# each packet went; dump-flows shows the match and the set-field back.
source "$(dirname "$0")/lib.sh"
test_init openflow_tunnel_id
of_test_init 11
in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" \
	"$(pcap_vdev 2 "$WORK/empty.pcap" "$WORK/out2.pcap")" \
	-- -p 0x7 -w 1 -s none -d sink --of-listen "$OFPORT"
check "table 0: tcp src 80 -> set_field tunnel_id 12345, goto 1" \
	ofctl add-flow "$OF" "table=0,priority=200,tcp,tp_src=80,actions=set_field:12345->tunnel_id,goto_table:1"
check "table 0: other tcp -> goto 1 (tunnel_id stays 0)" \
	ofctl add-flow "$OF" "table=0,priority=100,tcp,actions=goto_table:1"
check "table 1: tunnel_id 12345 -> port 2" \
	ofctl add-flow "$OF" "table=1,priority=10,tunnel_id=12345,actions=output:2"
check "table 1: tunnel_id 0 (masked) -> port 3" \
	ofctl add-flow "$OF" "table=1,priority=5,tunnel_id=0/0xffff,actions=output:3"
ofctl dump-flows "$OF" >"$WORK/flows.txt"
log "$(cat "$WORK/flows.txt")"
check "dump-flows shows the set-field" grep -q "set_field:0x3039->tun_id" "$WORK/flows.txt"
check "dump-flows shows the exact match" grep -q "tun_id=0x3039 " "$WORK/flows.txt"
check "dump-flows shows the masked match" grep -q "tun_id=0/0xffff " "$WORK/flows.txt"
start_nf simple_forward -r go
tshark -r "$in" -Y "tcp.srcport == 80" -F pcap -w "$WORK/web.pcap" 2>/dev/null
tshark -r "$in" -Y "tcp && tcp.srcport != 80" -F pcap -w "$WORK/other.pcap" 2>/dev/null
n_web=$(pcap_count "$WORK/web.pcap")
n_other=$(pcap_count "$WORK/other.pcap")
log "web responses: $n_web, other tcp: $n_other"
wait_for 30 test "$(( $(port_field 1 tx) + $(port_field 2 tx) ))" -ge $((n_web + n_other))
sleep 0.5
check "port 2 sent exactly the web responses (tunnel_id 12345)" test "$(port_field 1 tx)" = "$n_web"
check "port 3 sent exactly the other tcp packets (tunnel_id 0)" test "$(port_field 2 tx)" = "$n_other"
check "manager exits 0" stop_mgr
check_no_mbuf_leak
check "port 2's capture is the web responses, unchanged and in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/web.pcap" "$WORK/out1.pcap"
check "port 3's capture is the other tcp packets, unchanged and in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/other.pcap" "$WORK/out2.pcap"
finish
