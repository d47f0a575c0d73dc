#!/bin/sh
# Drive the codec + switch logic + session (ofp_mini_switch) with a real
# ovs-ofctl over TCP: flows, groups, stats, errors. Skipped (77) without
# openvswitch-common.
mini="$1"
command -v ovs-ofctl >/dev/null 2>&1 || { echo "ovs-ofctl not installed"; exit 77; }
port=$((20000 + $$ % 20000))
log=$(mktemp)
"$mini" "$port" 60 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
i=0
until grep -q listening "$log"; do
	i=$((i + 1)); [ $i -gt 50 ] && { echo "mini switch did not start"; cat "$log"; exit 1; }
	sleep 0.1
done
T="tcp:127.0.0.1:$port"
ofctl() { timeout 10 ovs-ofctl -O OpenFlow13 "$@" "$T" 2>&1; }
fail() { echo "FAIL: $*"; exit 1; }
expect() { # expect PATTERN OUTPUT...
	pat="$1"; shift
	echo "$*" | grep -q -- "$pat" || fail "expected '$pat' in: $*"
}

out=$(timeout 10 ovs-ofctl -O OpenFlow13 add-flow "$T" \
	"priority=100,tcp,nw_dst=10.0.2.0/24,tp_dst=80,actions=output:1001" 2>&1) || fail "add-flow: $out"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 add-group "$T" \
	"group_id=7,type=select,bucket=weight:2,output:1,bucket=weight:1,output:2" 2>&1) || fail "add-group: $out"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 add-flow "$T" \
	"table=1,priority=5,cookie=0x42,udp,actions=group:7" 2>&1) || fail "add-flow group: $out"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 add-flow "$T" \
	"priority=7,ipv6,ipv6_src=2001:db8::/32,actions=push_vlan:0x8100,set_field:4101->vlan_vid,output:2" 2>&1) ||
	fail "add-flow v6: $out"

out=$(ofctl dump-flows)
expect "priority=100,tcp,nw_dst=10.0.2.0/24,tp_dst=80 actions=output:1001" "$out"
expect "cookie=0x42, .*table=1, .*priority=5,udp actions=group:7" "$out"
expect "ipv6_src=2001:db8::/32 actions=push_vlan:0x8100,set_field:4101->vlan_vid,output:2" "$out"
out=$(ofctl dump-groups)
expect "group_id=7,type=select,bucket=weight:2,actions=output:1,bucket=actions=output:2" "$out"
out=$(ofctl dump-group-stats)
expect "group_id=7,.*ref_count=1" "$out"
out=$(ofctl dump-aggregate)
expect "flow_count=3" "$out"
out=$(ofctl dump-ports-desc)
expect "1001(firewall)" "$out"
out=$(ofctl dump-tables)
expect "table 0" "$out"
out=$(ofctl dump-desc)
expect "Manufacturer: onvm" "$out"
out=$(ofctl dump-table-features)
expect "max_entries=10000" "$out"

# Errors come back with the spec's code and the connection survives.
out=$(timeout 10 ovs-ofctl -O OpenFlow13 add-flow "$T" "priority=1,actions=output:99" 2>&1) &&
	fail "output to a missing port accepted"
expect "OFPBAC_BAD_OUT_PORT" "$out"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 add-flow "$T" "priority=1,actions=group:9" 2>&1) &&
	fail "missing group accepted"
expect "OFPBAC_BAD_OUT_GROUP" "$out"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 add-flow "$T" "table=9,priority=1,actions=drop" 2>&1) &&
	fail "table 9 accepted"
expect "OFPFMFC_BAD_TABLE_ID" "$out"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 add-group "$T" "group_id=7,type=all,bucket=output:1" 2>&1) &&
	fail "duplicate group accepted"
expect "OFPGMFC_GROUP_EXISTS" "$out"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 add-flow "$T" "priority=1,tcp,actions=set_field:5->udp_dst,output:1" 2>&1) &&
	fail "inconsistent set-field accepted"
expect "OFPBAC_MATCH_INCONSISTENT" "$out"

# CHECK_OVERLAP, modify, strict delete, group delete removing its flow.
out=$(timeout 10 ovs-ofctl -O OpenFlow13 add-flow "$T" "check_overlap,priority=100,ip,actions=output:2" 2>&1) &&
	fail "overlap accepted"
expect "OFPFMFC_OVERLAP" "$out"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 mod-flows "$T" "tcp,actions=output:2" 2>&1) || fail "mod-flows: $out"
out=$(ofctl dump-flows)
expect "tp_dst=80 actions=output:2" "$out"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 --strict del-flows "$T" "priority=99,tcp,nw_dst=10.0.2.0/24,tp_dst=80" 2>&1) || fail "$out"
expect "tp_dst=80" "$(ofctl dump-flows)"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 --strict del-flows "$T" "priority=100,tcp,nw_dst=10.0.2.0/24,tp_dst=80" 2>&1) || fail "$out"
echo "$(ofctl dump-flows)" | grep -q "tp_dst=80" && fail "strict delete left the flow"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 del-groups "$T" "group_id=7" 2>&1) || fail "del-groups: $out"
echo "$(ofctl dump-flows)" | grep -q "group:7" && fail "group delete left its flow"
out=$(ofctl dump-aggregate)
expect "flow_count=1" "$out"
out=$(timeout 10 ovs-ofctl -O OpenFlow13 del-flows "$T" 2>&1) || fail "del-flows: $out"
expect "flow_count=0" "$(ofctl dump-aggregate)"
echo "ovs-ofctl interoperability: ok"
