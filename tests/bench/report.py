"""The benchmark's output: one table, start-up times, optional JSON and PNG."""
import json
import os
import shutil
import statistics
import subprocess
import tempfile

import benchlib
import rulecases


def _fmt(v, spec):
    """Number with a format like '10.3f', or a '-' as wide."""
    if v is not None:
        return format(v, spec)
    return "-".rjust(int(spec.split(".")[0]))


def _percent(ratio):
    return f"{ratio * 100:.0f}%" if ratio is not None else "-"


def print_table(rows, a, hz, round_trips=(), of_vs_json=None):
    print()
    src = f"{a.flows} flows replayed by net_pcap -> net_null" if a.flows else "2 x net_null"
    print(f"64-byte packets, {src}, lcores 0-1; window {a.duration:g} s after "
          f"{a.warmup:g} s warm-up" + (f", median of {a.repeat} rounds (every case once "
                                       f"per round; vs testpmd, vs rings: within each "
                                       f"round)"
                                       if a.repeat > 1 else ""))
    print(f"cycles/pkt = CPU time of all the case's threads in the window x "
          f"{hz / 1e6:.0f} MHz / packets sent")
    if a.rules:
        print(f"rule set (seed {a.seed}): {rulecases.describe(a)}")
        print("'N-NF/JSON': the chain selected through the rules as JSON chains (-C); "
              "'N-NF/OpenFlow': through the same rules as OpenFlow flows (ovs-ofctl "
              "add-flows), the NF's output returning through table 0 to port 1")
    if a.dpdk_link:
        print(f"platform: {a.build}, DPDK linked {a.dpdk_link}; "
              f"testpmd: {benchlib.shown(a.testpmd)}"
              + (f", DPDK linked {a.testpmd_link}" if a.testpmd_link else ", given by hand"))
        if a.dpdk_link == "static" and a.testpmd_link == "shared":
            print("  not like for like: the shared libraries slow testpmd down; "
                  f"scripts/build_static_testpmd.sh {a.build} builds a static one")
    print()
    print(f"{'case':<13} {'Mpps':>7} {'cycles/pkt':>11} {'vs testpmd':>11} {'vs rings':>9}   "
          f"{'cores':>5} {'others':>6}   where the cycles went (per packet)")
    for r in rows:
        parts = "  ".join(f"{k} {v:.0f}" for k, v in r["parts"].items())
        print(f"{r['case']:<13} {r['mpps']:>7.2f} {r['cycles_per_pkt']:>11.0f} "
              f"{_percent(r.get('ratio')):>11} {_percent(r.get('ratio_rings')):>9}   "
              f"{r['cores_used']:>5.2f} {r['others_cores']:>6.2f}   {parts}")
    if a.rules:
        print_rule_ratios(of_vs_json, rows)
    print()
    print("vs rings: against the rings-only ceiling, the chain's two ring handoffs and "
          "nothing else.")
    print("cores: CPUs the case used on average; others: CPUs used meanwhile by every other")
    print("process on the machine (above ~0.1 the numbers are disturbed).")
    busiest = max((r["others_cores"] for r in rows), default=0.0)
    if busiest > 0.3:
        print(f"WARNING: other processes used up to {busiest:.1f} CPUs during the windows: the")
        print("forwarders were starved, and a chain (two processes handing packets over rings)")
        print("suffers far more from that than testpmd (one thread); rerun on a quiet machine.")
    if round_trips:
        round_trip = statistics.median(round_trips)
        spread = (f", {min(round_trips):.0f}-{max(round_trips):.0f} over "
                  f"{len(round_trips)} rounds" if len(round_trips) > 1 else "")
        print(f"core to core: a cache line goes from lcore 0 to lcore 1 and back in "
              f"{round_trip:.0f} cycles ({round_trip * 1e9 / hz:.0f} ns{spread});")
        print("every ring handoff between the cores pays it for each line it moves (two cores "
              "of one bare-metal socket: typically 50-200 ns).")
    print()
    print("start-up (seconds)")
    print(f"{'case':<13} {'mgr ready':>10} {'(reported)':>11} {'NF joined':>10} "
          f"{'NF 1st pkt':>11}   {'testpmd fwd':>11}")
    for r in rows:
        s = r.get("startup", {})
        print(f"{r['case']:<13} {_fmt(s.get('mgr_ready_wall_s'), '10.3f')} "
              f"{_fmt(s.get('mgr_ready_reported_s'), '11.3f')} "
              f"{_fmt(s.get('nf_join_s'), '10.3f')} {_fmt(s.get('nf_first_packet_s'), '11.3f')}"
              f"   {_fmt(s.get('forwarding_s'), '11.3f')}")
    print("mgr ready: launch to the 'ready' line (reported: the manager's own count from "
          "EAL start);")
    print("NF: launch of ./go.sh for the chain's first NF to being listed in /onvm/nfs, and to "
          "its first packet;")
    print("testpmd fwd: launch to the first packet sent.")


def print_rule_ratios(of_vs_json, rows):
    """One line per chain length: OpenFlow Mpps over JSON Mpps, round by
    round, and the median; then what each rule case checked."""
    if not of_vs_json:
        print("OpenFlow/JSON: no round measured both forms")
    for case, x in of_vs_json.items():
        rounds = "  ".join(f"round {k} {v:.2f}" for k, v in zip(x["rounds"], x["by_round"]))
        print(f"OpenFlow/JSON {case}: {rounds}; median {x['median']:.2f}")
    for r in rows:
        info = r.get("rules") or {}
        if "rules_hit" in info:
            print(f"{r['case']}: {info['flows_installed']} flows installed in "
                  f"{info['add_flows_s']:.1f} s; after the window {info['rules_hit']} rules "
                  f"had counted packets (the capture hits {info['rules_hit_expected']}), the "
                  f"catch-all {100 * info['catch_all_share']:.1f}% (expected "
                  f"{100 * info['catch_all_share_expected']:.1f}%)")
        elif "chains_loaded" in info:
            print(f"{r['case']}: the manager loaded {info['chains_loaded']} chains")


def print_profile(case, threads, seconds):
    """perf's view of one chain (bench.perf_profile): each thread's share
    of the samples, then its top symbols, as percentages of all samples."""
    print()
    print(f"where the cycles go: {case}, perf cpu-clock samples over {seconds:g} s "
          f"(percent of all samples; symbols above 0.5%)")
    for comm, t in sorted(threads.items(), key=lambda kv: -kv[1]["percent"]):
        print(f"  {comm}: {t['percent']:.1f}%")
        for pct, sym in t["symbols"]:
            print(f"    {pct:5.1f}%  {sym}")


def write_json(path, rows, a, hz, round_trips=(), profiled=(), of_vs_json=None):
    out = {"packet_bytes": 64, "duration_s": a.duration, "warmup_s": a.warmup,
           "repeat": a.repeat, "clock_hz": hz,
           "core_round_trip_cycles": statistics.median(round_trips) if round_trips else None,
           "core_round_trips_by_round": list(round_trips),
           "dpdk_link": a.dpdk_link, "testpmd": benchlib.shown(a.testpmd),
           "testpmd_dpdk_link": a.testpmd_link, "flows": a.flows, "rows": rows}
    if a.flows:
        out["workload"] = a.rule_stats
    if a.rules:
        out["openflow_vs_json"] = of_vs_json or {}
    # "perf": the plain chain's profile; "perf_by_case": every form's.
    for case, threads in reversed(list(profiled)):
        out["perf"] = {"case": case, "seconds": a.perf, "threads": threads}
        out.setdefault("perf_by_case", {})[case] = out["perf"]
    with open(path, "w") as f:
        json.dump(out, f, indent=2)


def plot(path, rows):
    """Bar chart of Mpps with cycles/packet on the right axis (gnuplot)."""
    gp = shutil.which("gnuplot")
    if gp is None:
        print("run.sh: --plot needs gnuplot (apt-get install gnuplot-nox)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        with open(data, "w") as f:
            for r in rows:
                f.write(f"\"{r['case']}\" {r['mpps']:.3f} {r['cycles_per_pkt']:.1f}\n")
        script = f"""
set terminal png size 800,480
set output '{path}'
set title '64-byte forwarding on net_null ports' noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'Mpps'
set y2label 'cycles / packet'
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
set key outside top center horizontal
plot '{data}' using 2:xtic(1) title 'Mpps' axes x1y1, \\
     '' using 3 title 'cycles/packet' axes x1y2
"""
        r = subprocess.run([gp], input=script, text=True, capture_output=True)
        if r.returncode != 0:
            print(f"run.sh: gnuplot failed: {r.stderr.strip()}")
        else:
            print(f"plot written to {path}")
