#!/usr/bin/env bash
# The cost of fault tolerance (docs/fault-tolerance.md), in one run, for the
# stateful firewall and the load balancer: each NF plain and with --ft on
# the same ports (a net_pcap port replaying a capture without end,
# infinite_rx, into the chain; a net_null port out of it), alternately,
# ROUNDS times each, so a change in the machine's load hits both. Prints,
# per NF, each run's rate into the chain (port 0: the packets the NF
# handled, allowed or denied; the entry holds the port while the NF's
# ring is full) and out of it (port 1), in Mpps over DURATION seconds
# after a one-second warm-up, the medians and their ratio, and
# what --ft adds to latency: the time the manager held each packet the
# active emitted before releasing it (from leaving the NF's TX ring to
# leaving the hold queue, a histogram of every packet, p50 and p99; the
# plain NF's output is not held), with the checkpoints' sizes and times.
#
#   tests/bench/ft_bench.sh [DURATION_S] [ROUNDS] [EPOCH_MS] [NFS]
#
# NFS: "firewall load_balancer" (the default), or one of them. Runs as
# root (hugepages); ONVM_BUILD_DIR selects the build (build/). The manager
# runs -c (idle NFs sleep: the standby takes no traffic and mostly sleeps)
# on two lcores, with NF rings of 16,384 packets: where the NF and the
# data lcore take turns on busy CPUs rather than run side by side, what
# passes per turn is bounded by the rings between them, and --ft's hold
# queue (16,384 more) would otherwise make the protected NF look faster
# than the plain one. On a shared machine the rates move with its load:
# read the medians, and run it again.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../integration/lib.sh"
source "$here/../integration/ft_lib.sh"
test_init ft_bench
DURATION=${1:-3}
ROUNDS=${2:-3}
EPOCH=${3:-5}
NFS=${4:-firewall load_balancer}

mkdir -p "$WORK/firewall" "$WORK/load_balancer" "$WORK/nf"
"$SYS_PYTHON" "$here/../integration/move_traffic.py" make "$WORK/firewall/in.pcap" \
	--flows 2000 --rounds 5 >/dev/null || exit 1
(cd "$here/../integration" && "$SYS_PYTHON" ft_lb_traffic.py make \
	"$WORK/load_balancer/in.pcap" --flows 2000 --rounds 5 >/dev/null) || exit 1
cat >"$WORK/firewall.json" <<'EOT'
{ "default": "deny", "stateful": true, "non_ip": "deny", "max_conns": 65536,
  "conn_timeout_s": 600, "close_timeout_s": 600,
  "rules": [ { "name": "clients-to-web", "action": "allow",
               "ipv4_src": "10.1.0.0/16", "tcp_dst": "80" } ] }
EOT
cat >"$WORK/load_balancer.json" <<'EOT'
{ "services": [ { "name": "web", "vip": "10.0.0.100", "proto": "tcp", "port": 80,
                  "backends": [ { "ip": "10.0.1.11", "port": 8080 },
                                { "ip": "10.0.1.12", "port": 8080 },
                                { "ip": "10.0.1.13", "port": 8080 } ] } ] }
EOT

# The firewall's timeouts are long: with the default close timeout a
# replay slower than it finds each round's closed connections gone, and
# denies (a dearer verdict) more the slower it runs, so the rate depended
# on where the run started rather than on the NF.
#
# run NF [go.sh options]: RATE and OUT (packets/s into and out of the
# chain) and, with --ft, FT_JSON (onvmctl ft at the end).
run() {
	local nf=$1 w=1 t0 t1 a b ao bo
	shift
	[ $# -gt 0 ] && w=2
	cd "$WORK/$nf" || return 1
	start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=in.pcap,infinite_rx=1" \
		--vdev=net_null1 -- -p 0x3 -c -s none -w "$w" --nf-ring-size 16384 >/dev/null ||
		return 1
	cd "$WORK/nf" || return 1
	start_nf "$nf" -r 1 "$@" -- -f "$WORK/$nf.json" >/dev/null || return 1
	[ $w = 1 ] || wait_for 60 ft_protected "$nf" >/dev/null || return 1
	sleep 1 # warm-up
	kill -0 "$NF_PID" 2>/dev/null || return 1 # it joined, then gave up waiting
	a=$(port_field 0 rx)
	ao=$(port_field 1 tx)
	t0=$(date +%s.%N)
	sleep "$DURATION"
	b=$(port_field 0 rx)
	bo=$(port_field 1 tx)
	t1=$(date +%s.%N)
	RATE=$("$SYS_PYTHON" -c "print(int(($b - $a) / ($t1 - $t0)))")
	OUT=$("$SYS_PYTHON" -c "print(int(($bo - $ao) / ($t1 - $t0)))")
	[ "$RATE" -gt 0 ] || return 1
	FT_JSON={}
	[ $w = 1 ] || FT_JSON=$(ft "$nf" | tr -d ' \n')
	stop_mgr >/dev/null
}

for nf in $NFS; do
	echo "== $nf: $ROUNDS rounds of ${DURATION} s, plain then --ft (epoch $EPOCH ms) =="
	: >"$WORK/$nf.runs"
	for r in $(seq 1 "$ROUNDS"); do
		# On a busy machine an NF may miss the manager's answer or its
		# standby its first checkpoint: that round is skipped.
		if ! run "$nf"; then
			stop_mgr >/dev/null 2>&1
			echo "  round $r skipped: the plain NF did not start or run"
			continue
		fi
		plain=$RATE plain_out=$OUT
		if ! run "$nf" --ft --ft-epoch-ms "$EPOCH"; then
			stop_mgr >/dev/null 2>&1
			echo "  round $r skipped: the protected NF did not start, run or get in sync"
			continue
		fi
		echo "{\"plain\": $plain, \"ft\": $RATE, \"plain_out\": $plain_out," \
			"\"ft_out\": $OUT, \"state\": $FT_JSON}" >>"$WORK/$nf.runs"
		"$SYS_PYTHON" - "$plain" "$RATE" "$FT_JSON" "$plain_out" "$OUT" <<'EOT'
import json, sys
p, f, s = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
po, fo = int(sys.argv[4]), int(sys.argv[5])
h, c = s.get("hold_time", {}), s.get("last_checkpoint", {})
print(f"  plain {p / 1e6:.3f} Mpps (out {po / 1e6:.3f})   --ft {f / 1e6:.3f} Mpps"
      f" (out {fo / 1e6:.3f}) ({100 * f / max(p, 1):.0f}%)"
      f"   held p50 {h.get('p50_ns', 0) / 1e3:.0f} us p99 {h.get('p99_ns', 0) / 1e3:.0f} us"
      f"   {s.get('epochs', 0)} checkpoints, last {c.get('flows', 0)} flows in"
      f" {c.get('total_us', 0)} us")
EOT
	done
	"$SYS_PYTHON" - "$WORK/$nf.runs" "$nf" <<'EOT'
import json, statistics as st, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
if not runs:
    sys.exit(f"{sys.argv[2]}: no round ran")
p = st.median(r["plain"] for r in runs)
f = st.median(r["ft"] for r in runs)
ratios = sorted(round(100 * r["ft"] / max(r["plain"], 1)) for r in runs)
hold = [r["state"].get("hold_time", {}) for r in runs]
p50 = st.median(h.get("p50_ns", 0) for h in hold) / 1e3
p99 = st.median(h.get("p99_ns", 0) for h in hold) / 1e3
cp = [r["state"] for r in runs]
per_cp = st.median(s.get("checkpoint_bytes_total", 0) / max(s.get("epochs", 1), 1) for s in cp)
tot = st.median(s.get("last_checkpoint", {}).get("total_us", 0) for s in cp)
print(f"{sys.argv[2]}: plain {p / 1e6:.3f} Mpps, --ft {f / 1e6:.3f} Mpps: "
      f"{100 * f / max(p, 1):.1f}% (medians of {len(runs)}; per round {ratios} %)")
print(f"{sys.argv[2]}: added latency (held for the commit) p50 {p50:.0f} us, p99 {p99:.0f} us;"
      f" checkpoints of {per_cp / 1024:.1f} KiB on average, the last in {tot:.0f} us (medians)")
EOT
done
_checks_passed=1
finish >/dev/null
