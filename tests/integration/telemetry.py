#!/usr/bin/env python3
"""Query a DPDK process's telemetry socket: telemetry.py RUNTIME_DIR COMMAND.

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


def main():
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
