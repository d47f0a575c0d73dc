#!/usr/bin/env bash
# The firewall at scale: the stateless test's policy behind 10,000 rules
# that match none of its traffic (hosts of 172.16.0.0/12, odd ports) must
# give exactly the same output, packet for packet.
source "$(dirname "$0")/lib.sh"
test_init firewall_10k

"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/test_firewall_pcap.py" stateless \
	"$WORK/in.pcap" "$WORK/expected.pcap" "$WORK/counts.json"
counts=$(cat "$WORK/counts.json")
want() { json_get "$counts" "$1"; }

"$SYS_PYTHON" - "$WORK/rules.json" <<'PY'
import json, sys
rules = []
for i in range(10000):
    host = "172.%d.%d.%d" % (16 + (i >> 16) % 16, (i >> 8) & 255, i & 255)
    r = {"name": "filler%d" % i, "action": "deny" if i % 3 else "allow"}
    if i % 4 == 0:
        r.update({"ipv4_src": host + "/32", "tcp_dst": "%d-%d" % (30000 + i % 997, 31000)})
    elif i % 4 == 1:
        r.update({"ipv4_dst": host, "udp_src": 7000 + i % 1000})
    elif i % 4 == 2:
        r.update({"ipv4_src": "172.16.0.0/12", "ip_proto": 47, "in_port": i % 8})
    else:
        r.update({"ipv4_dst": host.rsplit(".", 1)[0] + ".0/24", "ip_proto": "icmp"})
    rules.append(r)
rules += [
    {"name": "no-ssh", "action": "deny", "tcp_dst": 22},
    {"name": "web", "action": "allow", "ip_proto": "tcp", "ipv4_src": "10.0.0.0/8",
     "ipv4_dst": "192.168.1.0/24", "tcp_dst": "80-443"},
    {"name": "dns", "action": "allow", "udp_dst": 53},
    {"name": "ping", "action": "allow", "ip_proto": "icmp"},
]
json.dump({"default": "deny", "non_ip": "allow", "rules": rules}, open(sys.argv[1], "w"), indent=1)
PY

empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$WORK/in.pcap" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -w 1 -s none
start_nf firewall -- -f "$WORK/rules.json" -s 0
FW_LOG=$NF_LOG

nf_counter() { json_get "$(telemetry /onvm/nfs)" "/onvm/nfs.1.$1" 2>/dev/null; }
counter_is() { [ "$(nf_counter "$1")" = "$2" ]; }

check "10,004 rules loaded" wait_for 60 grep -q "firewall: 10004 rules from" "$FW_LOG"
wait_for 60 counter_is rx "$(want total)"
wait_for 10 counter_is allow_rule "$(want allow_rule)"
check "NF saw every packet" counter_is rx "$(want total)"
check "allow_rule counter" counter_is allow_rule "$(want allow_rule)"
check "deny_rule counter" counter_is deny_rule "$(want deny_rule)"
check "default_deny counter" counter_is default_deny "$(want default_deny)"
check "mempool back to baseline" wait_for 10 test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr
check "the last rules decided: rule 10001 web" wait_for 15 grep -q "rule 10001 web .* allow 80" "$FW_LOG"
check "port 1 carries exactly the allowed packets, identical, in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/expected.pcap" \
	"$WORK/out1.pcap"
finish
