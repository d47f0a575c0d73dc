#!/usr/bin/env bash
# Controllers that misbehave must not hurt the platform. With one lcore
# (the data path shares the manager's main thread) and a flow port 1 ->
# port 2 over net_null ports, each in turn for a few seconds:
#   garbage  random bytes and random bodies behind valid headers
#   conns    100 connections at once (the agent serves 16 and closes the
#            rest at once; while the 16 are held, nobody else gets in)
#   flood    FLOW_MODs as fast as the socket takes them, replies unread
# Meanwhile forwarding must go on in every half second, another
# controller (ovs-ofctl) must still be answered, and the manager's memory
# must stay bounded: its peak (VmHWM) grows by less than 64 MB under the
# garbage and the 100 connections (the agent holds at most 16, each with a
# 128 KiB input buffer and 8 MiB of unread replies before it closes one),
# by less than 512 MB under the flood (whose flows are real state); at the
# end the manager is alive and exits 0. A controller that stops reading is
# test_openflow_stall.
source "$(dirname "$0")/lib.sh"
test_init openflow_faults
of_test_init 7
start_mgr 0 --vdev=net_null0 --vdev=net_null1 -- -p 0x3 -s none --of-listen "$OFPORT"
# The well-behaved controller asks for its own flow by cookie: a dump of
# the whole table would be the flood's tens of thousands of flows, which
# ovs-ofctl takes longer to read and print than its timeout on a busy
# machine, whatever the agent does.
check "add-flow port 1 -> port 2" \
	ofctl add-flow "$OF" "cookie=0x5eed,priority=100,in_port=1,actions=output:2"
tx2() { port_field 1 tx; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$MGR_PID/status"; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$MGR_PID/status"; }
wait_for 5 test "$(tx2)" -gt 0
rss0=$(rss_kb)

for mode in garbage conns flood; do
	hwm0=$(hwm_kb)
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/of_faults.py" "$OFPORT" "$mode" 4 \
		>"$WORK/$mode.log" 2>&1 &
	bad=$!
	_pids+=("$bad")
	stalls=0 answered=0 prev=$(tx2)
	for i in $(seq 8); do
		sleep 0.5
		now=$(tx2)
		[ "$now" -gt "$prev" ] || stalls=$((stalls + 1))
		prev=$now
		# Every slot taken (conns) leaves no room for it: not counted.
		timeout 5 ovs-ofctl -O OpenFlow13 dump-flows "$OF" cookie=0x5eed/-1 2>/dev/null |
			grep -q "priority=100,in_port=1 " && answered=$((answered + 1))
	done
	wait "$bad"
	log "$mode: $(cat "$WORK/$mode.log"); $stalls of 8 half seconds without forwarding; $answered of 8 dump-flows answered"
	check "$mode: forwarding went on throughout" test "$stalls" = 0
	[ "$mode" = conns ] ||
		check "$mode: the well-behaved controller was answered" test "$answered" -ge 6
	check "$mode: manager alive" kill -0 "$MGR_PID"
	hwm1=$(hwm_kb)
	limit=$((64 * 1024))
	[ "$mode" = flood ] && limit=$((512 * 1024))
	log "$mode: manager peak RSS ${hwm0} kB before, ${hwm1} kB after"
	check "$mode: peak memory grew by less than $((limit / 1024)) MB" \
		test $((hwm1 - hwm0)) -lt "$limit"
done
check "conns: the agent kept at most 16 of the 100 connections" \
	grep -qE "conns: 100 opened, [0-9]+ refused, ([0-9]|1[0-6]) still open" "$WORK/conns.log"
rss1=$(rss_kb)
log "manager RSS: ${rss0} kB before, ${rss1} kB after"
# The flood's flows (tens of thousands of entries, compiled) are real
# state; the bound is on what a controller can make the agent queue.
check "memory bounded (RSS grew by less than 512 MB)" test $((rss1 - rss0)) -lt 524288
check "the steering flow still forwards" test "$(tx2)" -gt "$prev"
check "manager exits 0" stop_mgr
finish
