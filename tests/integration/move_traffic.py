#!/usr/bin/env python3
"""Traffic for moving flows between NF instances, and its check.

  move_traffic.py make OUT.pcap --flows N --rounds R
  move_traffic.py check IN.pcap OUT.pcap [--reorder-ok]

make: N TCP connections between clients 10.1.x.y and servers 10.2.x.y port
80, all in one capture (both directions come in on one port, so the
capture's order is the order the platform sees): every connection's
handshake (SYN, SYN-ACK, ACK), then R rounds in which each connection sends
one data segment from the client and one from the server. Each frame's
payload carries its index in the capture, so the check can find it
whatever the NFs did to its headers.

check: every frame of IN is in OUT exactly once (none lost, none
duplicated, none made up), and each connection's frames come out in the
order they went in. Prints a JSON summary; exit status 1 when either fails.

Written with struct, not scapy: a million frames in a few seconds.
"""
import json
import struct
import sys

PCAP_HDR = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
CLIENT_MAC = bytes.fromhex("020000000a01")
SERVER_MAC = bytes.fromhex("020000000a02")
MAGIC = b"MOVE"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(index, conn, from_client, flags, seq, ack):
    cip = bytes([10, 1, (conn >> 8) & 0xFF, conn & 0xFF])
    sip = bytes([10, 2, (conn >> 16) & 0xFF, (conn >> 8) & 0xFF])
    cport = 1024 + (conn % 60000)
    src, dst = (cip, sip) if from_client else (sip, cip)
    sport, dport = (cport, 80) if from_client else (80, cport)
    payload = MAGIC + struct.pack("!II", index, conn)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    c = csum(pseudo + tcp + payload)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), index & 0xFFFF,
                     0, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    smac, dmac = (CLIENT_MAC, SERVER_MAC) if from_client else (SERVER_MAC, CLIENT_MAC)
    return dmac + smac + b"\x08\x00" + ip + tcp + payload


def make(path, flows, rounds):
    SYN, ACK, PSH = 0x02, 0x10, 0x08
    out = [PCAP_HDR]
    index = 0

    def add(conn, from_client, flags, seq, ack):
        nonlocal index
        f = frame(index, conn, from_client, flags, seq, ack)
        out.append(struct.pack("<IIII", index // 1000000, index % 1000000, len(f), len(f)))
        out.append(f)
        index += 1

    for c in range(flows):
        add(c, True, SYN, 1000, 0)
    for c in range(flows):
        add(c, False, SYN | ACK, 5000, 1001)
    for c in range(flows):
        add(c, True, ACK, 1001, 5001)
    for r in range(rounds):
        for c in range(flows):
            add(c, True, PSH | ACK, 1001 + 12 * r, 5001 + 12 * r)
            add(c, False, PSH | ACK, 5001 + 12 * r, 1013 + 12 * r)
    with open(path, "wb") as f:
        f.write(b"".join(out))
    print(json.dumps({"frames": index, "flows": flows, "rounds": rounds}))


def frames(path):
    """(index, conn) of every frame of ours in a pcap, in order."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit(f"{path}: not a pcap file ({len(data)} bytes)")
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise SystemExit(f"{path}: not a little-endian pcap file")
    out, at, other = [], 24, 0
    while at + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, at + 8)[0]
        f = data[at + 16:at + 16 + caplen]
        at += 16 + caplen
        k = f.find(MAGIC, 14 + 20 + 20)
        if k < 0 or k + 12 > len(f):
            other += 1
            continue
        out.append(struct.unpack_from("!II", f, k + 4))
    return out, other


def check(inp, outp, reorder_ok):
    sent, _ = frames(inp)
    got, other = frames(outp)
    want = {i: c for i, c in sent}
    seen, dup, unknown = set(), 0, 0
    last = {}
    reordered = 0
    for i, c in got:
        if i not in want or want[i] != c:
            unknown += 1
            continue
        if i in seen:
            dup += 1
            continue
        seen.add(i)
        if i < last.get(c, -1):
            reordered += 1
        last[c] = max(last.get(c, -1), i)
    lost = len(want) - len(seen)
    res = {"sent": len(want), "received": len(got), "lost": lost, "duplicated": dup,
           "unknown": unknown + other, "reordered": reordered}
    print(json.dumps(res))
    ok = lost == 0 and dup == 0 and unknown + other == 0 and (reorder_ok or reordered == 0)
    return 0 if ok else 1


def main(argv):
    if len(argv) >= 3 and argv[1] == "make":
        flows = int(argv[argv.index("--flows") + 1])
        rounds = int(argv[argv.index("--rounds") + 1])
        make(argv[2], flows, rounds)
        return 0
    if len(argv) >= 4 and argv[1] == "check":
        return check(argv[2], argv[3], "--reorder-ok" in argv)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
