#!/usr/bin/env python3
"""The benchmark's classifier workload (docs/benchmarking.md, section 4):
a seeded rule set of mixed IPv4 prefixes and TCP ports, a capture of
distinct TCP flows spread over those rules, and the rules written both as
JSON chains (onvm_mgr -C) and as OpenFlow flows (ovs-ofctl add-flows).

Same seed, same arguments: the same rules, flows and files, byte for byte.

Rules. Each field is chosen independently: about 15% of the rules match
only the source prefix, 15% only the destination, the rest both; a prefix
length is uniform over /8../32; 30% carry an exact TCP destination port,
10% an exact source port, 10% both (those need ip_proto tcp). The distinct
masks (src length, dst length, which ports) number in the hundreds, as in
the tuple-space case Open vSwitch's classifier is benchmarked on. Half of
the addresses come from a few shared networks, so broad and narrow
prefixes overlap and priority decides; priority grows with how specific a
rule is, with noise, as in a policy written most specific first but
edited over time. Priorities are distinct except for some ties, and a tie
only joins two rules that no packet can match both of.

Flows. Each flow is drawn from a rule chosen at random, its wildcarded
bits random (so the rule, or a higher-priority rule overlapping it,
takes it); a share (10% by default) is drawn to match no rule and takes
the priority-0 catch-all. The winner of every flow is computed here by
brute force (highest priority first), which is what the benchmark checks
the OpenFlow counters against.

    python3 tests/bench/ruleset.py [--rules N] [--flows N] [--seed S] [--out DIR]

prints the set's mask count and how many rules the flows hit, and with
--out writes rules.json, flows.txt and flows.pcap there.
"""
import argparse
import json
import os
import random
import struct
import sys

MISS_SHARE = 0.10
WELL_KNOWN_PORTS = (22, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995, 1433, 1521, 3306,
                    3389, 5060, 5432, 6379, 8080, 8443, 9200, 11211, 27017)
# Where the shared half of the addresses come from, so that broad and
# narrow prefixes inside them overlap: private, shared (100.64/10) and
# benchmarking (198.18/15) ranges and three public /8s.
SHARED_NETS = ((0x0A000000, 8), (0xAC100000, 12), (0xC0A80000, 16), (0x64400000, 10),
               (0x2D000000, 8), (0x5B000000, 8), (0x8D000000, 8), (0xC6120000, 15))


class Rule:
    """One rule: optional source and destination prefixes (address, length),
    optional exact TCP ports, a priority."""
    __slots__ = ("src", "dst", "tp_src", "tp_dst", "priority")

    def __init__(self, src, dst, tp_src, tp_dst, priority=0):
        self.src, self.dst, self.tp_src, self.tp_dst = src, dst, tp_src, tp_dst
        self.priority = priority

    def mask(self):
        """What the classifier groups rules by: prefix lengths, ports present."""
        return (self.src[1] if self.src else 0, self.dst[1] if self.dst else 0,
                self.tp_src is not None, self.tp_dst is not None)

    def specificity(self):
        return ((self.src[1] if self.src else 0) + (self.dst[1] if self.dst else 0)
                + 16 * (self.tp_src is not None) + 16 * (self.tp_dst is not None))

    def is_tcp(self):
        return self.tp_src is not None or self.tp_dst is not None

    def matches(self, flow):
        src, dst, sport, dport = flow
        return ((self.src is None or (src ^ self.src[0]) >> (32 - self.src[1]) == 0)
                and (self.dst is None or (dst ^ self.dst[0]) >> (32 - self.dst[1]) == 0)
                and (self.tp_src is None or sport == self.tp_src)
                and (self.tp_dst is None or dport == self.tp_dst))


def _prefix_disjoint(a, b):
    if a is None or b is None:
        return False
    shorter = min(a[1], b[1])
    return (a[0] ^ b[0]) >> (32 - shorter) != 0


def disjoint(r, s):
    """No packet can match both rules."""
    return (_prefix_disjoint(r.src, s.src) or _prefix_disjoint(r.dst, s.dst)
            or (r.tp_src is not None and s.tp_src is not None and r.tp_src != s.tp_src)
            or (r.tp_dst is not None and s.tp_dst is not None and r.tp_dst != s.tp_dst))


def _address(rnd):
    if rnd.random() < 0.5:
        base, plen = rnd.choice(SHARED_NETS)
        return base | rnd.getrandbits(32 - plen)
    return rnd.randrange(0x01000000, 0xE0000000)  # unicast, 1.0.0.0-223.255.255.255


def _prefix(rnd):
    plen = rnd.randint(8, 32)
    return (_address(rnd) & (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF, plen)


def make_rules(n, seed=1):
    """n rules (see the module's comment), sorted by descending priority.
    Priorities are 2..65534 (0 is the catch-all's, 65535 stays free)."""
    rnd = random.Random(seed)
    rules, seen = [], set()
    while len(rules) < n:
        fields = rnd.random()
        src = _prefix(rnd) if fields >= 0.15 else None
        dst = _prefix(rnd) if fields < 0.15 or fields >= 0.30 else None
        ports = rnd.random()
        tp_dst = tp_src = None
        if ports < 0.40:
            tp_dst = rnd.choice(WELL_KNOWN_PORTS) if rnd.random() < 0.7 \
                else rnd.randrange(1, 65536)
        if 0.30 <= ports < 0.50:
            tp_src = rnd.randrange(1024, 65536)
        r = Rule(src, dst, tp_src, tp_dst)
        key = (src, dst, tp_src, tp_dst)
        if key not in seen:  # a duplicate match would be a dead rule
            seen.add(key)
            rules.append(r)
    # Most specific first, with noise worth about two prefix lengths either way.
    order = sorted(rules, key=lambda r: -(r.specificity() + rnd.gauss(0, 12)))
    step = max(1, min(50, 65000 // (n + 1)))
    prio = 2 + step * n
    tied = []  # the rules holding priority `prio`
    for r in order:
        # About one rule in ten shares its predecessor's priority, when no
        # packet can match it and another of that priority: a tie never
        # decides anything.
        if tied and rnd.random() < 0.1 and all(disjoint(r, t) for t in tied):
            tied.append(r)
        else:
            prio -= step
            tied = [r]
        r.priority = prio
    order.sort(key=lambda r: -r.priority)
    return order


def _random_tuple(rnd):
    return (_address(rnd), _address(rnd), rnd.randrange(1024, 65536),
            rnd.choice(WELL_KNOWN_PORTS) if rnd.random() < 0.5 else rnd.randrange(1, 65536))


def winner(rules, flow):
    """Index of the rule that takes the flow (rules sorted by descending
    priority; ties only between disjoint rules), or None."""
    for i, r in enumerate(rules):
        if r.matches(flow):
            return i
    return None


def make_flows(rules, n, seed=1, miss_share=MISS_SHARE):
    """n distinct (src, dst, tp_src, tp_dst) TCP flows and, for each, the
    index of the rule that takes it (None: the catch-all)."""
    rnd = random.Random(seed * 7919 + 17)
    flows, winners, seen = [], [], set()
    n_miss = round(n * miss_share) if rules else n
    while len(flows) < n:
        missing = len(flows) < n_miss
        if missing:
            f = _random_tuple(rnd)
        else:
            r = rnd.choice(rules)
            f = list(_random_tuple(rnd))
            if r.src:
                f[0] = r.src[0] | rnd.getrandbits(32 - r.src[1])
            if r.dst:
                f[1] = r.dst[0] | rnd.getrandbits(32 - r.dst[1])
            if r.tp_src is not None:
                f[2] = r.tp_src
            if r.tp_dst is not None:
                f[3] = r.tp_dst
            f = tuple(f)
        if f in seen:
            continue
        w = winner(rules, f)
        if missing != (w is None):
            continue  # drawn to miss but some rule takes it
        seen.add(f)
        flows.append(f)
        winners.append(w)
    # Shuffle, so that the capture does not send the misses first.
    order = list(range(n))
    rnd.shuffle(order)
    return [flows[i] for i in order], [winners[i] for i in order]


def stats(rules, winners):
    """The numbers the benchmark prints about its workload."""
    hit = {w for w in winners if w is not None}
    return {"rules": len(rules), "masks": len({r.mask() for r in rules}),
            "src_only": sum(1 for r in rules if r.src and not r.dst),
            "dst_only": sum(1 for r in rules if r.dst and not r.src),
            "with_ports": sum(1 for r in rules if r.is_tcp()),
            "distinct_priorities": len({r.priority for r in rules}),
            "flows": len(winners), "flows_missing": sum(1 for w in winners if w is None),
            "rules_hit": len(hit)}


def describe(s):
    return (f"{s['rules']} rules, {s['masks']} distinct masks ({s['src_only']} src only, "
            f"{s['dst_only']} dst only, {s['with_ports']} with TCP ports, "
            f"{s['distinct_priorities']} distinct priorities); {s['flows']} flows hit "
            f"{s['rules_hit']} rules ({100 * s['rules_hit'] / max(s['rules'], 1):.0f}%), "
            f"{s['flows_missing']} take the catch-all")


def _ip(a):
    return f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}"


def _cidr(p):
    return f"{_ip(p[0])}/{p[1]}"


def write_chains(path, rules, service, out_port):
    """Every rule a JSON chain through `service` out of DPDK port out_port,
    then the catch-all at priority 0 (docs/chains.md)."""
    chains = []
    for i, r in enumerate(rules):
        m = {}
        if r.is_tcp():
            m["ip_proto"] = "tcp"
        if r.src:
            m["ipv4_src"] = _cidr(r.src)
        if r.dst:
            m["ipv4_dst"] = _cidr(r.dst)
        if r.tp_src is not None:
            m["tcp_src"] = r.tp_src
        if r.tp_dst is not None:
            m["tcp_dst"] = r.tp_dst
        chains.append({"name": f"r{i}", "priority": r.priority, "match": m,
                       "hops": [service], "out_port": out_port})
    chains.append({"name": "catch-all", "priority": 0, "match": {}, "hops": [service],
                   "out_port": out_port})
    with open(path, "w") as f:  # one chain a line: the manager's errors name lines
        f.write('{"chains": [\n')
        f.write(",\n".join(json.dumps(c) for c in chains))
        f.write("\n]}\n")


def flow_match(r):
    """The rule's match in ovs-ofctl's syntax."""
    parts = ["tcp" if r.is_tcp() else "ip"]
    if r.src:
        parts.append(f"nw_src={_cidr(r.src)}")
    if r.dst:
        parts.append(f"nw_dst={_cidr(r.dst)}")
    if r.tp_src is not None:
        parts.append(f"tp_src={r.tp_src}")
    if r.tp_dst is not None:
        parts.append(f"tp_dst={r.tp_dst}")
    return ",".join(parts)


def write_flows(path, rules, to_ofport, reenter_ofport, out_ofport):
    """The same rules as OpenFlow 1.3 flows for ovs-ofctl add-flows: each
    to OpenFlow port to_ofport (a service), the catch-all at priority 0,
    and what comes back from reenter_ofport (the chain's last service)
    out of out_ofport at priority 65535."""
    with open(path, "w") as f:
        for r in rules:
            f.write(f"priority={r.priority},{flow_match(r)},actions=output:{to_ofport}\n")
        f.write(f"priority=0,actions=output:{to_ofport}\n")
        f.write(f"priority=65535,in_port={reenter_ofport},actions=output:{out_ofport}\n")


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(flow, seq):
    """A 64-byte Ethernet/IPv4/TCP ACK of the flow, checksums right."""
    src, dst, sport, dport = flow
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    ip = bytearray(struct.pack("!BBHHHBBHII", 0x45, 0, 40, seq & 0xFFFF, 0x4000, 64, 6, 0,
                               src, dst))
    struct.pack_into("!H", ip, 10, _checksum(bytes(ip)))
    tcp = bytearray(struct.pack("!HHIIBBHHH", sport, dport, seq, 1, 0x50, 0x10, 65535, 0, 0))
    pseudo = struct.pack("!IIBBH", src, dst, 0, 6, len(tcp))
    struct.pack_into("!H", tcp, 16, _checksum(pseudo + bytes(tcp)))
    return (eth + bytes(ip) + bytes(tcp)).ljust(60, b"\0") + b"\0" * 4


def write_pcap(path, flows):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fl in enumerate(flows):
            data = frame(fl, i)
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(data), len(data)))
            f.write(data)


def _parse_cidr(text):
    addr, plen = text.split("/")
    a = 0
    for octet in addr.split("."):
        a = a << 8 | int(octet)
    return (a, int(plen))


def read_chains(path):
    """The rules back from a chains file write_chains wrote (catch-all left out)."""
    with open(path) as f:
        chains = json.load(f)["chains"]
    rules = []
    for c in chains:
        m = c["match"]
        if not m:
            continue
        rules.append(Rule(_parse_cidr(m["ipv4_src"]) if "ipv4_src" in m else None,
                          _parse_cidr(m["ipv4_dst"]) if "ipv4_dst" in m else None,
                          m.get("tcp_src"), m.get("tcp_dst"), c["priority"]))
    return rules


def read_pcap(path):
    """The (src, dst, tp_src, tp_dst) of every frame of a capture write_pcap wrote."""
    with open(path, "rb") as f:
        data = f.read()
    flows, off = [], 24
    while off + 16 <= len(data):
        n = struct.unpack_from("<I", data, off + 8)[0]
        fr = data[off + 16:off + 16 + n]
        src, dst = struct.unpack_from("!II", fr, 26)
        sport, dport = struct.unpack_from("!HH", fr, 34)
        flows.append((src, dst, sport, dport))
        off += 16 + n
    return flows


def check_files(chains_path, pcap_path, expected):
    """Read both files back and classify the capture against the rules by
    brute force: what the manager is given must be what stats() described.
    Returns an error message, or None."""
    rules = read_chains(chains_path) if chains_path else []
    flows = read_pcap(pcap_path)
    got = stats(rules, [winner(rules, f) for f in flows])
    if len(set(flows)) != len(flows):
        return f"{pcap_path}: {len(flows) - len(set(flows))} repeated flows"
    diff = {k: (v, got.get(k)) for k, v in expected.items() if k in got and got[k] != v}
    return f"files differ from the generated set: {diff}" if diff else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--flows", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", metavar="DIR", help="write rules.json, flows.txt, flows.pcap")
    a = ap.parse_args()
    rules = make_rules(a.rules, a.seed)
    flows, winners = make_flows(rules, a.flows, a.seed)
    print(describe(stats(rules, winners)))
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        write_chains(os.path.join(a.out, "rules.json"), rules, "sf1", 1)
        write_flows(os.path.join(a.out, "flows.txt"), rules, 1001, 1001, 2)
        write_pcap(os.path.join(a.out, "flows.pcap"), flows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
