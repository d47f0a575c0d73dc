#!/usr/bin/env python3
"""Compare the packets of two pcap files byte for byte, in order.

usage: pcap_compare.py EXPECTED ACTUAL [--expect-count N]
Exit 0 when every packet matches; otherwise print the first difference.
Record timestamps are ignored (a replay writes its own).
"""
import struct
import sys


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit(f"{path}: not a pcap file (too short)")
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        raise SystemExit(f"{path}: not a classic pcap file (magic {magic:#x})")
    pkts, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        pkts.append(data[off:off + incl])
        off += incl
    return pkts


def main():
    args = sys.argv[1:]
    expect_count = None
    if "--expect-count" in args:
        i = args.index("--expect-count")
        expect_count = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        raise SystemExit(__doc__)
    want, got = read_pcap(args[0]), read_pcap(args[1])
    if expect_count is not None and len(got) != expect_count:
        print(f"expected {expect_count} packets, got {len(got)}")
        return 1
    for i, (a, b) in enumerate(zip(want, got)):
        if a != b:
            print(f"packet {i + 1} differs ({len(a)} vs {len(b)} bytes)")
            return 1
    if len(want) != len(got):
        print(f"packet count differs: expected {len(want)}, got {len(got)}")
        return 1
    print(f"{len(got)} packets identical and in order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
