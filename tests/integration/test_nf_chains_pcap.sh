#!/usr/bin/env bash
# The operator NFs chained on pcap ports, every output packet checked:
# firewall -> router (denied ones absent, the rest routed with MACs, TTL-1
# and valid checksums) and firewall -> load_balancer (VIP traffic rewritten
# to the backends, the rest unchanged).
source "$(dirname "$0")/lib.sh"
test_init nf_chains_pcap

gen=$ONVM_ROOT/tests/integration/nf_chain_pcaps.py
"$SYS_PYTHON" "$gen" make "$WORK"
empty_pcap "$WORK/empty.pcap"
cat >"$WORK/rules.json" <<'JSON'
{ "default": "allow", "rules": [ { "name": "no-ssh", "action": "deny", "tcp_dst": 22 } ] }
JSON
printf '10.0.2.0/24 port 1 via-mac 02:00:00:00:02:02\n' >"$WORK/routes.txt"
cat >"$WORK/lb.json" <<'JSON'
{ "services": [ { "name": "web", "vip": "10.0.9.100", "proto": "tcp", "port": 80,
                  "backends": [ { "ip": "10.0.9.11", "port": 8080 },
                                { "ip": "10.0.9.12", "port": 8080 } ] } ] }
JSON

run_chain() { # run_chain NAME SECOND_NF ARGS...
	local name=$1 nf=$2
	shift 2
	printf '{ "chains": [ { "name": "%s", "match": {}, "hops": ["firewall", "%s"], "out_port": 1 } ] }\n' \
		"$name" "$nf" >"$WORK/chains_$name.json"
	PREFIX=${base}_$name
	export ONVM_FILE_PREFIX=$PREFIX
	MGR_LOG=$WORK/mgr_$name.log
	start_mgr 0-1 "$(pcap_vdev 0 "$WORK/in.pcap" "$WORK/out0_$name.pcap")" \
		"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1_$name.pcap")" \
		-- -p 0x3 -c -w 2 -s none -C "$WORK/chains_$name.json"
	start_nf firewall -- -f "$WORK/rules.json"
	start_nf "$nf" "$@"
	wait_for 20 test "$(port_field 1 tx)" -ge 30
	sleep 0.5
	check "[$name] mempool back to baseline" test "$(mempool_in_use)" -eq 0
	check "[$name] manager exits 0" stop_mgr
}

base=$PREFIX
run_chain router router -- -f "$WORK/routes.txt"
port1_mac=$(sed -n 's/^router: port 1 mac \([0-9a-f:]\{17\}\).*/\1/p' "$WORK"/router.*.log | head -1)
check "firewall -> router: every output packet correct" \
	"$SYS_PYTHON" "$gen" check-router "$WORK" "$WORK/out1_router.pcap" "${port1_mac:-unknown}"

run_chain lb load_balancer -- -f "$WORK/lb.json"
check "firewall -> load_balancer: every output packet correct" \
	"$SYS_PYTHON" "$gen" check-lb "$WORK" "$WORK/out1_lb.pcap"
finish
