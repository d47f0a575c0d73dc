#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write crafted captures for the ids NF, with the alerts they must raise.

    gen_ids_pcaps.py OUTDIR

writes OUTDIR/ids.rules, OUTDIR/ids_in.pcap, OUTDIR/ids_expected.json (one
expected alert per line, in packet order) and OUTDIR/ids_dropped.json (the
indices of the packets a drop rule must remove).

The attacks are split across TCP segments of real handshaken flows; benign
traffic carries near misses; malformed packets and fragments must pass
untouched. Every packet is 1 ms after the one before, so an alert's
timestamp names its packet.
"""
import json
import os
import sys
from datetime import datetime, timezone

from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, wrpcap  # noqa: E402

BASE_TIME = 1700000000
HOME = "192.168.1.10"

RULES = r"""# Rules for the generated capture (see gen_ids_pcaps.py).
var HOME_NET 192.168.0.0/16
var EXTERNAL_NET !$HOME_NET
portvar HTTP_PORTS [80,8080]

alert tcp any any -> $HOME_NET $HTTP_PORTS (msg:"passwd file requested"; flow:to_server,established; content:"/etc/passwd"; classtype:attempted-recon; sid:1001; rev:1;)
drop tcp any any -> $HOME_NET $HTTP_PORTS (msg:"cmd.exe requested"; flow:to_server,established; content:"cmd.exe"; nocase; classtype:web-application-attack; sid:1002; rev:2;)
alert tcp $HOME_NET $HTTP_PORTS -> any any (msg:"token leaked"; flow:to_client,established; content:"secret-token"; classtype:policy-violation; sid:1003; rev:1;)
alert tcp any any -> any 21 (msg:"ftp root login"; flow:to_server; content:"USER "; depth:5; content:"root"; distance:0; within:4; classtype:suspicious-login; sid:1004; rev:1;)
alert udp any any -> any 9999 (msg:"numeric password"; pcre:"/passwd=[0-9]{6}\b/"; sid:1005; rev:1;)
alert icmp any any -> any any (msg:"marked ping"; content:"|de ad be ef|"; sid:1006; rev:1;)
alert tcp $EXTERNAL_NET any -> $HOME_NET 22 (msg:"old ssh from outside"; content:"SSH-1."; depth:6; sid:1007; rev:1;)
"""


class Capture:
    def __init__(self):
        self.pkts = []
        self.expected = []
        self.dropped = []

    def add(self, pkt):
        pkt.time = BASE_TIME + len(self.pkts) / 1000.0
        self.pkts.append(pkt)
        return len(self.pkts) - 1

    def expect(self, index, sid, rev, msg, category, severity, action="allowed"):
        p = self.pkts[index]
        ts = datetime.fromtimestamp(BASE_TIME, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        ms = index % 1000
        secs = index // 1000
        if secs:
            ts = datetime.fromtimestamp(BASE_TIME + secs, timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%S")
        ev = {
            "timestamp": "%s.%06d+0000" % (ts, ms * 1000),
            "event_type": "alert",
            "src_ip": p[IP].src,
            "dest_ip": p[IP].dst,
            "proto": {6: "TCP", 17: "UDP", 1: "ICMP"}[p[IP].proto],
            "alert": {"action": action, "gid": 1, "signature_id": sid, "rev": rev,
                      "signature": msg, "category": category, "severity": severity},
        }
        if p[IP].proto in (6, 17):
            l4 = p[IP].payload
            ev["src_port"] = l4.sport
            ev["dest_port"] = l4.dport
        if p[IP].proto == 1:
            ev["icmp_type"] = p[ICMP].type
            ev["icmp_code"] = p[ICMP].code
        self.expected.append(ev)
        if action == "blocked":
            self.dropped.append(index)


class Flow:
    """A TCP connection: handshake, then segments either way."""

    def __init__(self, cap, cli, sport, srv, dport, isn_c=1000, isn_s=50000):
        self.cap, self.cli, self.sport, self.srv, self.dport = cap, cli, sport, srv, dport
        self.seq = {True: isn_c + 1, False: isn_s + 1}
        cap.add(self._pkt(True, "S", isn_c, b""))
        cap.add(self._pkt(False, "SA", isn_s, b""))
        cap.add(self._pkt(True, "A", isn_c + 1, b""))

    def _pkt(self, from_client, flags, seq, data):
        src, dst = (self.cli, self.srv) if from_client else (self.srv, self.cli)
        sp, dp = (self.sport, self.dport) if from_client else (self.dport, self.sport)
        ack = self.seq[not from_client] if hasattr(self, "seq") else 0
        p = Ether() / IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags=flags, seq=seq,
                                                  ack=ack, window=65535)
        if data:
            p = p / Raw(data)
        return p

    def send(self, data, from_client=True, seq=None, advance=True):
        s = self.seq[from_client] if seq is None else seq
        i = self.cap.add(self._pkt(from_client, "PA", s, data))
        if advance and seq is None:
            self.seq[from_client] += len(data)
        return i


def build():
    cap = Capture()

    # 1. A request for /etc/passwd split over two segments: one alert.
    f = Flow(cap, "10.0.0.1", 40001, HOME, 80)
    f.send(b"GET /etc/pa")
    i = f.send(b"sswd HTTP/1.1\r\nHost: x\r\n\r\n")
    cap.expect(i, 1001, 1, "passwd file requested", "Attempted Information Leak", 2)
    f.send(b"HTTP/1.1 404 Not Found\r\n\r\n", from_client=False)

    # 2. cmd.exe over three segments (IPS): the third is dropped, so is its
    # retransmission; the benign bytes sent in its place pass.
    f = Flow(cap, "10.0.0.2", 40002, HOME, 8080)
    f.send(b"GET /scripts/c")
    f.send(b"MD.")
    seq = f.seq[True]
    i = f.send(b"ExE?/c+dir HTTP/1.1\r\n\r\n", advance=False)
    cap.expect(i, 1002, 2, "cmd.exe requested", "Web Application Attack", 1, "blocked")
    i = f.send(b"ExE?/c+dir HTTP/1.1\r\n\r\n", seq=seq)
    cap.expect(i, 1002, 2, "cmd.exe requested", "Web Application Attack", 1, "blocked")
    f.send(b"txt HTTP/1.1\r\n\r\n", seq=seq)

    # 3. Benign web traffic with near misses: no alert.
    f = Flow(cap, "10.0.0.3", 40003, HOME, 80)
    f.send(b"GET /etc/passw HTTP/1.1\r\n")
    f.send(b"\r\n")  # "/etc/passw" + "\r\n": no 'd'
    f.send(b"HTTP/1.1 200 OK\r\n\r\ncmd.ex is not cmd.exe for the server", from_client=False)

    # 4. A token leaked server -> client, split: to_client rule.
    f = Flow(cap, "10.0.0.4", 40004, HOME, 80)
    f.send(b"GET /config HTTP/1.1\r\n\r\n")
    f.send(b"HTTP/1.1 200 OK\r\n\r\nkey=secret-", from_client=False)
    i = f.send(b"token\n", from_client=False)
    cap.expect(i, 1003, 1, "token leaked", "Potential Corporate Privacy Violation", 1)
    # The same words from the client are not to_client.
    f.send(b"secret-token")

    # 5. FTP root login, split inside both contents; a later USER root on the
    # same connection is past depth 5 of the stream.
    f = Flow(cap, "10.0.0.5", 40005, HOME, 21)
    f.send(b"USE")
    i = f.send(b"R ro")
    f.send(b"ot\r\n")
    cap.expect(i + 1, 1004, 1, "ftp root login",
               "An attempted login using a suspicious username was detected", 2)
    f.send(b"USER root\r\n")

    # 6. UDP + pcre, and a near miss (7 digits).
    i = cap.add(Ether() / IP(src="10.0.0.6", dst=HOME) / UDP(sport=5000, dport=9999)
                / Raw(b"login passwd=123456 ok"))
    cap.expect(i, 1005, 1, "numeric password", "", 3)
    cap.add(Ether() / IP(src="10.0.0.6", dst=HOME) / UDP(sport=5000, dport=9999)
            / Raw(b"login passwd=1234567 ok"))

    # 7. ICMP echo with a marker, and a plain one.
    i = cap.add(Ether() / IP(src="10.0.0.7", dst=HOME) / ICMP(type=8) / Raw(b"\x00\xde\xad\xbe\xef"))
    cap.expect(i, 1006, 1, "marked ping", "", 3)
    cap.add(Ether() / IP(src="10.0.0.7", dst=HOME) / ICMP(type=8) / Raw(b"abcdefgh"))

    # 8. Variables: SSH-1 from outside alerts, from inside does not.
    f = Flow(cap, "8.8.8.8", 40008, HOME, 22)
    i = f.send(b"SSH-1.5-client\r\n")
    cap.expect(i, 1007, 1, "old ssh from outside", "", 3)
    f = Flow(cap, "192.168.2.2", 40009, HOME, 22)
    f.send(b"SSH-1.5-client\r\n")

    # 9. Malformed and fragmented packets carrying attack bytes pass uninspected.
    bad = Ether() / IP(src="10.0.0.9", dst=HOME, ihl=3) / TCP(sport=1, dport=80) / Raw(b"cmd.exe")
    cap.add(Ether(bytes(bad)))
    frag = Ether() / IP(src="10.0.0.9", dst=HOME, flags="MF") / TCP(sport=2, dport=80) / Raw(b"cmd.exe")
    cap.add(frag)
    short = bytes(Ether() / IP(src="10.0.0.9", dst=HOME) / TCP(sport=3, dport=80) / Raw(b"cmd.exe"))
    cap.add(Ether(short[:14 + 20 + 10]))

    # 10. Documented limit: reordered halves of a pattern are not joined.
    f = Flow(cap, "10.0.0.10", 40010, HOME, 80)
    s0 = f.seq[True]
    f.send(b"sswd HTTP/1.1\r\n\r\n", seq=s0 + len(b"GET /etc/pa"))
    f.send(b"GET /etc/pa", seq=s0)
    return cap


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_ids_pcaps.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    cap = build()
    with open(os.path.join(out, "ids.rules"), "w") as f:
        f.write(RULES)
    wrpcap(os.path.join(out, "ids_in.pcap"), cap.pkts)
    with open(os.path.join(out, "ids_expected.json"), "w") as f:
        for ev in cap.expected:
            f.write(json.dumps(ev) + "\n")
    with open(os.path.join(out, "ids_dropped.json"), "w") as f:
        json.dump(cap.dropped, f)
    print("%d packets, %d expected alerts, %d dropped" %
          (len(cap.pkts), len(cap.expected), len(cap.dropped)))


if __name__ == "__main__":
    main()
