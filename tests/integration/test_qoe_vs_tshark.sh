#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The QoE monitor's figures against an independent tool (tshark), on a real
# capture and on crafted ones with known loss, delay, retransmissions and
# RTP streams. Uses the offline runner build/nfs/qoe_monitor/qoe_pcap, which
# shares every line of measuring code with the NF.
#
#   tests/integration/test_qoe_vs_tshark.sh
#
# Environment: BUILD_DIR or ONVM_BUILD_DIR (default: <repo>/build; the
# capture of real web traffic is recorded once into its testdata/ by
# make_web_capture.sh); optional, ONVM_TESTDATA: a directory whose
# 64B_download.pcap is compared as well. Needs tshark and python3-scapy.
# Prints PASS/FAIL lines; exits non-zero when anything failed.
set -u

top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
build=${BUILD_DIR:-${ONVM_BUILD_DIR:-$top/build}}
case "$build" in /*) ;; *) build=$top/$build ;; esac
here=$top/tests/integration
qoe=$build/nfs/qoe_monitor/qoe_pcap
py=/usr/bin/python3
fails=0

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

[ -x "$qoe" ] || { fail "qoe_pcap not built at $qoe"; exit 1; }
command -v tshark >/dev/null || { fail "tshark not installed (apt-get install tshark)"; exit 1; }
$py -c 'import scapy' 2>/dev/null || { fail "scapy missing (apt-get install python3-scapy)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Real web traffic: the build's capture, and ONVM_TESTDATA's if given.
if real=$(bash "$here/make_web_capture.sh" "$build/testdata/web.pcap"); then
	$py "$here/qoe_vs_tshark.py" "$qoe" "$real" || fails=$((fails + 1))
else
	fail "no capture of real web traffic (make_web_capture.sh said why)"
fi
extra=${ONVM_TESTDATA:+$ONVM_TESTDATA/64B_download.pcap}
if [ -n "$extra" ] && [ -f "$extra" ]; then
	echo "also on $extra"
	$py "$here/qoe_vs_tshark.py" "$qoe" "$extra" || fails=$((fails + 1))
fi

# 2. Crafted captures.
if $py "$here/qoe_make_captures.py" "$work"; then
	pass "crafted captures written"
else
	fail "crafted captures not written"
	exit 1
fi
$py "$here/qoe_vs_tshark.py" "$qoe" "$work/tcp_impairments.pcap" || fails=$((fails + 1))
$py "$here/qoe_vs_tshark.py" "$qoe" "$work/rtp.pcap" --rtp-port 5004 --rtp-port 6000 \
	--steady-ssrc 0x11223344 || fails=$((fails + 1))

# 3. Figures tshark has no opinion on, known by construction.
$py - "$qoe" "$work" <<'PYEOF' || fails=$((fails + 1))
import json, re, subprocess, sys
qoe, work = sys.argv[1], sys.argv[2]
bad = 0
def check(ok, what):
    global bad
    print(("PASS " if ok else "FAIL ") + what)
    bad += not ok
def run(*args):
    p = subprocess.run([qoe, *args], capture_output=True, text=True)
    return p.returncode, [json.loads(l) for l in p.stdout.splitlines()], p.stderr
rc, recs, err = run(work + "/tcp_impairments.pcap")
by_port = {r["src_port"]: r for r in recs}
check(by_port[40000]["flow"]["reason"] == "fin" and by_port[40000]["flow"]["state"] == "closed",
      "FIN-closed flow: state closed, reason fin")
check(by_port[40001]["flow"]["reason"] == "rst", "RST flow: reason rst")
check(by_port[50000]["flow"]["reason"] == "shutdown" and by_port[50000]["flow"]["state"] == "established",
      "mid-stream flow: established, ends with the capture (shutdown)")
t = by_port[40000]["qoe"]
check((t["retransmissions_toserver"], t["retransmissions_toclient"], t["out_of_order"]) == (1, 1, 1),
      "segment lost after the tap is a retransmission, lost before it out-of-order (%s/%s/%s)" % (
          t["retransmissions_toserver"], t["retransmissions_toclient"], t["out_of_order"]))
rc, recs, err = run(work + "/malformed.pcap")
check(rc == 0, "malformed capture: exit 0 (%d)" % rc)
want = "not_ipv4 2, fragment 4, bad_l3 1, bad_l4 2, truncated 2"
check(want in err, "malformed capture counted: %s" % err.strip())
check(len(recs) == 1 and recs[0]["flow"]["pkts_toserver"] == 2,
      "malformed capture: the good flow around them intact")
rc, recs, err = run(work + "/mutated.pcap")
m = re.search(r"(\d+) packets, (\d+) flows, (\d+) records", err)
check(rc == 0 and m and int(m.group(1)) == 2000 and int(m.group(2)) == int(m.group(3)) == len(recs),
      "mutated capture: no crash, every flow reported (%s)" % err.strip())
rc, recs, err = run("-i", "1", work + "/rtp.pcap")
inter = [r for r in recs if r["flow"]["reason"] == "interval"]
final = [r for r in recs if r["flow"]["reason"] != "interval"]
check(len(final) == 3 and len({r["flow_id"] for r in final}) == 3,
      "-i 1: one final record per flow (%d)" % len(final))
check(len(inter) >= 6, "-i 1: interval records over a 4 s capture (%d)" % len(inter))
rc, recs, err = run("-m", "1", work + "/rtp.pcap")
m = re.search(r"(\d+) flows, (\d+) records, (\d+) evicted", err)
flows, nrec, evicted = map(int, m.groups()) if m else (0, -1, 0)
check(rc == 0 and nrec == flows == len(recs) and evicted == flows - 1 and evicted > 0,
      "-m 1: %d flows, %d evicted, every one reported (%d records)" % (flows, evicted, len(recs)))
sys.exit(1 if bad else 0)
PYEOF

if [ "$fails" -eq 0 ]; then
	echo "PASS test_qoe_vs_tshark"
else
	echo "FAIL test_qoe_vs_tshark: $fails failing group(s)"
fi
[ "$fails" -eq 0 ]
