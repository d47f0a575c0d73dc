#!/usr/bin/env bash
# 64 NFs, the most the manager runs, all readable through DPDK telemetry:
# together their counters do not fit DPDK's 16 KiB reply, so /onvm/nfs
# answers by pages ("next" names the range to ask for next). onvmctl,
# which has no such limit, lists all 64 at once.
source "$(dirname "$0")/lib.sh"
test_init telemetry_64nfs

CTL=$BUILD/onvm_mgr/onvmctl
N=64
empty_pcap "$WORK/empty.pcap"
# No traffic: the NFs sleep (-c) and the two CPUs stay free for starting 64
# processes. Eight services of eight instances (at most 16 each).
start_mgr 0 "$(pcap_vdev 0 "$WORK/empty.pcap" "$WORK/out0.pcap")" -- -p 0x1 -c -s none
# On a loaded machine an NF can give up waiting for its admission: it
# exits, and another is started in its place.
start_one() {
	local try
	for try in 1 2 3; do
		start_nf simple_forward -r "$1" && return 0
		log "retrying an NF of $1"
	done
	return 1
}
started=0
for i in $(seq $N); do
	start_one "svc$(((i - 1) % 8 + 1))" && started=$((started + 1))
done
check "$N NFs started" test "$started" = $N
running() { test "$("$CTL" nfs | "$SYS_PYTHON" -c 'import json,sys
print(sum(n["state"] == "running" for n in json.load(sys.stdin)))')" = $N; }
check "and all $N run (none left over from a retry)" wait_for 10 running

check "/onvm/nfs pages through all $N, each reply within 16 KiB" "$SYS_PYTHON" - \
	"$ONVM_ROOT/tests/integration" "/var/run/dpdk/$PREFIX" "$N" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import telemetry
n = int(sys.argv[3])
seen, cmd, pages, total = {}, "/onvm/nfs", 0, 0
while cmd:
    raw = telemetry.query(sys.argv[2], cmd)
    assert len(raw) < 16384, (cmd, len(raw))
    total += len(raw)
    page = json.loads(raw)["/onvm/nfs"]
    nxt = page.pop("next", None)
    for k, v in page.items():
        assert k not in seen, f"NF {k} on two pages"
        seen[k] = v
    cmd = "/onvm/nfs," + nxt if nxt else None
    pages += 1
assert sorted(int(k) for k in seen) == list(range(1, n + 1)), sorted(seen)
for k, v in seen.items():
    assert v["name"] == "simple_forward" and v["state"] == "running", (k, v)
    assert v["service_name"].startswith("svc") and "rx" in v and "cpu" in v, (k, v)
# The reason for pages: all of them in one reply would not have fitted.
assert total > 16384, total
print(f"    {n} NFs in {pages} pages, {total} bytes")
PY

check "an id range gives those NFs only" "$SYS_PYTHON" - \
	"$ONVM_ROOT/tests/integration" "/var/run/dpdk/$PREFIX" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import telemetry
page = json.loads(telemetry.query(sys.argv[2], "/onvm/nfs,17-20"))["/onvm/nfs"]
assert sorted(page) == ["17", "18", "19", "20"], sorted(page)
page = json.loads(telemetry.query(sys.argv[2], "/onvm/nfs,64"))["/onvm/nfs"]
assert sorted(page) == ["64"], sorted(page)
for bad in ("/onvm/nfs,x", "/onvm/nfs,9-3", "/onvm/nfs,1-2-3"):
    assert json.loads(telemetry.query(sys.argv[2], bad))["/onvm/nfs"] is None, bad
PY

"$CTL" nfs >"$WORK/nfs.json"
check "onvmctl nfs lists all $N" "$SYS_PYTHON" -c 'import json,sys
d=json.load(open(sys.argv[1]))
assert [n["id"] for n in d] == list(range(1, int(sys.argv[2]) + 1))
assert all(n["state"] == "running" for n in d)' "$WORK/nfs.json" $N
check "onvmctl --table nfs: a header and $N rows" \
	test "$("$CTL" --table nfs | wc -l)" = $((N + 1))
"$CTL" services >"$WORK/svc.json"
check "onvmctl services: 8 services of 8 instances" "$SYS_PYTHON" -c 'import json,sys
d=json.load(open(sys.argv[1]))
assert sorted((s["name"], s["instances"]) for s in d) == [("svc%d" % i, 8) for i in range(1, 9)], d' \
	"$WORK/svc.json"
check "manager exits 0" stop_mgr
finish
