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
# No traffic: the NFs sleep (-c). The control thread has a CPU of its own
# (-l 0-1), so admissions do not wait on the data path. Eight services of
# eight instances (at most 16 each).
start_mgr 0-1 "$(pcap_vdev 0 "$WORK/empty.pcap" "$WORK/out0.pcap")" -- -p 0x1 -c -s none
for i in $(seq $N); do
	start_nf simple_forward -r "svc$(((i - 1) % 8 + 1))" || log "NF $i did not join in time"
done
# On a loaded machine an NF can give up waiting for its admission and exit
# (the manager then retires it): start others in the places left, until
# every service has its eight.
missing() { # the service of each NF missing, one per line
	"$CTL" services | "$SYS_PYTHON" -c 'import json,sys
have={s["name"]: s["instances"] for s in json.load(sys.stdin)}
for i in range(1, 9):
    print("\n".join(["svc%d" % i] * (8 - have.get("svc%d" % i, 0))))' | grep .
}
for round in 1 2 3; do
	sleep 1
	list=$(missing) || break
	log "starting again: $(echo $list)"
	for svc in $list; do
		start_nf simple_forward -r "$svc" || true
	done
done
running() { test "$("$CTL" nfs | "$SYS_PYTHON" -c 'import json,sys
print(sum(n["state"] == "running" for n in json.load(sys.stdin)))')" = $N; }
check "$N NFs run" wait_for 10 running

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
# The manager stops its NFs one after the other: 64 of them take longer
# than stop_mgr's 15 s on a busy machine.
stop_mgr_slowly() {
	kill -INT "$MGR_PID" || return 1
	wait_for 120 bash -c "! kill -0 $MGR_PID 2>/dev/null" || return 1
	wait "$MGR_PID"
}
check "manager stops the $N NFs and exits 0" stop_mgr_slowly
finish
