"""The benchmark's rule-set cases (docs/benchmarking.md, section 4): one
rule set and one capture (ruleset.py), installed two ways in the same
round, each checked to be in force before its rate counts.

  json      the rules as JSON chains, onvm_mgr -C FILE; the manager must
            report every chain loaded
  openflow  the same rules as OpenFlow 1.3 flows, ovs-ofctl add-flows into
            onvm_mgr --of-listen; dump-flows must list every flow before
            traffic, and afterwards the flows' counters must show the
            capture spread over the rules as ruleset.py computed it

Both run the manager with -w N (receive once the chain's N NFs run), so no
packet is forwarded before the rules are in place.
"""
import os
import re
import shutil
import socket
import statistics
import subprocess
import time

import ruleset

OFCTL = "ovs-ofctl"
KINDS = ("json", "openflow")
LABELS = {"json": "JSON", "openflow": "OpenFlow"}
# DPDK port 1, where the chain's output leaves, as OpenFlow numbers it.
OUT_OFPORT = 2


class RuleCaseError(Exception):
    pass


def prepare(a, tmp):
    """Generate the workload once for the whole run: a.rule_set,
    a.rule_stats, a.rules_json (the chains file) and a.flows_pcap (the
    capture every case replays, the plain chains and testpmd included)."""
    a.rule_set = ruleset.make_rules(a.rules, a.seed) if a.rules else []
    flows, winners = ruleset.make_flows(a.rule_set, a.flows, a.seed)
    a.rule_stats = dict(ruleset.stats(a.rule_set, winners), seed=a.seed)
    a.flows_pcap = os.path.join(tmp, "flows.pcap")
    ruleset.write_pcap(a.flows_pcap, flows)
    a.rules_json = None
    if a.rules:
        a.rules_json = os.path.join(tmp, "rules.json")
        ruleset.write_chains(a.rules_json, a.rule_set, "sf1", 1)
    a.rules_tmp = tmp
    # The JSON form has no per-chain packet counters to check after a run:
    # check here that the files say what the statistics printed say.
    err = ruleset.check_files(a.rules_json, a.flows_pcap, a.rule_stats)
    if err:
        raise RuleCaseError(err)


def describe(a):
    return ruleset.describe(a.rule_stats)


def free_tcp_port():
    """A port nothing listens on now (the manager binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mgr_args(a, kind, n):
    """The manager options of a case, and the OpenFlow target (or None)."""
    argv = ["-w", str(n)]
    if kind == "json":
        return argv + ["-C", a.rules_json], None
    port = free_tcp_port()
    return argv + ["--of-listen", f"127.0.0.1:{port}"], f"tcp:127.0.0.1:{port}"


def check_chains_loaded(a, mgr):
    """The manager prints one line per chain it loaded, before 'ready'."""
    loaded = mgr.count_lines("onvm_mgr: chain ")
    if loaded != a.rules + 1:
        raise RuleCaseError(f"the manager loaded {loaded} chains, not {a.rules} rules and "
                            "the catch-all")
    return {"chains_loaded": loaded}


def service_id(tel, name):
    """The id the manager gave a service (from /onvm/services)."""
    for sid, s in (tel.query("/onvm/services") or {}).items():
        if isinstance(s, dict) and s.get("name") == name:
            return int(sid)
    raise RuleCaseError(f"service {name} is not registered")


def ofctl(*args, timeout=120):
    try:
        r = subprocess.run([OFCTL, "-O", "OpenFlow13", *args], capture_output=True, text=True,
                           timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RuleCaseError(f"{OFCTL} {args[0]}: {e}")
    if r.returncode != 0:
        raise RuleCaseError(f"{OFCTL} {args[0]} failed: {(r.stderr or r.stdout).strip()[-500:]}")
    return r.stdout


_FLOW_LINE = re.compile(r"n_packets=(\d+),.* priority=(\d+)([^ ]*) actions=")


def dump_flows(target):
    """[(priority, match, n_packets)] of table 0."""
    out = []
    for line in ofctl("dump-flows", target, "table=0").splitlines():
        m = _FLOW_LINE.search(line)
        if m:
            out.append((int(m.group(2)), m.group(3).lstrip(","), int(m.group(1))))
    return out


def install_flows(a, tel, target, n):
    """Write the rules as flows to the chain's first service and the return
    from its last service to DPDK port 1, install them with add-flows, and
    check dump-flows lists them all. Call once the last service has its id
    and before the manager receives (-w)."""
    first = service_id(tel, "sf1")
    last = service_id(tel, f"sf{n}")
    path = os.path.join(a.rules_tmp, f"flows_{first}_{last}.txt")
    ruleset.write_flows(path, a.rule_set, 1000 + first, 1000 + last, OUT_OFPORT)
    t0 = time.monotonic()
    ofctl("add-flows", target, path)
    install_s = time.monotonic() - t0
    flows = dump_flows(target)
    want = a.rules + 2
    if len(flows) != want:
        raise RuleCaseError(f"dump-flows lists {len(flows)} flows after add-flows, not {want}")
    return {"flows_installed": len(flows), "add_flows_s": install_s,
            "service_ports": [1000 + first, 1000 + last]}


def check_hits(a, target, info):
    """After the window: the flows' counters must show the capture taking
    the rules as ruleset.py computed it, not the catch-all."""
    flows = dump_flows(target)
    rules = [(p, m, k) for p, m, k in flows if p != 0 and "in_port=" not in m]
    catch_all = sum(k for p, m, k in flows if p == 0)
    back = sum(k for p, m, k in flows if "in_port=" in m)
    hit = sum(1 for _, _, k in rules if k > 0)
    entered = sum(k for _, _, k in rules) + catch_all
    s = a.rule_stats
    info.update(rules_hit=hit, rules_hit_expected=s["rules_hit"],
                catch_all_share=catch_all / entered if entered else None,
                catch_all_share_expected=s["flows_missing"] / s["flows"],
                returned_packets=back, entered_packets=entered)
    if entered == 0 or back == 0:
        raise RuleCaseError(f"the flows counted {entered} packets in and {back} back from "
                            "the NF")
    if hit < 0.9 * s["rules_hit"]:
        raise RuleCaseError(f"only {hit} of the rules counted packets; the capture hits "
                            f"{s['rules_hit']} of them")
    if info["catch_all_share"] > 1.5 * info["catch_all_share_expected"] + 0.02:
        raise RuleCaseError(f"the catch-all took {100 * info['catch_all_share']:.0f}% of the "
                            f"packets, not about {100 * info['catch_all_share_expected']:.0f}%")
    return info


def openflow_vs_json(runs, chains):
    """Per chain length: each round's OpenFlow Mpps over JSON Mpps in the
    same round, and their median."""
    out = {}
    for n in chains:
        js = {x["round"]: x["mpps"] for x in runs.get(("json", n), [])}
        by_round = [(x["round"], x["mpps"] / js[x["round"]])
                    for x in runs.get(("openflow", n), []) if js.get(x["round"])]
        if by_round:
            out[f"{n}-NF"] = {"by_round": [r for _, r in by_round],
                              "rounds": [r + 1 for r, _ in by_round],
                              "median": statistics.median(r for _, r in by_round)}
    return out


def have_ofctl():
    return shutil.which(OFCTL) is not None
