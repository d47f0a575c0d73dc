#!/usr/bin/env python3
"""Captures for the firewall integration tests, each packet labelled with
the verdict the test's rule file must give it (worked out by hand from the
rules below, not by re-implementing the firewall).

usage: test_firewall_pcap.py stateless|stateful IN.pcap EXPECTED.pcap COUNTS.json

IN.pcap is replayed into port 0; EXPECTED.pcap is what must leave port 1:
the allowed packets, in order, byte for byte. COUNTS.json holds the
counters the NF must report (verdict -> packets).
"""
import json
import random
import struct
import sys

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")


def ip(s):
    return bytes(int(x) for x in s.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(payload, ethertype=0x0800, vlan=None):
    hdr = MAC_B + MAC_A
    if vlan is not None:
        hdr += struct.pack("!HH", 0x8100, vlan)
    frame = hdr + struct.pack("!H", ethertype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def ipv4(src, dst, proto, l4, ihl=5, frag=0):
    total = 20 + len(l4)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, frag, 64, proto, 0,
                      ip(src), ip(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + l4


TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp(sport, dport, flags=TCP_SYN, data=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, flags, 8192, 0, 0) + data


def udp(sport, dport, data=b"hello"):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def icmp_echo():
    return struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"ping"


def rand_in(rng, prefix):
    """A random address inside a.b.c.d/len."""
    net, length = prefix.split("/")
    base = struct.unpack("!I", ip(net))[0]
    host = rng.getrandbits(32) & ((1 << (32 - int(length))) - 1)
    return ".".join(str(b) for b in struct.pack("!I", base | host))


# --- stateless: nfs/firewall/examples/stateless_test.json in the test ---
#   0 no-ssh  deny  tcp_dst 22
#   1 web     allow tcp 10.0.0.0/8 -> 192.168.1.0/24 tcp_dst 80-443
#   2 dns     allow udp_dst 53
#   3 ping    allow icmp
#   default deny, non_ip allow
def stateless(rng):
    out = []
    for _ in range(40):
        c = rand_in(rng, "10.0.0.0/8")
        s = rand_in(rng, "192.168.1.0/24")
        sp = rng.randint(1024, 65535)
        out += [
            (eth(ipv4(c, s, 6, tcp(sp, rng.choice([80, 443, rng.randint(80, 443)])))),
             "allow_rule"),
            (eth(ipv4(c, s, 6, tcp(sp, 22))), "deny_rule"),
            (eth(ipv4(c, s, 6, tcp(sp, rng.choice([79, 444, 8080])))), "default_deny"),
            (eth(ipv4(rand_in(rng, "11.0.0.0/8"), s, 6, tcp(sp, 80))), "default_deny"),
            (eth(ipv4(c, rand_in(rng, "192.168.2.0/24"), 6, tcp(sp, 80))), "default_deny"),
            (eth(ipv4(c, "8.8.8.8", 17, udp(sp, 53))), "allow_rule"),
            (eth(ipv4(c, "8.8.8.8", 17, udp(sp, 54))), "default_deny"),
            (eth(ipv4(s, c, 1, icmp_echo())), "allow_rule"),
            (eth(b"\x00\x01\x08\x00\x06\x04\x00\x01" + MAC_A + ip(c) + bytes(6) + ip(s),
                 ethertype=0x0806), "non_ip_allow"),
            (eth(struct.pack("!IHBB", 0x60000000, 0, 59, 64) + bytes(32), ethertype=0x86DD),
             "non_ip_allow"),
            # Broken IHL: no rule with IPv4 fields can match it.
            (eth(ipv4(c, s, 6, tcp(sp, 80), ihl=3)), "default_deny"),
            # VLAN-tagged web traffic is still web traffic.
            (eth(ipv4(c, s, 6, tcp(sp, 80)), vlan=100), "allow_rule"),
            # A non-first fragment has no ports: the web rule cannot match it.
            (eth(ipv4(c, s, 6, bytes(24), frag=0x0010)), "default_deny"),
            # Port 22 over UDP is not the TCP ssh rule.
            (eth(ipv4(c, s, 17, udp(sp, 22))), "default_deny"),
        ]
    return out


# --- stateful: default deny, stateful, one rule: allow from 10.0.0.0/8 ---
def stateful(rng):
    out = []
    for i in range(30):
        c = rand_in(rng, "10.0.0.0/8")
        s = rand_in(rng, "192.168.0.0/16")
        cp = 20000 + i
        out += [
            (eth(ipv4(s, c, 6, tcp(80, cp, TCP_SYN | TCP_ACK))), "default_deny"),
            (eth(ipv4(c, s, 6, tcp(cp, 80, TCP_SYN))), "allow_rule"),
            (eth(ipv4(s, c, 6, tcp(80, cp, TCP_SYN | TCP_ACK))), "established"),
            (eth(ipv4(c, s, 6, tcp(cp, 80, TCP_ACK))), "established"),
            (eth(ipv4(s, c, 6, tcp(80, cp, TCP_ACK | TCP_PSH, b"data" * 10))), "established"),
            (eth(ipv4(s, c, 6, tcp(80, cp + 1000, TCP_ACK))), "default_deny"),
            (eth(ipv4(s, c, 6, tcp(81, cp, TCP_ACK))), "default_deny"),
            (eth(ipv4(c, "8.8.4.4", 17, udp(cp, 53))), "allow_rule"),
            (eth(ipv4("8.8.4.4", c, 17, udp(53, cp))), "established"),
            (eth(ipv4("8.8.4.4", c, 17, udp(53, cp + 1))), "default_deny"),
            (eth(ipv4(c, s, 1, icmp_echo())), "allow_rule"),
            (eth(ipv4(s, c, 1, icmp_echo())), "established"),
        ]
    return out


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000,
                                len(fr), len(fr)))
            f.write(fr)


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("stateless", "stateful"):
        raise SystemExit(__doc__)
    rng = random.Random(0xF1EE)
    pkts = stateless(rng) if sys.argv[1] == "stateless" else stateful(rng)
    allowed = ("allow_rule", "default_allow", "established", "non_ip_allow")
    write_pcap(sys.argv[2], [p for p, _ in pkts])
    write_pcap(sys.argv[3], [p for p, v in pkts if v in allowed])
    counts = {}
    for _, v in pkts:
        counts[v] = counts.get(v, 0) + 1
    counts["total"] = len(pkts)
    counts["allowed"] = sum(1 for _, v in pkts if v in allowed)
    with open(sys.argv[4], "w") as f:
        json.dump(counts, f)


if __name__ == "__main__":
    main()
