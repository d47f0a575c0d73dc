#!/usr/bin/env bash
# Moves that cannot be done, and moves whose instances die halfway.
#
# Bad requests are refused with one line and change nothing: an unknown
# service, an instance the service does not have (one of another service,
# or a service with a single instance), an instance with no flows, the
# same instance twice, shares outside (0, 1].
#
# kill -9 during a move: the old instance frozen (SIGSTOP) while it should
# export, then killed; and the new instance frozen while it should import,
# then killed. Each time the move fails cleanly (onvmctl says why, exit 1),
# the held packets go to the instance still running, traffic goes on
# there, and at the end the mempool holds nothing the platform lost.
source "$(dirname "$0")/lib.sh"
test_init elastic_faults

CTL=$BUILD/onvm_mgr/onvmctl
in=$(web_capture) || exit 1
cat >"$WORK/fw.json" <<'EOF'
{ "default": "allow", "stateful": true, "rules": [] }
EOF

start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in,infinite_rx=1" --vdev=net_null0 \
	-- -p 0x3 -c -s none -w 3 || exit 1
start_nf firewall -r 1 -n 0 -- -f "$WORK/fw.json" || exit 1
fw0=$NF_PID
start_nf firewall -r 1 -n 1 -- -f "$WORK/fw.json" || exit 1
fw1=$NF_PID
# A second service whose only instance is number 3.
start_nf simple_forward -r 2 -n 3 || exit 1

buckets() { # buckets SERVICE: its instances' bucket counts, "1024,0"
	"$CTL" services | "$SYS_PYTHON" -c 'import json,sys
s=[x for x in json.load(sys.stdin) if x["name"] == sys.argv[1]][0]
print(",".join(map(str, s["buckets"])))' "$1"
}
check "instance 0 holds every bucket, instance 1 none (it keeps state)" \
	test "$(buckets firewall)" = "1024,0"

# refused STATUS REASON ARGS...: onvmctl ARGS exits STATUS with one line
# on stderr containing REASON, and the firewall's buckets are unchanged.
refused() {
	local want=$1 why=$2 rc
	shift 2
	"$CTL" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc = "$want" ] || { echo "    exit $rc, not $want: $(cat "$WORK/err")"; return 1; }
	[ "$(wc -l <"$WORK/err")" = 1 ] && grep -qF -- "$why" "$WORK/err" ||
		{ echo "    stderr: $(cat "$WORK/err")"; return 1; }
	[ ! -s "$WORK/out" ] && [ "$(buckets firewall)" = "1024,0" ]
}
check "unknown service" refused 1 "no service 'nope'" move nope --from 0 --to 1
check "an instance of another service" refused 1 "no running instance 3" \
	move firewall --from 0 --to 3
check "a service with one instance" refused 1 "no running instance 0" \
	move simple_forward --from 3 --to 0
check "an instance with no flows" refused 1 "has no flows" move firewall --from 1 --to 0
check "the same instance" refused 2 "same instance" move firewall --from 0 --to 0
check "a share of 0" refused 2 "not a fraction in (0, 1]" move firewall --from 0 --to 1 --share 0
check "a share above 1" refused 2 "not a fraction in (0, 1]" \
	move firewall --from 0 --to 1 --share 1.5
check "a missing --to" refused 2 "needs --from I and --to J" move firewall --from 0
check "a service by id that does not exist" refused 1 "no service '9'" move 9 --from 0 --to 1

fw_rx() { # fw_rx INSTANCE
	"$CTL" nfs | "$SYS_PYTHON" -c 'import json,sys
print(sum(n["rx"] for n in json.load(sys.stdin)
          if n["service_name"] == "firewall" and n["instance"] == int(sys.argv[1])))' "$1"
}
moving() { grep -q "moving .* buckets of service 'firewall'" "$MGR_LOG"; }

# The old instance dies while it should export: frozen, the move waits for
# its export; then killed. Its flows go to instance 1, without state.
wait_for 20 test "$(fw_rx 0)" -gt 1000
kill -STOP "$fw0"
"$CTL" move firewall --from 0 --to 1 >"$WORK/move1.out" 2>"$WORK/move1.err" &
move=$!
check "the move started" wait_for 10 moving
sleep 0.3
kill -9 "$fw0"
wait $move
move_rc=$?
log "move with the old instance killed: exit $move_rc: $(cat "$WORK/move1.err")"
check "onvmctl says the move failed (exit 1)" test $move_rc = 1
check "and why: the old instance left" grep -q "the move failed: the old instance left" "$WORK/move1.err"
check "the manager retired the killed instance" wait_for 5 grep -q "pid $fw0) died" "$MGR_LOG"
check "every bucket is instance 1's now" wait_for 5 test "$(buckets firewall)" = "1024"
rx1=$(fw_rx 1)
check "traffic goes on through instance 1" wait_for 10 test "$(fw_rx 1)" -gt "$rx1"

# The new instance dies while it should import. A fresh instance 0 joins
# (with no buckets: the firewall keeps state); the move goes from 1 to 0.
start_nf firewall -r 1 -n 0 -- -f "$WORK/fw.json" || exit 1
fw0=$NF_PID
check "the new instance 0 has no buckets" test "$(buckets firewall)" = "1024,0"
no_instance() { json_get "$(telemetry /onvm/drops)" /onvm/drops.no_instance; }
drops0=$(no_instance)
before=$(grep -c "moving .* buckets of service 'firewall'" "$MGR_LOG")
kill -STOP "$fw0"
"$CTL" move firewall --from 1 --to 0 >"$WORK/move2.out" 2>"$WORK/move2.err" &
move=$!
moving_again() {
	[ "$(grep -c "moving .* buckets of service 'firewall'" "$MGR_LOG")" -gt "$before" ]
}
check "the second move started" wait_for 10 moving_again
sleep 0.3
kill -9 "$fw0"
wait $move
move_rc=$?
log "move with the new instance killed: exit $move_rc: $(cat "$WORK/move2.err")"
check "onvmctl says the move failed (exit 1)" test $move_rc = 1
check "and why: the new instance left, the flows stay" \
	grep -q "the new instance left.*its flows stay with NF" "$WORK/move2.err"
check "the manager retired the killed instance" wait_for 5 grep -q "pid $fw0) died" "$MGR_LOG"
check "instance 1 keeps every bucket" wait_for 5 test "$(buckets firewall)" = "1024"
rx1=$(fw_rx 1)
check "traffic goes on through instance 1" wait_for 10 test "$(fw_rx 1)" -gt "$rx1"
check "no packet was dropped for want of an instance meanwhile" test "$(no_instance)" = "$drops0"

check "manager exits 0" stop_mgr
check "the manager's mempool was whole at the end" grep -q "stopped; 0 mbufs still in use" "$MGR_LOG"
finish
