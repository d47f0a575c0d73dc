#!/usr/bin/env bash
# --web: the dashboard, /api/stats and /metrics of a manager forwarding
# real web traffic through a chain of two NFs.
#
#   /metrics     read by Prometheus' own parser: every family has HELP and
#                TYPE, the contract's series exist, counters move under
#                traffic and never go down over several scrapes, even
#                when an NF is replaced and a chain is reloaded away and
#                back
#   /api/stats   a port's numbers lie between two telemetry readings of
#                /ethdev/stats taken before and after it
#   errors       404, 405, a huge header, idle connections past the
#                limits: answered or closed, and the manager keeps
#                forwarding
#   start-up     --web on a port in use, on an address not of this
#                machine, and a malformed one: one clear line, exit 1,
#                nothing left behind
#   shutdown     requests hammering the server while the manager stops
source "$(dirname "$0")/lib.sh"
test_init web

"$SYS_PYTHON" -c 'import prometheus_client' 2>/dev/null ||
	skip "python3-prometheus-client not installed (scripts/install_deps.sh)"
command -v curl >/dev/null || skip "curl not installed"
CLIENT=("$SYS_PYTHON" "$ONVM_ROOT/tests/integration/web_client.py")
free_port() {
	"$SYS_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# one_line FILE TEXT: FILE is exactly the line TEXT.
one_line() {
	[ "$(wc -l <"$1")" = 1 ] && [ "$(cat "$1")" = "$2" ] && return 0
	echo "    got:"; sed 's/^/      /' "$1"
	return 1
}
nothing_left() {
	[ ! -e "/var/run/dpdk/$PREFIX" ] && ! ls /dev/hugepages/"${PREFIX}"map_* >/dev/null 2>&1
}
# refused ARGS...: the manager with --web ARGS exits 1 within 10 s;
# its stderr in $WORK/refused.err.
refused() {
	local t0=$SECONDS rc
	timeout 20 "$MGR_BIN" -l0 --file-prefix "$PREFIX" --no-pci --vdev=net_null0 \
		-- -p 0x1 -s none --web "$@" >"$WORK/refused.out" 2>"$WORK/refused.err"
	rc=$?
	[ "$rc" = 1 ] || { echo "    exit status $rc"; return 1; }
	[ $((SECONDS - t0)) -lt 10 ] || { echo "    took $((SECONDS - t0)) s"; return 1; }
}

# ---- start-up errors ----
"$MGR_BIN" -- --help 2>"$WORK/help"
check "--help documents --web and -s web" \
	bash -c "grep -q -- '--web \[IP:\]PORT' '$WORK/help' && grep -q 'or web' '$WORK/help'"

"$SYS_PYTHON" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(600)' >"$WORK/busy.port" &
busy_pid=$!
_pids+=("$busy_pid")
wait_for 10 test -s "$WORK/busy.port"
busy=$(cat "$WORK/busy.port")
check "--web on a port in use: exit 1 at once" refused "127.0.0.1:$busy"
check "one line naming the address and the reason" one_line "$WORK/refused.err" \
	"onvm_mgr: --web 127.0.0.1:$busy: cannot listen there: Address already in use"
check "nothing left behind" nothing_left
check "--web PORT alone means 127.0.0.1:PORT" refused "$busy"
check "and says so" grep -q "^onvm_mgr: --web 127.0.0.1:$busy: cannot listen there" "$WORK/refused.err"
# 192.0.2.1 (TEST-NET-1) is no address of this machine: bind fails, and
# nothing is ever sent to it.
check "--web on an address not of this machine: exit 1" refused "192.0.2.1:$busy"
check "one line with the reason" one_line "$WORK/refused.err" \
	"onvm_mgr: --web 192.0.2.1:$busy: cannot listen there: Cannot assign requested address"
check "nothing left behind" nothing_left
check "a malformed address: exit 1" refused "1.2.3.400:80"
check "one line saying what is wrong" one_line "$WORK/refused.err" \
	"onvm_mgr: --web '1.2.3.400:80': '1.2.3.400' is not an IPv4 address"
# The port's holder is done with: gone now, not reported killed at exit.
kill "$busy_pid" 2>/dev/null
wait "$busy_pid" 2>/dev/null

# ---- a chain of two NFs under web traffic ----
in=$(web_capture) || exit 1
cat >"$WORK/chains.json" <<'JSON'
{
  "chains": [
    { "name": "web-in", "priority": 10, "match": { "tcp_dst": 80 },
      "hops": ["firewall", "monitor"], "out_port": 1 },
    { "name": "web-out", "priority": 10, "match": { "tcp_src": 80 },
      "hops": ["monitor"], "out_port": 0 }
  ]
}
JSON
cp "$WORK/chains.json" "$WORK/chains.both"
echo '{ "default": "allow", "rules": [] }' >"$WORK/allow.json"
port=$(free_port)
URL=http://127.0.0.1:$port
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in,infinite_rx=1" --vdev=net_null0,no-rx=1 \
	-- -p 0x3 -c -w 2 -s none --web "127.0.0.1:$port" -C "$WORK/chains.json" || exit 1
check "the manager says where the dashboard is" \
	grep -q "^onvm_mgr: dashboard on $URL/ (/api/stats, /metrics)$" "$MGR_LOG"
start_nf firewall -r firewall -- -f "$WORK/allow.json"
start_nf basic_monitor -r monitor
mon_pid=$NF_PID
forwarding() { # the manager sends packets out of port 1 now
	local a
	a=$(port_field 1 tx)
	sleep 0.3
	test "$(port_field 1 tx)" -gt "$a"
}
check "traffic flows through the chain" wait_for 30 forwarding

# The server's thread is not on the data lcore's CPU (lcore 1 is CPU 1).
off_data_cpu() {
	local t found=0
	for t in /proc/"$MGR_PID"/task/*; do
		case "$(cat "$t/comm")" in MHD*) ;; *) continue ;; esac
		found=1
		"$SYS_PYTHON" -c 'import os, sys
cpus = os.sched_getaffinity(int(sys.argv[1]))
print("    web thread on CPUs", sorted(cpus))
sys.exit(0 if 1 not in cpus and cpus else 1)' "${t##*/}" || return 1
	done
	[ $found = 1 ]
}
check "libmicrohttpd's thread runs off the data lcore's CPU" off_data_cpu

# ---- /metrics ----
for i in 1 2 3; do
	"${CLIENT[@]}" metrics "$URL/metrics" "$WORK/scrape$i.json" || break
	sleep 0.5
done
check "/metrics: three scrapes parsed by prometheus_client" test -s "$WORK/scrape3.json"
check "/metrics: text format 0.0.4" "$SYS_PYTHON" -c 'import json, sys
ct = json.load(open(sys.argv[1]))["content_type"]
assert ct.startswith("text/plain; version=0.0.4"), ct' "$WORK/scrape1.json"
check "/metrics: every family has HELP and TYPE lines" "$SYS_PYTHON" -c 'import json, re, sys
d = json.load(open(sys.argv[1]))
text = d["text"]
for name, (typ, doc) in d["families"].items():
    full = name + "_total" if typ == "counter" else name
    assert f"# HELP {full} " in text and f"# TYPE {full} {typ}\n" in text, name
    assert doc, name
assert len(d["families"]) >= 25, len(d["families"])' "$WORK/scrape3.json"
check "/metrics: the contract's series exist" "$SYS_PYTHON" -c 'import json, sys
s = json.load(open(sys.argv[1]))["samples"]
want = ["onvm_port_rx_packets_total{port=0}", "onvm_port_tx_packets_total{port=1}",
        "onvm_port_rx_bytes_total{port=0}", "onvm_port_tx_bytes_total{port=1}",
        "onvm_port_drops_total{port=0,reason=entry_drop}",
        "onvm_nf_rx_packets_total{instance=0,service=firewall}",
        "onvm_nf_tx_packets_total{instance=0,service=monitor}",
        "onvm_nf_verdicts_total{instance=0,service=firewall,verdict=next}",
        "onvm_nf_drops_total{instance=0,reason=nf_drop,service=firewall}",
        "onvm_nf_counter{counter=pkts,instance=0,service=monitor}",
        "onvm_nf_rx_ring_fill{instance=0,service=firewall}",
        "onvm_chain_packets_total{chain=web-in}", "onvm_chain_bytes_total{chain=web-out}",
        "onvm_chain_drops_total{chain=web-in,reason=nf_drop}",
        "onvm_drops_total{reason=no_instance}", "onvm_mempool_in_use"]
missing = [w for w in want if w not in s]
assert not missing, missing' "$WORK/scrape3.json"
check "/metrics: counters move under traffic" "$SYS_PYTHON" -c 'import json, sys
a = json.load(open(sys.argv[1]))["samples"]; b = json.load(open(sys.argv[2]))["samples"]
for k in ["onvm_port_rx_packets_total{port=0}", "onvm_port_tx_packets_total{port=1}",
          "onvm_nf_rx_packets_total{instance=0,service=firewall}",
          "onvm_nf_rx_packets_total{instance=0,service=monitor}",
          "onvm_chain_packets_total{chain=web-in}", "onvm_chain_bytes_total{chain=web-in}",
          "onvm_chain_packets_total{chain=web-out}"]:
    assert b[k] > a[k], (k, a[k], b[k])' "$WORK/scrape1.json" "$WORK/scrape3.json"
check "/metrics: no counter goes down from one scrape to the next" \
	"${CLIENT[@]}" monotonic "$WORK"/scrape{1,2,3}.json

# An NF replaced: its service instance's counters go on from their total.
kill -INT "$mon_pid"
check "the monitor NF left" wait_for 10 grep -q "pid $mon_pid) stopped" "$MGR_LOG"
"${CLIENT[@]}" metrics "$URL/metrics" "$WORK/scrape4.json"
start_nf basic_monitor -r monitor
"${CLIENT[@]}" metrics "$URL/metrics" "$WORK/scrape5.json"
sleep 1
"${CLIENT[@]}" metrics "$URL/metrics" "$WORK/scrape6.json"
check "an NF replaced: its service's counters never went down" \
	"${CLIENT[@]}" monotonic "$WORK"/scrape{3,4,5,6}.json
check "and the new NF's packets add to them" "$SYS_PYTHON" -c 'import json, sys
k = "onvm_nf_rx_packets_total{instance=0,service=monitor}"
a = json.load(open(sys.argv[1]))["samples"][k]; b = json.load(open(sys.argv[2]))["samples"][k]
assert b > a, (a, b)' "$WORK/scrape4.json" "$WORK/scrape6.json"

# A chain reloaded away and back: its counters keep their total.
cat >"$WORK/chains.json" <<'JSON'
{
  "chains": [
    { "name": "web-in", "priority": 10, "match": { "tcp_dst": 80 },
      "hops": ["firewall", "monitor"], "out_port": 1 }
  ]
}
JSON
CTL=$BUILD/onvm_mgr/onvmctl
check "reload without chain web-out" bash -c "'$CTL' chains reload | grep -q '\"chains\": 1'"
"${CLIENT[@]}" metrics "$URL/metrics" "$WORK/scrape7.json"
cp "$WORK/chains.both" "$WORK/chains.json"
check "reload with it again" bash -c "'$CTL' chains reload | grep -q '\"chains\": 2'"
sleep 0.5
"${CLIENT[@]}" metrics "$URL/metrics" "$WORK/scrape8.json"
sleep 0.5
"${CLIENT[@]}" metrics "$URL/metrics" "$WORK/scrape9.json"
check "a chain removed and back: its counters never went down" \
	"${CLIENT[@]}" monotonic "$WORK"/scrape{6,7,8,9}.json
check "and it counts again" "$SYS_PYTHON" -c 'import json, sys
k = "onvm_chain_packets_total{chain=web-out}"
a = json.load(open(sys.argv[1]))["samples"][k]; b = json.load(open(sys.argv[2]))["samples"][k]
assert b > a, (a, b)' "$WORK/scrape7.json" "$WORK/scrape9.json"

# ---- /api/stats ----
"${CLIENT[@]}" get "$URL/api/stats" >"$WORK/api.json"
check "/api/stats: JSON with every part" "$SYS_PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in ("time", "uptime_s", "start_time", "ports", "nfs", "services", "chains", "drops", "mempool"):
    assert k in d, k
assert [p["id"] for p in d["ports"]] == [0, 1]
assert {"rx", "tx", "tx_drop", "no_chain", "entry_drop", "nic"} <= d["ports"][0].keys()
nf = [n for n in d["nfs"] if n["service_name"] == "firewall"][0]
assert nf["rx_ring"]["size"] > 0 and 0 <= nf["rx_ring"]["count"] <= nf["rx_ring"]["size"]
assert "counters" in nf and nf["started_us"] > 0
c = [c for c in d["chains"] if c["name"] == "web-in"][0]
assert c["hops"] == ["firewall", "monitor"] and c["pkts"] > 0 and "nf_drop" in c["drops"]
assert {"in_use", "baseline", "available", "size"} <= d["mempool"].keys()' "$WORK/api.json"
for i in 1 2 3; do
	check "/api/stats port 0 lies between two /ethdev/stats,0 readings ($i)" \
		"${CLIENT[@]}" bracket "/var/run/dpdk/$PREFIX" "$URL/api/stats" 0
	check "/api/stats port 1 lies between two /ethdev/stats,1 readings ($i)" \
		"${CLIENT[@]}" bracket "/var/run/dpdk/$PREFIX" "$URL/api/stats" 1
done
check "the page is served" bash -c "curl -sf '$URL/' | grep -q '<title>onvm dashboard</title>'"
check "with its script" bash -c "curl -sf '$URL/app.js' | grep -q '/api/stats'"

# ---- bad requests ----
check "an unknown path: 404" test "$("${CLIENT[@]}" status "$URL/nope")" = 404
check "with a short body" bash -c "test \$(curl -s '$URL/nope' | wc -c) -lt 200"
check "a POST: 405" test "$("${CLIENT[@]}" status "$URL/api/stats" POST)" = 405
"${CLIENT[@]}" huge-header 127.0.0.1 "$port" 200000 >"$WORK/huge"
check "a 200 kB header: refused (4xx) or closed" grep -Eq "^(HTTP/1.1 4[0-9][0-9]|closed)" "$WORK/huge"
log "answer to the huge header: $(cat "$WORK/huge")"
check "the manager keeps forwarding" forwarding
# More idle connections than one address may hold: the rest are refused
# or closed; they cost the manager nothing; once gone, all is served.
"${CLIENT[@]}" idle 127.0.0.1 "$port" 48 1 >"$WORK/idle"
check "idle connections beyond the per-address limit (32) are not kept" \
	test "$(cat "$WORK/idle")" -le 32
check "the manager keeps forwarding" forwarding
served() { "${CLIENT[@]}" get "$URL/api/stats" >/dev/null; }
check "and the server answers again" wait_for 15 served
check "the manager is alive" kill -0 "$MGR_PID"

# ---- shutdown while requests keep coming ----
"${CLIENT[@]}" hammer "$URL/api/stats" "$URL/metrics" >"$WORK/hammer" 2>&1 &
hammer=$!
_pids+=("$hammer")
sleep 1
check "manager exits 0 while the server is asked" stop_mgr
check "the requests ran until the server was gone" wait_for 10 test -s "$WORK/hammer"
log "requests answered meanwhile: $(cat "$WORK/hammer")"
check_no_mbuf_leak --under-load
check "nothing left behind" nothing_left
finish
