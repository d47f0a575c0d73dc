#!/usr/bin/env bash
# Three NFs in shared-core mode (-c) on one CPU form a chain 1 -> 2 -> 3;
# the capture comes out byte-identical and in order, and the NFs really
# slept between bursts instead of spinning each other out.
source "$(dirname "$0")/lib.sh"
test_init chain3_shared

in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -c -w 3 -s none
# Downstream last on purpose: any start order works.
start_nf simple_forward -r 1 -- -d 2
nf1=$(nf_id_of "$NF_PID")
start_nf simple_forward -r 3
start_nf simple_forward -r 2 -- -d 3
expected=$(pcap_count "$in")
wait_for 60 test "$(port_field 1 tx)" -ge "$expected"
check "all three NFs share one CPU" test "$(grep -c 'on cpu 0$' "$MGR_LOG")" -eq 3
check "first NF slept while idle (wakeups > 0)" test "$(nf_field "$nf1" wakeups)" -gt 0
check "mempool back to baseline" test "$(mempool_in_use)" -eq 0
check "manager exits 0" stop_mgr
check "every packet crossed the chain identical and in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$in" "$WORK/out1.pcap"
finish
