#!/usr/bin/env bash
# SIGINT to the manager with NFs running: NFs are told to stop and exit, the
# manager exits 0, and nothing of the file prefix is left: no hugepage
# files, no runtime directory.
source "$(dirname "$0")/lib.sh"
test_init clean_stop

in=$(web_capture) || exit 1
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in,infinite_rx=1" \
	--vdev=net_null0 -- -p 0x3 -c -s none
start_nf simple_forward -r 1 -- -d 2
nf1=$NF_PID
start_nf simple_forward -r 2
nf2=$NF_PID
wait_for 10 test "$(port_field 1 tx)" -gt 10000
check "hugepage files exist while running" bash -c "compgen -G '/dev/hugepages/${PREFIX}map_*' >/dev/null"
check "manager exits 0 on SIGINT under load" stop_mgr
# The manager kills an NF still running 5 s after it told it to stop, and
# says so: an NF that hung would be gone by now all the same.
check "no NF had to be killed" no_match "did not stop in time" "$MGR_LOG"
check "first NF exited by itself, status 0" exited_0 "$nf1"
check "second NF exited by itself, status 0" exited_0 "$nf2"
check "no hugepage files left" bash -c "! compgen -G '/dev/hugepages/${PREFIX}map_*' >/dev/null"
check "no runtime directory left" test ! -e "/var/run/dpdk/$PREFIX"
check_no_mbuf_leak --under-load
finish
