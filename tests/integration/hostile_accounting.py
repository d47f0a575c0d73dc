#!/usr/bin/env python3
"""Does every packet of a replay add up? Reads the manager's telemetry.

  hostile_accounting.py SNAPSHOT FRAMES [options]

SNAPSHOT holds one JSON object a line: the answers to /onvm/ports,
/onvm/nfs, /onvm/drops and /onvm/mempool, taken once the replay of a
capture of FRAMES frames into port 0 is over. Options:

  --hops NF,NF,...     the NFs of one chain, in order (repeatable): each
                       hop's forwarded packets are what the next one got
  --heads NF,NF,...    the first hops of every chain: each frame port 0
                       received entered exactly one of them
  --out-pcap PORT=N    the capture port PORT wrote holds N frames
  --bytes N            the capture's frames hold N bytes: basic_monitor,
                       alone, must count them all
  --qoe-pcap LINE      qoe_pcap's summary of the same capture: the NF's
                       counters must equal the offline tool's

Prints every equation with its numbers and names the one that does not
add up; exits 1 if any does not.

The equations:
  port 0 received every frame of the capture;
  platform: packets in (every port's rx) = packets out (every port's tx
    and tx_drop) + counted drops (no_chain, every /onvm/drops reason, and
    what could not enter an NF's ring: the NFs' entry_drop, which includes
    the ports' entry_drop); nothing left in the pool (in flight);
  manager: nf_drop = the sum of the NFs' act_drop;
  per NF: rx = tx (every packet handed back), act_drop = the NF's own drop
    counters, and the NF's verdict counters add up to rx;
  per chain: a hop forwards (tx - act_drop) what the next hop receives
    (rx + entry_drop), and the chains' first hops received (rx +
    entry_drop) what port 0 did, less no_chain.
"""
import json
import re
import sys

# Each NF's counters that split what it received (None: it has no such
# set), and those of them that are drops (their sum is act_drop).
NF_COUNTERS = {
    "firewall": (["allow_rule", "deny_rule", "default_allow", "default_deny", "established",
                  "non_ip_allow", "non_ip_deny"], ["deny_rule", "default_deny", "non_ip_deny"]),
    "router": (["routed", "drop_no_route", "drop_ttl_expired", "drop_malformed",
                "drop_bad_ip_checksum", "drop_non_ip", "pass_non_ip"],
               ["drop_no_route", "drop_ttl_expired", "drop_malformed", "drop_bad_ip_checksum",
                "drop_non_ip"]),
    "load_balancer": (["to_backend", "to_client", "pass", "drop_fragment_to_vip",
                       "drop_malformed_to_vip"], ["drop_fragment_to_vip", "drop_malformed_to_vip"]),
    "ids": (None, ["drops"]),
    "qoe_monitor": (None, []),
    "basic_monitor": (["pkts"], []),
    "bridge": (["bridged", "drop_no_partner", "drop_no_in_port"],
               ["drop_no_partner", "drop_no_in_port"]),
    "arp_responder": (["replies", "not_ours", "passed"], []),
    "simple_forward": (None, []),
}
QOE_RESULTS = ["not_ipv4", "fragment", "bad_l3", "bad_l4", "truncated"]


def load(path):
    snap = {}
    for line in open(path):
        line = line.strip()
        if line:
            snap.update(json.loads(line))
    return snap


class Checker:
    def __init__(self):
        self.failed = 0

    def eq(self, what, left, right, detail=""):
        ok = left == right
        self.failed += not ok
        print(f"    {'ok  ' if ok else 'FAIL'} {what}: {left} {'=' if ok else '!='} {right}"
              + (f"  ({detail})" if detail else ""))


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    snap_path, frames = args[0], int(args[1])
    chains, heads, out_pcaps, qoe_line, n_bytes = [], [], {}, None, None
    i = 2
    while i < len(args):
        if args[i] == "--hops":
            chains.append(args[i + 1].split(","))
        elif args[i] == "--heads":
            heads = args[i + 1].split(",")
        elif args[i] == "--out-pcap":
            port, n = args[i + 1].split("=")
            out_pcaps[port] = int(n)
        elif args[i] == "--bytes":
            n_bytes = int(args[i + 1])
        elif args[i] == "--qoe-pcap":
            qoe_line = args[i + 1]
        else:
            sys.exit(f"unknown option {args[i]}")
        i += 2

    s = load(snap_path)
    ports, nfs, drops = s["/onvm/ports"], s["/onvm/nfs"], s["/onvm/drops"]
    pool = s["/onvm/mempool"]
    by_name = {nf["name"]: nf for nf in nfs.values()}
    c = Checker()

    c.eq("port 0 received every frame of the capture", ports["0"]["rx"], frames)
    rx = sum(p["rx"] for p in ports.values())
    out = sum(p["tx"] + p["tx_drop"] for p in ports.values())
    no_chain = sum(p["no_chain"] for p in ports.values())
    port_entry = sum(p["entry_drop"] for p in ports.values())
    nf_entry = sum(nf["entry_drop"] for nf in nfs.values())
    dropped = sum(drops.values())
    c.eq("platform: in = out + counted drops", rx, out + no_chain + dropped + nf_entry,
         ", ".join([f"out {out}", f"no_chain {no_chain}"]
                   + [f"{k} {v}" for k, v in drops.items() if v]
                   + [f"NF entry_drop {nf_entry}"]))
    c.eq("ports' entry_drop are among the NFs' entry_drop", min(port_entry, nf_entry), port_entry)
    c.eq("nothing in flight: the pool is back to its baseline", pool["in_use"], pool["baseline"])
    c.eq("manager: nf_drop = the NFs' act_drop", drops.get("nf_drop", 0),
         sum(nf["act_drop"] for nf in nfs.values()))

    for nf in sorted(nfs.values(), key=lambda n: n["name"]):
        name = nf["name"]
        c.eq(f"{name}: rx = tx (every packet handed back)", nf["rx"], nf["tx"])
        verdicts, drop_names = NF_COUNTERS.get(name, (None, []))
        c.eq(f"{name}: act_drop = its drop counters ({'+'.join(drop_names) or 'none'})",
             nf["act_drop"], sum(nf.get(k, 0) for k in drop_names))
        if verdicts:
            c.eq(f"{name}: its verdicts add up to rx ({'+'.join(verdicts)})",
                 sum(nf.get(k, 0) for k in verdicts), nf["rx"])
    if qoe_line and "qoe_monitor" in by_name:
        nf = by_name["qoe_monitor"]
        for k in QOE_RESULTS:
            m = re.search(rf"\b{k} (\d+)", qoe_line)
            c.eq(f"qoe_monitor: {k} as qoe_pcap counts it", nf.get(k, 0),
                 int(m.group(1)) if m else None)

    if n_bytes is not None and "basic_monitor" in by_name:
        c.eq("basic_monitor: bytes = the capture's bytes", by_name["basic_monitor"].get("bytes"),
             n_bytes)

    for hops in chains:
        for a, b in zip(hops, hops[1:]):
            na, nb = by_name[a], by_name[b]
            c.eq(f"chain: {a} forwarded = {b} received (rx + entry_drop)",
                 na["tx"] - na["act_drop"], nb["rx"] + nb["entry_drop"])

    if heads:
        c.eq("chains: every frame entered exactly one (" + "+".join(heads) + ")",
             sum(by_name[h]["rx"] + by_name[h]["entry_drop"] for h in heads),
             ports["0"]["rx"] - ports["0"]["no_chain"])

    for port, n in out_pcaps.items():
        c.eq(f"port {port}: frames in its capture = its tx", n, ports[port]["tx"])

    sys.exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()
