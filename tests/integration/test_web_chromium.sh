#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium (Debian's chromium)
# opens the page of a manager forwarding web traffic through a chain of
# two services, one of them scaled to two instances by the autoscaler,
# in real time (browser_page.py drives it over the DevTools protocol).
#
#   live rates   the test waits until the page shows non-zero rates for a
#                port, every running NF and both chains, and each NF's own
#                counters
#   flow graph   the chains are drawn with their services and ports
#   services     the scaled service shows two instances with their share
#                of the flow-hash buckets, and the autoscaler's state and
#                last decision with its reason
#   Grafana      docs/grafana/onvm.json queries only metrics and labels
#                /metrics has, and plots every family it exposes
#   screenshot   the whole page, as a PNG: left in the work directory
#                (KEEP_WORK=1 keeps it), or where DASHBOARD_PNG says (the
#                one in docs/img/ is made with
#                DASHBOARD_PNG=docs/img/dashboard.png)
#
# The page writes what it shows into data- attributes of its rows
# (app.js): the test reads what a person sees.
#
# Chromium missing is a failure, not a skip: the dashboard is part of the
# product and scripts/install_deps.sh installs it.
source "$(dirname "$0")/lib.sh"
test_init web_chromium

CHROMIUM=$(command -v chromium || command -v chromium-browser) || {
	echo "  FAIL - chromium is not installed (scripts/install_deps.sh installs it):" \
		"the dashboard cannot be tested"
	exit 1
}
CTL=$BUILD/onvm_mgr/onvmctl

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
echo '{ "default": "allow", "rules": [] }' >"$WORK/allow.json"
port=$("$SYS_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$port/
start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=$in,infinite_rx=1" --vdev=net_null0,no-rx=1 \
	-- -p 0x3 -c -w 2 -s web --web "127.0.0.1:$port" -C "$WORK/chains.json" || exit 1
start_nf firewall -r firewall -- -f "$WORK/allow.json"
start_nf basic_monitor -r monitor
moving() {
	local a
	a=$(port_field 1 tx)
	sleep 0.3
	test "$(port_field 1 tx)" -gt "$a"
}
check "traffic flows through the chain" wait_for 30 moving

# The autoscaler, told to keep two monitors, starts the second one (its
# reason: below --min), and the buckets are spread over both.
"$CTL" autoscale monitor --min 2 --max 2 >"$WORK/autoscale.json" 2>&1
check "onvmctl autoscale monitor --min 2 --max 2" grep -q '"autoscale": true' "$WORK/autoscale.json"
two_monitors() {
	"$CTL" services >"$WORK/services.json" 2>&1 && "$SYS_PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
svcs = d["services"] if isinstance(d, dict) else d
m = [s for s in svcs if s["name"] == "monitor"][0]
a = m["autoscale"]
sys.exit(0 if m["instances"] == 2 and len(m["buckets"]) == 2 and all(m["buckets"]) and
         a and a["last"] and a["state"] != "scaling" else 1)' "$WORK/services.json"
}
check "the autoscaler ran a second monitor and split the buckets" wait_for 60 two_monitors
log "services: $(tr -d '\n' <"$WORK/services.json" | tr -s ' ')"
"$CTL" --table services >"$WORK/services.table" 2>&1
sed 's/^/    /' "$WORK/services.table"
check "onvmctl --table services: the autoscaler's state and last decision" \
	grep -Eq '^ *2 +monitor +2 .* (scaling|cooldown|high|low|steady) +1 -> 2 instances: 1 instance, below --min 2 *$' \
	"$WORK/services.table"

# The page as a person sees it: every rate live, the scaled service shown.
# Then five more readings, so that the charts have a line to show.
UNTIL='(() => {
  const b = document.body, rows = sel => [...document.querySelectorAll(sel)];
  const live = r => Number(r.dataset.rxPps || r.dataset.pps) > 0;
  const nfs = rows("#nfs tr[data-nf]"), chains = rows("#chains tr[data-chain]");
  const mon = document.querySelector("#services tr[data-service=monitor]");
  return b.dataset.status === "live" &&
    rows("#ports tr[data-port=\"0\"]").some(live) &&
    nfs.length === 3 && nfs.every(live) &&
    chains.filter(c => c.dataset.chain.startsWith("web-")).every(live) &&
    mon && mon.dataset.instances === "2";
})()'
"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/browser_page.py" "$CHROMIUM" "$URL" "$WORK" \
	--until "$UNTIL" --timeout 60 --settle 5 --size 1400x1000 >"$WORK/browser.log" 2>&1
rc=$?
cat "$WORK/browser.log"
check "Chromium loaded the page and was driven" test $rc != 2

"$SYS_PYTHON" - "$WORK/dom.html" >"$WORK/shown.txt" <<'PY'
import html, re, sys
dom = open(sys.argv[1]).read()
def rows(attr, rate):
    out = {}
    for tag in re.findall(r"<tr [^>]*%s=[^>]*>" % attr, dom):
        key = re.search(r'%s="([^"]*)"' % attr, tag).group(1)
        val = re.search(r'%s="([^"]*)"' % rate, tag)
        out[key] = float(val.group(1)) if val and val.group(1) else 0.0
    return out
body = re.search(r"<body[^>]*>", dom).group(0)
print("status", re.search(r'data-status="(\w+)"', body).group(1),
      "readings", re.search(r'data-samples="(\d+)"', body).group(1))
print("ports", rows("data-port", "data-rx-pps"))
print("nfs", rows("data-nf", "data-rx-pps"))
print("chains", rows("data-chain", "data-pps"))
print("counters", [int(c) for c in re.findall(r'<tr [^>]*data-counters="(\d+)"', dom)])
for tag in re.findall(r"<tr data-service=[^>]*>", dom):
    a = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))
    print("service", a["service"], "instances", a["instances"], "buckets", a["buckets"],
          "autoscale", a["autoscale"], "last", html.unescape(a["last"]))
PY
sed 's/^/    /' "$WORK/shown.txt"
check "the page shows live rates of a port, every NF and both chains" test $rc = 0
check "each NF's own counters are shown" "$SYS_PYTHON" -c 'import re, sys
c = [int(x) for x in re.findall(r"<tr [^>]*data-counters=\"(\d+)\"", open(sys.argv[1]).read())]
assert len(c) == 3 and all(c), c' "$WORK/dom.html"
check "the monitor service: two instances, each with a share of the buckets" \
	grep -Eq '^service monitor instances 2 buckets [1-9][0-9]*,[1-9][0-9]* ' "$WORK/shown.txt"
check "and the autoscaler's last decision with its reason" \
	grep -q '^service monitor .* last 1 -> 2 instances: 1 instance, below --min 2$' "$WORK/shown.txt"
check "the flow graph is drawn, with the chains and their services" "$SYS_PYTHON" -c 'import sys
dom = open(sys.argv[1]).read()
flow = dom[dom.index("id=\"flow\""):]
flow = flow[:flow.index("</svg>")]
for text in ("web-in", "web-out", "firewall", "monitor", "×2", "table 0", "port 0", "port 1"):
    assert text in flow, text' "$WORK/dom.html"
check "the page raised no error" test ! -s "$WORK/console.log"

check "a screenshot of the whole page is taken" "$SYS_PYTHON" -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", d[16:24])
print(f"    {w}x{h}, {len(d)} bytes")
assert w == 1400 and h >= 1000 and len(d) > 50000, (w, h, len(d))' "$WORK/screenshot.png"
if [ -n "${DASHBOARD_PNG:-}" ]; then
	cp "$WORK/screenshot.png" "$DASHBOARD_PNG" && log "screenshot: $DASHBOARD_PNG"
else
	log "screenshot: $WORK/screenshot.png"
fi

# The Grafana dashboard in docs/ plots what /metrics has, all of it (the
# autoscaler's series too: it is on here).
"$SYS_PYTHON" -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
	"${URL}metrics" >"$WORK/metrics.txt"
check "docs/grafana/onvm.json: every metric and label it queries is in /metrics, and it plots every family" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/grafana_check.py" \
	"$ONVM_ROOT/docs/grafana/onvm.json" "$WORK/metrics.txt"

check "manager exits 0" stop_mgr
check_no_mbuf_leak --under-load
finish
