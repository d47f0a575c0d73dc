#!/usr/bin/env bash
# A mid-chain NF that loses its CPU for tens of ms (NFs sharing a core on a
# busy machine do) is waited for: under full load the packets for it wait
# in the manager and the chain's entry holds the port, and none is dropped
# in the middle of the chain (hop_stuck). One that stops reading for good
# (frozen for a second) has the packets waiting for it dropped and counted
# as hop_stuck, and the chain forwards again once it resumes.
source "$(dirname "$0")/lib.sh"
test_init slow_hop

in=$(web_capture) || exit 1
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in,infinite_rx=1" --vdev=net_null0 \
	-- -p 0x3 -s none -d a
start_nf simple_forward -r b
b=$NF_PID
b_id=$(nf_id_of "$b")
start_nf simple_forward -r a -- -d b
a_id=$(nf_id_of "$NF_PID")
grows() { local x; x=$(nf_field "$1" rx); sleep 0.3; test "$(nf_field "$1" rx)" -gt "$x"; }
check "traffic crosses a -> b" wait_for 10 grows "$b_id"
hop_stuck() { json_get "$(telemetry /onvm/drops)" /onvm/drops.hop_stuck; }

before=$(hop_stuck)
for i in 1 2 3 4 5; do
	kill -STOP "$b"
	sleep 0.04
	kill -CONT "$b"
	sleep 0.2
done
log "hop_stuck: $before before five 40 ms pauses of b, $(hop_stuck) after"
check "no packet dropped mid-chain while b paused for 40 ms at a time" test "$(hop_stuck)" = "$before"
check "and the chain still forwards" grows "$b_id"

kill -STOP "$b"
sleep 1
stuck=$(hop_stuck)
kill -CONT "$b"
log "hop_stuck: $stuck with b frozen for a second"
check "packets waiting for a frozen NF are dropped and counted (hop_stuck)" test "$stuck" -gt "$before"
check "the manager stays alive" kill -0 "$MGR_PID"
check "once it resumes, the chain forwards again" wait_for 5 grows "$b_id"
check "a still forwards too" grows "$a_id"
check "manager exits 0" stop_mgr
check_no_mbuf_leak --under-load
finish
