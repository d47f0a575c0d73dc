#!/usr/bin/env bash
# OpenFlow header rewrites on the data path: set_field on IPv4 and TCP
# addresses/ports, dec_ttl, push_vlan + set vlan_vid; tshark finds every
# rewritten field in the output and every IPv4 and TCP checksum still
# correct (they are updated incrementally, RFC 1624). An `all` group sends
# each packet to two ports.
source "$(dirname "$0")/lib.sh"
test_init openflow_rewrite
of_test_init 3
in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" \
	"$(pcap_vdev 2 "$WORK/empty.pcap" "$WORK/out2.pcap")" \
	-- -p 0x7 -w 1 -s none -d sink --of-listen "$OFPORT"
check "all group to ports 2 and 3" \
	ofctl add-group "$OF" "group_id=5,type=all,bucket=output:2,bucket=output:3"
check "rewrite flow" ofctl add-flow "$OF" "priority=100,in_port=1,tcp,tp_src=80,actions=set_field:10.9.9.9->ip_src,set_field:8080->tcp_src,dec_ttl,push_vlan:0x8100,set_field:4138->vlan_vid,group:5"
check "the rest dropped" ofctl add-flow "$OF" "priority=1,actions=drop"
start_nf simple_forward -r go
tshark -r "$in" -Y "tcp.srcport == 80" -F pcap -w "$WORK/want.pcap" 2>/dev/null
n=$(pcap_count "$WORK/want.pcap")
wait_for 30 test "$(port_field 2 tx)" -ge "$n"
check "port 2 sent every rewritten packet" test "$(port_field 1 tx)" = "$n"
check "port 3 sent a copy of each (all group)" test "$(port_field 2 tx)" = "$n"
check "manager exits 0" stop_mgr
check_no_mbuf_leak
tsh() { tshark -r "$WORK/out1.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE "$@" 2>/dev/null; }
check "every packet: ip.src 10.9.9.9, tcp.srcport 8080, vlan 42" \
	test "$(tsh -Y 'ip.src == 10.9.9.9 && tcp.srcport == 8080 && vlan.id == 42' | wc -l)" = "$n"
check "no bad IPv4 or TCP checksum" \
	test "$(tsh -Y 'ip.checksum.status == "Bad" || tcp.checksum.status == "Bad"' | wc -l)" = 0
check "and they were checked (good status)" \
	test "$(tsh -Y 'ip.checksum.status == "Good" && tcp.checksum.status == "Good"' | wc -l)" = "$n"
ttl_in=$(tshark -r "$WORK/want.pcap" -T fields -e ip.ttl -c 1 2>/dev/null)
ttl_out=$(tshark -r "$WORK/out1.pcap" -T fields -e ip.ttl -c 1 2>/dev/null)
check "dec_ttl: ttl $ttl_in became $ttl_out" test "$ttl_out" = $((ttl_in - 1))
check "port 3's copies are the same frames" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/out1.pcap" "$WORK/out2.pcap"
finish
