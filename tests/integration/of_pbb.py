#!/usr/bin/env python3
"""of_pbb.py: the helpers of test_openflow_pbb.sh, for what ovs-ofctl 3.1
cannot send (push_pbb, pop_pbb, pbb_isid).

  of_pbb.py wrap IN.pcap OUT.pcap SID   every frame of IN inside an 802.1ah
                                        header: B-DA/B-SA copied from the
                                        frame, 0x88e7, an I-TAG (PCP/DEI/UCA
                                        0) with I-SID SID
  of_pbb.py flows PORT                  install the test's flows over
                                        OpenFlow 1.3; exit 0 when the switch
                                        answered the barrier with no ERROR
"""
import socket
import struct
import sys

OFPP_ANY = 0xFFFFFFFF
NO_BUFFER = 0xFFFFFFFF


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    pkts, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        pkts.append(((sec, usec), data[off:off + incl]))
        off += incl
    return data[:24], e, pkts


def wrap(src, dst, sid):
    hdr, e, pkts = read_pcap(src)
    with open(dst, "wb") as f:
        f.write(hdr)
        for (sec, usec), p in pkts:
            q = p[:12] + b"\x88\xe7" + struct.pack("!I", sid & 0xFFFFFF) + p
            f.write(struct.pack(e + "IIII", sec, usec, len(q), len(q)) + q)
    return 0


def msg(mtype, body=b"", xid=1):
    return struct.pack("!BBHI", 4, mtype, 8 + len(body), xid) + body


def pad8(b):
    return b + b"\x00" * (-len(b) % 8)


def oxm(field, value, mask=None):
    v = value + (mask or b"")
    return struct.pack("!HBB", 0x8000, field << 1 | (mask is not None), len(v)) + v


def match(*oxms):
    body = b"".join(oxms)
    return pad8(struct.pack("!HH", 1, 4 + len(body)) + body)


def output(port):
    return struct.pack("!HHIH6x", 0, 16, port, 0)


def push_pbb():
    return struct.pack("!HHH2x", 26, 8, 0x88E7)


def pop_pbb():
    return struct.pack("!HH4x", 27, 8)


def set_field(o):
    n = len(pad8(b"\x00" * 4 + o))
    return pad8(struct.pack("!HH", 25, n) + o)


def actions(itype, *acts):
    body = b"".join(acts)
    return struct.pack("!HH4x", itype, 8 + len(body)) + body


def goto(table):
    return struct.pack("!HHB3x", 1, 8, table)


def flow_mod(xid, table, priority, m, *insts):
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, table, 0, 0, 0, priority, NO_BUFFER,
                       OFPP_ANY, OFPP_ANY, 0)
    return msg(14, body + m + b"".join(insts), xid)


ETH_TYPE, IP_PROTO, TCP_SRC, PBB_ISID = 5, 10, 13, 37


def read_msgs(s, until_type):
    buf, out = b"", []
    s.settimeout(5)
    while True:
        d = s.recv(65536)
        if not d:
            return out
        buf += d
        while len(buf) >= 8 and len(buf) >= struct.unpack("!H", buf[2:4])[0]:
            n = struct.unpack("!H", buf[2:4])[0]
            out.append(buf[:n])
            buf = buf[n:]
            if out[-1][1] == until_type:
                return out


def flows(port):
    be16 = lambda v: struct.pack("!H", v)
    tcp = (oxm(ETH_TYPE, be16(0x0800)), oxm(IP_PROTO, b"\x06"))
    mods = [
        # table 0: PBB frames with I-SID 100 lose their outer header and
        # go on to table 1; everything else is dropped.
        flow_mod(11, 0, 100,
                 match(oxm(ETH_TYPE, be16(0x88E7)), oxm(PBB_ISID, b"\x00\x00\x64")),
                 actions(4, pop_pbb()), goto(1)),
        flow_mod(12, 0, 1, match()),
        # table 1: web responses get a new PBB header, I-SID 203, out of
        # port 2; the other TCP frames leave port 3 as customer frames.
        flow_mod(13, 1, 10, match(*tcp, oxm(TCP_SRC, be16(80))),
                 actions(4, push_pbb(), set_field(oxm(PBB_ISID, b"\x00\x00\xcb")), output(2))),
        flow_mod(14, 1, 5, match(*tcp), actions(3, output(3))),
    ]
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(msg(0))
    read_msgs(s, 0)
    s.sendall(b"".join(mods) + msg(20, b"", 99))
    got = read_msgs(s, 21)
    errors = [m for m in got if m[1] == 1]
    for m in errors:
        etype, code = struct.unpack("!HH", m[8:12])
        print("xid %d: ERROR type %d code %d" % (struct.unpack("!I", m[4:8])[0], etype, code))
    if errors or not got or got[-1][1] != 21:
        return 1
    print("%d flows installed, barrier answered" % len(mods))
    return 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "wrap":
        return wrap(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    if len(sys.argv) == 3 and sys.argv[1] == "flows":
        return flows(int(sys.argv[2]))
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
