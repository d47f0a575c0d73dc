#!/usr/bin/env bash
# onvmctl against a running manager: every command's JSON checked against
# telemetry and against the traffic replayed (each chain's counters equal
# what tshark selects from the capture for it), chains reload with a valid
# and an invalid file, --table for people, and every error: no manager,
# unknown command, bad arguments, a client that sends nothing or garbage
# beside a valid one, the socket's mode.
source "$(dirname "$0")/lib.sh"
test_init onvmctl

CTL=$BUILD/onvm_mgr/onvmctl
# py EXPR: EXPR evaluated with d = the JSON on stdin; prints the result.
py() { "$SYS_PYTHON" -c 'import json,sys
d=json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"; }
# holds EXPR: succeeds when EXPR, with d = the JSON on stdin, is true.
holds() { "$SYS_PYTHON" -c 'import json,sys
d=json.load(sys.stdin)
v=eval(sys.argv[1])
print("    got:", v if v is not False else "false") if not v else None
sys.exit(0 if v else 1)' "$1"; }
# chain NAME FIELD / nf SERVICE FIELD: from onvmctl's JSON on stdin.
chain() { py "[c for c in d if c['name'] == '$1'][0]$2"; }
nf() { py "[n for n in d if n['service_name'] == '$1'][0]$2"; }
fast() { # fast CMD...: runs it and fails if it took a second or more
	local t0=$SECONDS
	"$@"
	local rc=$?
	[ $((SECONDS - t0)) -lt 2 ] || { echo "  took $((SECONDS - t0)) s"; return 1; }
	return $rc
}

# ---- without a manager ----
"$CTL" --help >"$WORK/help" 2>&1
check "--help works without a manager and lists every command" \
	grep -q "^  chains reload " "$WORK/help"
"$CTL" --file-prefix "none_$$" nfs >"$WORK/out" 2>"$WORK/err"
check "no manager: exit 1" test $? = 1
check "no manager: one clear line" test "$(cat "$WORK/err")" = \
	"onvmctl: no manager running with file prefix 'none_$$'"
check "no manager: nothing on stdout" test ! -s "$WORK/out"
check "no manager: answered at once" fast bash -c "! '$CTL' --file-prefix none_$$ chains 2>/dev/null"
# A manager killed with -9 leaves its socket: nobody listens on it.
mkdir -p "/var/run/dpdk/stale_$$"
"$SYS_PYTHON" -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"/var/run/dpdk/stale_$$/onvm_ctl.sock"
check "a dead manager's socket: no manager, at once" fast bash -c \
	"test \"\$('$CTL' --file-prefix stale_$$ nfs 2>&1)\" = \"onvmctl: no manager running with file prefix 'stale_$$'\""
rm -rf "/var/run/dpdk/stale_$$"
ONVM_FILE_PREFIX=env_$$ "$CTL" services 2>"$WORK/err"
check "ONVM_FILE_PREFIX names the prefix" grep -q "file prefix 'env_$$'" "$WORK/err"

# ---- two chains over a replayed capture ----
in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
tshark -r "$in" -Y "tcp.dstport == 80" -T fields -e frame.cap_len 2>/dev/null >"$WORK/req.len"
tshark -r "$in" -Y "tcp.srcport == 80" -T fields -e frame.cap_len 2>/dev/null >"$WORK/resp.len"
n_req=$(wc -l <"$WORK/req.len")
n_resp=$(wc -l <"$WORK/resp.len")
b_req=$(awk '{ b += $1 } END { print b }' "$WORK/req.len")
b_resp=$(awk '{ b += $1 } END { print b }' "$WORK/resp.len")
log "capture: $n_req packets ($b_req bytes) to port 80, $n_resp ($b_resp bytes) from it"
cat >"$WORK/chains.json" <<'JSON'
{
  "chains": [
    { "name": "requests", "priority": 10, "match": { "tcp_dst": 80 },
      "hops": ["req"], "out_port": 1 },
    { "name": "responses", "priority": 10, "match": { "tcp_src": 80 },
      "hops": ["resp"] },
    { "name": "unused", "priority": 5, "match": { "udp_dst": 53 },
      "hops": ["resp"], "out_port": 0 }
  ]
}
JSON
# "responses" has no out port: its packets end as chain_end drops.
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" \
	-- -p 0x3 -w 2 -c -s stdout -d default -C "$WORK/chains.json"
start_nf simple_forward -r req
start_nf simple_forward -r resp
# (Functions: wait_for re-runs its command, and a $(...) in its arguments
# would be read once.)
requests_out() { test "$(port_field 1 tx)" -ge "$n_req"; }
responses_ended() {
	test "$(json_get "$(telemetry /onvm/drops)" "/onvm/drops.chain_end")" -ge "$n_resp"
}
check "the requests went out of port 1" wait_for 30 requests_out
check "the responses ended their chain" wait_for 10 responses_ended

# The stats table's CHAINS section: id, name, pkts, bytes, pps, drops, hops.
stats_row() { grep -qE "^  [0-9]+ +requests +$n_req +$b_req +[0-9]+ +0  req$" "$MGR_LOG"; }
check "the stats table shows each chain's counters" wait_for 5 stats_row

sock=/var/run/dpdk/$PREFIX/onvm_ctl.sock
check "the socket is root's, mode 0600" test "$(stat -c '%a %U' "$sock")" = "600 root"

"$CTL" chains >"$WORK/chains.out"
check "chains: exit 0, JSON" holds "len(d) == 4" <"$WORK/chains.out"
check "chain 'requests' counted the packets to port 80" \
	test "$(chain requests "['pkts']" <"$WORK/chains.out")" = "$n_req"
check "and their bytes" test "$(chain requests "['bytes']" <"$WORK/chains.out")" = "$b_req"
check "and dropped none" test "$(chain requests "['drops'].values()" <"$WORK/chains.out" |
	tr -dc '1-9')" = ""
check "chain 'responses' counted the packets from port 80" \
	test "$(chain responses "['pkts']" <"$WORK/chains.out")" = "$n_resp"
check "and their bytes" test "$(chain responses "['bytes']" <"$WORK/chains.out")" = "$b_resp"
check "and dropped them all at its end (no out port)" \
	test "$(chain responses "['drops']['chain_end']" <"$WORK/chains.out")" = "$n_resp"
check "the default chain and 'unused' saw nothing" \
	holds "[c['pkts'] for c in d if c['name'] in ('default', 'unused')] == [0, 0]" \
	<"$WORK/chains.out"
check "the default chain is chain 0, out of the paired port" \
	holds "d[0]['id'] == 0 and d[0]['name'] == 'default' and d[0]['out_port'] == 'paired'" \
	<"$WORK/chains.out"
check "hops by name, out port, priority" \
	holds "[(c['hops'], c['out_port'], c['priority']) for c in d[1:]] == \
	    [(['req'], 1, 10), (['resp'], None, 10), (['resp'], 0, 5)]" <"$WORK/chains.out"
check "every packet received entered one chain" \
	test "$(py "sum(c['pkts'] for c in d)" <"$WORK/chains.out")" = "$(port_field 0 rx)"
telemetry /onvm/chains >"$WORK/tm_chains"
check "telemetry /onvm/chains says the same" "$SYS_PYTHON" -c 'import json,sys
ctl=json.load(open(sys.argv[1])); tm=json.load(open(sys.argv[2]))["/onvm/chains"]
for c in ctl:
    t=tm[str(c["id"])]
    assert (t["name"], t["pkts"], t["bytes"]) == (c["name"], c["pkts"], c["bytes"]), c["name"]
    assert all(t[k] == v for k, v in c["drops"].items()), c["name"]
assert "next" not in tm' "$WORK/chains.out" "$WORK/tm_chains"

"$CTL" nfs >"$WORK/nfs.out"
check "nfs: both NFs, running, with their services" \
	holds "sorted((n['service_name'], n['state'], n['name']) for n in d) == \
	    [('req', 'running', 'simple_forward'), ('resp', 'running', 'simple_forward')]" \
	<"$WORK/nfs.out"
check "NF req received the requests" test "$(nf req "['rx']" <"$WORK/nfs.out")" = "$n_req"
check "NF resp received the responses" test "$(nf resp "['rx']" <"$WORK/nfs.out")" = "$n_resp"
check "nfs: instance, cpu, counters, drops present" \
	holds "all({'id','instance','cpu','tx','act_drop','entry_drop','counters'} <= n.keys() for n in d)" \
	<"$WORK/nfs.out"
telemetry /onvm/nfs >"$WORK/tm_nfs"
check "telemetry /onvm/nfs says the same" "$SYS_PYTHON" -c 'import json,sys
ctl=json.load(open(sys.argv[1])); tm=json.load(open(sys.argv[2]))["/onvm/nfs"]
for n in ctl:
    t=tm[str(n["id"])]
    for k in ("name", "service", "instance", "cpu", "rx", "tx", "act_drop", "entry_drop"):
        assert t[k] == n[k], (k, t[k], n[k])' "$WORK/nfs.out" "$WORK/tm_nfs"

"$CTL" services >"$WORK/svc.out"
check "services: req and resp, one instance each, naming their NFs" \
	holds "sorted((s['name'], s['instances'], len(s['nfs'])) for s in d if s['name'] in ('req','resp')) \
	    == [('req', 1, 1), ('resp', 1, 1)]" <"$WORK/svc.out"
check "services' NFs are the NFs' ids" "$SYS_PYTHON" -c 'import json,sys
svc=json.load(open(sys.argv[1])); nfs=json.load(open(sys.argv[2]))
for s in svc:
    for i in s["nfs"]:
        assert [n for n in nfs if n["id"] == i][0]["service"] == s["id"]' \
	"$WORK/svc.out" "$WORK/nfs.out"

"$CTL" --table chains >"$WORK/table"
check "--table: a header, then one aligned row per chain" \
	"$SYS_PYTHON" -c 'import sys
lines=open(sys.argv[1]).read().splitlines()
assert lines[0].split() == ["ID","NAME","PRIO","OUT","PKTS","BYTES","DROPS","HOPS"], lines[0]
assert len(lines) == 5
row=[l for l in lines if " requests " in l][0]
assert row.split()[4] == sys.argv[2] and row.endswith("req"), row
col=lines[0].index("PKTS") + 4
assert all(l[col-1] != " " for l in lines[1:]), "PKTS right-aligned"' "$WORK/table" "$n_req"
"$CTL" nfs --table >"$WORK/table_nfs"
check "--table after the command too; nfs has a row per NF" test "$(wc -l <"$WORK/table_nfs")" = 3

# ---- errors ----
"$CTL" frobnicate >"$WORK/out" 2>"$WORK/err"
check "unknown command: exit 2" test $? = 2
check "unknown command: one line naming it" grep -qx \
	"onvmctl: unknown command 'frobnicate' (known: nfs, services, chains, chains reload, .*)" "$WORK/err"
for known in move scale autoscale; do
	check "unknown command: the known ones include $known" grep -q "[ (]$known[,)]" "$WORK/err"
done
"$CTL" chains sideways >"$WORK/out" 2>"$WORK/err"
check "bad arguments: exit 2, one line" \
	test "$?:$(wc -l <"$WORK/err")" = "2:1"
check "bad arguments: says what" grep -q "'chains' takes no arguments" "$WORK/err"
"$CTL" --tabel nfs 2>"$WORK/err"
check "unknown option: exit 2" test $? = 2
check "a garbage client is answered and a valid one served beside it" \
	"$SYS_PYTHON" - "$sock" "$CTL" <<'PY'
import json, socket, subprocess, sys, time
path, ctl = sys.argv[1], sys.argv[2]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s
def reply(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return json.loads(data)
        data += chunk
silent = conn()                      # connects and sends nothing
garbage = conn()
garbage.sendall(b"\x16\x03\x01 not a request at all\n")
half = conn()
half.sendall(b'{"cmd": "nf')          # half a request, then nothing
t0 = time.monotonic()
out = subprocess.run([ctl, "nfs"], capture_output=True, timeout=10)
took = time.monotonic() - t0
assert out.returncode == 0 and len(json.loads(out.stdout)) == 2, out
# Served while the silent client still waits for its 2 s to run out (on a
# very busy machine, at least served quickly).
silent.setblocking(False)
try:
    silent.recv(1, socket.MSG_PEEK)
    pending = False
except BlockingIOError:
    pending = True
silent.setblocking(True)
assert pending or took < 1.0, f"the valid request waited {took:.2f} s"
r = reply(garbage)
assert r["ok"] is False and "not JSON" in r["error"], r
big = conn()
big.sendall(b"[" * 5000)
r = reply(big)
assert r["ok"] is False and "longer than 4096" in r["error"], r
r = reply(silent)                    # dropped after its 2 s, with a reason
assert r["ok"] is False and "no complete request" in r["error"], r
assert time.monotonic() - t0 < 15
r = reply(half)
assert r["ok"] is False, r
PY

# ---- chains reload ----
cp "$WORK/chains.json" "$WORK/chains.orig"
cat >"$WORK/chains.json" <<'JSON'
{
  "chains": [
    { "name": "dns", "priority": 20, "match": { "udp_dst": 53 },
      "hops": ["req", "resp"], "out_port": 0 },
    { "name": "requests", "priority": 10, "match": { "tcp_dst": 80 },
      "hops": ["req"], "out_port": 1 }
  ]
}
JSON
"$CTL" chains reload >"$WORK/reload.out" 2>"$WORK/err"
check "reload of a valid file: exit 0" test $? = 0
check "reload: reports the new generation and its chains" \
	holds "d['reloaded'] is True and d['chains'] == 2 and d['generation'] == 1" <"$WORK/reload.out"
"$CTL" chains >"$WORK/chains2.out"
check "the new chains are in force" \
	holds "[(c['name'], c['hops']) for c in d] == \
	    [('default', ['default']), ('dns', ['req', 'resp']), ('requests', ['req'])]" \
	<"$WORK/chains2.out"
check "a chain the reload kept (at another id) kept its counters" \
	test "$(chain requests "['pkts']" <"$WORK/chains2.out")" = "$n_req"
check "a new chain starts from zero" test "$(chain dns "['pkts']" <"$WORK/chains2.out")" = 0
grep -c "chains reloaded" "$MGR_LOG" >"$WORK/n_reloads"
"$CTL" chains reload >/dev/null 2>"$WORK/err"
check "a reload right after another waits its turn, not refused" test $? = 0
check "both reloads were done" grep -q "generation 0" <(grep "chains reloaded" "$MGR_LOG")

printf '{ "chains": [\n  { "name": "x", "hops": [], "match": {} } ] }\n' >"$WORK/chains.json"
"$CTL" chains reload >"$WORK/out" 2>"$WORK/err"
check "reload of an invalid file: exit 1" test $? = 1
check "one line on stderr with file:line: reason" \
	test "$(wc -l <"$WORK/err")" = 1
check "the reason is the file's" \
	grep -q "^onvmctl: reload refused, the chains in force are unchanged: $WORK/chains.json:2: hops is empty" "$WORK/err"
check "nothing on stdout" test ! -s "$WORK/out"
"$CTL" chains >"$WORK/chains3.out"
check "the chains in force are unchanged" \
	holds "[c['name'] for c in d] == ['default', 'dns', 'requests']" <"$WORK/chains3.out"
refusals() { grep -c "reload refused" "$MGR_LOG"; }
before=$(refusals)
kill -HUP "$MGR_PID"
refused_again() { test "$(refusals)" -gt "$before"; }
check "SIGHUP still reloads (and refuses) as before" wait_for 5 refused_again

# ---- telemetry pages of many chains ----
"$SYS_PYTHON" -c 'import json
print(json.dumps({"chains": [{"name": "chain-%03d" % i, "priority": i % 100,
    "match": {"udp_dst": 1000 + i}, "hops": ["req"], "out_port": 1} for i in range(300)]}))' \
	>"$WORK/chains.json"
"$CTL" chains reload >"$WORK/reload300.out"
check "reload of 300 chains" holds "d['chains'] == 300" <"$WORK/reload300.out"
check "onvmctl chains shows all 301" test "$("$CTL" chains | py "len(d)")" = 301
check "/onvm/chains pages through all 301, each reply within 16 KiB" "$SYS_PYTHON" - \
	"$ONVM_ROOT/tests/integration" "/var/run/dpdk/$PREFIX" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import telemetry
seen, cmd, pages = [], "/onvm/chains", 0
while cmd:
    raw = telemetry.query(sys.argv[2], cmd)
    assert len(raw) < 16384, len(raw)
    page = json.loads(raw)["/onvm/chains"]
    nxt = page.pop("next", None)
    seen += [int(k) for k in page]
    cmd = "/onvm/chains," + nxt if nxt else None
    pages += 1
assert seen == list(range(301)), seen[:5]
assert pages > 1
PY

check "manager exits 0" stop_mgr
check "the socket is gone with it" test ! -e "$sock"
check "after it, no manager again" test "$("$CTL" nfs 2>&1)" = \
	"onvmctl: no manager running with file prefix '$PREFIX'"
finish
