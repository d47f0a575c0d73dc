#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Live QoE measurement: an RTP stream to send with its timing, and the
reference figures computed from a capture taken where the platform reads.

  qoe_live.py rtp-pcap OUT.pcap SRC_MAC DST_MAC SRC_IP DST_IP [--count N]
      An RTP stream (PT 0 PCMU, 160-byte payloads, 20 ms nominal spacing,
      seq from 1000, SSRC 0x5eed0001, UDP 5004 -> 5006) whose send times
      carry a fixed pattern of early/late offsets (JITTER_PATTERN_MS) and
      whose sequence numbers DROPPED are missing. The pcap's times are the
      intended send times: `tcpreplay --timer=nano` reproduces them.

  qoe_live.py figures CAPTURE NF_RECORDS SRC_IP [--tcp-port P] [--sent PCAP]
      Prints, as one JSON object, what the NF reported (its final record
      of the RTP flow, and of the TCP flow to port P) next to the
      reference computed from the capture's arrival times: packets, RFC
      3550 loss and interarrival jitter (our own A.8 in double precision,
      and tshark's `-z rtp,streams` max/mean over the same capture to
      check that computation), and tshark's tcp.analysis.initial_rtt
      (from the last SYN; moved to the first, as the monitor times it, when
      the SYN was sent more than once).
      --sent: also the jitter of the stream as designed (the pcap sent).

  qoe_live.py sent-by CAPTURE MAC
      How many frames of the capture have source MAC: what the manager's
      port on that interface should have received.

  qoe_live.py check FIGURES.json WHAT [TOLERANCE_MS]
      WHAT is packets | lost | reference | jitter | rtt: exits 0 when that
      figure agrees (jitter and rtt: within TOLERANCE_MS of the reference),
      printing both sides.

Jitter is compared as the final estimate (what the NF's last record
carries) and the reference is computed over exactly the packets the
capture holds in the direction SRC_IP -> DST, in capture order.
"""
import json
import struct
import subprocess
import sys

SPORT, DPORT = 5004, 5006
SSRC = 0x5EED0001
PT_PCMU = 0
CLOCK_HZ = 8000
SPACING_S = 0.020
SAMPLES_PER_PKT = 160
# Offsets (ms) of successive packets from their nominal send time, repeated:
# consecutive differences of 2-9 ms, never enough to reorder packets.
JITTER_PATTERN_MS = [0, 3, -2, 4, -4, 1, 5, -3, 2, -1]
# Packet indexes not sent: five losses, two of them back to back.
DROPPED = {40, 41, 123, 207, 290}
FIRST_SEQ = 1000
FIRST_TS = 123456


def rtp_pcap(out, src_mac, dst_mac, src_ip, dst_ip, count):
    from scapy.all import IP, UDP, Ether, Raw, wrpcap
    from scapy.layers.rtp import RTP

    base = 1700000000.0
    pkts = []
    for i in range(count):
        if i in DROPPED:
            continue
        off = JITTER_PATTERN_MS[i % len(JITTER_PATTERN_MS)] / 1000.0
        p = (Ether(src=src_mac, dst=dst_mac) / IP(src=src_ip, dst=dst_ip, ttl=64) /
             UDP(sport=SPORT, dport=DPORT) /
             RTP(version=2, payload_type=PT_PCMU, sequence=FIRST_SEQ + i,
                 timestamp=FIRST_TS + SAMPLES_PER_PKT * i, sourcesync=SSRC) /
             Raw(b"\xff" * 160))
        p.time = base + 0.1 + SPACING_S * i + off
        pkts.append(p)
    wrpcap(out, pkts)


def read_pcap(path):
    """(time in ns, frame bytes) of every record: pcap with us or ns times."""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    else:
        endian = ">"
        magic = struct.unpack(">I", data[:4])[0]
    scale = 1 if magic == 0xA1B23C4D else 1000
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit("%s: link type %d, want Ethernet" % (path, linktype))
    off, out = 24, []
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        out.append((sec * 1000000000 + frac * scale, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return out


def ip4(b):
    return ".".join(str(x) for x in b)


def rtp_arrivals(capture, src_ip):
    """[(t_ns, seq, rtp_ts)] of the RTP stream's packets from src_ip."""
    out = []
    for t, f in read_pcap(capture):
        if len(f) < 14 + 20 + 8 + 12 or f[12:14] != b"\x08\x00":
            continue
        ihl = (f[14] & 15) * 4
        if f[23] != 17 or ip4(f[26:30]) != src_ip:
            continue
        u = 14 + ihl
        sport, dport = struct.unpack(">HH", f[u:u + 4])
        if (sport, dport) != (SPORT, DPORT):
            continue
        r = u + 8
        seq, ts = struct.unpack(">HI", f[r + 2:r + 8])
        out.append((t, seq, ts))
    return out


def rfc3550(arrivals, clock_hz=CLOCK_HZ):
    """RFC 3550 A.8 over arrival order, in double precision: the final
    jitter and its max and mean over the packets (in ms), and A.1/A.3's
    loss (no wrap: the stream is short)."""
    jitter, series = 0.0, []
    for k in range(1, len(arrivals)):
        (ti, _, si), (tj, _, sj) = arrivals[k - 1], arrivals[k]
        d = (tj - ti) * clock_hz / 1e9 - (((sj - si + 2**31) % 2**32) - 2**31)
        jitter += (abs(d) - jitter) / 16.0
        series.append(jitter * 1000.0 / clock_hz)
    seqs = [s for _, s, _ in arrivals]
    expected = max(seqs) - seqs[0] + 1 if seqs else 0
    return {"packets": len(arrivals), "lost": expected - len(arrivals),
            "jitter_ms": series[-1] if series else None,
            "max_jitter_ms": max(series) if series else None,
            "mean_jitter_ms": sum(series) / len(series) if series else None}


def tshark_rtp(capture):
    """tshark's -z rtp,streams line of our stream: its max and mean jitter."""
    out = subprocess.run(["tshark", "-n", "-r", capture, "-q", "-z", "rtp,streams",
                          "-d", "udp.port==%d,rtp" % SPORT],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        v = line.split()
        if len(v) >= 17 and v[6].lower() == "0x%08x" % SSRC:
            return {"packets": int(v[8]), "lost": int(v[9]), "max_jitter_ms": float(v[16]),
                    "mean_jitter_ms": float(v[15])}
    return None


def tshark_initial_rtt_ms(capture, port):
    """tshark's tcp.analysis.initial_rtt (ms), the client port and the times
    of the SYNs of the first connection to `port` that completed its
    handshake.

    tshark times the handshake from the last SYN; the monitor from the
    first (a resent SYN keeps the first time). Both are returned so that a
    SYN sent twice compares like with like."""
    out = subprocess.run(["tshark", "-n", "-r", capture, "-T", "fields", "-E", "separator=,",
                          "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "frame.time_epoch",
                          "-e", "tcp.flags.syn", "-e", "tcp.flags.ack",
                          "-e", "tcp.analysis.initial_rtt", "-Y", "tcp.port==%d" % port],
                         check=True, capture_output=True, text=True).stdout
    syns, found = {}, None
    for line in out.splitlines():
        stream, sport, t, syn, ack, irtt = (line.split(",") + [""] * 6)[:6]
        if syn in ("1", "True") and ack in ("0", "False"):
            syns.setdefault(stream, []).append(float(t))
        if irtt and found is None:
            found = (stream, int(sport), float(irtt) * 1000.0)
    if found is None:
        return None, None, []
    return found[2], found[1], syns.get(found[0], [])


def nf_final(records, pred):
    recs = [r for r in records if pred(r) and r["flow"]["reason"] != "interval"]
    return recs[-1] if recs else None


def figures(capture, nf_path, src_ip, tcp_port, sent):
    records = [json.loads(line) for line in open(nf_path) if line.startswith("{")]
    arr = rtp_arrivals(capture, src_ip)
    ref = rfc3550(arr)
    rtp = nf_final(records, lambda r: r["proto"] == "UDP" and r["src_ip"] == src_ip and
                   r["src_port"] == SPORT and r["dest_port"] == DPORT)
    fig = {"reference": ref, "tshark": tshark_rtp(capture), "nf": None,
           "designed": rfc3550(rtp_arrivals(sent, src_ip)) if sent else None}
    if rtp:
        fig["nf"] = {"packets": rtp["flow"]["pkts_toserver"], "lost": rtp["qoe"]["lost"],
                     "jitter_ms": rtp["qoe"]["jitter_ms"], "start": rtp["flow"]["start"],
                     "end": rtp["flow"]["end"]}
    if arr:
        span = (arr[-1][0] - arr[0][0]) / 1e9
        fig["reference"]["span_s"] = span
    if tcp_port:
        irtt, client_port, syns = tshark_initial_rtt_ms(capture, tcp_port)
        tcp = nf_final(records, lambda r: r["proto"] == "TCP" and r["dest_port"] == tcp_port and
                       r["src_port"] == client_port)
        fig["rtt"] = {"nf_ms": tcp["qoe"]["rtt_handshake_ms"] if tcp else None,
                      "tshark_ms": irtt, "syns": len(syns),
                      "from_first_syn_ms": irtt + (syns[-1] - syns[0]) * 1000.0
                      if irtt is not None and syns else None}
    return fig


def check(fig, what, tol):
    ref, nf, ts = fig["reference"], fig["nf"] or {}, fig["tshark"] or {}
    if what == "packets":
        ok = nf.get("packets") == ref["packets"]
        print("    NF %s RTP packets, capture %s" % (nf.get("packets"), ref["packets"]))
    elif what == "lost":
        ok = nf.get("lost") == ref["lost"] == len(DROPPED) == ts.get("lost")
        print("    lost: NF %s, capture %s, tshark %s, sent without %d" % (
            nf.get("lost"), ref["lost"], ts.get("lost"), len(DROPPED)))
    elif what == "reference":
        # tshark prints ms with 3 decimals.
        ok = (ts and abs(ts["max_jitter_ms"] - ref["max_jitter_ms"]) <= 0.001 and
              abs(ts["mean_jitter_ms"] - ref["mean_jitter_ms"]) <= 0.001)
        print("    jitter max/mean: ours %.4f/%.4f ms, tshark %s/%s ms" % (
            ref["max_jitter_ms"], ref["mean_jitter_ms"], ts.get("max_jitter_ms"),
            ts.get("mean_jitter_ms")))
    elif what == "jitter":
        j = nf.get("jitter_ms")
        ok = j is not None and abs(j - ref["jitter_ms"]) <= tol
        print("    jitter_ms: NF %s, capture %.4f (tolerance %.3f ms; as sent %s)" % (
            j, ref["jitter_ms"], tol, fig["designed"] and round(fig["designed"]["jitter_ms"], 4)))
    elif what == "rtt":
        r = fig.get("rtt", {})
        ref = r.get("from_first_syn_ms")
        ok = r.get("nf_ms") is not None and ref is not None and abs(r["nf_ms"] - ref) <= tol
        print("    rtt_handshake_ms: NF %s, tshark initial_rtt %s%s (tolerance %.3f ms)" % (
            r.get("nf_ms"), r.get("tshark_ms"), "" if r.get("syns") == 1 else
            " from the last of %s SYNs, %s from the first" % (r.get("syns"), ref), tol))
    else:
        raise SystemExit("unknown check %s" % what)
    return bool(ok)


def main():
    a = sys.argv[1:]
    if a and a[0] == "rtp-pcap" and len(a) >= 6:
        count = int(a[a.index("--count") + 1]) if "--count" in a else 350
        rtp_pcap(a[1], a[2], a[3], a[4], a[5], count)
    elif a and a[0] == "figures" and len(a) >= 4:
        port = int(a[a.index("--tcp-port") + 1]) if "--tcp-port" in a else None
        sent = a[a.index("--sent") + 1] if "--sent" in a else None
        print(json.dumps(figures(a[1], a[2], a[3], port, sent)))
    elif a and a[0] == "sent-by" and len(a) == 3:
        mac = bytes.fromhex(a[2].replace(":", ""))
        print(sum(1 for _, f in read_pcap(a[1]) if f[6:12] == mac))
    elif a and a[0] == "check" and len(a) >= 3:
        fig = json.load(open(a[1]))
        sys.exit(0 if check(fig, a[2], float(a[3]) if len(a) > 3 else 0.0) else 1)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
