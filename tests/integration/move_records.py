#!/usr/bin/env python3
"""What NFs wrote about flows that moved between their instances, checked
against the capture that move_traffic.py made.

  move_records.py qoe IN.pcap FROM.json TO.json
  move_records.py ids ALERTS_MOVED.json... --reference ALERTS_ONE.json

qoe: the QoE records of the instance the flows left (FROM) and of the one
they went to (TO), `-i` interval records and final ones. Every connection
of IN is one flow: all its records carry one flow_id, exactly one is final,
and the final one counts every frame of the connection each way (the
counts carried on across the move instead of restarting). Its counts never
go down from one record to the next. Some connections (the moved ones)
end in TO under a flow_id numbered by FROM (the instance that saw their
handshake, whose RTT they still report).

ids: the alerts of the instances the flows moved between, taken together,
are the alerts one IDS wrote over the whole capture (REFERENCE, the offline
runner's), flow by flow: per (signature, 5-tuple), the same count. The
moved flows' alerts on the new instance carry the flow_id the old one gave.

Prints a JSON summary; exit status 1 when a check fails.
"""
import json
import sys
from collections import Counter, defaultdict

from move_traffic import frames, ip4


def connections(inp):
    """(client, server) -> [frames from the client, frames from the server]."""
    sent, _ = frames(inp, addresses=True)
    client, count = {}, {}
    for _, c, s, d, _ in sent:
        if c not in client:
            client[c] = (s, d)  # the first frame is the client's SYN
        cs, ss = client[c]
        n = count.setdefault((ip4(cs[0]), cs[1], ip4(ss[0]), ss[1]), [0, 0])
        n[0 if s == cs else 1] += 1
    return count


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def qoe(inp, from_path, to_path):
    want = connections(inp)
    recs = defaultdict(list)  # 5-tuple -> [(file index, record)]
    for k, path in enumerate((from_path, to_path)):
        for r in load(path):
            if r.get("event_type") == "qoe":
                recs[(r["src_ip"], r["src_port"], r["dest_ip"], r["dest_port"])].append((k, r))
    # The instance number FROM gives its flow ids (bits 48 and up).
    from_bits = Counter(r["flow_id"] >> 48 for rs in recs.values() for k, r in rs if k == 0)
    from_bits = from_bits.most_common(1)[0][0] if from_bits else None
    bad = Counter()
    moved = continued = 0
    for key, (to_server, to_client) in want.items():
        rs = recs.pop(key, [])
        ids = {r["flow_id"] for _, r in rs}
        finals = [(k, r) for k, r in rs if r["flow"]["reason"] != "interval"]
        if len(ids) != 1:
            bad["flows_with_several_ids"] += 1
            continue
        if len(finals) != 1:
            bad["flows_without_one_final_record"] += 1
            continue
        k, fin = finals[0]
        fl = fin["flow"]
        if fl["pkts_toserver"] != to_server or fl["pkts_toclient"] != to_client:
            bad["final_counts_wrong"] += 1
        totals = sorted((r["flow"]["pkts_toserver"] + r["flow"]["pkts_toclient"], r["flow"]["end"])
                        for _, r in rs)
        if [e for _, e in totals] != sorted(e for _, e in totals):
            bad["counts_went_down"] += 1
        if k == 1 and fin["flow_id"] >> 48 == from_bits:
            # Opened on FROM, ended on TO: a moved flow.
            moved += 1
            if {k2 for k2, _ in rs} == {0, 1}:
                continued += 1  # interval records on FROM, then TO's
            if fin["qoe"]["rtt_handshake_ms"] is None:
                bad["moved_without_handshake_rtt"] += 1
    res = {"flows": len(want), "moved": moved, "with_records_on_both": continued,
           "unexpected_flows": len(recs)}
    res.update(bad)
    print(json.dumps(res))
    return 0 if not bad and not recs and moved > 0 else 1


def alert_key(a):
    return (a["alert"]["signature_id"], a["src_ip"], a["src_port"], a["dest_ip"], a["dest_port"])


def ids(moved_paths, ref_path):
    got, flow_ids = Counter(), defaultdict(set)
    for path in moved_paths:
        for a in load(path):
            if a.get("event_type") == "alert":
                got[alert_key(a)] += 1
                flow_ids[alert_key(a)[1:]].add(a["flow_id"])
    want = Counter(alert_key(a) for a in load(ref_path) if a.get("event_type") == "alert")
    missing = sum((want - got).values())
    extra = sum((got - want).values())
    split = sum(1 for v in flow_ids.values() if len(v) > 1)
    res = {"alerts": sum(got.values()), "reference": sum(want.values()), "missing": missing,
           "extra": extra, "flows_with_two_ids": split}
    print(json.dumps(res))
    return 0 if missing == 0 and extra == 0 and split == 0 and want else 1


def main(argv):
    if len(argv) == 5 and argv[1] == "qoe":
        return qoe(argv[2], argv[3], argv[4])
    if len(argv) >= 5 and argv[1] == "ids" and argv[-2] == "--reference":
        return ids(argv[2:-2], argv[-1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
