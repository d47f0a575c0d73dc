#!/usr/bin/env bash
# OpenFlow PBB (802.1ah) on the data path. The input is a capture wrapped
# in PBB headers (I-SID 100). Table 0 matches eth_type 0x88e7 and
# pbb_isid 100, pops the PBB header and goes to table 1, which pushes a
# new one on web responses (B-DA/B-SA copied, I-TAG 0), sets its I-SID to
# 203 and sends them out of port 2, and sends the other TCP frames out of
# port 3 from the action set. Both outputs are compared byte for byte with
# what they must be. ovs-ofctl 3.1 knows neither push_pbb/pop_pbb nor
# pbb_isid, so the flows go in through of_pbb.py; its dump-flows still
# gets a FLOW stats reply (which it cannot decode: OVS has no pbb_isid).
source "$(dirname "$0")/lib.sh"
test_init openflow_pbb
of_test_init 13
PBB="$SYS_PYTHON $ONVM_ROOT/tests/integration/of_pbb.py"
orig=$(web_capture) || exit 1
in=$WORK/in_pbb.pcap
check "input wrapped in PBB, I-SID 100" $PBB wrap "$orig" "$in" 100
empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" \
	"$(pcap_vdev 2 "$WORK/empty.pcap" "$WORK/out2.pcap")" \
	-- -p 0x7 -w 1 -s none -d sink --of-listen "$OFPORT"
check "PBB flows installed (pop_pbb, push_pbb, pbb_isid match and set-field)" \
	$PBB flows "$OFPORT"
ovs-ofctl -O OpenFlow13 dump-flows "$OF" >"$WORK/flows.txt" 2>&1
check "ovs-ofctl dump-flows gets a FLOW stats reply" grep -q "OFPST_FLOW reply" "$WORK/flows.txt"
start_nf simple_forward -r go
tshark -r "$orig" -Y "tcp.srcport == 80" -F pcap -w "$WORK/web.pcap" 2>/dev/null
tshark -r "$orig" -Y "tcp && tcp.srcport != 80" -F pcap -w "$WORK/want2.pcap" 2>/dev/null
check "expected port 2 output: web responses in PBB, I-SID 203" \
	$PBB wrap "$WORK/web.pcap" "$WORK/want1.pcap" 203
n1=$(pcap_count "$WORK/want1.pcap")
n2=$(pcap_count "$WORK/want2.pcap")
wait_for 30 test "$(port_field 1 tx)" -ge "$n1"
wait_for 30 test "$(port_field 2 tx)" -ge "$n2"
check "port 2 sent every re-encapsulated web response ($n1)" test "$(port_field 1 tx)" = "$n1"
check "port 3 sent every decapsulated frame ($n2)" test "$(port_field 2 tx)" = "$n2"
check "manager exits 0" stop_mgr
check_no_mbuf_leak
check "pop + push + set pbb_isid: the frames byte for byte" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/want1.pcap" "$WORK/out1.pcap"
check "pop: the customer frames byte for byte" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/want2.pcap" "$WORK/out2.pcap"
check "tshark reads I-SID 203 in every port 2 frame" \
	test "$(tshark -r "$WORK/out1.pcap" -Y 'ieee8021ah.isid == 203 && tcp.srcport == 80' 2>/dev/null | wc -l)" = "$n1"
finish
