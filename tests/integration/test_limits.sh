#!/usr/bin/env bash
# -t SECONDS and -l MILLION_PACKETS stop the manager by itself, cleanly.
source "$(dirname "$0")/lib.sh"
test_init limits
in=$(web_capture) || exit 1

start_mgr 0 --vdev=net_null0 -- -p 0x1 -s none -t 2
check "-t 2: the manager stops by itself" wait_for 10 bash -c "! kill -0 $MGR_PID 2>/dev/null"
wait "$MGR_PID"
check "-t 2: exit status 0" test $? -eq 0
check "-t 2: says why" grep -q "time to live of 2 s reached" "$MGR_LOG"

PREFIX=${PREFIX}_l
export ONVM_FILE_PREFIX=$PREFIX
MGR_LOG=$WORK/mgr_l.log
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in,infinite_rx=1" \
	--vdev=net_null0 -- -p 0x3 -s none -l 1
start_nf simple_forward
check "-l 1: the manager stops by itself" wait_for 60 bash -c "! kill -0 $MGR_PID 2>/dev/null"
wait "$MGR_PID"
check "-l 1: exit status 0" test $? -eq 0
check "-l 1: says why" grep -q "packet limit reached" "$MGR_LOG"
check_no_mbuf_leak --under-load
finish
