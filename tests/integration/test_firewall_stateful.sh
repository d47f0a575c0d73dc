#!/usr/bin/env bash
# The stateful firewall: only 10.0.0.0/8 may open connections, yet the
# replies of those connections (TCP, UDP, ICMP) pass; unsolicited packets
# and packets of other connections are dropped. Every output packet checked.
source "$(dirname "$0")/lib.sh"
test_init firewall_stateful

"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/test_firewall_pcap.py" stateful \
	"$WORK/in.pcap" "$WORK/expected.pcap" "$WORK/counts.json"
counts=$(cat "$WORK/counts.json")
want() { json_get "$counts" "$1"; }

cat >"$WORK/rules.json" <<'JSON'
{ "default": "deny", "stateful": true, "max_conns": 4096,
  "rules": [ { "name": "inside-out", "action": "allow", "ipv4_src": "10.0.0.0/8" } ] }
JSON

empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$WORK/in.pcap" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -w 1 -s none
start_nf firewall -- -f "$WORK/rules.json"

nf_counter() { json_get "$(telemetry /onvm/nfs)" "/onvm/nfs.1.$1" 2>/dev/null; }
counter_is() { [ "$(nf_counter "$1")" = "$2" ]; }

wait_for 30 counter_is rx "$(want total)"
wait_for 10 counter_is established "$(want established)"
check "NF saw every packet" counter_is rx "$(want total)"
check "connections opened by the rule" counter_is allow_rule "$(want allow_rule)"
check "replies passed as established" counter_is established "$(want established)"
check "unsolicited packets denied" counter_is default_deny "$(want default_deny)"
check "one tracked entry per connection" counter_is ct_created "$(want allow_rule)"
check "table never full" counter_is ct_table_full 0
check "mempool back to baseline" wait_for 10 test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr
check "port 1 carries exactly the allowed packets, identical, in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/expected.pcap" \
	"$WORK/out1.pcap"
check "nothing leaves port 0" test "$(pcap_count "$WORK/out0.pcap")" -eq 0
finish
