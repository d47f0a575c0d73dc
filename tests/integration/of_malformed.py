#!/usr/bin/env python3
"""of_malformed.py PORT: send malformed OpenFlow to the agent; exit 0 when
every bad message got the OFPT_ERROR OpenFlow 1.3 names for it (type and
code, echoing its xid) and the connection survived it."""
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
    # (message, the ERROR's type and code): OFPET_BAD_REQUEST (1) with
    # OFPBRC_BAD_TYPE (1), BAD_LEN (6) or BAD_VERSION (0);
    # OFPET_GROUP_MOD_FAILED (6) with OFPGMFC_BAD_BUCKET (12).
    bad = [
        (msg(200, b"\x00" * 8, xid=11), (1, 1)),                      # undefined type
        (msg(14, b"\x01\x02\x03", xid=12), (1, 6)),                    # FLOW_MOD too short
        (msg(18, b"\x00\x01\x00\x00" + b"\xff" * 4, xid=13), (1, 6)),  # MULTIPART (FLOW) cut
        (msg(2, b"ping", xid=14, version=1), (1, 0)),                  # wrong version after HELLO
        (msg(15, b"\x00\x00\x00\x00\x00\x00\x00\x01" + b"\x00\x00\x00\x00", xid=15),
         (6, 12)),                                                    # GROUP_MOD, bucket cut
    ]
    for b, want in bad:
        s.sendall(b)
        r = read_msgs(s, 1)
        xid = struct.unpack("!I", b[4:8])[0]
        if not r or r[0][1] != 1 or struct.unpack("!I", r[0][4:8])[0] != xid:
            print("no OFPT_ERROR for xid %d: %r" % (xid, r))
            return 1
        etype, code = struct.unpack("!HH", r[0][8:12])
        print("xid %d: ERROR type %d code %d" % (xid, etype, code))
        if (etype, code) != want:
            print("xid %d: expected ERROR type %d code %d" % (xid, *want))
            return 1
    s.sendall(msg(2, b"alive", xid=99))  # ECHO_REQUEST
    r = read_msgs(s, 1)
    if not r or r[0][1] != 3 or r[0][8:] != b"alive":
        print("connection did not survive: %r" % r)
        return 1
    print("connection survived: ECHO_REPLY")
    # A length below 8 cannot be framed: answered, then closed.
    s.sendall(msg(2, b"", xid=100, length=4))
    r = read_msgs(s, 2)
    if not r or r[0][1] != 1 or struct.unpack("!HH", r[0][8:12]) != (1, 6):
        print("no ERROR BAD_REQUEST/BAD_LEN for an unframeable header: %r" % r)
        return 1
    print("unframeable header: ERROR, connection closed")
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
