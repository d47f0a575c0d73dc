#!/usr/bin/env bash
# NFs attach every time: 50 NFs started and stopped in a row, none fails to
# map the manager's memory (OpenNetVM users pass a base address by hand).
source "$(dirname "$0")/lib.sh"
test_init attach_50

start_mgr 0 --vdev=net_null0 -- -p 0x1 -s none
ok=0
for i in $(seq 50); do
	if start_nf simple_forward >/dev/null; then
		ok=$((ok + 1))
	else
		log "attempt $i failed: $(tail -2 "$NF_LOG" | tr '\n' ' ')"
	fi
	kill -INT "$NF_PID" 2>/dev/null
	wait "$NF_PID" 2>/dev/null
done
wait_for 5 test "$(grep -c 'stopped; reclaimed' "$MGR_LOG")" -ge "$ok"
check "50 of 50 NFs attached" test "$ok" -eq 50
check "each one left cleanly" test "$(grep -c 'stopped; reclaimed' "$MGR_LOG")" -eq 50
check "manager exits 0" stop_mgr
finish
