#!/usr/bin/env python3
"""of_stuck_controller.py PORT SECONDS: an OpenFlow controller that asks
and never reads. It says HELLO, then for SECONDS sends ECHO_REQUESTs
with 60 KB payloads (each one a 60 KB reply the agent must queue) and
never reads a byte. Prints how many it sent and whether the agent
closed the connection."""
import socket
import struct
import sys
import time

ECHO_REQUEST = 2
PAYLOAD = b"\x5a" * 60000


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # read nothing, hold little
    s.sendall(struct.pack("!BBHI", 4, 0, 8, 1))  # HELLO
    s.settimeout(0.5)
    sent, closed, xid = 0, False, 2
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        msg = struct.pack("!BBHI", 4, ECHO_REQUEST, 8 + len(PAYLOAD), xid) + PAYLOAD
        try:
            s.sendall(msg)
            sent += 1
            xid += 1
        except socket.timeout:
            pass  # the agent is not reading either: try again
        except OSError:
            closed = True  # reset by the agent
            break
    print(f"sent {sent} echo requests; closed by the agent: {'yes' if closed else 'no'}")


if __name__ == "__main__":
    main()
