#!/usr/bin/env python3
"""A capture of malformed and unusual frames, the same bytes on every run.

  hostile_frames.py OUT.pcap [--list]

Every NF must take all of them without crashing and account for each one
(forwarded or dropped under a named counter). The frames, grouped by what
they test (--list prints one line per frame with its group):

  valid       a few well-formed TCP/UDP/ICMP/ARP frames, so every NF also
              forwards something
  truncated   IPv4/TCP, IPv4/UDP, IPv4/ICMP, VLAN/IPv4/TCP, IPv6/TCP,
              IPv6/UDP and IPv6/ICMPv6 frames cut at every header boundary,
              one byte either side of it, and in the middle of each header
  ihl         IPv4 IHL 0-4, and IHL 15 (60 bytes) in a shorter frame
  total_len   IPv4 total length beyond the frame, below the header, zero
  ip_options  IPv4 options: NOP/EOL, record route, an option length of 0,
              of 1 and beyond the header
  fragments   first (MF), middle, last, overlapping, a 1-byte first
              fragment, DF with MF, an IPv6 fragment header
  zero_len    TCP and UDP with no payload, UDP length 0 and beyond the
              datagram
  jumbo       9,000-byte frames: IPv4/TCP, IPv4/UDP, IPv6/UDP, VLAN/IPv4
  vlan        one tag, QinQ, 5, 8 and 16 tags, tags followed by nothing, a
              tag cut in half
  mpls        one label over IPv4, a 4-label stack, a stack that never sets
              bottom-of-stack, multicast MPLS
  ipv6_ext    hop-by-hop/dest/routing/fragment chains, 20 destination
              options headers, repeated and out-of-order headers (loops in
              appearance), a header running past the frame, no-next-header,
              AH and ESP
  tcp         data offset 0-4 and 15, option lengths 0, 1 and beyond the
              header, MSS of length 3, every flag set
  arp         truncated ARP, hardware/protocol lengths of 8 and 16, opcode
              3, a request for the responder's address cut short
  non_ip      LLDP, PPPoE, PBB, ethertype 0, 0xffff and an 802.3 length
  runt        frames of 1, 6, 13, 14, 20 and 59 bytes

Addresses: clients 10.0.1.0/24 on port 0, servers 10.0.2.0/24 (10.0.2.100
is a load balancer VIP), the responder's 10.0.1.1.
"""
import random
import struct
import sys

from scapy.all import (
    ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, ICMPv6EchoRequest, IPv6,
    IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
    IPv6ExtHdrRouting, Raw, raw)

SEED = 20261207
CLIENT_MAC, GW_MAC = "02:00:00:00:01:02", "02:00:00:00:01:01"
C, S, VIP = "10.0.1.2", "10.0.2.2", "10.0.2.100"
C6, S6 = "fd00:1::2", "fd00:2::2"


def eth(t=None):
    e = Ether(src=CLIENT_MAC, dst=GW_MAC)
    if t is not None:
        e.type = t
    return e


def build(rnd):
    frames = []

    def add(group, what, frame):
        b = frame if isinstance(frame, bytes) else raw(frame)
        frames.append((group, what, b))

    payload = bytes(rnd.randrange(256) for _ in range(32))

    # ---- valid ----
    add("valid", "tcp syn to 10.0.2.2:80", eth() / IP(src=C, dst=S) / TCP(sport=40001, dport=80, flags="S"))
    add("valid", "tcp data to the VIP", eth() / IP(src=C, dst=VIP) / TCP(sport=40002, dport=80, flags="PA") / Raw(payload))
    add("valid", "udp to 10.0.2.2:53", eth() / IP(src=C, dst=S) / UDP(sport=40003, dport=53) / Raw(payload))
    add("valid", "icmp echo", eth() / IP(src=C, dst=S) / ICMP() / Raw(payload[:8]))
    add("valid", "arp who-has 10.0.1.1", Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=CLIENT_MAC, psrc=C, pdst="10.0.1.1"))
    add("valid", "ipv6 udp", eth() / IPv6(src=C6, dst=S6) / UDP(sport=1, dport=2) / Raw(payload))

    # ---- truncated at every header boundary ----
    bases = {
        "ipv4/tcp": (eth() / IP(src=C, dst=S, options=[]) / TCP(sport=40010, dport=80, options=[("MSS", 1460)]) / Raw(payload), [14, 34, 58]),
        "ipv4/udp": (eth() / IP(src=C, dst=S) / UDP(sport=40011, dport=53) / Raw(payload), [14, 34, 42]),
        "ipv4/icmp": (eth() / IP(src=C, dst=S) / ICMP() / Raw(payload), [14, 34, 42]),
        "vlan/ipv4/tcp": (eth() / Dot1Q(vlan=10) / IP(src=C, dst=S) / TCP(sport=40012, dport=80) / Raw(payload), [14, 18, 38, 58]),
        "ipv6/tcp": (eth() / IPv6(src=C6, dst=S6) / TCP(sport=40013, dport=80) / Raw(payload), [14, 54, 74]),
        "ipv6/udp": (eth() / IPv6(src=C6, dst=S6) / UDP(sport=40014, dport=53) / Raw(payload), [14, 54, 62]),
        "ipv6/icmpv6": (eth() / IPv6(src=C6, dst=S6) / ICMPv6EchoRequest() / Raw(payload), [14, 54, 62]),
    }
    for name, (pkt, bounds) in bases.items():
        b = raw(pkt)
        cuts = set()
        prev = 0
        for x in bounds:
            cuts.update({x - 1, x, x + 1, (prev + x) // 2})
            prev = x
        for cut in sorted(c for c in cuts if 0 < c < len(b)):
            add("truncated", f"{name} cut at {cut} of {len(b)}", b[:cut])

    # ---- IPv4 IHL ----
    for ihl in range(5):
        p = eth() / IP(src=C, dst=S, ihl=ihl) / TCP(sport=40020 + ihl, dport=80)
        add("ihl", f"ihl {ihl}", p)
    add("ihl", "ihl 15 in a 40-byte frame", raw(eth() / IP(src=C, dst=S, ihl=15) / TCP(dport=80))[:40])
    add("ihl", "ihl 15 with 40 bytes of options", eth() / IP(src=C, dst=S, ihl=15, options=[b"\x01" * 40]) / TCP(dport=80))

    # ---- IPv4 total length ----
    for tl, what in ((1500, "beyond the frame"), (19, "below the header"), (0, "zero"), (20, "header only, TCP follows as padding"), (41, "one byte beyond")):
        add("total_len", f"total length {tl}: {what}", eth() / IP(src=C, dst=S, len=tl) / TCP(sport=40030, dport=80))

    # ---- IPv4 options ----
    opts = {
        "nop nop eol": b"\x01\x01\x00\x00",
        "record route": b"\x07\x0b\x04" + bytes(8) + b"\x00",
        "option length 0": b"\x44\x00\x00\x00",
        "option length 1": b"\x83\x01\x00\x00",
        "option length beyond the header": b"\x07\x28\x04\x00",
    }
    for what, o in opts.items():
        add("ip_options", what, eth() / IP(src=C, dst=S, options=[Raw(o)]) / UDP(sport=40040, dport=53) / Raw(payload[:8]))

    # ---- fragments ----
    body = raw(TCP(sport=40050, dport=80, flags="PA") / Raw(payload * 4))
    add("fragments", "first (MF, offset 0)", eth() / IP(src=C, dst=S, id=7, flags="MF", frag=0, proto=6) / Raw(body[:48]))
    add("fragments", "middle (MF, offset 48)", eth() / IP(src=C, dst=S, id=7, flags="MF", frag=6, proto=6) / Raw(body[48:96]))
    add("fragments", "last (offset 96)", eth() / IP(src=C, dst=S, id=7, frag=12, proto=6) / Raw(body[96:]))
    add("fragments", "overlapping (offset 40, MF)", eth() / IP(src=C, dst=S, id=7, flags="MF", frag=5, proto=6) / Raw(bytes(64)))
    add("fragments", "1-byte first fragment", eth() / IP(src=C, dst=S, id=8, flags="MF", frag=0, proto=6) / Raw(body[:1]))
    add("fragments", "DF and MF together", eth() / IP(src=C, dst=S, id=9, flags="DF+MF", frag=0, proto=17) / Raw(body[:16]))
    add("fragments", "to the VIP, not first", eth() / IP(src=C, dst=VIP, id=10, frag=3, proto=6) / Raw(body[:24]))
    add("fragments", "ipv6 fragment header, first", eth() / IPv6(src=C6, dst=S6) / IPv6ExtHdrFragment(m=1, offset=0, id=5) / UDP(dport=53) / Raw(payload))
    add("fragments", "ipv6 fragment header, later", eth() / IPv6(src=C6, dst=S6) / IPv6ExtHdrFragment(m=0, offset=5, id=5, nh=17) / Raw(payload))

    # ---- zero-length payloads ----
    add("zero_len", "tcp, no payload", eth() / IP(src=C, dst=S) / TCP(sport=40060, dport=80, flags="A"))
    add("zero_len", "udp, length 8", eth() / IP(src=C, dst=S) / UDP(sport=40061, dport=53))
    add("zero_len", "udp, length 0", eth() / IP(src=C, dst=S) / UDP(sport=40062, dport=53, len=0) / Raw(payload[:4]))
    add("zero_len", "udp, length beyond the datagram", eth() / IP(src=C, dst=S) / UDP(sport=40063, dport=53, len=900) / Raw(payload[:4]))
    add("zero_len", "ipv6, payload length 0", eth() / IPv6(src=C6, dst=S6, plen=0, nh=59))

    # ---- 9,000-byte frames ----
    big = bytes(rnd.randrange(256) for _ in range(9000))
    for what, hdr in (("ipv4/tcp", eth() / IP(src=C, dst=S) / TCP(sport=40070, dport=80, flags="PA")),
                      ("ipv4/udp", eth() / IP(src=C, dst=S) / UDP(sport=40071, dport=53)),
                      ("ipv6/udp", eth() / IPv6(src=C6, dst=S6) / UDP(sport=40072, dport=53)),
                      ("vlan/ipv4/tcp to the VIP", eth() / Dot1Q(vlan=7) / IP(src=C, dst=VIP) / TCP(sport=40073, dport=80, flags="PA"))):
        n = 9000 - len(raw(hdr))
        add("jumbo", f"9000-byte {what}", hdr / Raw(big[:n]))

    # ---- VLAN and QinQ ----
    inner = IP(src=C, dst=S) / UDP(sport=40080, dport=53) / Raw(payload[:8])
    add("vlan", "one tag", eth() / Dot1Q(vlan=5) / inner)
    add("vlan", "qinq (802.1ad over 802.1q)", eth() / Dot1AD(vlan=100) / Dot1Q(vlan=5) / inner)
    for n in (5, 8, 16):
        p = eth()
        for i in range(n):
            p = p / Dot1Q(vlan=i + 1)
        add("vlan", f"{n} tags", p / inner)
    add("vlan", "tags followed by nothing", eth() / Dot1Q(vlan=1) / Dot1Q(vlan=2, type=0x8100))
    add("vlan", "a tag cut in half", raw(eth() / Dot1Q(vlan=3) / inner)[:16])

    # ---- MPLS ----
    def mpls(label, bos, ttl=64):
        return struct.pack("!I", label << 12 | bos << 8 | ttl)
    ip_b = raw(inner)
    add("mpls", "one label over ipv4", eth(0x8847) / Raw(mpls(100, 1) + ip_b))
    add("mpls", "four labels", eth(0x8847) / Raw(mpls(1, 0) + mpls(2, 0) + mpls(3, 0) + mpls(4, 1) + ip_b))
    add("mpls", "bottom of stack never set", eth(0x8847) / Raw(b"".join(mpls(i, 0) for i in range(12))))
    add("mpls", "multicast mpls", eth(0x8848) / Raw(mpls(5, 1) + ip_b))
    add("mpls", "label cut short", eth(0x8847) / Raw(b"\x00\x06"))

    # ---- IPv6 extension header chains ----
    u6 = UDP(sport=40090, dport=53) / Raw(payload[:8])
    add("ipv6_ext", "hop-by-hop, dest, routing, fragment, udp",
        eth() / IPv6(src=C6, dst=S6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting() / IPv6ExtHdrFragment() / u6)
    chain = IPv6ExtHdrDestOpt()
    for _ in range(19):
        chain = chain / IPv6ExtHdrDestOpt()
    add("ipv6_ext", "20 destination options headers", eth() / IPv6(src=C6, dst=S6) / chain / u6)
    add("ipv6_ext", "dest, hop-by-hop, dest, hop-by-hop (out of order, repeated)",
        eth() / IPv6(src=C6, dst=S6) / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / u6)
    add("ipv6_ext", "routing, routing, routing", eth() / IPv6(src=C6, dst=S6) / IPv6ExtHdrRouting() / IPv6ExtHdrRouting() / IPv6ExtHdrRouting() / u6)
    add("ipv6_ext", "header length beyond the frame",
        eth() / IPv6(src=C6, dst=S6, nh=60) / Raw(b"\x11\xff" + bytes(6)))
    add("ipv6_ext", "header cut after 1 byte", raw(eth() / IPv6(src=C6, dst=S6) / IPv6ExtHdrHopByHop() / u6)[:55])
    add("ipv6_ext", "no next header (59)", eth() / IPv6(src=C6, dst=S6, nh=59) / Raw(payload[:8]))
    add("ipv6_ext", "AH", eth() / IPv6(src=C6, dst=S6, nh=51) / Raw(bytes([17, 4, 0, 0]) + bytes(20) + raw(u6)))
    add("ipv6_ext", "ESP", eth() / IPv6(src=C6, dst=S6, nh=50) / Raw(payload))
    hops = b""
    for i in range(40):  # 40 8-byte hop-by-hop headers, each naming the next
        hops += bytes([0 if i < 39 else 17, 0, 1, 4, 0, 0, 0, 0])
    add("ipv6_ext", "40 chained hop-by-hop headers", eth() / IPv6(src=C6, dst=S6, nh=0) / Raw(hops + raw(u6)))

    # ---- TCP ----
    for off in (0, 1, 2, 3, 4):
        add("tcp", f"data offset {off}", eth() / IP(src=C, dst=S) / TCP(sport=40100 + off, dport=80, dataofs=off) / Raw(payload[:8]))
    add("tcp", "data offset 15 in a short segment", eth() / IP(src=C, dst=S) / TCP(sport=40106, dport=80, dataofs=15))
    for what, o in (("option length 0", b"\x02\x00\x05\xb4"), ("option length 1", b"\x08\x01\x00\x00"),
                    ("option length beyond the header", b"\x05\x30\x00\x00"), ("MSS of length 3", b"\x02\x03\x05\x01")):
        add("tcp", what, eth() / IP(src=C, dst=S) / TCP(sport=40110, dport=80, dataofs=6, options=[]) / Raw(o + payload[:8]))
    add("tcp", "every flag", eth() / IP(src=C, dst=S) / TCP(sport=40111, dport=80, flags=0xff))
    add("tcp", "to the VIP, data offset 3", eth() / IP(src=C, dst=VIP) / TCP(sport=40112, dport=80, dataofs=3))

    # ---- ARP ----
    arp = raw(Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=CLIENT_MAC, psrc=C, pdst="10.0.1.1"))
    add("arp", "request cut to 20 bytes of ARP", arp[:34])
    add("arp", "request cut to 8 bytes of ARP", arp[:22])
    add("arp", "hlen 8, plen 16", Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / Raw(struct.pack("!HHBBH", 1, 0x0800, 8, 16, 1) + bytes(48)))
    add("arp", "hlen 6, plen 4, frame cut after the header", Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff", type=0x0806) / Raw(struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)))
    add("arp", "opcode 3", Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=3, hwsrc=CLIENT_MAC, psrc=C, pdst="10.0.1.1"))
    add("arp", "reply to the responder", Ether(src=CLIENT_MAC, dst=GW_MAC) / ARP(op=2, hwsrc=CLIENT_MAC, psrc=C, pdst="10.0.1.1"))

    # ---- non-IP ethertypes ----
    for t, what in ((0x88cc, "LLDP"), (0x8863, "PPPoE discovery"), (0x88e7, "PBB I-TAG"),
                    (0x0000, "ethertype 0"), (0xffff, "ethertype 0xffff"), (0x05dc, "802.3 length 1500")):
        add("non_ip", what, eth(t) / Raw(payload))

    # ---- runts ----
    full = raw(eth() / IP(src=C, dst=S) / UDP(sport=40120, dport=53) / Raw(payload))
    for n in (1, 6, 13, 14, 20, 59):
        add("runt", f"{n}-byte frame", full[:n])

    # The same again with other bytes where it does not change the
    # group's point: more flows, same coverage of every header.
    extra = []
    for group, what, b in frames:
        if group not in ("jumbo", "runt") and len(b) > 40:
            mutated = bytearray(b)
            pos = rnd.randrange(34, len(b)) if len(b) > 34 else len(b) - 1
            mutated[pos] ^= 1 << rnd.randrange(8)
            extra.append(("mutated", f"{what}, bit flipped at {pos}", bytes(mutated)))
    frames.extend(extra)
    return frames


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, (_, _, b) in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(b), len(b)))
            f.write(b)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    frames = build(random.Random(SEED))
    write_pcap(sys.argv[1], frames)
    if "--list" in sys.argv[2:]:
        for i, (group, what, b) in enumerate(frames):
            print(f"{i:4d} {len(b):5d} {group:11s} {what}")
    else:
        groups = {}
        for group, _, _ in frames:
            groups[group] = groups.get(group, 0) + 1
        print(f"{len(frames)} frames: " + ", ".join(f"{g} {n}" for g, n in groups.items()))


if __name__ == "__main__":
    main()
