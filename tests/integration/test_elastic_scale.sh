#!/usr/bin/env bash
# Scaling a service while traffic flows, by hand and by load.
#
# By hand: the stateful firewall (default deny; only the clients' side is
# allowed by a rule, so a reply passes only on a connection its instance
# tracks) starts as one instance. `onvmctl scale firewall 3` launches two
# more; the replay of 5,000 TCP connections (handshakes, then data both
# ways) starts as they join (-w 3), while the scale-out moves buckets to
# them. Then `onvmctl scale firewall 1` moves their buckets, with their
# connections, back to instance 0 and stops them, while the replay goes
# on. Frame by frame against the capture: none lost, duplicated or
# reordered, and nothing denied, so every reply found its connection on
# whichever instance it met. Each scale's JSON says what it started,
# stopped and moved, and the buckets always add up to 1024.
#
# Refused, nothing changed: more instances than a service may run, an
# unknown service, 0 instances; and a move asked while the autoscaler's
# scale-in waits for an instance to stop (it would hand buckets to the
# instance that is leaving).
#
# By load: a speed_tester circling packets through simple_forward that
# falls behind fills its RX ring; `onvmctl autoscale simple_forward --max 2`
# scales it out, the reason in the log and in `onvmctl services`; when the
# speed_tester stops, the rings empty and the autoscaler scales back in.
source "$(dirname "$0")/lib.sh"
test_init elastic_scale

CTL=$BUILD/onvm_mgr/onvmctl
TRAFFIC=$ONVM_ROOT/tests/integration/move_traffic.py
FLOWS=5000
ROUNDS=100

made=$("$SYS_PYTHON" "$TRAFFIC" make "$WORK/in.pcap" --flows $FLOWS --rounds $ROUNDS) || exit 1
frames=$(json_get "$made" frames)
short_path in_pcap "$WORK/in.pcap" || exit 1
short_path out_pcap "$WORK/out.pcap" || exit 1
short_path sink_pcap "$WORK/sink.pcap" || exit 1
cat >"$WORK/fw.json" <<'EOF'
{ "default": "deny", "stateful": true, "non_ip": "deny", "max_conns": 65536,
  "rules": [ { "name": "clients-to-web", "action": "allow",
               "ipv4_src": "10.1.0.0/16", "tcp_dst": "80" } ] }
EOF

# -w 3: the replay starts once three NFs run: instance 0 and the two the
# scale-out launches.
# --entry-stall-ms 0: every frame counts, and on a busy machine an NF may
# wait longer than the default 100 ms for a CPU (the replay then waits).
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in_pcap,tx_pcap=$sink_pcap" \
	"--vdev=net_pcap1,tx_pcap=$out_pcap" -- -p 0x3 -c -s none --entry-stall-ms 0 -w 3 -r 4 || exit 1
start_nf firewall -r 1 -n 0 -- -f "$WORK/fw.json" || exit 1
fw0=$NF_PID

services() { "$CTL" services >"$WORK/services.json" 2>&1; }
# service_field NAME FIELD: a field of service NAME in `onvmctl services`
service_field() {
	services || return 1
	"$SYS_PYTHON" -c 'import json,sys
s=[x for x in json.load(open(sys.argv[1])) if x["name"] == sys.argv[2]][0]
v=s[sys.argv[3]]
print(",".join(map(str, v)) if isinstance(v, list) else json.dumps(v))' \
		"$WORK/services.json" "$1" "$2"
}
# scale_ok FILE INSTANCES STARTED STOPPED MOVES: a scale's JSON says so,
# and its buckets, one count per instance, add up to 1024.
scale_ok() {
	"$SYS_PYTHON" - "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want = dict(instances=int(sys.argv[2]), started=int(sys.argv[3]), stopped=int(sys.argv[4]),
            moves=int(sys.argv[5]))
got = dict(instances=r["instances"], started=len(r["started"]), stopped=len(r["stopped"]),
           moves=r["moves"])
ok = got == want and len(r["buckets"]) == r["instances"] and sum(r["buckets"]) == 1024
ok = ok and r["buckets_moved"] > 0 and r["killed"] == 0
if not ok:
    print(f"    {got} (want {want}), buckets {r['buckets']}, moved {r['buckets_moved']}")
sys.exit(0 if ok else 1)
PY
}

# ---- by hand, under traffic ----
"$CTL" scale firewall 3 >"$WORK/out3.json" 2>"$WORK/out3.err"
rc=$?
log "scale 1 -> 3: $(tr -d ' \n' <"$WORK/out3.json") $(cat "$WORK/out3.err")"
check "onvmctl scale firewall 3 exits 0" test $rc = 0
check "scale-out: 3 instances, 2 started, none stopped, 2 moves, buckets add up to 1024" \
	scale_ok "$WORK/out3.json" 3 2 0 2
check "onvmctl services shows the three instances' buckets" \
	test "$(service_field firewall buckets)" = "$(json_get "$(cat "$WORK/out3.json")" buckets |
		tr -d '[] ')"

"$CTL" scale firewall 1 >"$WORK/in1.json" 2>"$WORK/in1.err"
rc=$?
rx_after=$(port_field 0 rx)
log "scale 3 -> 1: $(tr -d ' \n' <"$WORK/in1.json") $(cat "$WORK/in1.err")"
log "the port had read $rx_after of $frames frames after the scale-in"
check "onvmctl scale firewall 1 exits 0" test $rc = 0
check "scale-in: 1 instance, none started, 2 stopped, 2 moves, buckets add up to 1024" \
	scale_ok "$WORK/in1.json" 1 0 2 2
check "onvmctl services: instance 0 alone, with every bucket" \
	test "$(service_field firewall instance_nums)/$(service_field firewall buckets)" = "0/1024"

tx_settled() {
	local a b
	a=$(port_field 1 tx)
	sleep 1
	b=$(port_field 1 tx)
	[ "$(port_field 0 rx)" = "$frames" ] && [ "$a" = "$b" ]
}
check "the whole capture was read and the chain went idle" wait_for 120 tx_settled
denied() {
	"$CTL" nfs | "$SYS_PYTHON" -c 'import json,sys
print(sum(v for n in json.load(sys.stdin) for k, v in n["counters"].items() if "deny" in k))'
}
check "nothing was denied: every reply met its connection" test "$(denied)" = 0
log "data path drops: $(telemetry /onvm/drops | tr -d ' \n')"
log "ports: $(telemetry /onvm/ports | tr -d ' \n')"
check "port 1 sent as many frames as port 0 read" test "$(port_field 1 tx)" = "$frames"

# ---- refused, nothing changed ----
# refused STATUS REASON ARGS...: onvmctl ARGS exits STATUS with one line on
# stderr containing REASON; the firewall's instances and buckets are as
# before.
refused() {
	local want=$1 why=$2 rc before
	shift 2
	before=$(service_field firewall instance_nums)/$(service_field firewall buckets)
	"$CTL" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc = "$want" ] || { echo "    exit $rc, not $want: $(cat "$WORK/err")"; return 1; }
	[ "$(wc -l <"$WORK/err")" = 1 ] && grep -qF -- "$why" "$WORK/err" ||
		{ echo "    stderr: $(cat "$WORK/err")"; return 1; }
	[ ! -s "$WORK/out" ] &&
		[ "$(service_field firewall instance_nums)/$(service_field firewall buckets)" = "$before" ]
}
check "scale beyond the instance limit is refused" refused 1 "a service runs 1 to 16" \
	scale firewall 17
check "scale of an unknown service is refused" refused 1 "no service 'nope'" scale nope 2
check "scale to 0 instances is refused" refused 2 "is not a number of instances" scale firewall 0
check "autoscale with --min above --max is refused" refused 2 "--min 3 is above --max 2" \
	autoscale firewall --max 2 --min 3
check "autoscale beyond the instance limit is refused" refused 1 "--max 17" \
	autoscale firewall --max 17
check "no instance was launched by the refused requests" \
	test "$(grep -c "as instance .* of service 'firewall'" "$MGR_LOG")" = 2

check "manager exits 0" stop_mgr
# Every instance's last counters, those that left included (the launched
# ones write to the manager's output).
final_denied() {
	wait_for 10 _gone "$fw0" || return 1
	cat "$MGR_LOG" "$WORK"/firewall.*.log | "$SYS_PYTHON" -c 'import re,sys
lines = [l for l in sys.stdin if l.startswith("firewall: final counters")]
print(len(lines), sum(int(n) for l in lines for n in re.findall(r"deny\w*=(\d+)", l)))'
}
check "no instance denied anything, those that left included" test "$(final_denied)" = "3 0"
"$SYS_PYTHON" "$TRAFFIC" check "$WORK/in.pcap" "$WORK/out.pcap" >"$WORK/check.json"
frames_rc=$?
log "frames: $(cat "$WORK/check.json")"
check "every frame came out once, each connection's in order" test $frames_rc = 0
check_no_mbuf_leak

# A second manager: an NF that starts later opens the first one's pcap
# ports again, which would empty the capture written so far.
MGR_LOG=$WORK/mgr2.log
empty_pcap "$WORK/empty.pcap"
short_path empty "$WORK/empty.pcap" || exit 1
short_path sink2 "$WORK/sink2.pcap" || exit 1
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$empty,tx_pcap=$sink2" -- -p 0x1 -c -s none -r 4 || exit 1

# A second instance that owns no bucket, frozen: the autoscaler's scale-in
# (--max 1) needs no move and waits for it to stop. A move to it then
# would give buckets to an instance that is leaving: refused.
start_nf firewall -r 1 -n 0 -- -f "$WORK/fw.json" || exit 1
start_nf firewall -r 1 -n 1 -- -f "$WORK/fw.json" || exit 1
fw1=$NF_PID
kill -STOP "$fw1"
"$CTL" autoscale firewall --max 1 >/dev/null
check "the autoscaler starts the scale-in" wait_for 20 grep -q "autoscale 'firewall': 2 -> 1" \
	"$MGR_LOG"
check "a move during the autoscaler's scale-in is refused" \
	refused 1 "being scaled" move firewall --from 0 --to 1 --share 0.5
kill -CONT "$fw1"
check "the frozen instance stopped once it could" wait_for 20 _gone "$fw1"
check "instance 0 keeps every bucket" \
	test "$(service_field firewall instance_nums)/$(service_field firewall buckets)" = "0/1024"
"$CTL" autoscale firewall off >/dev/null

# ---- by load ----
# A speed_tester (service 3) circles its packets through simple_forward
# (service 2), which sends every packet back to it. simple_forward falls
# behind (paused: on a shared 2-CPU machine which NF is the slower one is
# otherwise a matter of chance), its RX ring fills, and the autoscaler
# scales it out; once it runs again and the speed_tester stops, every ring
# empties and the autoscaler scales it back in.
start_nf simple_forward -r 2 -n 0 -- -d 3 || exit 1
sf0=$NF_PID
"$CTL" autoscale simple_forward --max 2 >"$WORK/auto.json" 2>&1
check "autoscale simple_forward --max 2 is taken" \
	grep -q '"autoscale": *true' "$WORK/auto.json"
start_nf speed_tester -r 3 -n 0 -- -d 2 -c 2048 || exit 1
tester=$NF_PID
kill -STOP "$sf0"
check "the autoscaler decides to scale out" \
	wait_for 30 grep -q "autoscale 'simple_forward': 1 -> 2 instances" "$MGR_LOG"
kill -CONT "$sf0"
check "the reason is logged: an RX ring stayed over half full" \
	grep -q "autoscale 'simple_forward': 1 -> 2 instances: the RX ring of instance 0 stayed over 50% full" \
	"$MGR_LOG"
autoscale_says() { service_field simple_forward autoscale | grep -qF -- "$1"; }
check "onvmctl services shows the decision and its reason" \
	autoscale_says '"last": "1 -> 2 instances: the RX ring of instance 0 stayed over 50% full'
check "the scale-out finished" wait_for 30 grep -q "scaled service 'simple_forward' from 1 to 2" \
	"$MGR_LOG"
instances_of() { [ "$(service_field simple_forward instance_nums | tr ',' '\n' | wc -l)" = "$1" ]; }
check "simple_forward runs 2 instances" instances_of 2
kill -INT "$tester"
check "the speed_tester stopped" wait_for 10 _gone "$tester"
check "without load the autoscaler scales back in to 1 instance" wait_for 30 instances_of 1
check "the reason is logged: every ring stayed nearly empty" \
	grep -q "autoscale 'simple_forward': 2 -> 1 instances: every RX ring stayed under 5% full" \
	"$MGR_LOG"
check "onvmctl services shows the scale-in" autoscale_says '"last": "2 -> 1 instances: every RX ring'
"$CTL" autoscale simple_forward off >/dev/null
check "second manager exits 0" stop_mgr
check_no_mbuf_leak
finish
