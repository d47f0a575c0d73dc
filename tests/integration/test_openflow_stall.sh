#!/usr/bin/env bash
# A controller that stops reading its socket must not stop the platform.
# One lcore (-l 0: the data path runs on the control thread's lcore), a
# flow in_port=1 -> output:2 over two net_null ports, and a controller
# that floods ECHO_REQUESTs and never reads the replies. Meanwhile the
# chains are reloaded (SIGHUP) again and again, each reload taking the
# lock the agent takes for its switch. Forwarding must go on in every
# half-second window, the reloads must complete, another controller
# (ovs-ofctl) must still get answers, and the agent must close the
# stuck connection and say why, its memory bounded meanwhile: the peak
# RSS (VmHWM) grows by less than 64 MB (the agent queues at most 8 MiB of
# replies for a connection before it closes it).
source "$(dirname "$0")/lib.sh"
test_init openflow_stall
of_test_init 5
cat >"$WORK/chains.json" <<'JSON'
{ "chains": [ { "name": "never", "priority": 1, "match": { "ip_proto": "udp", "udp_dst": 9 },
                "hops": ["nobody"] } ] }
JSON
start_mgr 0 --vdev=net_null0 --vdev=net_null1 \
	-- -p 0x3 -s none -C "$WORK/chains.json" --of-listen "$OFPORT"
check "add-flow port 1 -> port 2" ofctl add-flow "$OF" "priority=100,in_port=1,actions=output:2"

tx2() { port_field 1 tx; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$MGR_PID/status"; }
wait_for 5 test "$(tx2)" -gt 0
hwm0=$(hwm_kb)
check "forwarding before the stuck controller" test "$(tx2)" -gt 0

"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/of_stuck_controller.py" "$OFPORT" 6 \
	>"$WORK/stuck.log" 2>&1 &
stuck=$!
_pids+=("$stuck")
# Another controller asks meanwhile, on its own clock.
(for i in $(seq 10); do
	timeout 5 ovs-ofctl -O OpenFlow13 dump-flows "$OF" 2>&1 | grep -q "in_port=1" && echo answered
	sleep 0.4
done) >"$WORK/ofctl.log" &
_pids+=("$!")
stalls=0 windows=0 reloads=0
prev=$(tx2)
for i in $(seq 10); do
	kill -HUP "$MGR_PID"
	reloads=$((reloads + 1))
	sleep 0.5
	now=$(tx2)
	windows=$((windows + 1))
	[ "$now" -gt "$prev" ] || stalls=$((stalls + 1))
	prev=$now
done
wait_for 10 test "$(grep -c answered "$WORK/ofctl.log")" -ge 10
answered=$(grep -c answered "$WORK/ofctl.log")
log "$windows half-second windows, $stalls without a packet forwarded; $answered of 10 dump-flows answered"
check "forwarding went on in every half second of the stall" test "$stalls" = 0
check "another controller got its answers meanwhile" test "$answered" = 10
wait "$stuck"
sed 's/^/    /' "$WORK/stuck.log"
check "the agent closed the stuck connection" grep -q "closed by the agent: yes" "$WORK/stuck.log"
hwm1=$(hwm_kb)
log "manager peak RSS ${hwm0} kB before the stuck controller, ${hwm1} kB after"
check "memory bounded while it did not read (peak RSS grew by less than 64 MB)" \
	test $((hwm1 - hwm0)) -lt $((64 * 1024))
check "and said why" grep -q "openflow: a controller has not read .* bytes of replies; closing" "$MGR_LOG"
wait_for 5 test "$(grep -c 'chains reloaded' "$MGR_LOG")" -ge "$reloads"
check "every reload completed ($reloads)" test "$(grep -c 'chains reloaded' "$MGR_LOG")" -ge "$reloads"
check "the flow is still installed" grep -q "in_port=1" <(ofctl dump-flows "$OF")
check "manager exits 0" stop_mgr
finish
