#!/usr/bin/env python3
"""Capture what a real OpenFlow 1.3 peer (ovs-ofctl) sends.

Listens on 127.0.0.1:PORT, speaks just enough OpenFlow 1.3 to keep
ovs-ofctl going (HELLO, FEATURES, empty TABLE_FEATURES/PORT_DESC replies,
BARRIER, ECHO) and prints every message it receives as one hex line:
    <type> <hex bytes>
Used to make the golden bytes in test_ofp_golden.c:
    python3 ofctl_capture.py 6699 build/tests/unit/sdn_agent/codec/ofp_sample_dump > out.txt &
    ovs-ofctl -O OpenFlow13 add-flow tcp:127.0.0.1:6699 'priority=100,...'
"""
import socket
import struct
import subprocess
import sys

# Path of ofp_sample_dump (second argument), which prints the codec's own
# TABLE_FEATURES reply: ovs-ofctl 3.x refuses to go on without one.
SAMPLE_DUMP = None


def msg(mtype, xid, body=b""):
    return struct.pack("!BBHI", 4, mtype, 8 + len(body), xid) + body


def reply(mtype, xid, body):
    if mtype == 5:  # FEATURES_REQUEST
        return msg(6, xid, struct.pack("!QIBB2xII", 1, 0, 4, 0, 0x4f, 0))
    if mtype == 7:  # GET_CONFIG_REQUEST
        return msg(8, xid, struct.pack("!HH", 0, 128))
    if mtype == 2:  # ECHO_REQUEST
        return msg(3, xid, body)
    if mtype == 20:  # BARRIER_REQUEST
        return msg(21, xid)
    if mtype == 18:  # MULTIPART_REQUEST
        mp_type = struct.unpack("!H", body[:2])[0]
        if mp_type == 12 and SAMPLE_DUMP:  # TABLE_FEATURES: the codec's reply
            out = subprocess.run([SAMPLE_DUMP, "table_features_reply", str(xid)],
                                 capture_output=True, text=True, check=True)
            return bytes.fromhex(out.stdout.strip())
        return msg(19, xid, struct.pack("!HH4x", mp_type, 0))
    return b""


def main():
    global SAMPLE_DUMP
    port = int(sys.argv[1])
    if len(sys.argv) > 2:
        SAMPLE_DUMP = sys.argv[2]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    srv.settimeout(20)
    # ovs-ofctl may open a second connection (table features first, then
    # the command), so serve connections until none comes for a while.
    while True:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            break
        serve(conn)
        srv.settimeout(2)


def serve(conn):
    conn.settimeout(5)
    conn.sendall(msg(0, 1, struct.pack("!HHI", 1, 8, 1 << 4)))
    buf = b""
    while True:
        try:
            data = conn.recv(65536)
        except (socket.timeout, ConnectionError):
            break
        if not data:
            break
        buf += data
        while len(buf) >= 8:
            length = struct.unpack("!H", buf[2:4])[0]
            if len(buf) < length:
                break
            m, buf = buf[:length], buf[length:]
            mtype, xid = m[1], struct.unpack("!I", m[4:8])[0]
            print(mtype, m.hex(), flush=True)
            out = reply(mtype, xid, m[8:])
            if out:
                conn.sendall(out)
    conn.close()

if __name__ == "__main__":
    main()
