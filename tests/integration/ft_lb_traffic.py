#!/usr/bin/env python3
"""Traffic for a fault-tolerant load balancer, and its check.

  ft_lb_traffic.py make OUT.pcap --flows N --rounds R
  ft_lb_traffic.py check IN.pcap OUT.pcap --lost-max N

make: N TCP connections from clients 10.1.x.y to the VIP 10.0.0.100:80 of
a service with three backends (10.0.1.11-13:8080, as in the test's
config), in one capture: every connection's SYN, then R rounds in which
each connection first gets a "reply" from each of the three backends (the
balancer knows which one is its backend only from its connection table)
and then sends a data segment. Each frame's payload carries its index and
connection, so the check finds it whatever the balancer rewrote.

check, frame by frame:
  - no frame duplicated or made up, at most N lost (the failover's count),
    each connection's frames in order;
  - every frame a client sent went to one backend, the same for the whole
    connection, with the destination rewritten (no connection changed
    backend, before or after a failover);
  - of the replies, the one from the connection's backend left with the VIP
    as its source (the balancer still knew the connection), the others
    unchanged.
Prints a JSON summary; exit status 1 when a check fails.

Written with struct, not scapy: hundreds of thousands of frames in seconds.
"""
import json
import socket
import struct
import sys

from move_traffic import MAGIC, PCAP_HDR, csum

VIP = (bytes([10, 0, 0, 100]), 80)
BACKENDS = [(bytes([10, 0, 1, 11 + b]), 8080) for b in range(3)]
CLIENT_MAC = bytes.fromhex("020000000b01")
SERVER_MAC = bytes.fromhex("020000000b02")


def client(conn):
    return bytes([10, 1, (conn >> 8) & 0xFF, conn & 0xFF]), 1024 + (conn % 60000)


def frame(index, conn, src, dst, flags):
    (sip, sport), (dip, dport) = src, dst
    payload = MAGIC + struct.pack("!II", index, conn)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000 + index, 0, 5 << 4, flags, 65535, 0, 0)
    pseudo = sip + dip + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    c = csum(pseudo + tcp + payload)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), index & 0xFFFF,
                     0, 64, 6, 0, sip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return SERVER_MAC + CLIENT_MAC + b"\x08\x00" + ip + tcp + payload


def make(path, flows, rounds):
    SYN, ACK, PSH = 0x02, 0x10, 0x08
    out = [PCAP_HDR]
    index = 0

    def add(conn, src, dst, flags):
        nonlocal index
        f = frame(index, conn, src, dst, flags)
        out.append(struct.pack("<IIII", index // 1000000, index % 1000000, len(f), len(f)))
        out.append(f)
        index += 1

    for c in range(flows):
        add(c, client(c), VIP, SYN)
    for r in range(rounds):
        for c in range(flows):
            for b in BACKENDS:
                add(c, b, client(c), ACK)
            add(c, client(c), VIP, PSH | ACK)
    with open(path, "wb") as f:
        f.write(b"".join(out))
    print(json.dumps({"frames": index, "flows": flows, "rounds": rounds}))


def parse(path):
    """(index, conn, src, dst) of every frame of ours in a pcap, in order."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24 or struct.unpack("<I", data[:4])[0] not in (0xA1B2C3D4, 0xA1B23C4D):
        raise SystemExit(f"{path}: not a little-endian pcap file")
    out, at, other = [], 24, 0
    while at + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, at + 8)[0]
        f = data[at + 16:at + 16 + caplen]
        at += 16 + caplen
        k = f.find(MAGIC, 14 + 20 + 20)
        if k < 0 or k + 12 > len(f) or len(f) < 14 + 20 + 4:
            other += 1
            continue
        index, conn = struct.unpack_from("!II", f, k + 4)
        src = (f[26:30], struct.unpack_from("!H", f, 34)[0])
        dst = (f[30:34], struct.unpack_from("!H", f, 36)[0])
        out.append((index, conn, src, dst))
    return out, other


def check(inp, outp, lost_max):
    sent, _ = parse(inp)
    got, other = parse(outp)
    want = {i: (c, s, d) for i, c, s, d in sent}
    seen, last = set(), {}
    dup = unknown = reordered = 0
    backend_of, changed, not_rewritten, bad_reply = {}, 0, 0, 0
    replies = []
    for i, c, s, d in got:
        if i not in want or want[i][0] != c:
            unknown += 1
            continue
        if i in seen:
            dup += 1
            continue
        seen.add(i)
        if i < last.get(c, -1):
            reordered += 1
        last[c] = max(last.get(c, -1), i)
        _, s0, d0 = want[i]
        if d0 == VIP:
            if d not in BACKENDS:
                not_rewritten += 1
            elif backend_of.setdefault(c, d) != d:
                changed += 1
        else:
            replies.append((i, c, s0, s))
    for i, c, s0, s in replies:
        chosen = backend_of.get(c)
        expect = VIP if s0 == chosen else s0
        if s != expect:
            bad_reply += 1
    lost = len(want) - len(seen)
    res = {"sent": len(want), "received": len(got), "lost": lost, "duplicated": dup,
           "unknown": unknown + other, "reordered": reordered,
           "connections": len(backend_of), "changed_backend": changed,
           "not_rewritten": not_rewritten, "bad_replies": bad_reply,
           "per_backend": {socket.inet_ntoa(b[0]): sum(1 for v in backend_of.values() if v == b)
                           for b in BACKENDS}}
    print(json.dumps(res))
    ok = (lost <= lost_max and dup == 0 and unknown + other == 0 and reordered == 0 and
          changed == 0 and not_rewritten == 0 and bad_reply == 0)
    return 0 if ok else 1


def main(argv):
    if len(argv) >= 3 and argv[1] == "make":
        make(argv[2], int(argv[argv.index("--flows") + 1]), int(argv[argv.index("--rounds") + 1]))
        return 0
    if len(argv) >= 4 and argv[1] == "check":
        lost_max = int(argv[argv.index("--lost-max") + 1]) if "--lost-max" in argv else 0
        return check(argv[2], argv[3], lost_max)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
