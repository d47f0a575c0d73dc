"""Overload without collapse (tests/bench/run.sh --overload; see
docs/benchmarking.md, "Overload").

For each chain of 1, 2, 3 simple_forward NFs, with NFs busy-polling
("dedicated") and sharing a core (-c, "shared"): bench_paced_gen sends
64-byte UDP packets into the manager's memif port 0 and receives them back
on port 1 (platform_run.py), in rounds of three phases:

  C     unpaced: as fast as port 0 takes them. The chain's capacity is
        what comes back per second.
  1.0C  paced at that capacity.
  2.0C  paced at twice it.

Per round: the ratio of what 2.0C delivered to what 1.0C delivered (at
least 0.95 to pass), where the packets the chain could not take were
dropped (refused by port 0, as a NIC counts imissed, and the manager's
entry_drop; never mid-chain: hop_stuck, tx_drop, no_instance, nf_drop),
and the round trip of every packet (stamped by the generator) against the
bound the queues set: every packet slot between the generator and back,
full, drained at the rate delivered, plus 20 ms for the generator's own
receive loop, which shares a CPU with the NFs.

The generator stands for the NIC and the wire, but it is a process: on a
machine shared with other work it can wait for a CPU and fall behind its
schedule (its "late" packets). A round where it was late for more than 5%
of the packets at 1.0C or 2.0C is shown, marked, and not judged.
"""
import json
import os
import signal
import statistics
import sys
import tempfile
import time

import benchlib
import platform_run

RATIO_MIN = 0.95
# A round whose generator fell behind its schedule by more than this share
# of the packets (late: it waited for a CPU, on a machine shared with
# other work) measured the machine, not the chain: it is shown, not judged.
LATE_MAX = 0.05
MID_CHAIN = ("hop_stuck", "no_instance", "nf_drop", "chain_end", "bad_dest", "reclaimed")
NF_RING = {"dedicated": 512, "shared": 2048}  # onvm_mgr's defaults (mgr_args.h)


def snapshot(plat):
    s = plat.snapshot()
    return {"port0": s["ports"]["0"], "port1": s["ports"]["1"], "drops": s["drops"]}


def delta(a, b):
    """Counters that moved between snapshots a and b."""
    out = {}
    for k in ("entry_drop", "no_chain"):
        out[k] = b["port0"][k] - a["port0"][k]
    out["tx_drop"] = b["port1"]["tx_drop"] - a["port1"]["tx_drop"]
    for k, v in b["drops"].items():
        out[k] = v - a["drops"].get(k, 0)
    return out


def run_config(a, procs, build, workdir, n, mode):
    tag = f"o{n}{mode[0]}"
    plat = platform_run.Platform(procs, build, workdir, tag)
    services = [f"s{i}" for i in range(1, n + 1)]
    chains = os.path.join(workdir, f"chains_{tag}.json")
    with open(chains, "w") as f:
        json.dump({"chains": [{"name": "all", "match": {}, "hops": services, "out_port": 1}]}, f)
    args = ["-d", services[0], "-C", chains] + (["-c"] if mode == "shared" else [])
    plat.start_manager(args)
    for s in reversed(services):
        plat.start_nf(s)
    phases = []
    for _ in range(a.repeat):
        phases += [f"max:{a.duration}", f"x1.0:{a.duration}", f"x2.0:{a.duration}"]
    gen_args = ["--warmup", str(a.warmup), "--drain", "1", "--flows", "1024"]
    for p in phases:
        gen_args += ["--phase", p]
    plat.start_gen(gen_args)
    results, snaps = [], {}
    seen_measure = seen_phase = 0
    deadline = time.monotonic() + len(phases) * (a.duration + a.warmup + 10) + 30
    while seen_phase < len(phases) and time.monotonic() < deadline:
        measures = plat.gen_events("measure")
        if len(measures) > seen_measure:
            snaps[len(measures) - 1] = snapshot(plat)
            seen_measure = len(measures)
        done = plat.gen_events("phase")
        if len(done) > seen_phase:
            for ph in done[seen_phase:]:
                ph["mgr"] = delta(snaps.get(ph["phase"], snapshot(plat)), snapshot(plat))
                results.append(ph)
            seen_phase = len(done)
        if not plat.gen.alive() and seen_phase < len(phases):
            raise platform_run.PlatformError(f"generator exited:\n{plat.gen.tail()}")
        time.sleep(0.02)
    procs.stop(plat.gen, signal.SIGINT, 10)
    for p in plat.nfs:
        procs.stop(p, signal.SIGINT, 10)
    plat.stop_manager()
    if len(results) < len(phases):
        raise platform_run.PlatformError(f"only {len(results)} of {len(phases)} phases ran")
    return summarize(n, mode, results)


# The generator stamps a packet when it sends it and reads the clock when
# its receive loop gets it back; that loop shares a CPU with the NFs and
# may itself wait for it (tens of ms under load on the development machine).
RECEIVER_SLACK_US = 20000


def queue_bound_us(n, mode, delivered_pps):
    """The longest a packet can wait with every queue on its way full and
    drained at the rate the chain delivered: port 0's ring, the burst the
    manager holds at the entry, each NF's two rings, port 1's ring; plus
    the receiver's own delay."""
    slots = (1 << platform_run.ENTRY_RSIZE) + 128 + n * 2 * NF_RING[mode] + \
        (1 << platform_run.EXIT_RSIZE)
    return slots / delivered_pps * 1e6 + RECEIVER_SLACK_US


def late_share(ph):
    return ph["late"] / (ph["offered"] + ph["late"]) if ph["offered"] + ph["late"] else 0.0


def summarize(n, mode, results):
    rounds = [results[i:i + 3] for i in range(0, len(results), 3)]
    rows = []
    for cap, one, two in rounds:
        c = cap["delivered_pps"]
        rows.append({
            "late1": late_share(one), "late2": late_share(two),
            "valid": late_share(one) <= LATE_MAX and late_share(two) <= LATE_MAX,
            "capacity_pps": c,
            "d1_pps": one["delivered_pps"], "d2_pps": two["delivered_pps"],
            "offered1_pps": one["offered_pps"], "offered2_pps": two["offered_pps"],
            "loss1": one["refused"] / one["offered"] if one["offered"] else 0.0,
            "ratio": two["delivered_pps"] / one["delivered_pps"] if one["delivered_pps"] else 0.0,
            # Against the unpaced phase, where the generator waits for room
            # instead of dropping: what dropping the excess costs.
            "ratio_c": two["delivered_pps"] / c if c else 0.0,
            "refused2": two["refused"], "offered2": two["offered"],
            "entry_drop2": two["mgr"]["entry_drop"],
            "mid_chain2": sum(two["mgr"].get(k, 0) for k in MID_CHAIN),
            "exit2": two["mgr"]["tx_drop"],
            "mid_detail2": {k: v for k, v in two["mgr"].items() if v and k != "entry_drop"},
            "lat1": one["latency_us"], "lat2": two["latency_us"],
            "bound_us": queue_bound_us(n, mode, two["delivered_pps"])
            if two["delivered_pps"] else 0.0,
        })
    valid = [r for r in rows if r["valid"]]
    judged = valid or rows
    med = sorted(judged, key=lambda r: r["ratio"])[len(judged) // 2]
    return {"chain": f"{n}-NF", "mode": mode, "rounds": rows, "median": med,
            "ratios": [r["ratio"] for r in rows], "valid": len(valid),
            "pass_ratio": bool(valid) and med["ratio"] >= RATIO_MIN,
            "pass_drops": all(r["mid_chain2"] == 0 for r in valid),
            "pass_latency": all(r["lat2"]["p99"] <= r["bound_us"] for r in valid)}


def print_table(configs, a):
    print(f"Overload: {a.repeat} round(s) of C (unpaced) / 1.0C / 2.0C, {a.duration:g} s measured "
          f"per phase after {a.warmup:g} s; 64 B UDP over memif; medians by 2.0C/1.0C ratio")
    print(f"{'chain':6} {'mode':9} {'C Mpps':>7} {'1.0C Mpps':>9} {'loss':>6} {'2.0C Mpps':>9} "
          f"{'ratio':>6} {'/C':>5} {'at entry':>9} {'entry_drop':>10} {'mid-chain':>9} {'exit':>6} "
          f"{'p50/p99 us @1.0C':>17} {'p50/p99 us @2.0C':>17} {'bound us':>9}")
    for c in configs:
        m = c["median"]
        entry = m["refused2"] / m["offered2"] if m["offered2"] else 0
        print(f"{c['chain']:6} {c['mode']:9} {m['capacity_pps'] / 1e6:7.3f} "
              f"{m['d1_pps'] / 1e6:9.3f} {m['loss1']:6.1%} {m['d2_pps'] / 1e6:9.3f} "
              f"{m['ratio']:6.2f} {m['ratio_c']:5.2f} {entry:9.1%} {m['entry_drop2']:10d} {m['mid_chain2']:9d} "
              f"{m['exit2']:6d} "
              f"{m['lat1']['p50']:8.0f}/{m['lat1']['p99']:<8.0f} "
              f"{m['lat2']['p50']:8.0f}/{m['lat2']['p99']:<8.0f} {m['bound_us']:9.0f}")
    print("  ratio: Mpps delivered at 2.0C / at 1.0C, median over the valid rounds (every "
          "round, * where the generator was late for more than "
          f"{LATE_MAX:.0%} of its packets at 1.0C or 2.0C and the round is not judged: "
          + "; ".join(f"{c['chain']} {c['mode']} "
                      + ",".join(f"{r['ratio']:.2f}{'' if r['valid'] else '*'}"
                                 for r in c["rounds"]) for c in configs) + ")")
    print("  /C: Mpps delivered at 2.0C / in the unpaced phase of the same round (C, the "
          "generator waiting for room rather than dropping)")
    print("  at entry: share of the 2.0C packets port 0 refused (its ring full: the NIC's "
          "imissed); entry_drop: the manager's, after 100 ms without progress; mid-chain: "
          "hop_stuck, no_instance, nf_drop and the like (must be 0); exit: port 1's tx_drop, "
          "the generator not draining its ring in time (the sink's, not the chain's)")
    for c in configs:
        verdicts = [("2.0C keeps >= 95% of 1.0C", c["pass_ratio"]),
                    ("no drop mid-chain", c["pass_drops"]),
                    ("p99 within the queues' bound", c["pass_latency"])]
        bad = [v for v, ok in verdicts if not ok]
        if not c["valid"]:
            print(f"  {c['chain']} {c['mode']}: no valid round: the generator was late in each "
                  "(" + ", ".join(f"{r['late1']:.0%}/{r['late2']:.0%}" for r in c["rounds"])
                  + " of its packets at 1.0C/2.0C); rerun on a quieter machine")
            continue
        print(f"  {c['chain']} {c['mode']}: " + ("passed" if not bad else "FAILED: " + ", ".join(bad))
              + f" ({c['valid']} of {len(c['rounds'])} rounds valid)")
        for k, r in enumerate(c["rounds"], 1):
            if r["mid_detail2"]:
                print(f"    round {k}, 2.0C manager counters: {r['mid_detail2']}"
                      + ("" if r["valid"] else " (not judged)"))


def run(a, build):
    """tests/bench/run.sh --overload; returns the exit status."""
    gen = os.path.join(build, "tests", "bench", "bench_paced_gen")
    if not os.access(gen, os.X_OK):
        print(f"run.sh: {gen} missing: ninja -C {build}", file=sys.stderr)
        return 1
    procs = benchlib.Procs()
    configs = []
    workdir = tempfile.mkdtemp(prefix="onvm_overload_")
    try:
        for n in a.chains:
            for mode in a.modes:
                print(f"  overload: {n}-NF chain, {mode} ...", file=sys.stderr, flush=True)
                try:
                    configs.append(run_config(a, procs, build, workdir, n, mode))
                except (platform_run.PlatformError, RuntimeError, OSError) as e:
                    print(f"run.sh: {n}-NF {mode}: {e}", file=sys.stderr)
                procs.cleanup()
    finally:
        procs.cleanup()
    print_table(configs, a)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"overload": configs}, f, indent=1)
    ok = len(configs) == len(a.chains) * len(a.modes) and all(
        c["pass_ratio"] and c["pass_drops"] and c["pass_latency"] for c in configs)
    if ok:
        import shutil
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"  (logs in {workdir})")
    return 0 if ok else 1
