#!/usr/bin/env bash
# arp_responder answers ARP requests for its addresses out of the port they
# came in on (opcode 2, addresses swapped, the port's MAC), per port, VLAN
# tags kept; every other packet passes on unchanged (here: out of the
# paired port).
source "$(dirname "$0")/lib.sh"
test_init arp_responder

cat >"$WORK/arp.py" <<'PY'
import struct, sys

def pcap_write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i, 0, len(fr), len(fr)) + fr)

def pcap_read(path):
    d = open(path, "rb").read()
    out, off = [], 24
    while off + 16 <= len(d):
        n = struct.unpack("<I", d[off + 8:off + 12])[0]
        out.append(d[off + 16:off + 16 + n])
        off += 16 + n
    return out

def mac(s): return bytes.fromhex(s.replace(":", ""))
def ip(s): return bytes(int(x) for x in s.split("."))

def arp(op, sha, spa, tha, tpa, vlan=None, eth_dst="ff:ff:ff:ff:ff:ff"):
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, mac(sha), ip(spa), mac(tha), ip(tpa))
    fr = mac(eth_dst) + mac(sha) + tag + struct.pack("!H", 0x0806) + body
    return fr + b"\0" * (60 - len(fr))  # padded to the Ethernet minimum

UDP = bytes.fromhex("020000000b01020000000a010800" "4500001c0001000040110000c0a80001c0a80002"
                    "13881770000800000000000000000000000000000000")
ASKER = "02:aa:00:00:00:01"
# (frame, expected to be answered as IP) on port 0, then on port 1
PORT0 = [
    (arp(1, ASKER, "10.0.0.99", "00:00:00:00:00:00", "10.0.0.1"), "10.0.0.1"),
    (arp(1, ASKER, "10.0.0.99", "00:00:00:00:00:00", "10.0.0.2"), None),  # port 1's address
    (UDP, None),
    (arp(1, ASKER, "10.0.0.98", "00:00:00:00:00:00", "10.0.0.1", vlan=7), "10.0.0.1"),
    (arp(2, ASKER, "10.0.0.97", "02:00:00:00:00:09", "10.0.0.1"), None),  # a reply: not ours to answer
    (arp(1, ASKER, "10.0.0.96", "00:00:00:00:00:00", "10.0.0.3"), "10.0.0.3"),  # from -a
    (arp(1, ASKER, "10.0.0.95", "00:00:00:00:00:00", "10.0.0.77"), None),
]
PORT1 = [
    (arp(1, "02:bb:00:00:00:02", "10.0.1.50", "00:00:00:00:00:00", "10.0.0.2"), "10.0.0.2"),
    (arp(1, "02:bb:00:00:00:02", "10.0.1.50", "00:00:00:00:00:00", "10.0.0.1"), None),  # port 0's
]

def reply_ok(req, rep, answer_ip, port_mac):
    """The reply, checked field by field against the request."""
    off = 18 if req[12:14] == b"\x81\x00" else 14
    if len(rep) != len(req) or rep[:off - 2][12:] != req[:off - 2][12:]:
        return "length or VLAN tag changed"
    a, b = req[off:off + 28], rep[off:off + 28]
    checks = [
        (rep[0:6] == req[6:12], "eth dst is not the asker"),
        (rep[6:12] == port_mac, "eth src is not the port MAC"),
        (b[0:6] == a[0:6], "hardware/protocol fields changed"),
        (b[6:8] == b"\x00\x02", "opcode is not 2"),
        (b[8:14] == port_mac, "sender MAC is not the port MAC"),
        (b[14:18] == ip(answer_ip), "sender IP is not the asked address"),
        (b[18:24] == a[8:14], "target MAC is not the asker's"),
        (b[24:28] == a[14:18], "target IP is not the asker's"),
        (rep[off + 28:] == req[off + 28:], "padding changed"),
    ]
    for ok, why in checks:
        if not ok:
            return why
    return None

def check(work, mac0, mac1):
    out = {0: pcap_read(f"{work}/out0.pcap"), 1: pcap_read(f"{work}/out1.pcap")}
    macs = {0: mac(mac0), 1: mac(mac1)}
    errors = []
    passed_all = [f for f, a in PORT0 + PORT1 if not a]
    for in_port, frames in ((0, PORT0), (1, PORT1)):
        replies = [f for f, a in frames if a]
        passed = [f for f, a in frames if not a]
        got_replies = [p for p in out[in_port] if p not in passed_all]
        other = 1 - in_port
        # passed-on packets leave by the other port, unchanged and in order
        got_passed = [p for p in out[other] if p in passed]
        if got_passed != passed:
            errors.append(f"port {in_port}: {len(got_passed)} of {len(passed)} other packets passed on unchanged")
        want = [(f, a) for f, a in frames if a]
        if len(got_replies) != len(want):
            errors.append(f"port {in_port}: {len(got_replies)} replies, expected {len(want)}")
            continue
        for (req, a), rep in zip(want, got_replies):
            why = reply_ok(req, rep, a, macs[in_port])
            if why:
                errors.append(f"port {in_port}: reply for {a}: {why}")
    total = len(out[0]) + len(out[1])
    if total != len(PORT0) + len(PORT1):
        errors.append(f"{total} packets out, expected {len(PORT0) + len(PORT1)}")
    for e in errors:
        print(e)
    if not errors:
        print(f"{sum(1 for _, a in PORT0 + PORT1 if a)} replies correct, "
              f"{sum(1 for _, a in PORT0 + PORT1 if not a)} packets passed on unchanged")
    return 1 if errors else 0

if sys.argv[1] == "make":
    pcap_write(sys.argv[2], [f for f, _ in PORT0])
    pcap_write(sys.argv[3], [f for f, _ in PORT1])
else:
    sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
PY

"$SYS_PYTHON" "$WORK/arp.py" make "$WORK/in0.pcap" "$WORK/in1.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$WORK/in0.pcap" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/in1.pcap" "$WORK/out1.pcap")" -- -p 0x3 -c -w 1 -s none || finish
start_nf arp_responder -- -s 10.0.0.1,10.0.0.2 -a 10.0.0.3@0
arp_id=$(nf_id_of "$NF_PID")
mac_of() { sed -n "s/^arp_responder: port $1 answers for $2 with \(.*\)$/\1/p" "$NF_LOG"; }
mac0=$(mac_of 0 10.0.0.1) mac1=$(mac_of 1 10.0.0.2)
check "the NF names each port's MAC" test -n "$mac0" -a -n "$mac1"
check "-a adds an address to port 0" test "$(mac_of 0 10.0.0.3)" = "$mac0"

wait_for 20 test "$(( $(port_field 0 tx) + $(port_field 1 tx) ))" -ge 9
check "4 replies counted" test "$(nf_field "$arp_id" replies)" -eq 4
check "3 requests for other addresses counted" test "$(nf_field "$arp_id" not_ours)" -eq 3
check "2 other packets passed" test "$(nf_field "$arp_id" passed)" -eq 2
wait_for 5 test "$(mempool_in_use)" -eq 0
check "mempool back to baseline" test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr
check "replies are correct and the rest passed on unchanged" \
	"$SYS_PYTHON" "$WORK/arp.py" check "$WORK" "$mac0" "$mac1"
finish
