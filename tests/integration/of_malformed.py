#!/usr/bin/env python3
"""of_malformed.py PORT: send malformed OpenFlow to the agent; exit 0 when
every bad message got an OFPT_ERROR and the connection survived it."""
import socket
import struct
import sys


def msg(mtype, body=b"", xid=1, version=4, length=None):
    n = 8 + len(body) if length is None else length
    return struct.pack("!BBHI", version, mtype, n, xid) + body


def read_msgs(s, want):
    """Read until `want` messages arrived (or the peer closed)."""
    buf, out = b"", []
    s.settimeout(3)
    while len(out) < want:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        buf += d
        while len(buf) >= 8:
            n = struct.unpack("!H", buf[2:4])[0]
            if n < 8 or len(buf) < n:
                break
            out.append(buf[:n])
            buf = buf[n:]
    return out


def main():
    port = int(sys.argv[1])
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(msg(0))  # HELLO
    hello = read_msgs(s, 1)
    assert hello and hello[0][1] == 0, "no HELLO"
    bad = [
        msg(200, b"\x00" * 8, xid=11),                       # undefined type
        msg(14, b"\x01\x02\x03", xid=12),                     # FLOW_MOD too short
        msg(18, b"\x00\x01\x00\x00" + b"\xff" * 4, xid=13),   # MULTIPART (FLOW) truncated
        msg(2, b"ping", xid=14, version=1),                   # wrong version after HELLO
        msg(15, b"\x00\x00\x00\x00\x00\x00\x00\x01" + b"\x00\x00\x00\x00", xid=15),  # GROUP_MOD short
    ]
    for b in bad:
        s.sendall(b)
        r = read_msgs(s, 1)
        xid = struct.unpack("!I", b[4:8])[0]
        if not r or r[0][1] != 1 or struct.unpack("!I", r[0][4:8])[0] != xid:
            print("no OFPT_ERROR for xid %d: %r" % (xid, r))
            return 1
        etype, code = struct.unpack("!HH", r[0][8:12])
        print("xid %d: ERROR type %d code %d" % (xid, etype, code))
    s.sendall(msg(2, b"alive", xid=99))  # ECHO_REQUEST
    r = read_msgs(s, 1)
    if not r or r[0][1] != 3 or r[0][8:] != b"alive":
        print("connection did not survive: %r" % r)
        return 1
    print("connection survived: ECHO_REPLY")
    # A length below 8 cannot be framed: answered, then closed.
    s.sendall(msg(2, b"", xid=100, length=4))
    r = read_msgs(s, 2)
    if not r or r[0][1] != 1:
        print("no ERROR for an unframeable header: %r" % r)
        return 1
    print("unframeable header: ERROR, connection closed")
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
