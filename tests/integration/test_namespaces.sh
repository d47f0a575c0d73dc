#!/usr/bin/env bash
# End to end with real Linux hosts: two network namespaces joined only
# through the manager (net_af_packet on veth pairs) and an NF; ping and a
# TCP transfer between them, checked byte for byte.
source "$(dirname "$0")/lib.sh"
test_init namespaces

tag=$$
make_host "onvm_a$tag" "oa$tag" 10.77.0.1/24
make_host "onvm_b$tag" "ob$tag" 10.77.0.2/24
start_mgr 0-1 "--vdev=net_af_packet0,iface=oa$tag" "--vdev=net_af_packet1,iface=ob$tag" \
	-- -p 0x3 -s none
start_nf simple_forward

check "ping a -> b through the platform" \
	ip netns exec "onvm_a$tag" ping -c 5 -i 0.2 -W 2 10.77.0.2
check "ping b -> a through the platform" \
	ip netns exec "onvm_b$tag" ping -c 3 -i 0.2 -W 2 10.77.0.1

head -c 4000000 /dev/urandom >"$WORK/payload"
xfer=$ONVM_ROOT/tests/integration/tcp_transfer.py
ip netns exec "onvm_b$tag" "$SYS_PYTHON" "$xfer" serve 5001 "$WORK/received" 60 &
server=$!
_pids+=("$server")
check "4 MB TCP transfer a -> b completes" timeout 90 \
	ip netns exec "onvm_a$tag" "$SYS_PYTHON" "$xfer" send 10.77.0.2 5001 "$WORK/payload" 60
wait "$server"
check "received bytes identical" cmp "$WORK/payload" "$WORK/received"
check "the platform counted the packets" test "$(port_field 0 rx)" -gt 1000
check "manager exits 0" stop_mgr
finish
