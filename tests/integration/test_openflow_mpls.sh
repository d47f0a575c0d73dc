#!/usr/bin/env bash
# OpenFlow MPLS, TTL and generic set-field actions on the data path:
# DSCP/ECN and the IP TTL set, an MPLS label pushed, its label and TTL set
# and decremented. tshark finds every field in the output and the IPv4 and
# TCP checksums under the label still correct. A second flow pushes a
# label, decrements its TTL and pops it: those frames leave byte for byte
# as they came in. (copy_ttl_in/out, which ovs-ofctl cannot send, are
# covered by the unit tests.)
source "$(dirname "$0")/lib.sh"
test_init openflow_mpls
of_test_init 7
in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" \
	"$(pcap_vdev 2 "$WORK/empty.pcap" "$WORK/out2.pcap")" \
	-- -p 0x7 -w 1 -s none -d sink --of-listen "$OFPORT"
check "mpls flow" ofctl add-flow "$OF" "priority=100,in_port=1,tcp,tp_src=80,actions=set_field:46->ip_dscp,set_field:2->ip_ecn,set_nw_ttl:33,push_mpls:0x8847,set_field:1234->mpls_label,set_mpls_ttl:20,dec_mpls_ttl,output:2"
check "push, dec ttl, pop" ofctl add-flow "$OF" "priority=90,in_port=1,tcp,actions=push_mpls:0x8847,dec_mpls_ttl,pop_mpls:0x0800,output:3"
check "the rest dropped" ofctl add-flow "$OF" "priority=1,actions=drop"
start_nf simple_forward -r go
tshark -r "$in" -Y "tcp.srcport == 80" -F pcap -w "$WORK/want.pcap" 2>/dev/null
tshark -r "$in" -Y "tcp && tcp.srcport != 80" -F pcap -w "$WORK/want2.pcap" 2>/dev/null
n=$(pcap_count "$WORK/want.pcap")
n2=$(pcap_count "$WORK/want2.pcap")
wait_for 30 test "$(port_field 1 tx)" -ge "$n"
wait_for 30 test "$(port_field 2 tx)" -ge "$n2"
check "port 2 sent every labelled packet" test "$(port_field 1 tx)" = "$n"
check "port 3 sent every round-tripped packet" test "$(port_field 2 tx)" = "$n2"
check "manager exits 0" stop_mgr
check_no_mbuf_leak
tsh() { tshark -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE "${@:2}" 2>/dev/null; }
check "every packet: label 1234, mpls ttl 19, bottom of stack, dscp 46, ecn 2, ttl 33" \
	test "$(tsh "$WORK/out1.pcap" -Y 'mpls.label == 1234 && mpls.ttl == 19 && mpls.bottom == 1 && ip.dsfield.dscp == 46 && ip.dsfield.ecn == 2 && ip.ttl == 33' | wc -l)" = "$n"
check "IPv4 and TCP checksums under the label good" \
	test "$(tsh "$WORK/out1.pcap" -Y 'ip.checksum.status == "Good" && tcp.checksum.status == "Good"' | wc -l)" = "$n"
check "round trip: the frames as they came in" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/want2.pcap" "$WORK/out2.pcap"
finish
