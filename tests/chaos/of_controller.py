#!/usr/bin/env python3
"""of_controller.py PORT COOKIE N [--stay]: a minimal OpenFlow 1.3
controller session against the manager's --of-listen, for the chaos run.

It connects, says HELLO, asks for the features, deletes every flow whose
cookie has COOKIE's upper 16 bits, adds N flows with cookies COOKIE ..
COOKIE + N - 1 (priority 50, udp, udp_dst 20000 + i, no instructions:
drop; the chaos traffic has no UDP, so they change no packet's path), and
sends a BARRIER_REQUEST. When the BARRIER_REPLY comes it prints
"installed N flows" (the flows are then in effect). With --stay it goes on
until killed: an ECHO_REQUEST every 50 ms and one of its flows modified
(same match and actions) every 200 ms, as a live controller does, so that
a kill lands in the middle of a conversation. Without --stay it closes the
connection and exits 0.

An OFPT_ERROR from the switch is printed and makes it exit 1."""
import socket
import struct
import sys
import time

OFP_VERSION = 4
HELLO, ERROR, ECHO_REQUEST, ECHO_REPLY = 0, 1, 2, 3
FEATURES_REQUEST, FEATURES_REPLY, FLOW_MOD = 5, 6, 14
BARRIER_REQUEST, BARRIER_REPLY = 20, 21
ADD, MODIFY_STRICT, DELETE = 0, 2, 3
OFPTT_ALL, OFPP_ANY, OFPG_ANY, NO_BUFFER = 0xff, 0xffffffff, 0xffffffff, 0xffffffff
OXM_BASIC = 0x8000
ETH_TYPE, IP_PROTO, UDP_DST = 5, 10, 16


def header(mtype, length, xid):
    return struct.pack("!BBHI", OFP_VERSION, mtype, length, xid)


def oxm(field, fmt, value):
    body = struct.pack("!" + fmt, value)
    return struct.pack("!HBB", OXM_BASIC, field << 1, len(body)) + body


def match(fields):
    m = struct.pack("!HH", 1, 4 + len(fields)) + fields  # OFPMT_OXM
    return m + b"\0" * ((8 - len(m) % 8) % 8)


def flow_mod(xid, command, cookie, cookie_mask, m, priority=50, table=0):
    body = struct.pack("!QQBBHHHIIIH2x", cookie, cookie_mask, table, command, 0, 0, priority,
                       NO_BUFFER, OFPP_ANY, OFPG_ANY, 0)
    msg = body + m  # no instructions: the flow drops
    return header(FLOW_MOD, 8 + len(msg), xid) + msg


def udp_match(i):
    return match(oxm(ETH_TYPE, "H", 0x0800) + oxm(IP_PROTO, "B", 17) +
                 oxm(UDP_DST, "H", 20000 + i))


class Session:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.xid = 1

    def send(self, data):
        self.sock.sendall(data)

    def next_xid(self):
        self.xid += 1
        return self.xid

    def read_until(self, mtype, timeout=10):
        """Read messages until one of type mtype; echo requests answered,
        errors fatal."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while len(self.buf) >= 8:
                _, t, length, xid = struct.unpack("!BBHI", self.buf[:8])
                if len(self.buf) < length:
                    break
                msg, self.buf = self.buf[:length], self.buf[length:]
                if t == ERROR:
                    etype, code = struct.unpack("!HH", msg[8:12])
                    print(f"of_controller: OFPT_ERROR type {etype} code {code}", flush=True)
                    sys.exit(1)
                if t == ECHO_REQUEST:
                    self.send(header(ECHO_REPLY, length, xid) + msg[8:])
                if t == mtype:
                    return msg
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                print("of_controller: the switch closed the connection", flush=True)
                sys.exit(1)
            self.buf += data
        print(f"of_controller: no message of type {mtype} within {timeout} s", flush=True)
        sys.exit(1)

    def drain(self):
        """Read what has come, without waiting."""
        self.sock.setblocking(False)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    print("of_controller: the switch closed the connection", flush=True)
                    sys.exit(1)
                self.buf += data
        except BlockingIOError:
            pass
        finally:
            self.sock.setblocking(True)
        while len(self.buf) >= 8:
            length = struct.unpack("!H", self.buf[2:4])[0]
            if len(self.buf) < length:
                break
            t = self.buf[1]
            if t == ERROR:
                etype, code = struct.unpack("!HH", self.buf[8:12])
                print(f"of_controller: OFPT_ERROR type {etype} code {code}", flush=True)
                sys.exit(1)
            self.buf = self.buf[length:]


def main():
    port, cookie, n = int(sys.argv[1]), int(sys.argv[2], 0), int(sys.argv[3])
    stay = "--stay" in sys.argv[4:]
    s = Session(port)
    s.send(header(HELLO, 8, s.next_xid()))
    s.read_until(HELLO)
    s.send(header(FEATURES_REQUEST, 8, s.next_xid()))
    s.read_until(FEATURES_REPLY)
    # Whatever an earlier session of ours left (it may have been killed
    # half-way through its adds) goes first.
    s.send(flow_mod(s.next_xid(), DELETE, cookie & 0xffff0000, 0xffff0000, match(b""),
                    table=OFPTT_ALL))
    for i in range(n):
        s.send(flow_mod(s.next_xid(), ADD, cookie + i, 0, udp_match(i)))
    s.send(header(BARRIER_REQUEST, 8, s.next_xid()))
    s.read_until(BARRIER_REPLY)
    print(f"installed {n} flows", flush=True)
    if not stay:
        s.sock.close()
        return 0
    i = 0
    while True:
        time.sleep(0.05)
        s.send(header(ECHO_REQUEST, 8, s.next_xid()))
        if i % 4 == 0:
            k = (i // 4) % n
            s.send(flow_mod(s.next_xid(), MODIFY_STRICT, cookie + k, 0, udp_match(k)))
        s.drain()
        i += 1


if __name__ == "__main__":
    sys.exit(main())
