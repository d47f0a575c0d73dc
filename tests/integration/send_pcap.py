#!/usr/bin/env python3
"""Send the frames of a pcap file out of an interface, paced.

usage: send_pcap.py PCAP IFACE [PPS]
Each frame is written as is with an AF_PACKET socket, at most PPS frames a
second (default 20000): a capture tool on the far side keeps up.
"""
import socket
import struct
import sys
import time


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    endian = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def main():
    path, iface = sys.argv[1], sys.argv[2]
    pps = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    start, n = time.monotonic(), 0
    for frame in frames(path):
        s.send(frame)
        n += 1
        ahead = n / pps - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    print(n)


if __name__ == "__main__":
    main()
