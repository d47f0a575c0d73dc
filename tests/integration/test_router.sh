#!/usr/bin/env bash
# The router between two pcap ports: every routed frame leaves by its longest
# prefix's port with the next hop's MAC, the port's own MAC, TTL one less and
# valid checksums; TTL expiry, no route, bad checksum and truncation are
# dropped under their counters; ARP passes unchanged.
source "$(dirname "$0")/lib.sh"
test_init router

frames="$ONVM_ROOT/tests/integration/test_router_frames.py"
cat >"$WORK/routes.txt" <<'ROUTES'
# longest prefix wins
10.1.0.0/16    port 1 via-mac 02:00:00:00:01:01
10.1.2.0/24    port 0 via-mac 02:00:00:00:00:02
10.1.2.128/25  port 1 via-mac 02:00:00:00:01:03
10.1.2.201/32  port 0 via-mac 02:00:00:00:00:04
ROUTES
"$SYS_PYTHON" "$frames" gen "$WORK/in.pcap"
empty_pcap "$WORK/empty.pcap"

start_mgr 0-1 "$(pcap_vdev 0 "$WORK/in.pcap" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -w 1 -s none
start_nf router -- -f "$WORK/routes.txt"
nf=$(nf_id_of "$NF_PID")
wait_for 30 test "$(nf_field "$nf" tx)" -ge "$(pcap_count "$WORK/in.pcap")"
wait_for 10 test $(($(port_field 0 tx) + $(port_field 1 tx))) -ge 6

check "routed 5"               test "$(nf_field "$nf" routed)" = 5
check "TTL expiry dropped 2"   test "$(nf_field "$nf" drop_ttl_expired)" = 2
check "no route dropped 1"     test "$(nf_field "$nf" drop_no_route)" = 1
check "bad checksum dropped 1" test "$(nf_field "$nf" drop_bad_ip_checksum)" = 1
check "truncated dropped 1"    test "$(nf_field "$nf" drop_malformed)" = 1
check "ARP passed 1"           test "$(nf_field "$nf" pass_non_ip)" = 1
check "mempool back to baseline" test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr

mac0=$(sed -n 's/^router: port 0 mac //p' "$NF_LOG")
mac1=$(sed -n 's/^router: port 1 mac //p' "$NF_LOG")
check "router learned both port MACs" test -n "$mac0" -a -n "$mac1"
check "every frame on its port with its MACs, TTL and checksums" \
	"$SYS_PYTHON" "$frames" check "$WORK/out0.pcap" "$WORK/out1.pcap" "$mac0" "$mac1"
finish
