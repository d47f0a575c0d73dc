#!/usr/bin/env bash
# The operator's NFs end to end with real Linux hosts in namespaces:
#  1. two subnets routed by the router behind arp_responder and a stateful
#     firewall: ping and TCP pass, a denied port is refused;
#  2. a TCP service behind the load balancer, reached through its VIP with
#     curl from the client subnet, answered by two backends.
source "$(dirname "$0")/lib.sh"
test_init e2e_nfs

t=$$
make_host "c$t" "pc$t" 10.0.1.2/24
make_host "s$t" "ps$t" 10.0.2.2/24
ip netns exec "s$t" ip addr add 10.0.2.3/24 dev eth0
ip -n "c$t" route add default via 10.0.1.1
ip -n "s$t" route add default via 10.0.2.1

# One chain per direction, so the firewall always sees the VIP side of a
# connection: inbound it filters before the balancer rewrites, outbound
# after the balancer has rewritten the reply back to the VIP.
cat >"$WORK/chains.json" <<'JSON'
{ "chains": [
  { "name": "from-clients", "match": { "in_port": 0 },
    "hops": ["arp_responder", "firewall", "load_balancer", "router"] },
  { "name": "from-servers", "match": { "in_port": 1 },
    "hops": ["arp_responder", "load_balancer", "firewall", "router"] } ] }
JSON
cat >"$WORK/rules.json" <<'JSON'
{ "default": "deny", "stateful": true,
  "rules": [ { "name": "ping", "action": "allow", "ip_proto": "icmp" },
             { "name": "transfer", "action": "allow", "tcp_dst": 5001 },
             { "name": "web", "action": "allow", "ipv4_dst": "10.0.2.100", "tcp_dst": 80 } ] }
JSON
cat >"$WORK/lb.json" <<'JSON'
{ "services": [ { "name": "web", "vip": "10.0.2.100", "proto": "tcp", "port": 80,
                  "backends": [ { "ip": "10.0.2.2", "port": 8080 },
                                { "ip": "10.0.2.3", "port": 8080 } ] } ] }
JSON
printf '10.0.1.0/24 port 0 via-mac %s\n10.0.2.0/24 port 1 via-mac %s\n' \
	"$(host_mac "c$t")" "$(host_mac "s$t")" >"$WORK/routes.txt"

start_mgr 0-1 "--vdev=net_af_packet0,iface=pc$t" "--vdev=net_af_packet1,iface=ps$t" \
	-- -p 0x3 -c -s none -C "$WORK/chains.json"
start_nf arp_responder -- -a 10.0.1.1@0,10.0.2.1@1
start_nf firewall -- -f "$WORK/rules.json"
fw=$(nf_id_of "$NF_PID")
start_nf load_balancer -- -f "$WORK/lb.json"
start_nf router -- -f "$WORK/routes.txt"
rt=$(nf_id_of "$NF_PID")

check "ping across the router" ip netns exec "c$t" ping -c 3 -i 0.3 -W 2 10.0.2.2
check "the router decremented the TTL (63 on arrival)" \
	bash -c "ip netns exec c$t ping -c 1 -W 2 10.0.2.2 | grep -q 'ttl=63'"

xfer=$ONVM_ROOT/tests/integration/tcp_transfer.py
head -c 3000000 /dev/urandom >"$WORK/payload"
ip netns exec "s$t" "$SYS_PYTHON" "$xfer" serve 5001 "$WORK/recv" 60 &
srv=$!
_pids+=("$srv")
check "allowed port 5001: 3 MB TCP transfer across subnets" timeout 90 \
	ip netns exec "c$t" "$SYS_PYTHON" "$xfer" send 10.0.2.2 5001 "$WORK/payload" 60
wait "$srv"
check "received intact" cmp "$WORK/payload" "$WORK/recv"

ip netns exec "s$t" "$SYS_PYTHON" "$xfer" serve 5002 "$WORK/recv2" 6 >/dev/null 2>&1 &
_pids+=($!)
check "denied port 5002: the connection never opens" bash -c \
	"! ip netns exec c$t timeout 5 $SYS_PYTHON $xfer send 10.0.2.2 5002 $WORK/payload 3 2>/dev/null"
check "the firewall counted default denies" test "$(nf_field "$fw" default_deny)" -gt 0
check "the router counted routed packets" test "$(nf_field "$rt" routed)" -gt 100

# Two backends, each saying who it is.
for b in 10.0.2.2 10.0.2.3; do
	mkdir -p "$WORK/www_$b"
	echo "backend $b" >"$WORK/www_$b/index.html"
	ip netns exec "s$t" "$SYS_PYTHON" -m http.server 8080 --bind "$b" \
		--directory "$WORK/www_$b" >/dev/null 2>&1 &
	_pids+=($!)
done
listening() { test "$(ip netns exec "s$t" ss -ltn | grep -c ':8080 ')" -ge 2; }
wait_for 20 listening
: >"$WORK/answers"
for i in $(seq 12); do
	ip netns exec "c$t" curl -s --max-time 5 --local-port $((40000 + i)) \
		http://10.0.2.100/ >>"$WORK/answers" || echo "curl $i failed" >>"$WORK/answers"
done
check "12 requests to the VIP all answered by a backend" \
	test "$(grep -c '^backend 10.0.2.[23]$' "$WORK/answers")" -eq 12
check "both backends took connections" bash -c \
	"grep -q 'backend 10.0.2.2' $WORK/answers && grep -q 'backend 10.0.2.3' $WORK/answers"
check "manager exits 0" stop_mgr
check_no_mbuf_leak
finish
