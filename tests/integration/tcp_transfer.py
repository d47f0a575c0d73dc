#!/usr/bin/env python3
"""Move a file over one TCP connection, for end-to-end checks.

  tcp_transfer.py serve PORT OUTFILE [TIMEOUT]   accept one connection, save it
  tcp_transfer.py send HOST PORT INFILE [TIMEOUT]
"""
import socket
import sys
import time


def serve(port, path, timeout):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(1)
    srv.settimeout(timeout)
    conn, _ = srv.accept()
    conn.settimeout(timeout)
    with open(path, "wb") as out:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            out.write(data)
    conn.close()


def send(host, port, path, timeout):
    deadline = time.time() + timeout
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)
    with open(path, "rb") as f:
        sock.sendall(f.read())
    sock.shutdown(socket.SHUT_WR)
    sock.recv(1)  # wait for the server to close: everything arrived
    sock.close()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 30)
    else:
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]) if len(sys.argv) > 5 else 30)
