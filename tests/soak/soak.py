#!/usr/bin/env python3
"""The soak run: a chain at full rate for a long time, one line per
interval, failing on a leak or on a rate that sinks; see docs/testing.md,
"Soak".

    tests/soak/run.sh --seconds S [--interval S] [--nfs N] [--dedicated]
                      [--workdir DIR]

The chain: N simple_forward NFs (services s1..sN, a chain file, out of
port 1) fed by two net_null ports
that hand out 64-byte packets as fast as they are read, as in the
benchmark. NFs share a core (-c) unless --dedicated.

Each interval prints: Mpps (packets the ports sent), Mpps per core used
(the same over the CPU time of the manager and the NFs), drops in the
interval, mbufs in use above the baseline, how many of them sit on NF rings,
and the rest ("outside": bursts being moved or held by an NF or the
manager).

It fails on:
  a leak     the fewest mbufs outside the rings in the last quarter of the
             run exceed the most in the first quarter by more than one
             burst (ONVM_BURST, 128); and at the end, once the NFs are
             stopped (the ports still deliver, now to no NF), the fewest
             mbufs in use above the baseline over 20 samples must be at
             most the one burst the data lcore may be moving (a leaked mbuf
             never comes back); and the manager must stop with none in use
  a sinking rate  the median Mpps per core of the last quarter under
             --min-ratio (default 0.5) times the first quarter's. Per
             core: other work on the machine takes CPU time from the run
             and moves Mpps with it, much less the CPU time a packet
             costs. 0.5 because on the shared 2-CPU development machine the
             per-core rate of a healthy run moved by up to 1.9x between
             minutes (docs/testing.md); on a quiet machine, ask for more
             (0.9 catches a 10% slowdown)
"""
import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
import benchlib  # noqa: E402
import platform_run  # noqa: E402

BURST = 128          # ONVM_BURST
NOT_PACKETS = {"copy_fail", "packet_in_drop"}


def parse_args():
    ap = argparse.ArgumentParser(prog="tests/soak/run.sh", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=120, help="soak time (default 120)")
    ap.add_argument("--interval", type=float, default=10, help="seconds per line (default 10)")
    ap.add_argument("--nfs", type=int, default=2, help="NFs in the chain (1-8, default 2)")
    ap.add_argument("--dedicated", action="store_true", help="NFs busy-poll (no -c)")
    ap.add_argument("--warmup", type=float, default=5, help="seconds before the first line")
    ap.add_argument("--min-ratio", type=float, default=0.5,
                    help="fail when the last quarter's median Mpps per core is under this times "
                         "the first quarter's (default 0.5)")
    ap.add_argument("--workdir", help="keep every log here (default: a temporary directory, "
                                      "removed when the run passed)")
    a = ap.parse_args()
    if not 1 <= a.nfs <= 8 or a.interval <= 0 or a.seconds < 4 * a.interval:
        ap.error("--nfs 1-8, --interval > 0, --seconds at least 4 intervals")
    return a


def drops_total(s):
    n = sum(p[k] for p in s["ports"].values() for k in ("tx_drop", "no_chain", "entry_drop"))
    return n + sum(v for k, v in s["drops"].items() if k not in NOT_PACKETS)


def sample(plat, pids):
    s = plat.snapshot()
    s["t"] = time.monotonic()
    s["cpu"] = sum(sum(benchlib.thread_cpu(p).values()) for p in pids)
    s["tx"] = sum(p["tx"] for p in s["ports"].values())
    s["drops_total"] = drops_total(s)
    s["in_use"] = s["mempool"]["in_use"] - s["mempool"]["baseline"]
    s["in_rings"] = s["mempool"]["on_rings"]  # read with in_use, in one command
    return s


def quarter(rows, key, which):
    n = max(1, len(rows) // 4)
    part = rows[:n] if which == "first" else rows[-n:]
    return [r[key] for r in part]


def main():
    a = parse_args()
    if os.geteuid() != 0:
        sys.exit("run.sh: needs root (hugepages, DPDK runtime directory)")
    build = os.environ.get("ONVM_BUILD_DIR", os.path.join(benchlib.ROOT, "build"))
    if not os.path.isabs(build):
        build = os.path.join(benchlib.ROOT, build)
    if not os.access(os.path.join(build, "onvm_mgr", "onvm_mgr"), os.X_OK):
        sys.exit(f"run.sh: build first: meson setup build && ninja -C build ({build})")
    own_workdir = a.workdir is None
    workdir = a.workdir or tempfile.mkdtemp(prefix="onvm_soak_")
    os.makedirs(workdir, exist_ok=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))
    benchlib.remove_stale_prefixes()

    procs = benchlib.Procs()
    plat = platform_run.Platform(procs, build, workdir, "sk")
    services = [f"s{i}" for i in range(1, a.nfs + 1)]
    chains = os.path.join(workdir, "chains.json")
    with open(chains, "w") as f:
        f.write('{ "chains": [ { "name": "soak", "match": {}, "hops": [%s], "out_port": 1 } ] }\n'
                % ", ".join(f'"{s}"' for s in services))
    failures = []
    rows = []
    print(f"soak: {a.seconds:.0f} s, {a.nfs}-NF chain on net_null ports (64 B, full rate), "
          f"NFs {'busy-polling' if a.dedicated else 'sharing a core (-c)'}, a line every "
          f"{a.interval:.0f} s; logs in {workdir}", flush=True)
    try:
        plat.start_manager(["-d", services[0], "-C", chains, "-w", str(a.nfs)]
                           + ([] if a.dedicated else ["-c"]),
                           vdevs=["--vdev=net_null0,size=64", "--vdev=net_null1,size=64"])
        nfs = [plat.start_nf(s) for s in reversed(services)]
        pids = [plat.mgr.pid] + [p.pid for p in nfs]
        time.sleep(a.warmup)
        print(f"{'t (s)':>7} {'Mpps':>7} {'Mpps/core':>9} {'drops':>9} {'mbufs':>7} "
              f"{'in rings':>8} {'outside':>7} {'max ring':>8}", flush=True)
        prev = sample(plat, pids)
        t_start = prev["t"]
        while prev["t"] - t_start < a.seconds - 1e-3:
            time.sleep(max(0.0, prev["t"] + a.interval - time.monotonic()))
            if not plat.mgr.alive():
                failures.append(f"the manager exited:\n{plat.mgr.tail()}")
                break
            cur = sample(plat, pids)
            dt = cur["t"] - prev["t"]
            cores = (cur["cpu"] - prev["cpu"]) / dt
            row = {"t": cur["t"] - t_start, "mpps": (cur["tx"] - prev["tx"]) / dt / 1e6,
                   "drops": cur["drops_total"] - prev["drops_total"], "mbufs": cur["in_use"],
                   "in_rings": cur["in_rings"], "outside": cur["in_use"] - cur["in_rings"],
                   "max_ring": max([nf["rx_ring"] for nf in cur["nfs"].values()] +
                                   [nf["tx_ring"] for nf in cur["nfs"].values()] + [0])}
            row["per_core"] = row["mpps"] / cores if cores > 0 else 0.0
            rows.append(row)
            print(f"{row['t']:7.0f} {row['mpps']:7.2f} {row['per_core']:9.2f} {row['drops']:9d} "
                  f"{row['mbufs']:7d} {row['in_rings']:8d} {row['outside']:7d} "
                  f"{row['max_ring']:8d}", flush=True)
            prev = cur
        if len(rows) >= 4:
            first_out, last_out = max(quarter(rows, "outside", "first")), \
                min(quarter(rows, "outside", "last"))
            print(f"mbufs outside the rings: at most {first_out} in the first quarter, at least "
                  f"{last_out} in the last")
            if last_out > first_out + BURST:
                failures.append(f"leak: at least {last_out} mbufs outside the rings in the last "
                                f"quarter, at most {first_out} in the first")
            q = max(1, len(rows) // 4)
            quarters = [rows[i * q:(i + 1) * q] if i < 3 else rows[3 * q:] for i in range(4)]
            med = [(statistics.median(r["mpps"] for r in part),
                    statistics.median(r["per_core"] for r in part)) for part in quarters]
            print("rate by quarter, median Mpps (per core): "
                  + ", ".join(f"{m:.2f} ({pc:.2f})" for m, pc in med))
            ratio = med[3][1] / med[0][1] if med[0][1] else 0.0
            print(f"last quarter / first quarter, per core: {ratio:.2f} (fails under "
                  f"{a.min_ratio:.2f})")
            if ratio < a.min_ratio:
                failures.append(f"the rate per core sank: {med[3][1]:.2f} Mpps/core in the last "
                                f"quarter, {med[0][1]:.2f} in the first (ratio {ratio:.2f}, "
                                f"limit {a.min_ratio:.2f})")
            named = [f"{k} {v}" for k, v in prev["drops"].items() if v] + \
                [f"port {n} {k} {p[k]}" for n, p in prev["ports"].items()
                 for k in ("tx_drop", "no_chain", "entry_drop") if p[k]]
            print(f"drops over the run: {prev['drops_total']}"
                  + (f" ({', '.join(named)})" if named else ""))
        # The leak check that needs no statistics: with every NF stopped,
        # everything they held or had queued is back, and the ports' packets
        # are dropped (no_instance) in the burst they arrive in. The one
        # data lcore reads the ports in turn, so it holds one burst at most;
        # net_null always has a full one, so a sample finds one in flight,
        # and any mbuf leaked on top of it.
        for p in nfs:
            procs.stop(p, signal.SIGINT, 15)
            if not plat.mgr.wait_line(f"pid {p.pid}) stopped", 10):
                failures.append(f"the manager did not retire NF pid {p.pid} within 10 s")
        low = min(plat.query("/onvm/mempool")["in_use"] - plat.query("/onvm/mempool")["baseline"]
                  for _ in range(20))
        print(f"NFs stopped: at least {low} mbufs in use above the baseline over 20 samples "
              f"(one burst, {BURST}, may be in flight)")
        if low > BURST:
            failures.append(f"leak: {low} mbufs in use once every NF stopped, more than one "
                            f"burst")
        rc = plat.stop_manager()
        stop = plat.mgr.find_line("onvm_mgr: stopped;")
        if rc != 0 or not stop or not stop[1].endswith("; 0 mbufs still in use"):
            failures.append(f"the manager's stop: exit {rc}, "
                            f"{stop[1] if stop else 'no stop line'}")
    except platform_run.PlatformError as e:
        failures.append(str(e))
    finally:
        procs.cleanup()
    if failures:
        print(f"soak: FAILED ({len(failures)}):")
        for f in failures:
            print(f"  - {f}")
        print(f"  (logs in {workdir})")
        return 1
    print("soak: passed")
    if own_workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
