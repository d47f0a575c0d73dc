#!/usr/bin/env python3
"""Query a DPDK process's telemetry socket: telemetry.py RUNTIME_DIR COMMAND."""
import json
import socket
import sys


def query(runtime_dir, command):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.settimeout(5)
    sock.connect(f"{runtime_dir}/dpdk_telemetry.v2")
    json.loads(sock.recv(16384).decode())  # the greeting
    sock.send(command.encode())
    reply = sock.recv(1 << 20).decode()
    sock.close()
    return reply


if __name__ == "__main__":
    print(query(sys.argv[1], sys.argv[2]))
