#!/usr/bin/env python3
"""The platform benchmark; see docs/benchmarking.md.

Each case runs on two net_null ports that hand out 64-byte packets as fast
as they are read and free what is sent, so the forwarder is the only
bottleneck:

  testpmd  dpdk-testpmd, io forwarding, main lcore + 1 forwarding lcore
  rings    bench_ring_skeleton: a 1-NF chain's two ring handoffs and nothing
           else (port -> ring -> other core -> ring -> port): the ceiling of
           the ring-based design on this machine
  (with rings, the same tool's ping-pong: how long one cache line takes to
  go from lcore 0 to lcore 1 and back, the price of every line a ring
  moves between the cores)
  N-NF     onvm_mgr on 2 lcores (control + 1 data lcore) and a chain of N
           simple_forward NFs on the remaining CPU (shared-core mode, -c,
           for 2 and 3 NFs, which share that CPU)
  N-NF/JSON, N-NF/OpenFlow  (with --rules) the same chain selected through
           a generated rule set (ruleset.py), installed as JSON chains or as
           OpenFlow flows (rulecases.py), port 0 replaying a capture of
           distinct TCP flows spread over the rules

Mpps is the packets the ports sent during the measuring window (after a
warm-up) divided by its length. Cycles/packet is the CPU time all the
case's processes used in that window (every thread, from /proc/PID/task),
times the nominal clock, divided by the same packet count: what a packet
costs in CPU, however the time was split between cores.
"""
import argparse
import atexit
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import report  # noqa: E402
import rulecases  # noqa: E402

ROOT = benchlib.ROOT
PORTS = (0, 1)
NULL_VDEVS = ["--vdev", "net_null0,size=64", "--vdev", "net_null1,size=64"]
LCORES = "0-1"


class CaseError(Exception):
    pass


def is_worker(thread_name):
    """A DPDK worker lcore thread (the name differs between DPDK builds)."""
    return thread_name.startswith(("rte-worker", "lcore-worker"))


def parse_args():
    ap = argparse.ArgumentParser(
        prog="tests/bench/run.sh",
        description="testpmd vs. chains of simple_forward NFs on net_null ports, 64 B")
    ap.add_argument("--duration", type=float, default=5.0,
                    help="measuring window per case, seconds (default 5)")
    ap.add_argument("--warmup", type=float, default=2.0,
                    help="traffic before the window starts, seconds (default 2)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="N rounds of every case, report the medians (default 1)")
    ap.add_argument("--chains", default="1,2,3",
                    help="chain lengths to measure (default 1,2,3)")
    ap.add_argument("--no-testpmd", action="store_true", help="skip the testpmd reference")
    ap.add_argument("--no-rings", action="store_true",
                    help="skip the rings-only ceiling (bench_ring_skeleton)")
    ap.add_argument("--testpmd", help="testpmd binary (default: BUILD/dpdk-testpmd for a "
                    "static build that has one, from scripts/build_static_testpmd.sh; "
                    "else Debian's dpdk-testpmd)")
    ap.add_argument("--plot", metavar="PNG", help="also draw the table as a PNG (gnuplot)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    ap.add_argument("--rules", type=int, default=0,
                    help="also run each chain selected through this many generated rules "
                         "(IPv4 prefixes /8-/32 on both addresses, exact TCP ports, hundreds "
                         "of distinct masks), once installed as JSON chains (-C) and once as "
                         "OpenFlow flows (ovs-ofctl add-flows), in the same round")
    ap.add_argument("--flows", type=int, default=None,
                    help="feed port 0 from a capture of this many distinct TCP flows "
                         "(net_pcap, replayed forever) instead of net_null's identical "
                         "packets; with --rules they are drawn over the rules "
                         "(default 10000 with --rules)")
    ap.add_argument("--seed", type=int, default=1,
                    help="seed of the rule set and the capture (default 1)")
    ap.add_argument("--spsc", action="store_true",
                    help="also the rings-only ceiling with the onvm_spsc.h ring instead of "
                         "rte_ring, in the same rounds")
    ap.add_argument("--out-port", action="store_true",
                    help="also the 1-NF chain with bridge, whose verdict is a port (out "
                         "port) where simple_forward's is the next hop, in the same rounds")
    ap.add_argument("--mgr-arg", action="append", default=[], metavar="ARG",
                    help="one more manager option for the chain cases (repeatable), "
                         "e.g. --mgr-arg=--nf-ring-size=2048")
    ap.add_argument("--no-container", action="store_true",
                    help="skip the cold start of a container NF (go.sh --container)")
    ap.add_argument("--hold", type=float, default=0.0,
                    help="after measuring the 1-NF chain, keep it running this many seconds "
                         "(for perf record/top)")
    ap.add_argument("--overload", action="store_true",
                    help="instead of the table: overload without collapse (overload.py): each "
                         "chain's capacity C, then 1.0C and 2.0C offered by bench_paced_gen "
                         "over memif, --repeat rounds, --duration s per phase")
    ap.add_argument("--modes", default="dedicated,shared",
                    help="with --overload: NFs busy-polling (dedicated) and/or sharing a core "
                         "(shared, -c); default both")
    ap.add_argument("--perf", type=float, default=0.0, metavar="S",
                    help="after measuring the shortest chain (last round), sample it with "
                         "perf for S seconds and print where each thread's cycles go")
    a = ap.parse_args()
    if a.perf > 0 and not shutil.which("perf"):
        ap.error("--perf needs perf (Debian: apt-get install linux-perf)")
    a.chains = [int(x) for x in a.chains.split(",") if x]
    a.modes = [x for x in a.modes.split(",") if x]
    if any(m not in ("dedicated", "shared") for m in a.modes):
        ap.error("--modes: dedicated and/or shared")
    if any(n < 1 or n > 8 for n in a.chains):
        ap.error("--chains: lengths 1-8")
    if a.duration <= 0 or a.warmup < 0 or a.repeat < 1:
        ap.error("--duration > 0, --warmup >= 0, --repeat >= 1")
    if a.flows is None:
        a.flows = 10000 if a.rules else 0
    # 1,023 chains at most (chain_config.h): the rules and the catch-all.
    if a.rules < 0 or a.rules > 1022 or a.flows < 0 or a.flows > 1000000:
        ap.error("--rules 0-1022, --flows 0-1000000")
    if a.rules and not a.flows:
        ap.error("--rules needs a capture: --flows N (N > 0)")
    if a.rules and not rulecases.have_ofctl():
        ap.error("--rules needs ovs-ofctl (Debian: apt-get install openvswitch-common)")
    return a


def measure(tel, pids, duration):
    """Packets sent and CPU used by `pids` over `duration` seconds."""
    def snap():
        return (time.monotonic(), tel.port_tx(PORTS),
                {pid: benchlib.thread_cpu(pid) for pid in pids},
                benchlib.machine_busy_seconds())

    t0, tx0, cpu0, busy0 = snap()
    time.sleep(duration)
    t1, tx1, cpu1, busy1 = snap()
    threads = {}
    for pid in pids:
        for name, secs in cpu1[pid].items():
            threads[(pid, name)] = secs - cpu0[pid].get(name, 0.0)
    ours = sum(threads.values())
    return {"seconds": t1 - t0, "packets": tx1 - tx0, "threads": threads,
            "cpu_s": ours, "others_cpu_s": max(0.0, (busy1 - busy0) - ours)}


def summarize(name, m, hz, groups):
    """One table row from a measurement; groups maps label -> thread filter."""
    pk = max(m["packets"], 1)
    row = {"case": name, "mpps": m["packets"] / m["seconds"] / 1e6,
           "cycles_per_pkt": m["cpu_s"] * hz / pk,
           "cores_used": m["cpu_s"] / m["seconds"],
           "others_cores": m["others_cpu_s"] / m["seconds"], "parts": {}}
    for label, keep in groups.items():
        secs = sum(s for (pid, tname), s in m["threads"].items() if keep(pid, tname))
        row["parts"][label] = secs * hz / pk
    return row


def wait_traffic(tel, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tel.port_tx(PORTS) > 0:
            return time.monotonic()
        time.sleep(0.002)
    raise CaseError("no packet left the ports")


def vdevs(a):
    if not a.flows:
        return NULL_VDEVS
    return ["--vdev", f"net_pcap0,rx_pcap={a.flows_pcap},infinite_rx=1",
            "--vdev", "net_null1,size=64,no-rx=1"]


def measure_one_process(a, procs, name, prefix, argv, stop_sig=signal.SIGINT):
    """Start one DPDK process, wait for traffic, measure it, stop it;
    returns (measurement, time of the first packet, the process)."""
    p = procs.start(name, argv)
    try:
        tel = benchlib.Telemetry(prefix)
        t_first = wait_traffic(tel, 20)
        time.sleep(a.warmup)
        m = measure(tel, [p.pid], a.duration)
        tel.close()
    except (CaseError, RuntimeError) as e:
        raise CaseError(f"{name}: {e}\n{p.tail()}")
    finally:
        procs.stop(p, stop_sig, 5)
    return m, t_first, p


def run_testpmd(a, procs, hz, tag):
    prefix = f"{benchlib.PREFIX_BASE}_{os.getpid()}_tp{tag}"
    procs.prefixes.append(prefix)
    argv = [a.testpmd, "-l", LCORES, "--no-pci", "--file-prefix", prefix,
            "--log-level=lib.eal:warning", *vdevs(a), "--",
            "--forward-mode=io", "--nb-cores=1", "--total-num-mbufs=16384",
            "--stats-period=3600"]
    m, t_first, p = measure_one_process(a, procs, "testpmd", prefix, argv)
    row = summarize("testpmd", m, hz, {
        "fwd lcore": lambda pid, t: is_worker(t),
        "other": lambda pid, t: not is_worker(t)})
    row["startup"] = {"forwarding_s": t_first - p.t_launch}
    return row


def run_rings(a, procs, hz, tag, build, impl="rte"):
    """The ceiling: the chain's packet path reduced to its two rings
    (rte_ring, or with impl "spsc" the onvm_spsc.h ring)."""
    prefix = f"{benchlib.PREFIX_BASE}_{os.getpid()}_rg{impl[0]}{tag}"
    procs.prefixes.append(prefix)
    argv = [os.path.join(build, "tests", "bench", "bench_ring_skeleton"), "-l", LCORES,
            "--no-pci", "--file-prefix", prefix, "--log-level=lib.eal:warning", *vdevs(a),
            "--", "--mode", "two-rings", "--warmup", "0", "--seconds", "3600",
            "--ring-impl", impl]
    m, _, _ = measure_one_process(a, procs, "rings", prefix, argv)
    return summarize("rings only" if impl == "rte" else "rings spsc", m, hz, {
        "data lcore": lambda pid, t: is_worker(t),
        "NF lcore": lambda pid, t: not is_worker(t)})


def run_ping_pong(procs, build):
    """One cache line's round trip between the two lcores, in TSC cycles
    (bench_ring_skeleton --mode ping-pong); None when it cannot run."""
    prefix = f"{benchlib.PREFIX_BASE}_{os.getpid()}_pp"
    procs.prefixes.append(prefix)
    argv = [os.path.join(build, "tests", "bench", "bench_ring_skeleton"), "-l", LCORES,
            "--no-pci", "--file-prefix", prefix, "--log-level=lib.eal:warning",
            "--", "--mode", "ping-pong"]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"run.sh: ping-pong: {e}", file=sys.stderr)
        return None
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line).get("round_trip_cycles")
    print(f"run.sh: ping-pong printed no result: {r.stderr.strip()[-300:]}", file=sys.stderr)
    return None


def dpdk_link_of(build):
    """How the build links DPDK ('shared' or 'static', meson option
    dpdk_link), or None when its options cannot be read."""
    try:
        with open(os.path.join(build, "meson-info", "intro-buildoptions.json")) as f:
            opts = json.load(f)
    except (OSError, ValueError):
        return None
    return next((o["value"] for o in opts if o.get("name") == "dpdk_link"), "shared")


def ratio_within_rounds(case_runs, ref_runs):
    """The median of each run's Mpps against the reference's in the same
    round (the machine's speed phases move both alike), or None."""
    ref_by_round = {x["round"]: x["mpps"] for x in ref_runs}
    ratios = [x["mpps"] / ref_by_round[x["round"]] for x in case_runs
              if ref_by_round.get(x["round"])]
    return statistics.median(ratios) if ratios else None


def pick_testpmd(given, build, dpdk_link):
    """The reference testpmd and how it links DPDK ('static', 'shared' or
    None when given by hand). A static platform build is compared with a
    static testpmd when scripts/build_static_testpmd.sh made one: the
    shared libraries cost testpmd a fifth of its rate on the machine
    measured in docs/benchmarking.md."""
    if given:
        return given, None
    own = os.path.join(build, "dpdk-testpmd")
    if dpdk_link == "static" and os.access(own, os.X_OK):
        return own, "static"
    return "dpdk-testpmd", "shared"


def start_nf(procs, prefix, env, service, dest, nf_name="simple_forward"):
    argv = [os.path.join(ROOT, "go.sh"), nf_name, "-r", service]
    if dest:
        argv += ["--", "-d", dest]
    nf_env = dict(env, ONVM_FILE_PREFIX=prefix)
    return procs.start(service, argv, env=nf_env, cwd=ROOT)


def wait_nf(tel, nf, timeout):
    """Until the NF is listed (joined), then until it has received a packet;
    returns (joined time, first packet time)."""
    deadline = time.monotonic() + timeout
    t_join = None
    while time.monotonic() < deadline:
        if not nf.alive():
            raise CaseError(f"NF {nf.name} exited:\n{nf.tail()}")
        nfs = tel.query("/onvm/nfs") or {}
        mine = [v for v in nfs.values() if isinstance(v, dict) and v.get("pid") == nf.pid]
        if mine:
            t_join = t_join or time.monotonic()
            if mine[0].get("rx", 0) > 0:
                return t_join, time.monotonic()
        time.sleep(0.002)
    raise CaseError(f"NF {nf.name} {'got no packet' if t_join else 'did not join'}:\n"
                    f"{nf.tail()}")


def chain_name(n, rules=None):
    if rules == "outport":
        return f"{n}-NF bridge"
    return f"{n}-NF" + (f"/{rulecases.LABELS[rules]}" if rules else "")


def run_chain(a, procs, hz, n, tag, build, rules=None):
    """The n-NF chain; with rules ("json" or "openflow") selected through
    the rule set installed that way (rulecases.py); "outport": one bridge
    instead of simple_forward (its verdict: out the other port)."""
    suffix = {None: "", "json": "j", "openflow": "o", "outport": "b"}[rules]
    prefix = f"{benchlib.PREFIX_BASE}_{os.getpid()}_c{n}{tag}{suffix}"
    procs.prefixes.append(prefix)
    mgr_bin = os.path.join(build, "onvm_mgr", "onvm_mgr")
    argv = [mgr_bin, "-l", LCORES, "--file-prefix", prefix, "--no-pci",
            "--log-level=lib.eal:warning", *vdevs(a), "--", "-p", "0x3", "-s", "none",
            "-d", "sf1"]
    of_target = None
    if rules in rulecases.KINDS:
        extra, of_target = rulecases.mgr_args(a, rules, n)
        argv += extra
    if n > 1:
        argv.append("-c")
    argv += a.mgr_arg
    env = dict(os.environ, ONVM_BUILD_DIR=build)
    mgr = procs.start("onvm_mgr", argv, env=env)
    nfs = []
    rule_info = None
    name = chain_name(n, rules)
    try:
        hit = mgr.wait_line("onvm_mgr: ready in", 30)
        if not hit:
            raise CaseError(f"manager did not become ready:\n{mgr.tail()}")
        t_ready, line = hit
        reported = float(line.split("ready in")[1].split()[0])
        tel = benchlib.Telemetry(prefix)
        if rules == "json":
            rule_info = rulecases.check_chains_loaded(a, mgr)
        # The flows name the chain's first and last services: sf1 has its
        # id from -d; the last hop gets one when its NF joins, which is
        # before the manager receives (-w n).
        if rules == "openflow" and n == 1:
            rule_info = rulecases.install_flows(a, tel, of_target, n)
        # The last NF first: each one's -d needs its successor's service.
        for k in range(n, 0, -1):
            nf = start_nf(procs, prefix, env, f"sf{k}", f"sf{k + 1}" if k < n else None,
                          "bridge" if rules == "outport" else "simple_forward")
            nfs.insert(0, nf)
            if k > 1:
                wait_nf_joined(tel, nf, 30)
            if rules == "openflow" and k == n > 1:
                rule_info = rulecases.install_flows(a, tel, of_target, n)
        entry = nfs[0]
        t_join, t_first = wait_nf(tel, entry, 30)
        time.sleep(a.warmup)
        pids = [mgr.pid] + [nf.pid for nf in nfs]
        m = measure(tel, pids, a.duration)
        last_shortest = n == min(a.chains) and tag == a.repeat - 1
        profile = perf_profile(pids, a.perf) if a.perf > 0 and last_shortest else None
        if a.hold > 0 and last_shortest:
            print(f"holding the {name} chain for {a.hold:.0f} s: manager pid {mgr.pid}, "
                  f"NF pid{'s' if n > 1 else ''} {' '.join(str(nf.pid) for nf in nfs)}, "
                  f"file prefix {prefix}"
                  + (f", OpenFlow {of_target}" if of_target else ""), flush=True)
            time.sleep(a.hold)
        if rules == "openflow":
            rulecases.check_hits(a, of_target, rule_info)
        tel.close()
    except (rulecases.RuleCaseError, RuntimeError) as e:
        raise CaseError(f"{name}: {e}\n{mgr.tail()}")
    finally:
        for nf in nfs:
            procs.stop(nf, signal.SIGINT, 5)
        procs.stop(mgr, signal.SIGINT, 15)
    row = summarize(name, m, hz, {
        "mgr data": lambda pid, t: pid == mgr.pid and is_worker(t),
        "mgr other": lambda pid, t: pid == mgr.pid and not is_worker(t),
        "NFs": lambda pid, t: pid != mgr.pid})
    if profile is not None:
        row["profile"] = profile
    if rule_info is not None:
        row["rules"] = rule_info
    row["startup"] = {"mgr_ready_reported_s": reported,
                      "mgr_ready_wall_s": t_ready - mgr.t_launch,
                      "nf_join_s": t_join - entry.t_launch,
                      "nf_first_packet_s": t_first - entry.t_launch}
    return row


def run_container_start(a, procs, build):
    """Cold start of a container NF on a 1-NF chain: launch of ./go.sh
    simple_forward --container to the NF listed in /onvm/nfs, and to its
    first packet, in seconds; None (with a note) when it cannot run."""
    rootfs = subprocess.run(["bash", os.path.join(ROOT, "scripts", "build_nf_rootfs.sh"),
                             "-b", build, "simple_forward"], capture_output=True, text=True)
    if rootfs.returncode != 0:
        print(f"run.sh: container NF skipped: {rootfs.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    prefix = f"{benchlib.PREFIX_BASE}_{os.getpid()}_ctr"
    procs.prefixes.append(prefix)
    env = dict(os.environ, ONVM_BUILD_DIR=build, ONVM_FILE_PREFIX=prefix)
    mgr = procs.start("onvm_mgr", [os.path.join(build, "onvm_mgr", "onvm_mgr"), "-l", LCORES,
                                   "--file-prefix", prefix, "--no-pci",
                                   "--log-level=lib.eal:warning", *vdevs(a), "--", "-p", "0x3",
                                   "-s", "none", "-d", "sf1"], env=env)
    try:
        if not mgr.wait_line("onvm_mgr: ready in", 30):
            raise CaseError(f"manager did not become ready:\n{mgr.tail()}")
        tel = benchlib.Telemetry(prefix)
        nf = procs.start("sf1", [os.path.join(ROOT, "go.sh"), "simple_forward", "-r", "sf1",
                                 "--container"], env=env, cwd=ROOT)
        t_join = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and nf.alive():
            # The pid listed is the NF's, not go.sh's (nspawn's): match the name.
            mine = [v for v in (tel.query("/onvm/nfs") or {}).values()
                    if isinstance(v, dict) and v.get("name") == "simple_forward"]
            if mine:
                t_join = t_join or time.monotonic()
                if mine[0].get("rx", 0) > 0:
                    tel.close()
                    return t_join - nf.t_launch, time.monotonic() - nf.t_launch
            time.sleep(0.002)
        raise CaseError(f"container NF {'got no packet' if t_join else 'did not join'}:\n"
                        f"{nf.tail()}")
    except (CaseError, RuntimeError) as e:
        print(f"run.sh: container NF: {e}", file=sys.stderr)
        return None
    finally:
        procs.cleanup()


def perf_profile(pids, seconds, top=12):
    """Sample the processes with perf (cpu-clock: VMs often have no hardware
    counters) and return, per thread name, its share of the samples and its
    top symbols as (percent of all samples, symbol)."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="onvm_bench_perf_") as tmp:
        data = os.path.join(tmp, "perf.data")
        rec = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-o", data,
                              "-p", ",".join(map(str, pids)), "--", "sleep", str(seconds)],
                             capture_output=True, text=True)
        rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                              "--sort", "comm,dso,sym", "--percent-limit", "0.5"],
                             capture_output=True, text=True)
    if rec.returncode != 0 or rep.returncode != 0:
        print(f"run.sh: perf failed: {(rec.stderr + rep.stderr).strip()[-300:]}",
              file=sys.stderr)
        return {}
    threads = {}
    for line in rep.stdout.splitlines():
        # "    35.54%  lcore-worker-1  onvm_mgr  [.] tx_nf"
        parts = line.split(None, 3)
        if len(parts) < 4 or not parts[0].endswith("%") or line.lstrip().startswith("#"):
            continue
        pct, comm, dso = float(parts[0][:-1]), parts[1], parts[2]
        sym = parts[3].split("] ", 1)[-1].strip()
        if sym.startswith("0x"):  # no symbol (a stripped library): name the library
            sym = f"{sym} in {dso}"
        t = threads.setdefault(comm, {"percent": 0.0, "symbols": []})
        t["percent"] += pct
        if len(t["symbols"]) < top:
            t["symbols"].append((pct, sym))
    return threads


def wait_nf_joined(tel, nf, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not nf.alive():
            raise CaseError(f"NF {nf.name} exited:\n{nf.tail()}")
        nfs = tel.query("/onvm/nfs") or {}
        if any(isinstance(v, dict) and v.get("pid") == nf.pid for v in nfs.values()):
            return time.monotonic(), None
        time.sleep(0.005)
    raise CaseError(f"NF {nf.name} did not join:\n{nf.tail()}")


def median_row(rows):
    """The run with the median Mpps (so the row's numbers belong together)."""
    by_mpps = sorted(rows, key=lambda r: r["mpps"])
    row = dict(by_mpps[len(by_mpps) // 2])
    row["mpps_all"] = [r["mpps"] for r in sorted(rows, key=lambda r: r.get("round", 0))]
    return row


def main():
    a = parse_args()
    if os.geteuid() != 0:
        sys.exit("run.sh: needs root (hugepages, DPDK runtime directory)")
    build = os.environ.get("ONVM_BUILD_DIR", os.path.join(ROOT, "build"))
    if not os.path.isabs(build):
        build = os.path.join(ROOT, build)
    if not os.access(os.path.join(build, "nfs", "simple_forward", "simple_forward"), os.X_OK):
        sys.exit(f"run.sh: build first: meson setup build && ninja -C build ({build})")

    if a.overload:
        import overload
        benchlib.remove_stale_prefixes()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda s, f: sys.exit(128 + s))
        return overload.run(a, build)

    a.build = benchlib.shown(build)
    a.dpdk_link = dpdk_link_of(build)
    a.testpmd, a.testpmd_link = pick_testpmd(a.testpmd, build, a.dpdk_link)

    procs = benchlib.Procs()
    atexit.register(procs.cleanup)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))
    benchlib.remove_stale_prefixes()

    hz = benchlib.cpu_hz()
    import tempfile
    tmp = tempfile.mkdtemp(prefix="onvm_bench_")
    atexit.register(lambda: __import__("shutil").rmtree(tmp, ignore_errors=True))
    if a.flows:
        try:
            rulecases.prepare(a, tmp)
        except rulecases.RuleCaseError as e:
            sys.exit(f"run.sh: {e}")
        if a.rules:
            print(f"  workload: {rulecases.describe(a)}", file=sys.stderr, flush=True)
    cases = (([("testpmd", None)] if not a.no_testpmd else [])
             + ([("rings", None)] if not a.no_rings else [])
             + ([("rings_spsc", None)] if a.spsc else [])
             + [("chain", n) for n in a.chains]
             + ([("outport", 1)] if a.out_port else []))
    if a.rules:
        # Each chain length's two forms back to back: their ratio compares
        # runs minutes apart at most.
        cases += [(kind, n) for n in a.chains for kind in rulecases.KINDS]
    # Round-robin: every round measures every case once, so that each
    # case's runs spread over the same stretch of time. This machine class
    # (VMs) changes speed in phases of minutes; measuring all runs of one
    # case back to back compared cases from different phases.
    runs = {case: [] for case in cases}
    round_trips = []
    for r in range(a.repeat):
        if not a.no_rings:
            rt = run_ping_pong(procs, build)
            if rt:
                round_trips.append(rt)
            procs.cleanup()
        for kind, n in cases:
            label = kind if n is None else chain_name(n, None if kind == "chain" else kind)
            print(f"  measuring {label}" + (f" (round {r + 1}/{a.repeat})" if a.repeat > 1 else "")
                  + " ...", file=sys.stderr, flush=True)
            try:
                if kind == "testpmd":
                    row = run_testpmd(a, procs, hz, r)
                elif kind == "rings":
                    row = run_rings(a, procs, hz, r, build)
                elif kind == "rings_spsc":
                    row = run_rings(a, procs, hz, r, build, "spsc")
                elif kind in rulecases.KINDS or kind == "outport":
                    row = run_chain(a, procs, hz, n, r, build, kind)
                else:
                    row = run_chain(a, procs, hz, n, r, build)
                row["round"] = r
                runs[(kind, n)].append(row)
            except CaseError as e:
                print(f"run.sh: {e}", file=sys.stderr)
            except OSError as e:  # a binary that is not there
                print(f"run.sh: {label}: {e}", file=sys.stderr)
            procs.cleanup()
    # The runs that were profiled (the shortest chain's forms, last round)
    # carry their profiles out of the rows.
    profiled = [(x["case"], x.pop("profile")) for rs in runs.values() for x in rs
                if "profile" in x]
    rows = []
    for case_runs in (rs for rs in runs.values() if rs):
        row = median_row(case_runs)
        row["ratio"] = ratio_within_rounds(case_runs, runs.get(("testpmd", None), []))
        row["ratio_rings"] = ratio_within_rounds(case_runs, runs.get(("rings", None), []))
        rows.append(row)
    of_vs_json = rulecases.openflow_vs_json(runs, a.chains) if a.rules else {}
    ctr = None if a.no_container else run_container_start(a, procs, build)
    report.print_table(rows, a, hz, round_trips, of_vs_json)
    if a.out_port and runs.get(("outport", 1)) and runs.get(("chain", 1)):
        r = ratio_within_rounds(runs[("outport", 1)], runs[("chain", 1)])
        nxt = {x["round"]: x["mpps"] for x in runs[("chain", 1)]}
        print(f"out port vs next: 1-NF bridge / 1-NF = {r:.2f} (median of the rounds' ratios: "
              + ", ".join(f"{x['mpps'] / nxt[x['round']]:.2f}" for x in runs[("outport", 1)]
                          if nxt.get(x["round"])) + ")")
    if ctr:
        print(f"container NF (./go.sh simple_forward --container): joined {ctr[0]:.3f} s, "
              f"first packet {ctr[1]:.3f} s after launch (the plain NF: the 1-NF row)")
    for case, threads in profiled:
        report.print_profile(case, threads, a.perf)
    if a.json:
        report.write_json(a.json, rows, a, hz, round_trips, profiled, of_vs_json)
    if a.plot:
        report.plot(a.plot, rows)
    return 0 if len(rows) == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
