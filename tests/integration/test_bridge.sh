#!/usr/bin/env bash
# bridge: what enters port 0 leaves port 1 and what enters port 1 leaves
# port 0, byte-identical and in order, both directions at once.
source "$(dirname "$0")/lib.sh"
test_init bridge

# A second capture, different from the first, for the other direction:
# 300 UDP frames of varied sizes, each with its own payload.
"$SYS_PYTHON" - "$WORK/from1.pcap" <<'PY'
import struct, sys
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
for i in range(300):
    payload = bytes((i + k) & 0xFF for k in range(18 + (i * 7) % 200))
    udp = struct.pack("!HHHH", 5000 + i, 6000, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     bytes([192, 168, 1, 2]), bytes([192, 168, 0, 1])) + udp
    frame = bytes.fromhex("020000000a01" "020000000b01" "0800") + ip
    out.write(struct.pack("<IIII", i, 0, len(frame), len(frame)) + frame)
PY

in0=$(web_capture) || exit 1
in1=$WORK/from1.pcap
start_mgr 0-1 "$(pcap_vdev 0 "$in0" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$in1" "$WORK/out1.pcap")" -- -p 0x3 -c -w 1 -s none || finish
start_nf bridge
bridge_id=$(nf_id_of "$NF_PID")
check "bridge pairs port 0 with port 1" grep -q "port 0 <-> port 1" "$NF_LOG"

n0=$(pcap_count "$in0") n1=$(pcap_count "$in1")
wait_for 30 test "$(port_field 1 tx)" -ge "$n0" -a "$(port_field 0 tx)" -ge "$n1"
check "bridge counted every packet" test "$(nf_field "$bridge_id" bridged)" -eq $((n0 + n1))
check "no packet dropped for want of a partner" \
	test "$(nf_field "$bridge_id" drop_no_partner)" -eq 0
wait_for 5 test "$(mempool_in_use)" -eq 0
check "mempool back to baseline" test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr
check "port 0's packets leave by port 1, identical and in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$in0" "$WORK/out1.pcap"
check "port 1's packets leave by port 0, identical and in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$in1" "$WORK/out0.pcap"
finish
