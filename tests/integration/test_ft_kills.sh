#!/usr/bin/env bash
# A fault-tolerant firewall under steady load (a capture of 2,000 TCP
# connections replayed without end) survives ten kill -9s of its active
# instance in a row: each time the standby takes over and a new standby is
# started. Then both instances are killed at once: the manager keeps
# running, counts what it drops for want of an instance, and the traffic
# resumes when an instance starts again (go.sh firewall --ft). In the end
# the packet pool is back to its baseline: no failover leaked a packet.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ft_lib.sh"
test_init ft_kills

KILLS=${FT_KILLS:-10}
TRAFFIC=$ONVM_ROOT/tests/integration/move_traffic.py
mkdir -p "$WORK/mgr"
"$SYS_PYTHON" "$TRAFFIC" make "$WORK/mgr/in.pcap" --flows 2000 --rounds 5 >/dev/null || exit 1
cat >"$WORK/fw.json" <<'EOT'
{ "default": "deny", "stateful": true, "non_ip": "deny", "max_conns": 65536,
  "rules": [ { "name": "clients-to-web", "action": "allow",
               "ipv4_src": "10.1.0.0/16", "tcp_dst": "80" } ] }
EOT

ft_start_mgr ",infinite_rx=1" || exit 1
start_nf firewall -r 1 --ft -- -f "$WORK/fw.json" || exit 1
check "the manager started a standby, and it took a checkpoint" wait_for 60 ft_protected firewall

tx_grows() {
	local a
	a=$(port_field 1 tx)
	sleep 0.3
	[ "$(port_field 1 tx)" -gt "$a" ]
}
check "traffic flows" wait_for 30 tx_grows

killed=0
for i in $(seq "$KILLS"); do
	wait_for 60 ft_protected firewall || break
	active=$(ft_field firewall active_pid)
	standby=$(ft_field firewall standby_pid)
	kill -9 "$active"
	if ! wait_for 30 ft_new_standby firewall "$standby" "$active"; then
		log "kill $i: no new standby: $(ft firewall | tr -d ' \n')"
		break
	fi
	[ "$(ft_field firewall active_pid)" = "$standby" ] || break
	killed=$i
done
after=$(ft firewall)
log "after $killed kills: $(tr -d ' \n' <<<"$after")"
check "$KILLS kills of the active in a row, each followed by a failover and a new standby" \
	test "$killed:$(json_get "$after" failovers)" = "$KILLS:$KILLS"
check "traffic flows after the kills" wait_for 30 tx_grows

# Both at once: the service has no instance.
active=$(ft_field firewall active_pid)
standby=$(ft_field firewall standby_pid)
no_inst_before=$(json_get "$(telemetry /onvm/drops)" "/onvm/drops.no_instance")
kill -9 "$active" "$standby"
no_active() { [ "$(ft_field firewall active_pid)" = 0 ]; }
check "both killed: the service has no active instance" wait_for 30 no_active
no_inst_grows() {
	[ "$(json_get "$(telemetry /onvm/drops)" "/onvm/drops.no_instance")" -gt "$no_inst_before" ]
}
check "both killed: the manager runs on and counts the drops" wait_for 10 no_inst_grows
check "both killed: the manager is alive" kill -0 "$MGR_PID"
pool_at_baseline() {
	local i v min=1000000
	for i in $(seq 10); do
		v=$(mempool_in_use)
		[ "$v" -lt "$min" ] && min=$v
	done
	log "mbufs in use above the baseline: $min (least of 10 samples)"
	# The port still receives (and the manager drops, counted): a burst
	# may be in flight at any sample.
	[ "$min" -le 128 ]
}
check "the packet pool is back to its baseline (within the burst in flight)" \
	wait_for 20 pool_at_baseline

start_nf firewall -r 1 --ft -- -f "$WORK/fw.json" || exit 1
check "a new instance is active and protected again" wait_for 60 ft_protected firewall
check "traffic resumes" wait_for 30 tx_grows

check "manager exits 0" stop_mgr
check_no_mbuf_leak --under-load
finish
