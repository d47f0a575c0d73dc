#!/usr/bin/env bash
# SIGINT to the manager with NFs running: NFs are told to stop and exit, the
# manager exits 0, and nothing of the file prefix is left: no hugepage
# files, no runtime directory. Telemetry asked without pause while it stops
# must not crash it: DPDK's telemetry thread outlives the shared memory the
# platform's commands read.
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
python3 "$ONVM_ROOT/tests/integration/telemetry.py" --hammer "/var/run/dpdk/$PREFIX" \
	/onvm/nfs /onvm/chains /onvm/services /onvm/mempool /onvm/drops /onvm/ports \
	>"$WORK/hammer.out" 2>"$WORK/hammer.err" &
hammer=$!
_pids+=("$hammer")
sleep 1 # it is asking before the stop begins
check "manager exits 0 on SIGINT under load and telemetry" stop_mgr
hammer_answered() {
	wait "$hammer" && [ "$(cat "$WORK/hammer.out")" -gt 0 ]
}
check "telemetry answered while the manager ran" hammer_answered
# The manager kills an NF still running 5 s after it told it to stop, and
# says so: an NF that hung would be gone by now all the same.
check "no NF had to be killed" no_match "did not stop in time" "$MGR_LOG"
check "first NF exited by itself, status 0" exited_0 "$nf1"
check "second NF exited by itself, status 0" exited_0 "$nf2"
check "no hugepage files left" bash -c "! compgen -G '/dev/hugepages/${PREFIX}map_*' >/dev/null"
check "no runtime directory left" test ! -e "/var/run/dpdk/$PREFIX"
check_no_mbuf_leak --under-load
finish
