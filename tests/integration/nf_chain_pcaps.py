#!/usr/bin/env python3
"""Captures for the firewall -> router and firewall -> load_balancer chains.

  nf_chain_pcaps.py make DIR       write DIR/in.pcap (what enters port 0)
  nf_chain_pcaps.py check-router DIR OUT.pcap PORT1_MAC
  nf_chain_pcaps.py check-lb DIR OUT.pcap

Traffic: TCP to 10.0.2.0/24 on ports 80 (allowed), 22 (denied by the
firewall), UDP 53 (allowed), plus TCP to the VIP 10.0.9.100:80 (allowed).
Every check compares field by field with what the chain must produce and
lets scapy recompute every checksum.
"""
import sys

from scapy.all import IP, TCP, UDP, Ether, Raw, rdpcap, wrpcap

CLIENT_MAC = "02:00:00:00:00:aa"
NEXT_HOP_MAC = "02:00:00:00:02:02"
VIP, BACKENDS = "10.0.9.100", {"10.0.9.11", "10.0.9.12"}


def packets():
    out = []
    for i in range(40):
        kind = i % 4
        eth = Ether(src=CLIENT_MAC, dst="02:00:00:00:00:01")
        src = f"10.0.1.{10 + i}"
        if kind == 0:
            p = eth / IP(src=src, dst="10.0.2.5", ttl=64) / TCP(sport=30000 + i, dport=80, flags="S")
        elif kind == 1:
            p = eth / IP(src=src, dst="10.0.2.6", ttl=64) / TCP(sport=30000 + i, dport=22, flags="S")
        elif kind == 2:
            p = eth / IP(src=src, dst="10.0.2.7", ttl=9) / UDP(sport=30000 + i, dport=53) / Raw(b"q" * 20)
        else:
            p = eth / IP(src=src, dst=VIP, ttl=64) / TCP(sport=30000 + i, dport=80, flags="S")
        out.append(Ether(bytes(p)))  # fill in the checksums
    return out


def allowed(p):
    return not (TCP in p and p[TCP].dport == 22)


def valid_checksums(p):
    q = Ether(bytes(p))
    del q[IP].chksum
    if TCP in q:
        del q[TCP].chksum
    if UDP in q:
        del q[UDP].chksum
    q = Ether(bytes(q))
    ok = q[IP].chksum == p[IP].chksum
    if TCP in p:
        ok &= q[TCP].chksum == p[TCP].chksum
    if UDP in p:
        ok &= q[UDP].chksum == p[UDP].chksum
    return ok


def ip_header_but_ttl_csum(p):
    h = bytearray(bytes(p[IP])[:p[IP].ihl * 4])
    h[8] = h[10] = h[11] = 0
    return bytes(h)


def fail(msg):
    print(msg)
    sys.exit(1)


def check_router(sent, got, port_mac):
    want = [p for p in sent if allowed(p) and p[IP].dst.startswith("10.0.2.")]
    if len(got) != len(want):
        fail(f"router chain: expected {len(want)} packets out, got {len(got)}")
    for i, (w, g) in enumerate(zip(want, got)):
        if g[Ether].dst != NEXT_HOP_MAC or g[Ether].src.lower() != port_mac.lower():
            fail(f"packet {i}: MACs {g[Ether].src} -> {g[Ether].dst}")
        if g[IP].ttl != w[IP].ttl - 1 or g[IP].dst != w[IP].dst or g[IP].src != w[IP].src:
            fail(f"packet {i}: IP header wrong (ttl {g[IP].ttl})")
        if not valid_checksums(g):
            fail(f"packet {i}: bad checksum")
        if g[Ether].type != w[Ether].type or ip_header_but_ttl_csum(g) != ip_header_but_ttl_csum(w):
            fail(f"packet {i}: IP header changed beyond TTL and checksum")
        if bytes(g[IP].payload) != bytes(w[IP].payload):
            fail(f"packet {i}: payload changed")
    print(f"{len(got)} routed packets correct: MACs, TTL-1, checksums, the rest unchanged; "
          f"{sum(1 for p in sent if not allowed(p))} denied ones absent")


def check_lb(sent, got):
    want = [p for p in sent if allowed(p)]
    if len(got) != len(want):
        fail(f"lb chain: expected {len(want)} packets out, got {len(got)}")
    spread = set()
    for i, (w, g) in enumerate(zip(want, got)):
        if w[IP].dst == VIP:
            if g[IP].dst not in BACKENDS or g[TCP].dport != 8080:
                fail(f"packet {i}: VIP traffic not sent to a backend ({g[IP].dst}:{g[TCP].dport})")
            spread.add(g[IP].dst)
        elif bytes(g) != bytes(w):
            fail(f"packet {i}: non-VIP packet changed")
        if not valid_checksums(g):
            fail(f"packet {i}: bad checksum")
    if spread != BACKENDS:
        fail(f"only backends {sorted(spread)} were used")
    print(f"{len(got)} packets correct: VIP traffic rewritten to both backends, "
          f"the rest unchanged, denied ones absent")


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "make":
        wrpcap(f"{d}/in.pcap", packets())
        return
    sent, got = rdpcap(f"{d}/in.pcap"), rdpcap(sys.argv[3])
    if cmd == "check-router":
        check_router(sent, got, sys.argv[4])
    else:
        check_lb(sent, got)


if __name__ == "__main__":
    main()
