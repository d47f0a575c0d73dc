#!/usr/bin/env bash
# basic_monitor passes a real capture through unchanged (next hop: out of
# the paired port), prints rate lines, and counts every packet and byte.
source "$(dirname "$0")/lib.sh"
test_init basic_monitor

in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -c -w 1 -s none || finish
start_nf basic_monitor -- -p 1
mon_id=$(nf_id_of "$NF_PID") mon_log=$NF_LOG
expected=$(pcap_count "$in")
bytes=$("$SYS_PYTHON" - "$in" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
n, off = 0, 24
while off + 16 <= len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    n += incl
    off += 16 + incl
print(n)
PY
)
wait_for 30 test "$(port_field 1 tx)" -ge "$expected"
check "pkts counter: every packet" test "$(nf_field "$mon_id" pkts)" -eq "$expected"
check "bytes counter: every byte" test "$(nf_field "$mon_id" bytes)" -eq "$bytes"
wait_for 5 grep -q "total $expected pkts, $bytes bytes" "$mon_log"
check "a rate line with the totals" grep -qE "^basic_monitor: [0-9.]+ [kMGT]?pps [0-9.]+ [kMGT]?bps \(total $expected pkts, $bytes bytes\)$" "$mon_log"
check "some interval saw a non-zero rate" \
	awk '/^basic_monitor: / && $2 > 0 { found = 1 } END { exit !found }' "$mon_log"
wait_for 5 test "$(mempool_in_use)" -eq 0
check "mempool back to baseline" test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr
check "every packet leaves port 1 identical and in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$in" "$WORK/out1.pcap"
check "nothing leaves port 0" test "$(pcap_count "$WORK/out0.pcap")" -eq 0
finish
