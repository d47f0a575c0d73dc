#!/usr/bin/env python3
"""Frames for test_load_balancer.sh, and the check of what came out.

usage: test_load_balancer_frames.py gen IN.pcap [--chain]
       test_load_balancer_frames.py check IN.pcap OUT.pcap
       test_load_balancer_frames.py check-chain IN.pcap OUT0.pcap OUT1.pcap MAC0 MAC1

Clients open TCP and UDP flows to the VIP; afterwards every backend of the
service "replies" to every flow, but only the reply from the backend the
balancer chose belongs to a connection. `check` verifies, frame by frame
(each carries its case in the payload): inbound frames went to a backend of
the right pool, every frame of a flow to the same one, with the destination
rewritten and checksums valid (recomputed from scratch by scapy); the chosen
backend's replies leave as the VIP, all others unchanged; unrelated traffic
passes unchanged; fragments and truncated segments to the VIP are dropped.

`check-chain` checks the chain load_balancer -> router (test_load_balancer_
router.sh): the same rewrites, then each frame routed by its (new)
destination, with the next hop's MAC, the out port's MAC and TTL one less.
The frames a chain would not bring to the balancer (fragments, truncated
segments) are left out of that capture (`gen --chain`).
"""
import sys

from scapy.all import ARP, Ether, ICMP, IP, Raw, TCP, UDP, rdpcap, wrpcap

VIP = "10.0.0.100"
WEB = [("10.0.1.1", 8080), ("10.0.1.2", 8080), ("10.0.1.3", 8080), ("10.0.1.4", 8080)]
DNS = [("10.0.2.1", 53), ("10.0.2.2", 5353)]
TCP_FLOWS, UDP_FLOWS = 20, 5
E = Ether(src="02:00:00:00:aa:01", dst="02:00:00:00:bb:01")


def client(i):
    return f"192.168.1.{10 + i}", 30000 + i


def tagged(frame, case):
    return frame / Raw(b"case:" + case.encode())


def frames(chain=False):
    """(case, frame) in capture order."""
    out = []
    for i in range(TCP_FLOWS):
        cip, cport = client(i)
        out.append((f"in:tcp:{i}:0", E / IP(src=cip, dst=VIP) / TCP(sport=cport, dport=80, flags="S", seq=i)))
        out.append((f"in:tcp:{i}:1", E / IP(src=cip, dst=VIP) / TCP(sport=cport, dport=80, flags="PA", seq=i + 1)))
    for i in range(UDP_FLOWS):
        cip, cport = client(100 + i)
        out.append((f"in:udp:{i}:0", E / IP(src=cip, dst=VIP) / UDP(sport=cport, dport=53)))
    for i in range(TCP_FLOWS):
        cip, cport = client(i)
        for b, (bip, bport) in enumerate(WEB):
            out.append((f"rep:tcp:{i}:{b}", E / IP(src=bip, dst=cip) / TCP(sport=bport, dport=cport, flags="SA")))
    for i in range(UDP_FLOWS):
        cip, cport = client(100 + i)
        for b, (bip, bport) in enumerate(DNS):
            out.append((f"rep:udp:{i}:{b}", E / IP(src=bip, dst=cip) / UDP(sport=bport, dport=cport)))
    out.append(("pass:other_ip", E / IP(src="192.168.1.9", dst="10.0.0.200") / TCP(sport=1, dport=80)))
    out.append(("pass:other_port", E / IP(src="192.168.1.9", dst=VIP) / TCP(sport=1, dport=443)))
    out.append(("pass:icmp", E / IP(src="192.168.1.9", dst=VIP) / ICMP()))
    out.append(("pass:arp", E / ARP(psrc="192.168.1.9", pdst=VIP)))
    if not chain:
        out.append(("drop:fragment", E / IP(src="192.168.1.9", dst=VIP, flags="MF") / TCP(sport=2, dport=80)))
    return [(c, tagged(f, c)) for c, f in out]


def truncated():
    """TCP to the VIP whose IPv4 length leaves only 10 bytes of TCP header."""
    p = Ether(bytes(E / IP(src="192.168.1.9", dst=VIP, len=30) / TCP(sport=3, dport=80) / Raw(b"case:drop:truncated")))
    return p


def gen(path, chain=False):
    wrpcap(path, [f for _, f in frames(chain)] + ([] if chain else [truncated()]))


def case_of(p):
    raw = bytes(p)
    i = raw.find(b"case:")
    return raw[i + 5:].decode(errors="replace") if i >= 0 else None


def checksums_ok(p):
    """IPv4 and L4 checksums as scapy recomputes them from scratch."""
    q = p.copy()
    del q[IP].chksum
    layers = [l4 for l4 in (TCP, UDP, ICMP) if l4 in q]
    for l4 in layers:
        del q[l4].chksum
    r = Ether(bytes(q))
    return r[IP].chksum == p[IP].chksum and all(r[l4].chksum == p[l4].chksum for l4 in layers)


def same_except(p, orig, field_edits):
    """p equals orig after applying field edits (and taking p's checksums)."""
    e = Ether(bytes(orig))
    for layer, field, value in field_edits:
        setattr(e[layer], field, value)
    e[IP].chksum = p[IP].chksum
    for l4 in (TCP, UDP, ICMP):
        if l4 in e:
            e[l4].chksum = p[l4].chksum
    return bytes(e) == bytes(p)


# The router's table in test_load_balancer_router.sh: prefix -> (port, MAC).
CHAIN_ROUTES = [("10.0.1.", 1, "02:00:00:00:01:01"), ("10.0.2.", 1, "02:00:00:00:01:02"),
                ("10.0.0.", 1, "02:00:00:00:01:00"), ("192.168.1.", 0, "02:00:00:00:00:aa")]


def route_of(dst):
    for prefix, port, mac in CHAIN_ROUTES:
        if dst.startswith(prefix):
            return port, mac
    return None


def check_chain(in_path, out0, out1, mac0, mac1):
    """load_balancer -> router: the balancer's edits, then the router's."""
    sent = dict(frames(chain=True))
    outs = {}
    for port, path in ((0, out0), (1, out1)):
        for p in rdpcap(path):
            outs.setdefault(case_of(p), []).append((port, p))
    port_mac = {0: mac0.lower(), 1: mac1.lower()}
    fails, chosen = [], {}

    def routed_ok(case, port, p, orig, lb_edits):
        want_port, want_mac = route_of(p[IP].dst)
        if port != want_port:
            fails.append(f"{case}: left port {port}, its route says {want_port}")
        edits = lb_edits + [(Ether, "dst", want_mac), (Ether, "src", port_mac[want_port]),
                            (IP, "ttl", orig[IP].ttl - 1)]
        if not checksums_ok(p):
            fails.append(f"{case}: bad checksum")
        if not same_except(p, orig, edits):
            fails.append(f"{case}: frame is not the input with the balancer's and router's edits")

    # inbound first: they fix each flow's backend
    for case, orig in sent.items():
        kind = case.split(":")
        if kind[0] != "in":
            continue
        got = outs.pop(case, [])
        if len(got) != 1:
            fails.append(f"{case}: want one copy out, got {len(got)}")
            continue
        port, p = got[0]
        pool, l4 = (WEB, TCP) if kind[1] == "tcp" else (DNS, UDP)
        backend = (p[IP].dst, p[l4].dport)
        if backend not in pool:
            fails.append(f"{case}: sent to {backend}, not a backend of its service")
            continue
        if chosen.setdefault((kind[1], kind[2]), backend) != backend:
            fails.append(f"{case}: flow moved from {chosen[(kind[1], kind[2])]} to {backend}")
        routed_ok(case, port, p, orig, [(IP, "dst", backend[0]), (l4, "dport", backend[1])])
    for case, orig in sent.items():
        kind = case.split(":")
        if kind[0] == "in":
            continue
        got = outs.pop(case, [])
        if len(got) != 1:
            fails.append(f"{case}: want one copy out, got {len(got)}")
            continue
        port, p = got[0]
        if kind[0] == "rep":
            pool, l4, vport = (WEB, TCP, 80) if kind[1] == "tcp" else (DNS, UDP, 53)
            mine = chosen.get((kind[1], kind[2])) == pool[int(kind[3])]
            routed_ok(case, port, p, orig, [(IP, "src", VIP), (l4, "sport", vport)] if mine else [])
        elif ARP in orig:
            if port != 1 or bytes(p) != bytes(Ether(bytes(orig))):
                fails.append(f"{case}: ARP should pass the router unchanged to port 1")
        else:
            routed_ok(case, port, p, orig, [])
    for case, got in outs.items():
        fails.append(f"unexpected frame {case!r} x{len(got)}")
    for f in fails:
        print("  " + f)
    return not fails


def check(in_path, out_path):
    sent = dict(frames())
    outs = {}
    for p in rdpcap(out_path):
        outs.setdefault(case_of(p), []).append(p)
    fails = []
    chosen = {}

    for case, orig in sent.items():
        if case.startswith("rep:"):
            continue  # once every flow's backend is known
        got = outs.pop(case, [])
        if case.startswith("drop:"):
            if got:
                fails.append(f"{case}: should be dropped")
            continue
        if len(got) != 1:
            fails.append(f"{case}: want one copy out, got {len(got)}")
            continue
        p = got[0]
        kind = case.split(":")
        if kind[0] == "in":
            pool = WEB if kind[1] == "tcp" else DNS
            l4 = TCP if kind[1] == "tcp" else UDP
            backend = (p[IP].dst, p[l4].dport)
            if backend not in pool:
                fails.append(f"{case}: sent to {backend}, not a backend of its service")
                continue
            flow = (kind[1], kind[2])
            if chosen.setdefault(flow, backend) != backend:
                fails.append(f"{case}: flow moved from {chosen[flow]} to {backend}")
            if not checksums_ok(p):
                fails.append(f"{case}: bad checksum after rewrite")
            if not same_except(p, orig, [(IP, "dst", backend[0]), (l4, "dport", backend[1])]):
                fails.append(f"{case}: bytes other than destination and checksums changed")
        elif bytes(p) != bytes(Ether(bytes(orig))):
            fails.append(f"{case}: changed although not for a VIP")

    for case, orig in sent.items():
        kind = case.split(":")
        if kind[0] != "rep":
            continue
        p = (outs.pop(case, None) or [None])[0]
        if p is None:
            fails.append(f"{case}: missing")
            continue
        pool = WEB if kind[1] == "tcp" else DNS
        l4 = TCP if kind[1] == "tcp" else UDP
        backend = pool[int(kind[3])]
        if chosen.get((kind[1], kind[2])) == backend:
            vport = 80 if kind[1] == "tcp" else 53
            if (p[IP].src, p[l4].sport) != (VIP, vport):
                fails.append(f"{case}: reply of the chosen backend left as {p[IP].src}:{p[l4].sport}")
            if not checksums_ok(p):
                fails.append(f"{case}: bad checksum after rewrite")
            if not same_except(p, orig, [(IP, "src", VIP), (l4, "sport", vport)]):
                fails.append(f"{case}: bytes other than source and checksums changed")
        elif bytes(p) != bytes(Ether(bytes(orig))):
            fails.append(f"{case}: reply of a backend not chosen was changed")

    for case, got in outs.items():
        fails.append(f"unexpected frame {case!r} x{len(got)}")
    used = {b for b in chosen.values() if b in WEB}
    if len(used) < 2:
        fails.append(f"{TCP_FLOWS} TCP flows all went to {used}")
    for f in fails:
        print("  " + f)
    print(f"  flows per backend: " + ", ".join(
        f"{ip}:{port}={sum(1 for b in chosen.values() if b == (ip, port))}" for ip, port in WEB + DNS))
    return not fails


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "gen":
        gen(sys.argv[2], chain=sys.argv[3:] == ["--chain"])
    elif len(sys.argv) == 7 and sys.argv[1] == "check-chain":
        sys.exit(0 if check_chain(*sys.argv[2:7]) else 1)
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(0 if check(sys.argv[2], sys.argv[3]) else 1)
    else:
        sys.exit(__doc__)
