#!/usr/bin/env bash
# Every packet of a real capture crosses manager -> simple_forward -> manager
# and leaves byte-identical and in order; nothing stays in the mempool.
source "$(dirname "$0")/lib.sh"
test_init pcap_forward

in=$TESTDATA/64B_download.pcap
empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -w 1 -s none
start_nf simple_forward
expected=$(pcap_count "$in")
wait_for 30 test "$(json_get "$(telemetry /onvm/ports)" '/onvm/ports.1.tx')" -ge "$expected"
check "mempool back to baseline after the replay" test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr
check "output port 1 carries every packet, identical, in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$in" "$WORK/out1.pcap"
check "nothing leaves port 0" test "$(pcap_count "$WORK/out0.pcap")" -eq 0
finish
