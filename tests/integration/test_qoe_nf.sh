#!/usr/bin/env bash
# The qoe_monitor NF on the platform: a capture replayed through the manager
# crosses the NF unchanged (it passes everything on), and the NF's flow
# records, timed by the capture's own timestamps, match the offline runner
# (qoe_pcap) on the same capture flow for flow. Stopping the NF writes the
# final record of every flow; malformed frames pass through and are counted.
source "$(dirname "$0")/lib.sh"
test_init qoe_nf
in=$(web_capture) || exit 1

"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/qoe_make_captures.py" "$WORK" || exit 1
empty_pcap "$WORK/empty.pcap"

# run_capture NAME PCAP: replay PCAP through qoe_monitor; records in $WORK/NAME.nf.json
run_capture() {
	local name=$1 in=$2
	# A log per manager: start_mgr waits for "ready" in it, and the last
	# manager's would satisfy it before the new one has truncated the file.
	MGR_LOG=$WORK/$name.mgr.log
	start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/$name.out0.pcap")" \
		"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/$name.out1.pcap")" -- -p 0x3 -w 1 -s none || return 1
	start_nf qoe_monitor -- -o "$WORK/$name.nf.json" || return 1
	local nf=$NF_PID expected
	expected=$(pcap_count "$in")
	wait_for 30 test "$(port_field 1 tx)" -ge "$expected"
	kill -INT "$nf"
	wait_for 10 bash -c "! kill -0 $nf 2>/dev/null"
	check "$name: NF exits on SIGINT" bash -c "! kill -0 $nf 2>/dev/null"
	check "$name: NF wrote its summary" grep -q "^qoe_monitor: $expected packets" "$NF_LOG"
	check "$name: manager exits 0" stop_mgr
	check "$name: every packet passed on, identical and in order" \
		"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$in" "$WORK/$name.out1.pcap"
	"$BUILD/nfs/qoe_monitor/qoe_pcap" -o "$WORK/$name.offline.json" "$in" 2>/dev/null
	check "$name: NF records match the offline runner's" \
		"$SYS_PYTHON" - "$WORK/$name.nf.json" "$WORK/$name.offline.json" <<'PY'
import json, sys
def load(p):
    out = {}
    for line in open(p):
        r = json.loads(line)
        if r["flow"]["reason"] == "interval":
            continue
        key = (r["src_ip"], r["src_port"], r["dest_ip"], r["dest_port"], r["proto"])
        r.pop("flow_id")
        assert key not in out, "two final records for %s" % (key,)
        out[key] = r
    return out
nf, off = load(sys.argv[1]), load(sys.argv[2])
bad = [k for k in off if nf.get(k) != off[k]]
if len(nf) != len(off) or bad:
    print("    %d NF flows, %d offline; %d differ, e.g. %s" % (len(nf), len(off), len(bad),
          bad[:1] and (nf.get(bad[0]), off[bad[0]])))
    sys.exit(1)
PY
}

run_capture real "$in"
extra=$(extra_capture)
[ -z "$extra" ] || run_capture extra "$extra"
run_capture crafted "$WORK/tcp_impairments.pcap"
run_capture rtp "$WORK/rtp.pcap"
run_capture malformed "$WORK/malformed.pcap"
check "malformed: counted by kind" grep -q "bad_l3 1, bad_l4 2, truncated 2" "$NF_LOG"
finish
