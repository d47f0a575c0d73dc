#!/usr/bin/env bash
# The load balancer between two pcap ports: inbound TCP and UDP flows to the
# VIP go to one backend each with destination and checksums rewritten, the
# chosen backend's replies leave as the VIP, everything else passes
# unchanged, fragments and truncated segments to the VIP are dropped and
# counted. Then SIGHUP: a broken file is refused, a good one is taken.
source "$(dirname "$0")/lib.sh"
test_init load_balancer

frames="$ONVM_ROOT/tests/integration/test_load_balancer_frames.py"
write_services() { # write_services FILE BACKENDS_OF_WEB
	cat >"$1" <<JSON
{ "services": [
    { "name": "web", "vip": "10.0.0.100", "proto": "tcp", "port": 80,
      "backends": [ $2 ] },
    { "name": "dns", "vip": "10.0.0.100", "proto": "udp", "port": 53,
      "backends": [ { "ip": "10.0.2.1", "port": 53 }, { "ip": "10.0.2.2", "port": 5353 } ] } ] }
JSON
}
web4='{ "ip": "10.0.1.1", "port": 8080 }, { "ip": "10.0.1.2", "port": 8080 },
      { "ip": "10.0.1.3", "port": 8080 }, { "ip": "10.0.1.4", "port": 8080 }'
write_services "$WORK/lb.json" "$web4"
"$SYS_PYTHON" "$frames" gen "$WORK/in.pcap"
empty_pcap "$WORK/empty.pcap"
total=$(pcap_count "$WORK/in.pcap")

start_mgr 0-1 "$(pcap_vdev 0 "$WORK/in.pcap" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -w 1 -s none
start_nf load_balancer -- -f "$WORK/lb.json"
nf=$(nf_id_of "$NF_PID")
wait_for 30 test "$(nf_field "$nf" tx)" -ge "$total"
wait_for 10 test "$(port_field 1 tx)" -ge $((total - 2))

check "45 inbound frames to backends" test "$(nf_field "$nf" to_backend)" = 45
check "25 replies back as the VIP"    test "$(nf_field "$nf" to_client)" = 25
check "25 connections"                test "$(nf_field "$nf" new_conns)" = 25
check "69 frames passed untouched"    test "$(nf_field "$nf" pass)" = 69
check "fragment to the VIP dropped"   test "$(nf_field "$nf" drop_fragment_to_vip)" = 1
check "truncated TCP to the VIP dropped" test "$(nf_field "$nf" drop_malformed_to_vip)" = 1

# reload: a broken file is refused and the old services stay ...
echo '{ "services": [ { "name": "web" } ] }' >"$WORK/lb.json"
kill -HUP "$NF_PID"
check "broken reload refused with file:line: reason" \
	wait_for 5 grep -q "reload refused, keeping the old services: $WORK/lb.json:1: vip: missing" "$NF_LOG"
check "reloads_failed counted" wait_for 5 test "$(nf_field "$nf" reloads_failed)" = 1
# ... a good one (one backend fewer) is taken, connections kept
write_services "$WORK/lb.json" '{ "ip": "10.0.1.2", "port": 8080 }, { "ip": "10.0.1.3", "port": 8080 }'
kill -HUP "$NF_PID"
check "good reload taken, connections kept" \
	wait_for 5 grep -q "reloaded 2 services from $WORK/lb.json (25 connections kept)" "$NF_LOG"
check "reloads counted" wait_for 5 test "$(nf_field "$nf" reloads)" = 1

check "mempool back to baseline" test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr
check "nothing leaves port 0" test "$(pcap_count "$WORK/out0.pcap")" -eq 0
check "every frame rewritten (or not) as it should, checksums valid" \
	"$SYS_PYTHON" "$frames" check "$WORK/in.pcap" "$WORK/out1.pcap"
finish
