#!/usr/bin/env python3
"""Frames for test_router.sh, and the check of what the router sent out.

usage: test_router_frames.py gen IN.pcap
       test_router_frames.py check OUT0.pcap OUT1.pcap PORT0_MAC PORT1_MAC

Every input frame carries a case name in its payload; `check` finds each
case's frame on the port the routes send it to and checks its Ethernet
addresses, TTL, IPv4 and L4 checksums (recomputed from scratch by scapy) and
that nothing else changed; dropped cases must appear on no port.
"""
import sys

from scapy.all import ARP, Dot1Q, Ether, ICMP, IP, Raw, TCP, UDP, rdpcap, wrpcap

CLIENT_MAC = "02:00:00:00:aa:01"
ROUTER_MAC = "02:00:00:00:bb:01"

# case -> (frame builder, expected: None = dropped, else (port, dst_mac, ttl or None))
def cases():
    e = Ether(src=CLIENT_MAC, dst=ROUTER_MAC)
    c = {}
    c["udp_16"] = (e / IP(src="192.168.1.5", dst="10.1.5.5", ttl=64) / UDP(sport=1234, dport=53),
                   (1, "02:00:00:00:01:01", 63))
    c["tcp_24"] = (e / IP(src="192.168.1.5", dst="10.1.2.7", ttl=2) / TCP(sport=40000, dport=80, flags="S"),
                   (0, "02:00:00:00:00:02", 1))
    c["icmp_25"] = (e / IP(src="192.168.1.5", dst="10.1.2.200", ttl=255) / ICMP(),
                    (1, "02:00:00:00:01:03", 254))
    c["host_32"] = (e / IP(src="192.168.1.5", dst="10.1.2.201", ttl=30, options=b"\x01\x01\x01\x00") / UDP(sport=9, dport=9),
                    (0, "02:00:00:00:00:04", 29))
    c["no_route"] = (e / IP(src="192.168.1.5", dst="8.8.8.8", ttl=7) / UDP(sport=5, dport=53), None)
    c["vlan"] = (e / Dot1Q(vlan=7) / IP(src="192.168.1.5", dst="10.1.9.9", ttl=10) / UDP(sport=7, dport=7),
                 (1, "02:00:00:00:01:01", 9))
    c["ttl_1"] = (e / IP(src="192.168.1.5", dst="10.1.5.5", ttl=1) / UDP(sport=1, dport=2), None)
    c["ttl_0"] = (e / IP(src="192.168.1.5", dst="10.1.5.5", ttl=0) / UDP(sport=1, dport=2), None)
    c["bad_csum"] = (e / IP(src="192.168.1.5", dst="10.1.5.5", ttl=9, chksum=0x1234) / UDP(sport=1, dport=2), None)
    c["arp"] = (e / ARP(psrc="192.168.1.5", pdst="192.168.1.1"), (1, ROUTER_MAC, None))
    return c


def tag(frame, name):
    return frame / Raw(b"case:" + name.encode())


def gen(path):
    frames = [tag(f, n) for n, (f, _) in cases().items()]
    # IPv4 header cut short: claims 20 bytes more than the frame has
    short = Ether(src=CLIENT_MAC, dst=ROUTER_MAC) / IP(src="1.1.1.1", dst="10.1.5.5", len=80) / Raw(b"case:truncated")
    frames.append(short)
    wrpcap(path, frames)


def case_of(p):
    raw = bytes(p)
    i = raw.find(b"case:")
    return raw[i + 5:].decode(errors="replace") if i >= 0 else None


def recomputed(p):
    q = p.copy()
    if IP in q:
        del q[IP].chksum
        for l4 in (TCP, UDP, ICMP):
            if l4 in q:
                del q[l4].chksum
    return Ether(bytes(q))


def check(out0, out1, mac0, mac1):
    got = {}
    for port, path in ((0, out0), (1, out1)):
        for p in rdpcap(path):
            got.setdefault(case_of(p), []).append((port, p))
    want = cases()
    inputs = {n: tag(f, n) for n, (f, _) in want.items()}
    failures = []
    port_mac = {0: mac0.lower(), 1: mac1.lower()}
    for name, (_, exp) in want.items():
        seen = got.pop(name, [])
        if exp is None:
            if seen:
                failures.append(f"{name}: should be dropped, left on port {seen[0][0]}")
            continue
        if len(seen) != 1:
            failures.append(f"{name}: want exactly one copy, got {len(seen)}")
            continue
        port, p = seen[0]
        want_port, want_dst, want_ttl = exp
        if port != want_port:
            failures.append(f"{name}: left port {port}, want {want_port}")
        if want_ttl is None:  # not routed: must be unchanged
            if bytes(p) != bytes(Ether(bytes(inputs[name]))):
                failures.append(f"{name}: changed although not routed")
            continue
        if p[Ether].dst.lower() != want_dst:
            failures.append(f"{name}: eth dst {p[Ether].dst}, want {want_dst}")
        if p[Ether].src.lower() != port_mac[want_port]:
            failures.append(f"{name}: eth src {p[Ether].src}, want port {want_port}'s {port_mac[want_port]}")
        if p[IP].ttl != want_ttl:
            failures.append(f"{name}: ttl {p[IP].ttl}, want {want_ttl}")
        r = recomputed(p)
        if r[IP].chksum != p[IP].chksum:
            failures.append(f"{name}: IPv4 checksum {p[IP].chksum:#06x}, want {r[IP].chksum:#06x}")
        for l4 in (TCP, UDP, ICMP):
            if l4 in p and r[l4].chksum != p[l4].chksum:
                failures.append(f"{name}: {l4.__name__} checksum changed")
        # nothing else moved: compare with the input after the expected edits
        exp_p = Ether(bytes(inputs[name]))
        exp_p[Ether].dst = want_dst
        exp_p[Ether].src = port_mac[want_port]
        exp_p[IP].ttl = want_ttl
        exp_p[IP].chksum = p[IP].chksum
        if bytes(exp_p) != bytes(p):
            failures.append(f"{name}: bytes other than MACs, TTL and checksum changed")
    for name, seen in got.items():  # the truncated frame included
        failures.append(f"unexpected frame(s) {name!r} on port {seen[0][0]}")
    for f in failures:
        print("  " + f)
    return not failures


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif sys.argv[1] == "check":
        sys.exit(0 if check(*sys.argv[2:6]) else 1)
    else:
        sys.exit(__doc__)
