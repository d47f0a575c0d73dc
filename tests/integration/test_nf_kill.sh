#!/usr/bin/env bash
# kill -9 of an NF under load: the manager retires it, reclaims every
# packet it held, steers its flows to the other instance (none dropped for
# want of an instance), drops (counted) once none is left, and a restarted
# NF gets traffic again. At the end the mempool holds nothing the platform
# lost.
source "$(dirname "$0")/lib.sh"
test_init nf_kill

in=$(web_capture) || exit 1
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in,infinite_rx=1" \
	--vdev=net_null0 -- -p 0x3 -s none
start_nf simple_forward -r 1
a=$NF_PID
start_nf simple_forward -r 1
b=$NF_PID
b_id=$(nf_id_of "$b")
wait_for 10 test "$(nf_field "$b_id" rx)" -gt 1000

no_instance() { json_get "$(telemetry /onvm/drops)" /onvm/drops.no_instance; }

t0=$(date +%s.%N)
kill -9 "$a"
check "manager retired the killed NF" wait_for 5 grep -q "pid $a) died" "$MGR_LOG"
t1=$(date +%s.%N)
log "$(grep "pid $a) died" "$MGR_LOG")"
# A measurement, not a check: the liveness poll runs every 100 ms on the
# control thread, which a busy machine can delay at will.
log "the manager noticed the death after $(printf '%.3f' "$(echo "$t1 - $t0" | bc)") s"
check "manager still alive" kill -0 "$MGR_PID"
# Packets held for the dead NF are dropped as it is retired; from then on
# its flows must find the other instance, never no instance at all.
sleep 0.2
drops0=$(no_instance)
rx_b=$(nf_field "$b_id" rx)
sleep 0.5
check "the surviving instance takes the traffic" test "$(nf_field "$b_id" rx)" -gt "$rx_b"
check "the dead NF's flows went to it: no drop for want of an instance" test "$(no_instance)" = "$drops0"

kill -9 "$b"
wait_for 5 grep -q "pid $b) died" "$MGR_LOG"
drops1=$(no_instance)
sleep 0.3
drops2=$(no_instance)
check "with no instance left, packets are dropped and counted" test "$drops2" -gt "$drops1"
# Only the burst being received can be in flight now.
check "mempool back to baseline (<= one burst in flight)" test "$(mempool_in_use)" -le 128 # ONVM_BURST

start_nf simple_forward -r 1
c_id=$(nf_id_of "$NF_PID")
wait_for 5 test "$(nf_field "$c_id" rx)" -gt 1000
check "a restarted NF receives traffic again" test "$(nf_field "$c_id" rx)" -gt 1000
check "manager exits 0" stop_mgr
check_no_mbuf_leak --under-load
finish
