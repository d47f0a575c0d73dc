#!/usr/bin/env bash
# RX scaling: two RX lcores, each reading its own queue of two-queue ports
# (net_af_packet, qpairs=2, on veth pairs into two network namespaces). Many
# flows cross in both directions at once through a service of two router
# instances. Every frame of every flow must come out, once and in order;
# both directions of each flow must meet the same instance (each instance
# routes to next-hop MACs of its own, so the frames say which one handled
# them); both RX lcores must have read packets, and both instances had
# flows. A third of the way in, half of instance 0's flow buckets move to
# instance 1 (onvmctl move): each RX lcore holds the moving flows' packets
# and releases them in order, so no frame is lost or reordered, and a
# moved flow switches from instance 0 to 1 once in each direction.
source "$(dirname "$0")/lib.sh"
test_init rss_flows

for tool in ip tcpdump; do
	command -v "$tool" >/dev/null || skip "$tool not installed"
done

flows=200 pkts=30 pps=2000
tag=$$
"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/rss_flows.py" make "$WORK" $flows $pkts ||
	{ echo "  cannot write the flows' captures"; exit 1; }
make_host "onvm_ra$tag" "ra$tag" 10.81.1.254/24
make_host "onvm_rb$tag" "rb$tag" 10.81.2.254/24

# Instance I routes to next hop 02:00:00:00:0I:0P on port P.
for i in 0 1; do
	cat >"$WORK/routes$i.txt" <<EOF
10.81.2.0/24 port 1 via-mac 02:00:00:00:0$i:01
10.81.1.0/24 port 0 via-mac 02:00:00:00:0$i:00
non_ip drop
EOF
done

# Control on CPU 0; data lcores 1 and 2 share CPU 1, both read ports
# (--rx-lcores 2: each does RX and TX); the NFs share CPU 0 (-c).
# Large af_packet rings: a data lcore that waits for its CPU must not let
# its queue fill, or the kernel's fanout rolls frames over to the other
# queue, and so to the other RX lcore.
afp=qpairs=2,framecnt=8192
start_mgr --lcores=0@0,1@1,2@1 "--vdev=net_af_packet0,iface=ra$tag,$afp" \
	"--vdev=net_af_packet1,iface=rb$tag,$afp" \
	-- -p 0x3 -c -w 2 -s none -d rt --rx-lcores 2 || finish
check "each port has two RX queues" grep -q "port 1 (net_af_packet, NUMA node -\?[0-9]*): 2 RX queues" "$MGR_LOG"
start_nf router -r rt -n 0 -- -f "$WORK/routes0.txt" || finish
start_nf router -r rt -n 1 -- -f "$WORK/routes1.txt" || finish
wait_for 30 grep -q "NF(s) ready, receiving" "$MGR_LOG"

capture() { # capture NS FILE: tcpdump in the namespace, until killed
	ip netns exec "$1" tcpdump -i eth0 -n -U -B 16384 -s 256 -w "$2" udp or tcp \
		>"$2.log" 2>&1 &
	_pids+=($!)
}
capture "onvm_rb$tag" "$WORK/at_b.pcap"
cap_b=$!
capture "onvm_ra$tag" "$WORK/at_a.pcap"
cap_a=$!
wait_for 10 grep -q "listening" "$WORK/at_b.pcap.log"
wait_for 10 grep -q "listening" "$WORK/at_a.pcap.log"

send=$ONVM_ROOT/tests/integration/send_pcap.py
ip netns exec "onvm_ra$tag" "$SYS_PYTHON" "$send" "$WORK/a2b.pcap" eth0 $pps >"$WORK/send_a.log" &
send_a=$!
ip netns exec "onvm_rb$tag" "$SYS_PYTHON" "$send" "$WORK/b2a.pcap" eth0 $pps >"$WORK/send_b.log" &
send_b=$!
_pids+=("$send_a" "$send_b")
expected=$((flows * pkts))
rx_at_least() { [ "$(port_field 0 rx)" -ge "$1" ]; }
check "a third of the traffic crossed" wait_for 30 rx_at_least $((expected / 3))
"$BUILD/onvm_mgr/onvmctl" move rt --from 0 --to 1 --share 0.5 >"$WORK/move.json" 2>&1
move_rc=$?
log "move: $(tr -d ' \n' <"$WORK/move.json")"
check "onvmctl move exits 0" test $move_rc = 0
# Not a check (a loaded machine may stretch the move past the traffic):
# whether the move overlapped the flows, for the log.
if kill -0 "$send_a" 2>/dev/null; then
	log "the move was over while host A still sent"
else
	log "host A had sent everything by the end of the move"
fi
check "host A sent its frames" wait "$send_a"
check "host B sent its frames" wait "$send_b"
wait_for 30 test "$(port_field 1 tx)" -ge $expected
wait_for 30 test "$(port_field 0 tx)" -ge $expected
sleep 1 # the last frames into the captures
kill -INT "$cap_a" "$cap_b"
wait "$cap_a" "$cap_b"

lcores=$(telemetry /onvm/lcores)
echo "  lcores: $lcores"
rx_of() { json_get "$lcores" "/onvm/lcores.$1.rx"; }
check "RX lcore 1 read packets" test "$(rx_of 1)" -gt 0
check "RX lcore 2 read packets" test "$(rx_of 2)" -gt 0
flows_py=$ONVM_ROOT/tests/integration/rss_flows.py
check "every frame of every flow came out once, in order, both ways" \
	"$SYS_PYTHON" "$flows_py" delivery "$WORK/at_b.pcap" "$WORK/at_a.pcap" $flows $pkts
check "both directions of each flow met one instance (a moved one 0, then 1); both had flows" \
	"$SYS_PYTHON" "$flows_py" instances "$WORK/at_b.pcap" "$WORK/at_a.pcap" $flows 0 1
check "nothing dropped on the way" test "$(json_get "$(telemetry /onvm/drops)" "/onvm/drops.no_instance")" -eq 0
check "manager exits 0" stop_mgr
check_no_mbuf_leak
finish
