#!/usr/bin/env python3
"""Many flows in both directions, and what came out of the platform.

  rss_flows.py make DIR FLOWS PKTS
      DIR/a2b.pcap and DIR/b2a.pcap: FLOWS flows (half UDP, half TCP)
      between clients in 10.81.1.0/24 and servers in 10.81.2.0/24, each
      with PKTS frames each way, flows interleaved. Every payload carries
      a marker, the flow, its direction and its sequence number.
  rss_flows.py delivery CAP_B CAP_A FLOWS PKTS
      CAP_B: what host B captured (the a->b frames), CAP_A: host A's (the
      b->a frames). Checks that every frame of every flow arrived, once,
      and in order.
  rss_flows.py instances CAP_B CAP_A FLOWS [MOVED_FROM MOVED_TO]
      Reads the NF instance that handled each frame from its destination
      MAC (02:00:00:00:0I:0P: instance I's next hop on port P) and checks
      that both directions of every flow met one instance, and that more
      than one instance had flows. With MOVED_FROM and MOVED_TO (a move
      ran while the flows crossed), a flow of MOVED_FROM may switch to
      MOVED_TO once in each direction, and never back.
  Each prints what it found; exits 1 on a failure.
"""
import random
import struct
import sys
from collections import defaultdict

MAGIC = b"RSSF"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, l4):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0, 64, proto, 0, src, dst)
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + l4


def l4_segment(proto, src, dst, sport, dport, payload):
    pseudo_len = (8 if proto == 17 else 20) + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, proto, pseudo_len)
    if proto == 17:
        seg = struct.pack("!HHHH", sport, dport, pseudo_len, 0) + payload
        return seg[:6] + struct.pack("!H", csum(pseudo + seg) or 0xFFFF) + seg[8:]
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1, 1, 5 << 4, 0x18, 65535, 0, 0) + payload
    return seg[:16] + struct.pack("!H", csum(pseudo + seg)) + seg[18:]


def frame(flow, direction, seq):
    """direction 0: client (A side) -> server (B side); 1: the reply."""
    cip, sip = bytes([10, 81, 1, flow["c"]]), bytes([10, 81, 2, flow["s"]])
    src, dst, sport, dport = (cip, sip, flow["cp"], flow["sp"]) if direction == 0 else \
        (sip, cip, flow["sp"], flow["cp"])
    payload = MAGIC + struct.pack("!IBI", flow["id"], direction, seq) + bytes(18)
    eth = bytes.fromhex("020000000a0a" if direction == 0 else "020000000b0b") + \
        bytes.fromhex("02000000aaaa" if direction == 0 else "02000000bbbb") + b"\x08\x00"
    return eth + ipv4(src, dst, flow["proto"], l4_segment(flow["proto"], src, dst, sport, dport,
                                                           payload))


def flows_of(n):
    rng = random.Random(81)
    out, seen = [], set()
    while len(out) < n:
        f = {"id": len(out), "proto": 17 if len(out) % 2 == 0 else 6,
             "c": rng.randrange(1, 255), "s": rng.randrange(1, 255),
             "cp": rng.randrange(1024, 65535), "sp": rng.choice([53, 80, 443, 5060, 8080])}
        key = (f["proto"], f["c"], f["s"], f["cp"], f["sp"])
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(fr), len(fr)) + fr)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def make(directory, n, pkts):
    flows = flows_of(n)
    for direction, name in ((0, "a2b.pcap"), (1, "b2a.pcap")):
        frames = [frame(f, direction, seq) for seq in range(pkts) for f in flows]
        write_pcap(f"{directory}/{name}", frames)


def seen_in(path, direction):
    """{flow: [(seq, instance)]} of the marked frames going `direction`."""
    out = defaultdict(list)
    for fr in read_pcap(path):
        at = fr.find(MAGIC)
        if at < 0 or len(fr) < at + 13:
            continue
        flow, d, seq = struct.unpack("!IBI", fr[at + 4:at + 13])
        if d != direction:
            continue
        # The router wrote its instance into the next hop's MAC: 02:00:00:00:0I:0P.
        out[flow].append((seq, fr[4]))
    return out


def delivery(cap_b, cap_a, n, pkts):
    a2b, b2a = seen_in(cap_b, 0), seen_in(cap_a, 1)
    incomplete, bad_order = [], []
    for f in range(n):
        for name, got in (("a->b", a2b.get(f, [])), ("b->a", b2a.get(f, []))):
            seqs = [s for s, _ in got]
            if sorted(seqs) != list(range(pkts)):
                incomplete.append(f"flow {f} {name}: {len(seqs)} frames of {pkts}")
            elif seqs != sorted(seqs):
                bad_order.append(f"flow {f} {name}: {seqs}")
    total = sum(map(len, a2b.values())) + sum(map(len, b2a.values()))
    print(f"    {total} marked frames of {2 * n * pkts}")
    for what, lst in (("incomplete", incomplete), ("out of order", bad_order)):
        if lst:
            print(f"    {len(lst)} flow directions {what}, e.g. " + "; ".join(lst[:3]))
    return not incomplete and not bad_order


def switched_once(seq, moved):
    """seq: the instances one direction of a flow met, in order. Whether it
    is one instance, or moved[0]'s frames then moved[1]'s."""
    if moved is None or len(set(seq)) < 2:
        return len(set(seq)) < 2
    k = seq.index(moved[1]) if moved[1] in seq else len(seq)
    return set(seq[:k]) == {moved[0]} and set(seq[k:]) == {moved[1]}


def instances(cap_b, cap_a, n, moved=None):
    a2b, b2a = seen_in(cap_b, 0), seen_in(cap_a, 1)
    split, per_instance, switched = [], defaultdict(int), 0
    for f in range(n):
        ways = [[i for _, i in a2b.get(f, [])], [i for _, i in b2a.get(f, [])]]
        met = set(ways[0]) | set(ways[1])
        if len(met) > 1 and moved is not None and met == set(moved) and \
                all(switched_once(w, moved) for w in ways):
            switched += 1
            per_instance[moved[1]] += 1
        elif len(met) > 1:
            split.append(f"flow {f}: instances {ways[0]} one way, {ways[1]} the other")
        elif met:
            per_instance[met.pop()] += 1
    print(f"    flows per instance: {dict(sorted(per_instance.items()))}")
    if moved is not None:
        print(f"    {switched} flows switched from instance {moved[0]} to {moved[1]} (the move)")
    if split:
        print(f"    {len(split)} flows split between instances, e.g. " + "; ".join(split[:3]))
    if len(per_instance) < 2:
        print("    the flows met fewer than two instances")
    return not split and len(per_instance) >= 2


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return 0
    if len(sys.argv) == 6 and sys.argv[1] == "delivery":
        return 0 if delivery(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])) else 1
    if len(sys.argv) in (5, 7) and sys.argv[1] == "instances":
        moved = (int(sys.argv[5]), int(sys.argv[6])) if len(sys.argv) == 7 else None
        return 0 if instances(sys.argv[2], sys.argv[3], int(sys.argv[4]), moved) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
