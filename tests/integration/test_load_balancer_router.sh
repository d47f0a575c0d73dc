#!/usr/bin/env bash
# The chain load_balancer -> router: inbound flows to the VIP are balanced and
# then routed towards their backend; the chosen backends' replies leave as the
# VIP, routed back towards the client; everything else is only routed. Every
# frame is checked: port, MACs, TTL, rewritten fields, checksums. ARP takes
# the catch-all chain: the router hands it on, the chain's out_port sends it.
source "$(dirname "$0")/lib.sh"
test_init load_balancer_router

frames="$ONVM_ROOT/tests/integration/test_load_balancer_frames.py"
cat >"$WORK/lb.json" <<'JSON'
{ "services": [
    { "name": "web", "vip": "10.0.0.100", "proto": "tcp", "port": 80,
      "backends": [ { "ip": "10.0.1.1", "port": 8080 }, { "ip": "10.0.1.2", "port": 8080 },
                    { "ip": "10.0.1.3", "port": 8080 }, { "ip": "10.0.1.4", "port": 8080 } ] },
    { "name": "dns", "vip": "10.0.0.100", "proto": "udp", "port": 53,
      "backends": [ { "ip": "10.0.2.1", "port": 53 }, { "ip": "10.0.2.2", "port": 5353 } ] } ] }
JSON
cat >"$WORK/routes.txt" <<'ROUTES'
10.0.1.0/24    port 1 via-mac 02:00:00:00:01:01
10.0.2.0/24    port 1 via-mac 02:00:00:00:01:02
10.0.0.0/24    port 1 via-mac 02:00:00:00:01:00
192.168.1.0/24 port 0 via-mac 02:00:00:00:00:aa
ROUTES
cat >"$WORK/chains.json" <<'JSON'
{ "chains": [
    { "name": "web-vip", "priority": 100,
      "match": { "ip_proto": "tcp", "ipv4_dst": "10.0.0.100", "tcp_dst": 80 },
      "hops": ["load_balancer", "router"] },
    { "name": "dns-vip", "priority": 100,
      "match": { "ip_proto": "udp", "ipv4_dst": "10.0.0.100", "udp_dst": 53 },
      "hops": ["load_balancer", "router"] },
    { "name": "web-replies", "priority": 90,
      "match": { "ip_proto": "tcp", "ipv4_src": "10.0.1.0/24", "tcp_src": 8080 },
      "hops": ["load_balancer", "router"] },
    { "name": "dns-replies", "priority": 90,
      "match": { "ip_proto": "udp", "ipv4_src": "10.0.2.0/24" },
      "hops": ["load_balancer", "router"] },
    { "name": "rest", "match": {}, "hops": ["router"], "out_port": 1 } ] }
JSON
"$SYS_PYTHON" "$frames" gen "$WORK/in.pcap" --chain
empty_pcap "$WORK/empty.pcap"
total=$(pcap_count "$WORK/in.pcap")

start_mgr 0-1 "$(pcap_vdev 0 "$WORK/in.pcap" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -w 2 -s none -c \
	-C "$WORK/chains.json"
start_nf load_balancer -- -f "$WORK/lb.json"
lb=$(nf_id_of "$NF_PID")
start_nf router -- -f "$WORK/routes.txt"
rt=$(nf_id_of "$NF_PID")
router_log=$NF_LOG
wait_for 30 test "$(nf_field "$rt" tx)" -ge "$total"
wait_for 10 test $(($(port_field 0 tx) + $(port_field 1 tx))) -ge "$total"

if [ "$(nf_field "$rt" rx)" = 0 ]; then
	log "the router received nothing: the manager did not apply the -C chains"
fi
check "balancer saw the 135 frames of its chains" test "$(nf_field "$lb" rx)" = 135
check "25 connections"             test "$(nf_field "$lb" new_conns)" = 25
check "25 replies back as the VIP" test "$(nf_field "$lb" to_client)" = 25
check "router routed all but ARP"  test "$(nf_field "$rt" routed)" = $((total - 1))
check "mempool back to baseline"   test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT"  stop_mgr

mac0=$(sed -n 's/^router: port 0 mac //p' "$router_log")
mac1=$(sed -n 's/^router: port 1 mac //p' "$router_log")
check "every frame balanced and routed, checksums valid" \
	"$SYS_PYTHON" "$frames" check-chain "$WORK/in.pcap" "$WORK/out0.pcap" "$WORK/out1.pcap" "$mac0" "$mac1"
finish
