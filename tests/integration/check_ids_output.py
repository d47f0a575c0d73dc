#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare what the ids produced with what gen_ids_pcaps.py expects.

    check_ids_output.py DIR ALERTS.json OUT.pcap

Alerts must match exactly (every expected field, same order, nothing more;
flow_id must be a positive integer shared by the alerts of one connection).
OUT.pcap must be IN.pcap minus exactly the dropped packets, byte for byte.
Prints one line per problem and exits 1 when there is any.
"""
import json
import os
import sys

from scapy.all import rdpcap


def main():
    d, alerts_path, out_pcap = sys.argv[1:4]
    problems = []
    expected = [json.loads(l) for l in open(os.path.join(d, "ids_expected.json"))]
    got = [json.loads(l) for l in open(alerts_path) if l.strip()]
    if len(got) != len(expected):
        problems.append("%d alerts, expected %d" % (len(got), len(expected)))
    for i, (g, e) in enumerate(zip(got, expected)):
        for k, v in e.items():
            if g.get(k) != v:
                problems.append("alert %d: %s is %r, expected %r" % (i, k, g.get(k), v))
        if not isinstance(g.get("flow_id"), int) or g["flow_id"] <= 0:
            problems.append("alert %d: bad flow_id %r" % (i, g.get("flow_id")))
        extra = set(g) - set(e) - {"flow_id"}
        if extra:
            problems.append("alert %d: unexpected fields %s" % (i, sorted(extra)))

    # One flow_id per connection (either direction), distinct across them.
    ids_by_conn = {}
    for g in got:
        a = (g.get("src_ip"), g.get("src_port"))
        b = (g.get("dest_ip"), g.get("dest_port"))
        conn = (g.get("proto"),) + tuple(sorted([a, b], key=str))
        ids_by_conn.setdefault(conn, set()).add(g.get("flow_id"))
    for conn, ids in ids_by_conn.items():
        if len(ids) != 1:
            problems.append("connection %s has flow_ids %s" % (conn, sorted(map(str, ids))))
    all_ids = [next(iter(v)) for v in ids_by_conn.values() if len(v) == 1]
    if len(set(all_ids)) != len(all_ids):
        problems.append("two connections share a flow_id")

    dropped = set(json.load(open(os.path.join(d, "ids_dropped.json"))))
    pin = [bytes(p) for p in rdpcap(os.path.join(d, "ids_in.pcap"))]
    want = [p for i, p in enumerate(pin) if i not in dropped]
    pout = [bytes(p) for p in rdpcap(out_pcap)]
    if pout != want:
        problems.append("output capture: %d packets, expected %d (input %d minus %d dropped)"
                        % (len(pout), len(want), len(pin), len(dropped)))
    for p in problems:
        print(p)
    print("ids output: %d alerts checked, %d packets out, %s" %
          (len(got), len(pout), "OK" if not problems else "%d problem(s)" % len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
