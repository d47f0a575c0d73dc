#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the crafted captures the QoE comparison test runs on.

  qoe_make_captures.py OUTDIR

tcp_impairments.pcap  TCP connections seen from a point near the client:
                      handshake with known delays, a transfer with one
                      segment lost after the observation point (seen, then
                      resent), one lost before it (first seen late), a zero
                      window, a resent request, FIN and RST endings, a
                      connection picked up mid-stream, a bulk transfer with
                      60 segments in flight.
rtp.pcap              an RTP stream (PT 0, 8 kHz, 20 ms packets) whose
                      arrivals alternate 0 and +5 ms late (so |D| = 40 RTP
                      units per packet) with 5 sequence numbers missing and
                      the sequence number wrapping; a
                      second RTP stream with random delay; a UDP flow that
                      is not RTP.
malformed.pcap        bad IHL, short TCP header, data offset beyond the
                      packet, IP fragments, truncated frames, ARP, IPv6,
                      around one good flow.
mutated.pcap          2000 frames of the captures above with random bytes
                      overwritten and random lengths cut: must not crash.
Every capture is deterministic (fixed seed, fixed times).
"""
import random
import sys

from scapy.all import (ARP, IP, IPv6, TCP, UDP, Ether, Raw, wrpcap)  # noqa: E402
from scapy.layers.rtp import RTP

BASE = 1700000000
MAC_C = "02:00:00:00:00:01"
MAC_S = "02:00:00:00:00:02"


def at(pkt, t):
    pkt.time = BASE + t
    return pkt


class Conn:
    """One TCP connection; `out` collects (time, frame)."""

    def __init__(self, out, cip, cport, sip, sport, cisn, sisn):
        self.out, self.cip, self.cport, self.sip, self.sport = out, cip, cport, sip, sport
        self.cseq, self.sseq = cisn, sisn

    def c(self, t, flags, seq, ack, n=0, win=65535):
        p = (Ether(src=MAC_C, dst=MAC_S) / IP(src=self.cip, dst=self.sip) /
             TCP(sport=self.cport, dport=self.sport, flags=flags, seq=seq, ack=ack, window=win))
        if n:
            p = p / Raw(b"q" * n)
        self.out.append(at(p, t))

    def s(self, t, flags, seq, ack, n=0, win=65535):
        p = (Ether(src=MAC_S, dst=MAC_C) / IP(src=self.sip, dst=self.cip) /
             TCP(sport=self.sport, dport=self.cport, flags=flags, seq=seq, ack=ack, window=win))
        if n:
            p = p / Raw(b"r" * n)
        self.out.append(at(p, t))


def transfer_conn(out):
    """Handshake (SYN->SYN-ACK 20 ms, SYN-ACK->ACK 0.2 ms), a 100-byte
    request, 20 x 1000-byte segments of reply with impairments, FIN."""
    k = Conn(out, "10.0.0.1", 40000, "10.0.0.2", 8080, 1000, 5000)
    c0, s0 = 1000, 5000
    k.c(0.0000, "S", c0, 0)
    k.s(0.0200, "SA", s0, c0 + 1)
    k.c(0.0202, "A", c0 + 1, s0 + 1)
    k.c(0.0204, "PA", c0 + 1, s0 + 1, 100)              # request
    k.s(0.0404, "A", s0 + 1, c0 + 101)                  # its ACK: 20 ms
    seg = 1000
    start = s0 + 1
    t = 0.0410
    lost_after_tap = 5   # seen here, lost on the way to the client
    lost_before_tap = 12 # lost before this point: first seen when resent
    received = set()
    acked = start
    for i in range(20):
        seq = start + i * seg
        if i != lost_before_tap:
            k.s(t, "A", seq, c0 + 101, seg)
        if i not in (lost_after_tap, lost_before_tap):
            received.add(i)
        # client: cumulative ACK of what arrived, 0.3 ms later (a zero
        # window once, on segment 15's ACK)
        while (acked - start) // seg in received:
            acked += seg
        if i not in (lost_after_tap, lost_before_tap) or i == 19:
            k.c(t + 0.0003, "A", c0 + 101, acked, win=0 if i == 15 else 65535)
        t += 0.001
        if i == 8:    # third duplicate ACK: fast retransmit of segment 5
            k.s(t, "A", start + lost_after_tap * seg, c0 + 101, seg)
            received.add(lost_after_tap)
            while (acked - start) // seg in received:
                acked += seg
            k.c(t + 0.0003, "A", c0 + 101, acked)
            t += 0.001
    # segment 12 resent after a timeout (first time it passes here)
    t += 0.2
    k.s(t, "A", start + lost_before_tap * seg, c0 + 101, seg)
    received.add(lost_before_tap)
    while (acked - start) // seg in received:
        acked += seg
    k.c(t + 0.0003, "A", c0 + 101, acked)
    # the client resends its request (its ACK was already seen: spurious)
    t += 0.01
    k.c(t, "PA", c0 + 1, acked, 100)
    k.s(t + 0.02, "A", acked, c0 + 101)
    # close: client FIN, server FIN-ACK, client ACK
    t += 0.05
    k.c(t, "FA", c0 + 101, acked)
    k.s(t + 0.02, "FA", acked, c0 + 102)
    k.c(t + 0.0202, "A", c0 + 102, acked + 1)


def rst_conn(out):
    """Handshake then a request answered by RST."""
    k = Conn(out, "10.0.0.1", 40001, "10.0.0.3", 80, 7000, 9000)
    t = 0.5
    k.c(t, "S", 7000, 0)
    k.s(t + 0.035, "SA", 9000, 7001)
    k.c(t + 0.0351, "A", 7001, 9001)
    k.c(t + 0.036, "PA", 7001, 9001, 50)
    k.s(t + 0.071, "RA", 9001, 7051)


def midstream_conn(out):
    """Picked up mid-stream: no handshake, so rtt_handshake_ms is null."""
    k = Conn(out, "10.0.0.4", 50000, "10.0.0.5", 443, 100, 200)
    t = 0.7
    for i in range(5):
        k.c(t, "PA", 100 + i * 10, 200, 10)
        k.s(t + 0.01, "A", 200, 110 + i * 10)
        t += 0.05


def bulk_conn(out):
    """60 segments back to back, ACKed (every second one) 30 ms later: far
    more in flight than the monitor times at once, so its RTT is sampled."""
    k = Conn(out, "10.0.0.6", 40010, "10.0.0.7", 80, 300, 600)
    t = 1.0
    k.c(t, "S", 300, 0)
    k.s(t + 0.030, "SA", 600, 301)
    k.c(t + 0.0301, "A", 301, 601)
    k.c(t + 0.0302, "PA", 301, 601, 80)
    t += 0.060
    for i in range(60):
        k.s(t + 0.0001 * i, "A", 601 + 1448 * i, 381, 1448)
        if i % 2 == 1:
            k.c(t + 0.0001 * i + 0.030 + 0.00005 * i, "A", 381, 601 + 1448 * (i + 1))
    t += 0.1
    k.c(t, "FA", 381, 601 + 1448 * 60)
    k.s(t + 0.03, "FA", 601 + 1448 * 60, 382)
    k.c(t + 0.0301, "A", 382, 601 + 1448 * 60 + 1)


def tcp_capture(path):
    out = []
    transfer_conn(out)
    bulk_conn(out)
    rst_conn(out)
    midstream_conn(out)
    out.sort(key=lambda p: p.time)
    wrpcap(path, out)


def rtp_pkt(src, dst, sport, dport, seq, ts, ssrc, pt, t):
    p = (Ether(src=MAC_C, dst=MAC_S) / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) /
         RTP(version=2, payload_type=pt, sequence=seq & 0xffff, timestamp=ts & 0xffffffff,
             sourcesync=ssrc) / Raw(b"\xff" * 160))
    return at(p, t)


def rtp_capture(path):
    out = []
    # Losses come early so the jitter climbs steadily afterwards: its final
    # value is then also its maximum, which is what tshark prints.
    lost = {5, 17, 30, 31, 44}
    # stream 1: alternating lateness 0 / +5 ms, seq wraps past 65535
    for i in range(200):
        if i in lost:
            continue
        late = 0.005 if i % 2 else 0.0
        out.append(rtp_pkt("10.0.1.1", "10.0.1.2", 5004, 5006, 65500 + i, 1000 + 160 * i,
                           0x11223344, 0, 1.0 + 0.020 * i + late))
    # stream 2: PCMA with random delay (seeded)
    rng = random.Random(3550)
    for i in range(150):
        late = rng.uniform(0, 0.015)
        out.append(rtp_pkt("10.0.1.3", "10.0.1.4", 6000, 6002, 100 + i, 5000 + 160 * i,
                           0x55667788, 8, 1.0 + 0.020 * i + late))
    # not RTP: DNS-like queries and answers
    for i in range(10):
        q = (Ether(src=MAC_C, dst=MAC_S) / IP(src="10.0.1.5", dst="10.0.1.53") /
             UDP(sport=33000, dport=53) / Raw(bytes([0x12, i]) + b"\x01\x00" + b"\x00" * 20))
        out.append(at(q, 1.0 + 0.1 * i))
        r = (Ether(src=MAC_S, dst=MAC_C) / IP(src="10.0.1.53", dst="10.0.1.5") /
             UDP(sport=53, dport=33000) / Raw(bytes([0x12, i]) + b"\x81\x80" + b"\x00" * 40))
        out.append(at(r, 1.0 + 0.1 * i + 0.002))
    out.sort(key=lambda p: p.time)
    wrpcap(path, out)


def malformed_capture(path):
    good = Ether(src=MAC_C, dst=MAC_S) / IP(src="10.0.2.1", dst="10.0.2.2") / UDP(
        sport=1000, dport=2000) / Raw(b"x" * 20)
    frames = [bytes(good)]
    ip_tcp = bytes(Ether() / IP(src="10.0.2.1", dst="10.0.2.9") / TCP(sport=1, dport=2))
    bad_ihl = bytearray(ip_tcp)
    bad_ihl[14] = 0x43                                  # IHL 3
    frames.append(bytes(bad_ihl))
    short_tcp = bytes(Ether() / IP(src="10.0.2.1", dst="10.0.2.9", proto=6) / Raw(b"\x00" * 10))
    frames.append(short_tcp)
    doff = bytearray(ip_tcp)
    doff[14 + 20 + 12] = 0xf0                           # data offset 60 > packet
    frames.append(bytes(doff))
    doff_small = bytearray(ip_tcp)
    doff_small[14 + 20 + 12] = 0x20                     # data offset 8 < 20
    frames.append(bytes(doff_small))
    big = IP(src="10.0.2.1", dst="10.0.2.2") / UDP(sport=5, dport=6) / Raw(b"f" * 3000)
    from scapy.all import fragment
    for f in fragment(big, fragsize=1000):
        frames.append(bytes(Ether() / f))
    frames.append(bytes(good)[:30])                     # truncated IP header
    frames.append(bytes(Ether() / ARP()))
    frames.append(bytes(Ether() / IPv6() / UDP()))
    frames.append(bytes(good))
    pkts = []
    for i, b in enumerate(frames):
        pkts.append(at(Ether(b), 2.0 + 0.001 * i))
    wrpcap(path, pkts)


def mutated_capture(path, sources):
    """Raw bytes, written by hand: scapy will not hold frames this broken."""
    import struct
    from scapy.all import rdpcap
    frames = []
    for src in sources:
        frames += [bytes(p) for p in rdpcap(src)]
    rng = random.Random(8)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(2000):
            b = bytearray(rng.choice(frames))
            for _ in range(rng.randint(1, 6)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            if rng.random() < 0.3:
                b = b[:rng.randrange(1, len(b) + 1)]
            f.write(struct.pack("<IIII", BASE + 3, 100 * i, len(b), len(b)) + bytes(b))


def main():
    outdir = sys.argv[1]
    tcp_capture(outdir + "/tcp_impairments.pcap")
    rtp_capture(outdir + "/rtp.pcap")
    malformed_capture(outdir + "/malformed.pcap")
    mutated_capture(outdir + "/mutated.pcap", [outdir + "/tcp_impairments.pcap",
                                               outdir + "/rtp.pcap",
                                               outdir + "/malformed.pcap"])


if __name__ == "__main__":
    main()
