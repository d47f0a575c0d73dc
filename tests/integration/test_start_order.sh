#!/usr/bin/env bash
# NFs start and stop in any order while traffic flows: a hop with no
# running NF drops and counts, and traffic resumes by itself when one
# registers (OpenNetVM needs downstream NFs first).
source "$(dirname "$0")/lib.sh"
test_init start_order

in=$(web_capture) || exit 1
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in,infinite_rx=1" \
	--vdev=net_null0 -- -p 0x3 -c -s none
no_instance() { json_get "$(telemetry /onvm/drops)" /onvm/drops.no_instance; }
tx_grows() { local a; a=$(port_field 1 tx); sleep 0.3; test "$(port_field 1 tx)" -gt "$a"; }
# Not `! tx_grows`: a telemetry query that fails does not grow either.
tx_stalls() { local a; a=$(port_field 1 tx); sleep 0.3; test "$(port_field 1 tx)" -eq "$a"; }

# Upstream first: its downstream (service 2) does not exist yet.
start_nf simple_forward -r 1 -- -d 2
up=$NF_PID
d1=$(no_instance)
sleep 0.3
check "hop without an NF: dropped and counted" test "$(no_instance)" -gt "$d1"
check "nothing leaves meanwhile" test "$(port_field 1 tx)" -eq 0
start_nf simple_forward -r 2
check "traffic flows once the downstream NF registers" wait_for 5 tx_grows
kill -INT "$up"
wait "$up" 2>/dev/null
check "traffic stops when the upstream NF leaves" wait_for 10 tx_stalls
start_nf simple_forward -r 1 -- -d 2
check "and resumes when it comes back" wait_for 5 tx_grows
loops() { json_get "$(telemetry /onvm/lcores)" "/onvm/lcores.1.loops"; }
l1=$(loops)
sleep 0.2
check "/onvm/lcores: data lcore 1 (rx+tx) counts its loops" test "$(loops)" -gt "${l1:-0}"
check "/onvm/lcores: its role" test "$(json_get "$(telemetry /onvm/lcores)" /onvm/lcores.1.role)" = rx+tx
check "manager exits 0" stop_mgr
check_no_mbuf_leak --under-load
finish
