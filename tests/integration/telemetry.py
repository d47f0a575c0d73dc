#!/usr/bin/env python3
"""Query a DPDK process's telemetry socket: telemetry.py RUNTIME_DIR COMMAND.

telemetry.py --hammer RUNTIME_DIR COMMAND...: ask the commands in turn, as
fast as answers come, until the socket is gone (the process stopped); print
how many were answered. For shutdown races: a command asked while the
process frees what it reads must not crash it.

Retries a few times: on a loaded machine the telemetry thread, which shares
a CPU with busy pollers, can be slow to answer.
"""
import json
import socket
import sys
import time


def query(runtime_dir, command, timeout=10):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.settimeout(timeout)
    try:
        sock.connect(f"{runtime_dir}/dpdk_telemetry.v2")
        json.loads(sock.recv(16384).decode())  # the greeting
        sock.send(command.encode())
        return sock.recv(1 << 20).decode()
    finally:
        sock.close()


def hammer(runtime_dir, commands):
    answered = 0
    while True:
        for command in commands:
            try:
                query(runtime_dir, command, timeout=5)
                answered += 1
            except (OSError, ValueError) as e:
                print(answered)
                print(f"telemetry: {e}", file=sys.stderr)
                return 0


def main():
    if sys.argv[1] == "--hammer":
        return hammer(sys.argv[2], sys.argv[3:])
    for attempt in range(3):
        try:
            print(query(sys.argv[1], sys.argv[2]))
            return 0
        except (OSError, ValueError) as e:
            err = e
            time.sleep(0.2 * (attempt + 1))
    print(f"telemetry: {err}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
