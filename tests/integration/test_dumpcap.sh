#!/usr/bin/env bash
# Debian's dpdk-dumpcap captures on the manager's ports while traffic flows:
# a replayed capture, taken on the port it enters (net_af_packet) and on the
# port it leaves by after an NF (net_null), holds exactly the replayed
# packets, byte for byte and in order.
source "$(dirname "$0")/lib.sh"
test_init dumpcap

# Not there, or not able to serve this build: skipped (77), never passed.
command -v dpdk-dumpcap >/dev/null || skip "dpdk-dumpcap not installed (Debian: dpdk)"
link=$("$SYS_PYTHON" -c 'import json, sys
print(next((o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "dpdk_link"), ""))' \
	"$BUILD/meson-info/intro-buildoptions.json")
if [ "$link" = static ]; then
	# Debian's dumpcap loads DPDK's drivers as plugins and numbers the
	# mempool drivers otherwise than a static manager: the manager would
	# run the wrong driver on dumpcap's pool (docs/operations.md, "Capture").
	skip "a -Ddpdk_link=static manager cannot serve Debian's dpdk-dumpcap"
fi

in=$(web_capture) || exit 1
expected=$(pcap_count "$in")
# The capture enters from a host in a network namespace, paced at 5,000
# packets a second (a net_pcap replay at full speed outran dumpcap's ring,
# which has no size option, and on two shared cores a faster sender
# overflowed the port's socket ring), on a net_af_packet port with a deep
# ring; it leaves by a net_null port after an NF. The host has no address
# and no IPv6, so it sends nothing of its own.
tag=$$
make_host "onvm_dc$tag" "dc$tag" 10.79.0.1/24
ip -n "onvm_dc$tag" addr flush dev eth0
ip netns exec "onvm_dc$tag" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.eth0.disable_ipv6=1
sysctl -qw "net.ipv6.conf.dc$tag.disable_ipv6=1"
start_mgr 0-1 "--vdev=net_af_packet0,iface=dc$tag,framecnt=8192" --vdev=net_null0,no-rx=1 \
	-- -p 0x3 -s none -w 1 || finish

# capture PORT_NAME FILE: dumpcap on one port, in the background.
capture() {
	stdbuf -oL dpdk-dumpcap --file-prefix="$PREFIX" -q -i "$1" -w "$2" >"$2.log" 2>&1 &
	_pids+=("$!")
	echo "$!"
}
in_cap=$(capture net_af_packet0 "$WORK/in.pcapng")
out_cap=$(capture net_null0 "$WORK/out.pcapng")
check "dumpcap attached to the entry port" wait_for 30 grep -qs "Capturing on 'net_af_packet0'" "$WORK/in.pcapng.log"
check "dumpcap attached to the exit port" wait_for 30 grep -qs "Capturing on 'net_null0'" "$WORK/out.pcapng.log"

start_nf simple_forward || finish
wait_for 10 grep -q "NF(s) ready, receiving" "$MGR_LOG"
check "the capture was sent" test "$(ip netns exec "onvm_dc$tag" "$SYS_PYTHON" \
	"$ONVM_ROOT/tests/integration/send_pcap.py" "$in" eth0 5000)" = "$expected"
check "it crossed the chain ($expected packets)" \
	wait_for 30 test "$(port_field 1 tx)" = "$expected"
sleep 0.5
kill -INT "$in_cap" "$out_cap"
wait "$in_cap" "$out_cap" 2>/dev/null
for f in in out; do
	tshark -r "$WORK/$f.pcapng" -F pcap -w "$WORK/$f.pcap" 2>"$WORK/$f.tshark.log"
done
check "capture on the entry port: the replayed packets exactly" "$SYS_PYTHON" \
	"$ONVM_ROOT/tests/integration/pcap_compare.py" "$in" "$WORK/in.pcap" --expect-count "$expected"
check "capture on the exit port: the same packets after the NF" "$SYS_PYTHON" \
	"$ONVM_ROOT/tests/integration/pcap_compare.py" "$in" "$WORK/out.pcap" --expect-count "$expected"
check "manager exits 0" stop_mgr
check "no mbuf leaked" grep -q "stopped; 0 mbufs still in use" "$MGR_LOG"
finish
