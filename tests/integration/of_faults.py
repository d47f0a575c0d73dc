#!/usr/bin/env python3
"""of_faults.py PORT MODE SECONDS: a misbehaving OpenFlow controller.

  garbage   every connection sends random bytes, then random bodies behind
            valid headers; reconnects when the agent closes it
  conns     opens 100 connections at once and holds them
  flood     sends FLOW_MODs (add, distinct matches) as fast as the socket
            takes them, never waiting for a reply

Prints one line of what it did. The test checks the agent and the data
path meanwhile; this script only misbehaves."""
import random
import socket
import struct
import sys
import time

OFPT_HELLO, OFPT_FLOW_MOD = 0, 14


def hdr(mtype, length, xid):
    return struct.pack("!BBHI", 4, mtype, length, xid)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    s.sendall(hdr(OFPT_HELLO, 8, 1))
    return s


def garbage(port, seconds):
    rnd = random.Random(7)
    sent = closed = 0
    end = time.monotonic() + seconds
    s = connect(port)
    while time.monotonic() < end:
        if rnd.random() < 0.5:
            data = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(1, 200)))
        else:  # a valid header, a random type, a random body
            body = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 120)))
            data = hdr(rnd.randrange(0, 40), 8 + len(body), rnd.getrandbits(32)) + body
        try:
            s.sendall(data)
            s.setblocking(False)
            try:
                while s.recv(65536):
                    pass
            except BlockingIOError:
                pass
            s.setblocking(True)
            sent += 1
        except OSError:
            closed += 1
            s.close()
            s = connect(port)
    print(f"garbage: {sent} messages, {closed} connections closed by the agent")


def conns(port, seconds):
    held, refused = [], 0
    for _ in range(100):
        try:
            held.append(connect(port))
        except OSError:
            refused += 1
    time.sleep(seconds)
    alive = 0
    for s in held:
        try:
            s.setblocking(False)
            d = s.recv(65536)
            alive += 1 if d else 0
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    print(f"conns: 100 opened, {refused} refused, {alive} still open")


def flow_mod(i):
    # match: OXM in_port=1 (so the steering flow below keeps forwarding),
    # eth_type=ipv4, ipv4_dst=10.x.y.z exact; apply-actions: output:2
    oxm = (struct.pack("!HBBI", 0x8000, 0 << 1, 4, 1) +
           struct.pack("!HBBH", 0x8000, 5 << 1, 2, 0x0800) +
           struct.pack("!HBBI", 0x8000, 12 << 1, 4, (10 << 24) | i))
    match = struct.pack("!HH", 1, 4 + len(oxm)) + oxm
    match += b"\0" * ((8 - len(match) % 8) % 8)
    action = struct.pack("!HHIH6x", 0, 16, 2, 0)
    inst = struct.pack("!HH4x", 4, 8 + len(action)) + action
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, 0, 0, 0, 0, 10, 0xffffffff,
                       0xffffffff, 0xffffffff, 0)
    msg = body + match + inst
    return hdr(OFPT_FLOW_MOD, 8 + len(msg), i) + msg


def flood(port, seconds):
    s = connect(port)
    s.settimeout(0.2)
    sent, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            s.sendall(flow_mod(sent))
            sent += 1
        except socket.timeout:
            pass
        except OSError:
            break
    print(f"flood: {sent} FLOW_MODs sent")


def main():
    port, mode, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    {"garbage": garbage, "conns": conns, "flood": flood}[mode](port, seconds)


if __name__ == "__main__":
    main()
