#!/usr/bin/env bash
# Chains from JSON: packets are classified on OpenFlow-named fields into
# the highest-priority chain, walk its NFs and leave by its out port; a
# SIGHUP reload switches the set atomically; an invalid file changes
# nothing and is reported with file, line and reason.
source "$(dirname "$0")/lib.sh"
test_init chains

in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
cat >"$WORK/chains.json" <<'JSON'
{
  "chains": [
    { "name": "requests", "priority": 10, "match": { "tcp_dst": 80 },
      "hops": ["req"], "out_port": 1 },
    { "name": "responses", "priority": 10, "match": { "ip_proto": "tcp", "tcp_src": 80 },
      "hops": ["resp", "resp2"], "out_port": 0 },
    { "name": "shadowed", "priority": 5, "match": { "tcp_src": "0-65535" },
      "hops": ["nobody"], "out_port": 1 }
  ]
}
JSON
# Shared-core mode (-c): four NFs and the data lcore busy-polling two
# CPUs can leave a hop descheduled long enough for the manager to call the
# chain stuck and drop at its entry.
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" \
	-- -p 0x3 -w 4 -c -s none -d default -C "$WORK/chains.json"
start_nf simple_forward -r req
start_nf simple_forward -r resp
start_nf simple_forward -r resp2
# The shadowed chain's hop runs too: with no NF there, a packet classified
# into it would be dropped unseen.
start_nf simple_forward -r nobody
nobody=$(nf_id_of "$NF_PID")
tshark -r "$in" -Y "tcp.dstport == 80" -F pcap -w "$WORK/want_req.pcap" 2>/dev/null
tshark -r "$in" -Y "tcp.srcport == 80" -F pcap -w "$WORK/want_resp.pcap" 2>/dev/null
n_req=$(pcap_count "$WORK/want_req.pcap")
n_resp=$(pcap_count "$WORK/want_resp.pcap")
log "capture: $n_req packets to port 80, $n_resp from port 80"
wait_for 30 test "$(($(port_field 0 tx) + $(port_field 1 tx)))" -ge "$((n_req + n_resp))"
check "requests took chain 'requests' and left by port 1, in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/want_req.pcap" "$WORK/out1.pcap"
check "responses crossed both NFs of 'responses' and left by port 0, in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/want_resp.pcap" "$WORK/out0.pcap"
check "the lower-priority chain's NF saw nothing" test "$(nf_field "$nobody" rx)" = 0
check "manager listed the chains" grep -q "chain 2 'responses' priority 10: resp(3) -> resp2(4)" "$MGR_LOG"
check "manager exits 0" stop_mgr
check_no_mbuf_leak

# ---- reload under load ----
PREFIX=${PREFIX}_r
export ONVM_FILE_PREFIX=$PREFIX
MGR_LOG=$WORK/mgr_reload.log
cat >"$WORK/chains.json" <<'JSON'
{ "chains": [ { "name": "all", "match": {}, "hops": ["a"], "out_port": 1 } ] }
JSON
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in,infinite_rx=1" --vdev=net_null0 \
	-- -p 0x3 -c -s none -C "$WORK/chains.json"
start_nf simple_forward -r a
a=$(nf_id_of "$NF_PID")
start_nf simple_forward -r b
b=$(nf_id_of "$NF_PID")
grows() { local x; x=$(nf_field "$1" rx); sleep 0.3; test "$(nf_field "$1" rx)" -gt "$x"; }
check "before the reload, NF a gets the traffic" grows "$a"
sed -i 's/"hops": \["a"\]/"hops": ["b"]/' "$WORK/chains.json"
kill -HUP "$MGR_PID"
check "reload announced" wait_for 5 grep -q "chains reloaded" "$MGR_LOG"
check "after the reload, NF b gets it" wait_for 5 grows "$b"
# Not `! grows`: an NF missing from telemetry ("none") does not grow either.
stalls() { local x; x=$(nf_field "$1" rx); sleep 0.3; test "$(nf_field "$1" rx)" -eq "$x"; }
check "and NF a none" wait_for 5 stalls "$a"
printf '{ "chains": [ { "name": "x",\n  "hops": [],\n  "match": {} } ] }\n' >"$WORK/chains.json"
kill -HUP "$MGR_PID"
check "invalid file refused with file:line: reason" \
	wait_for 5 grep -q "reload refused.*chains.json:2: .*hops" "$MGR_LOG"
check "the chains in force are unchanged" grows "$b"
check "manager alive and exits 0" stop_mgr
check_no_mbuf_leak --under-load
finish
