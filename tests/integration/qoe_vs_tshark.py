#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare qoe_pcap's flow records with tshark's analysis of the same capture.

  qoe_vs_tshark.py QOE_PCAP CAPTURE [--rtp-port PORT ...] [--expect-retrans]

Per flow (5-tuple; the client is the SYN sender, else the first sender):
  packets and bytes each way          exact
  rtt_handshake_ms vs tcp.analysis.initial_rtt       |diff| <= 0.002 ms
  rtt_min/avg/max_ms, rtt_samples vs tcp.analysis.ack_rtt (0 where tshark
      names tcp.analysis.acks_frame without one), leaving out (Karn)
      the ACKs of segments tshark marks as retransmissions or whose range
      was retransmitted, and negative times (capture clock stepping back):
      samples exact, min/max |diff| <= 0.002 ms, avg <= 0.002 ms + 0.1 %
  retransmissions_toserver/toclient vs tcp.analysis.retransmission: never
      more than tshark in each direction, and retransmissions + out_of_order
      equal to tshark's retransmission + out_of_order frames (tshark also
      calls "retransmission" a segment lost before the capture point, whose
      bytes the monitor sees for the first time: out_of_order here)
  zero_window vs tcp.analysis.zero_window           exact
  RTP (-z rtp,streams): lost exact; jitter_ms within [min jitter - 0.01,
      max jitter + 0.01] ms, and == max jitter +- 0.01 ms for streams whose
      jitter only grows at the end (--steady-ssrc)
Prints one PASS/FAIL line per check; exits 1 on any failure.
"""
import argparse
import collections
import json
import subprocess
import sys

TOL_MS = 0.002
TOL_JITTER_MS = 0.01

failures = 0


def check(ok, what):
    global failures
    print(("PASS " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def run_qoe(qoe_pcap, capture):
    out = subprocess.run([qoe_pcap, capture], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


FIELDS = ["frame.number", "frame.len", "ip.src", "ip.dst", "ip.proto", "tcp.srcport",
          "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags.syn", "tcp.flags.ack",
          "tcp.analysis.initial_rtt", "tcp.analysis.ack_rtt", "tcp.analysis.acks_frame",
          "tcp.analysis.retransmission", "tcp.analysis.out_of_order",
          "tcp.analysis.zero_window", "tcp.nxtseq", "tcp.ack"]

MAX_TIMED = 8   # QOE_TCP_MAX_SEGS: segments the monitor times at once


def run_tshark_fields(capture):
    cmd = ["tshark", "-n", "-r", capture, "-Y", "ip and ip.frag_offset == 0 and ip.flags.mf == 0",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        v = line.split("\t")
        rows.append(dict(zip(FIELDS, v)))
    return rows


class RefFlow:
    def __init__(self):
        self.client = None
        self.pkts = [0, 0]
        self.bytes = [0, 0]
        self.initial_rtt = None
        self.acks = []          # (ack_rtt seconds, acked frame number)
        self.retrans = [0, 0]
        self.ooo = 0
        self.zero_window = 0
        self.retrans_frames = set()
        self.retrans_ends = [{}, {}]  # nxtseq -> first frame resending it
        self.frame_end = {}     # frame -> (dir, nxtseq)
        self.in_flight = [[], []]  # unacknowledged segment ends, per direction
        self.max_in_flight = 0


def tuple_of(r):
    proto = int(r["ip.proto"])
    sp = r["tcp.srcport"] or r["udp.srcport"] or "0"
    dp = r["tcp.dstport"] or r["udp.dstport"] or "0"
    return (r["ip.src"], int(sp), r["ip.dst"], int(dp), proto)


def reference_flows(rows):
    flows = {}
    for r in rows:
        t = tuple_of(r)
        rev = (t[2], t[3], t[0], t[1], t[4])
        key = min(t, rev)
        f = flows.get(key)
        if f is None:
            f = flows[key] = RefFlow()
            syn, ack = r["tcp.flags.syn"] in ("1", "True"), r["tcp.flags.ack"] in ("1", "True")
            f.client = rev if (t[4] == 6 and syn and ack) else t
        d = 0 if t == f.client else 1
        f.pkts[d] += 1
        f.bytes[d] += int(r["frame.len"])
        if t[4] != 6:
            continue
        if r["tcp.analysis.initial_rtt"] and f.initial_rtt is None:
            f.initial_rtt = float(r["tcp.analysis.initial_rtt"])
        n = int(r["frame.number"])
        if r["tcp.nxtseq"]:
            f.frame_end[n] = (d, r["tcp.nxtseq"])
            if not r["tcp.analysis.retransmission"]:
                f.in_flight[d].append(int(r["tcp.nxtseq"]))
                f.max_in_flight = max(f.max_in_flight, len(f.in_flight[d]))
        if r["tcp.ack"]:
            ack = int(r["tcp.ack"])
            f.in_flight[1 - d] = [e for e in f.in_flight[1 - d] if e > ack]
        if r["tcp.analysis.retransmission"]:
            f.retrans[d] += 1
            f.retrans_frames.add(n)
            if r["tcp.nxtseq"]:
                f.retrans_ends[d].setdefault(r["tcp.nxtseq"], n)
        if r["tcp.analysis.out_of_order"]:
            f.ooo += 1
        if r["tcp.analysis.zero_window"]:
            f.zero_window += 1
        if r["tcp.analysis.acks_frame"]:
            # tshark names the acked frame but leaves ack_rtt out when it is
            # 0: an ACK in the segment's microsecond, as a tap beside the
            # receiver sees it. The monitor counts that sample too.
            f.acks.append((float(r["tcp.analysis.ack_rtt"] or 0), int(r["tcp.analysis.acks_frame"]),
                           n))
    return flows


def karn_samples(f):
    """tshark's ack_rtt samples that Karn's rule keeps, in ms: not for an
    ACK of a range that was sent again before the ACK came."""
    out = []
    for rtt, acked, ack_frame in f.acks:
        if rtt < 0 or acked in f.retrans_frames:
            continue
        d, end = f.frame_end.get(acked, (None, None))
        if d is not None and f.retrans_ends[d].get(end, ack_frame) < ack_frame:
            continue
        out.append(rtt * 1000.0)
    return out


def near(a, b, tol):
    return a is not None and b is not None and abs(a - b) <= tol


def compare_flow(name, rec, f):
    q, fl = rec["qoe"], rec["flow"]
    ok_counts = (fl["pkts_toserver"], fl["pkts_toclient"], fl["bytes_toserver"],
                 fl["bytes_toclient"]) == (f.pkts[0], f.pkts[1], f.bytes[0], f.bytes[1])
    yield ok_counts, "%s packets/bytes %s/%s %s/%s (tshark %s %s)" % (
        name, fl["pkts_toserver"], fl["pkts_toclient"], fl["bytes_toserver"],
        fl["bytes_toclient"], f.pkts, f.bytes)
    if rec["proto"] != "TCP":
        return
    hs = q["rtt_handshake_ms"]
    if f.initial_rtt is None:
        yield hs is None, "%s rtt_handshake_ms %s (tshark: none)" % (name, hs)
    else:
        yield near(hs, f.initial_rtt * 1000, TOL_MS), "%s rtt_handshake_ms %s (tshark %.6f)" % (
            name, hs, f.initial_rtt * 1000)
    s = karn_samples(f)
    if not s:
        ok = q["rtt_samples"] == 0 and q["rtt_min_ms"] is None and q["rtt_avg_ms"] is None
        yield ok, "%s no RTT samples (%s)" % (name, q["rtt_samples"])
    elif f.max_in_flight <= MAX_TIMED:
        avg = sum(s) / len(s)
        ok = (q["rtt_samples"] == len(s) and near(q["rtt_min_ms"], min(s), TOL_MS) and
              near(q["rtt_max_ms"], max(s), TOL_MS) and
              near(q["rtt_avg_ms"], avg, TOL_MS + avg * 0.001))
        yield ok, "%s rtt samples/min/avg/max %s/%s/%s/%s (tshark %d/%.6f/%.6f/%.6f)" % (
            name, q["rtt_samples"], q["rtt_min_ms"], q["rtt_avg_ms"], q["rtt_max_ms"],
            len(s), min(s), avg, max(s))
    else:
        # More in flight than the monitor times: its samples are a subset of
        # tshark's, so they lie within tshark's range.
        avg = sum(s) / len(s)
        n = q["rtt_samples"]
        ok = (0 < n < len(s) and min(s) - TOL_MS <= q["rtt_min_ms"] <= q["rtt_avg_ms"] <=
              q["rtt_max_ms"] <= max(s) + TOL_MS)
        yield ok, ("%s rtt (%d in flight: sampled) samples/min/avg/max %s/%s/%s/%s within "
                   "tshark's %d/%.6f/%.6f/%.6f") % (
            name, f.max_in_flight, n, q["rtt_min_ms"], q["rtt_avg_ms"], q["rtt_max_ms"],
            len(s), min(s), avg, max(s))
    mine = (q["retransmissions_toserver"], q["retransmissions_toclient"])
    ok = (mine[0] <= f.retrans[0] and mine[1] <= f.retrans[1] and
          mine[0] + mine[1] + q["out_of_order"] == f.retrans[0] + f.retrans[1] + f.ooo)
    yield ok, "%s retransmissions %s/%s + out_of_order %s (tshark retrans %s, ooo %s)" % (
        name, mine[0], mine[1], q["out_of_order"], f.retrans, f.ooo)
    yield q["zero_window"] == f.zero_window, "%s zero_window %s (tshark %s)" % (
        name, q["zero_window"], f.zero_window)


def rtp_streams(capture, ports):
    cmd = ["tshark", "-n", "-r", capture, "-q", "-z", "rtp,streams"]
    for p in ports:
        cmd += ["-d", "udp.port==%d,rtp" % p]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    streams = {}
    for line in out.splitlines():
        v = line.split()
        if len(v) < 17 or not v[6].startswith("0x"):
            continue
        # start end src sport dst dport ssrc payload pkts lost (pct) ...
        key = (v[2], int(v[3]), v[4], int(v[5]), 17)
        streams[key] = {"ssrc": v[6], "pkts": int(v[8]), "lost": int(v[9]),
                        "min_jitter": float(v[14]), "mean_jitter": float(v[15]),
                        "max_jitter": float(v[16])}
    return streams


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("qoe_pcap")
    ap.add_argument("capture")
    ap.add_argument("--rtp-port", type=int, action="append", default=[])
    ap.add_argument("--steady-ssrc", action="append", default=[])
    ap.add_argument("--label", default=None)
    a = ap.parse_args()
    label = a.label or a.capture.rsplit("/", 1)[-1]

    recs = run_qoe(a.qoe_pcap, a.capture)
    by_tuple = collections.defaultdict(list)
    for r in recs:
        by_tuple[(r["src_ip"], r["src_port"] or 0, r["dest_ip"], r["dest_port"] or 0,
                  {"TCP": 6, "UDP": 17, "ICMP": 1}.get(r["proto"], r["proto"]))].append(r)
    ref = reference_flows(run_tshark_fields(a.capture))

    check(len(recs) == len(ref), "%s: %d flow records for %d flows tshark sees" % (
        label, len(recs), len(ref)))
    flow_fail = 0
    checks = 0
    for key, f in sorted(ref.items()):
        name = "%s %s:%d->%s:%d" % (label, f.client[0], f.client[1], f.client[2], f.client[3])
        rs = by_tuple.get(f.client, [])
        if len(rs) != 1:
            check(False, "%s: %d final records (want 1)" % (name, len(rs)))
            flow_fail += 1
            continue
        for ok, what in compare_flow(name, rs[0], f):
            checks += 1
            if not ok or len(ref) <= 10:
                check(ok, what)   # big captures: print failures only
            if not ok:
                flow_fail += 1
    if len(ref) > 10:
        tcp = [f for f in ref.values() if f.client[4] == 6]
        check(flow_fail == 0, "%s: %d per-flow checks over %d flows, %d failed "
              "(covering %d handshakes, %d RTT samples, %d retransmissions)" % (
                  label, checks, len(ref), flow_fail,
                  sum(f.initial_rtt is not None for f in tcp),
                  sum(len(karn_samples(f)) for f in tcp), sum(sum(f.retrans) for f in tcp)))

    if a.rtp_port:
        streams = rtp_streams(a.capture, a.rtp_port)
        check(len(streams) > 0, "%s: tshark found %d RTP streams" % (label, len(streams)))
        for key, s in sorted(streams.items()):
            rs = by_tuple.get(key, [])
            name = "%s RTP %s %s:%d->%s:%d" % (label, s["ssrc"], *key[:4])
            if len(rs) != 1:
                check(False, "%s: %d records" % (name, len(rs)))
                continue
            q = rs[0]["qoe"]
            check(q["lost"] == s["lost"], "%s lost %s (tshark %s)" % (name, q["lost"], s["lost"]))
            j = q["jitter_ms"]
            if s["ssrc"] in a.steady_ssrc:
                ok = near(j, s["max_jitter"], TOL_JITTER_MS)
                what = "== max"
            else:
                ok = j is not None and (s["min_jitter"] - TOL_JITTER_MS <= j <=
                                        s["max_jitter"] + TOL_JITTER_MS)
                what = "within min..max"
            check(ok, "%s jitter_ms %s %s (tshark min/mean/max %s/%s/%s)" % (
                name, j, what, s["min_jitter"], s["mean_jitter"], s["max_jitter"]))
        rtp_keys = set(streams)
        for key, rs in by_tuple.items():
            if key[4] == 17 and key not in rtp_keys and (key[2], key[3], key[0], key[1], 17) not in rtp_keys:
                q = rs[0]["qoe"]
                check(q["jitter_ms"] is None and q["lost"] is None,
                      "%s UDP %s:%d->%s:%d not RTP: jitter_ms/lost null (%s/%s)" % (
                          label, *key[:4], q["jitter_ms"], q["lost"]))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
