#!/usr/bin/env bash
# The firewall NF between two pcap ports: every packet the rules allow leaves
# port 1 byte-identical and in order, every denied one is absent, the
# counters agree, SIGHUP reloads (a broken file changes nothing), a broken
# rule file at start is refused with file:line: reason.
source "$(dirname "$0")/lib.sh"
test_init firewall

"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/test_firewall_pcap.py" stateless \
	"$WORK/in.pcap" "$WORK/expected.pcap" "$WORK/counts.json"
counts=$(cat "$WORK/counts.json")
want() { json_get "$counts" "$1"; }

cat >"$WORK/rules.json" <<'JSON'
{ "default": "deny", "non_ip": "allow",
  "rules": [
    { "name": "no-ssh", "action": "deny", "tcp_dst": 22 },
    { "name": "web", "action": "allow", "ip_proto": "tcp",
      "ipv4_src": "10.0.0.0/8", "ipv4_dst": "192.168.1.0/24", "tcp_dst": "80-443" },
    { "name": "dns", "action": "allow", "udp_dst": 53 },
    { "name": "ping", "action": "allow", "ip_proto": "icmp" }
  ] }
JSON

empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$WORK/in.pcap" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -w 1 -s none
start_nf firewall -- -f "$WORK/rules.json" -s 1
FW_PID=$NF_PID
FW_LOG=$NF_LOG

nf_counter() { json_get "$(telemetry /onvm/nfs)" "/onvm/nfs.1.$1" 2>/dev/null; }
counter_is() { [ "$(nf_counter "$1")" = "$2" ]; }

wait_for 30 counter_is rx "$(want total)"
wait_for 10 counter_is allow_rule "$(want allow_rule)"
check "NF saw every packet" counter_is rx "$(want total)"
check "allow_rule counter" counter_is allow_rule "$(want allow_rule)"
check "deny_rule counter" counter_is deny_rule "$(want deny_rule)"
check "default_deny counter" counter_is default_deny "$(want default_deny)"
check "non_ip_allow counter" counter_is non_ip_allow "$(want non_ip_allow)"
check "NF dropped exactly the denied packets" \
	counter_is act_drop "$(($(want total) - $(want allowed)))"
check "broken IPv4 headers counted as malformed" counter_is malformed 40
check "fragments counted as no_l4" counter_is no_l4 40
check "per-rule hits printed" wait_for 10 grep -q "rule 1 web .* allow 80" "$FW_LOG"

# Reload with a broken file: refused, old rules stay.
cp "$WORK/rules.json" "$WORK/rules.good"
printf '{ "default": "deny",\n  "rules": [ { "action": "allow",\n    "tcp_dst": "443-80" } ] }\n' \
	>"$WORK/rules.json"
kill -HUP "$FW_PID"
check "broken reload refused with file:line: reason" wait_for 10 grep -q \
	"reload refused, old rules stay: $WORK/rules.json:3: tcp_dst: a port must be" "$FW_LOG"
check "NF still running after a refused reload" kill -0 "$FW_PID"

# A good reload replaces the rule set.
printf '{ "default": "allow", "rules": [ { "action": "deny", "udp_dst": 53 } ] }\n' \
	>"$WORK/rules.json"
kill -HUP "$FW_PID"
check "good reload installs rule set 2" wait_for 10 grep -q \
	"rule set 1 replaced by 2 (1 rules)" "$FW_LOG"

# A broken rule file at start: the NF says where and exits non-zero.
printf '{ "default": "deny",\n  "rules": [\n    { "action": "reject" } ] }\n' >"$WORK/bad.json"
ONVM_BUILD_DIR=$BUILD timeout 20 "$ONVM_ROOT/go.sh" firewall -- -f "$WORK/bad.json" \
	>"$WORK/bad.log" 2>&1
bad_rc=$?
check "bad rule file: non-zero exit" test "$bad_rc" -ne 0 -a "$bad_rc" -ne 124
check "bad rule file: file:line: reason" grep -q \
	"$WORK/bad.json:3: unknown action 'reject' (expected allow or deny)" "$WORK/bad.log"

ONVM_BUILD_DIR=$BUILD timeout 20 "$ONVM_ROOT/go.sh" firewall >"$WORK/noargs.log" 2>&1
check "no -f: usage and exit 2" test $? -eq 2
check "no -f: says what is missing" grep -q -- "-f RULES.json is required" "$WORK/noargs.log"

check "mempool back to baseline" wait_for 10 test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr
check "firewall printed its final counters" wait_for 15 grep -q "final counters" "$FW_LOG"
check "port 1 carries exactly the allowed packets, identical, in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$WORK/expected.pcap" \
	"$WORK/out1.pcap"
check "nothing leaves port 0" test "$(pcap_count "$WORK/out0.pcap")" -eq 0
finish
