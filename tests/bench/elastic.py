#!/usr/bin/env python3
"""The elastic benchmark (docs/elastic.md): what moving flows costs.

  tests/bench/elastic.sh [--flows N] [--moves N] [--instances 2,3]
                         [--svg out.svg] [--json out.json]

The stateful firewall (default deny, the clients' side allowed) on a
net_pcap port that loops a capture of N TCP connections (an ACK and a
data segment of each, from the client; by default 10,000 connections),
out through net_null; shared-core NFs
(-c) on two lcores. Then:

1. Throughput with 1, 2 and 3 instances (`onvmctl scale`), Mpps out of the
   chain over a few seconds each.
2. Pause per move: with K instances, --moves moves of all of one instance's
   buckets between instances 0 and 1, back and forth; per move
   `onvmctl move`'s pause_us (the longest a packet waited), total_us,
   held_packets and flows; median and p99 over the moves.
3. A time series during a scale-out 1 -> 2 -> 3 under the same load: Mpps
   out of the chain and packets held for moves, every 50 ms, written as JSON
   and drawn as an SVG (--svg).

Prints one table. Runs as root (hugepages); ONVM_BUILD_DIR selects the build.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import benchlib

ROOT = benchlib.ROOT


class BenchError(Exception):
    pass


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def without_syns(path):
    """The capture less its SYNs: looped, a SYN would open a connection
    the firewall already tracks (an invalid packet, denied). The first
    allowed packet of each connection starts its tracking instead."""
    with open(path, "rb") as f:
        data = f.read()
    out, at = [data[:24]], 24
    while at + 16 <= len(data):
        caplen = int.from_bytes(data[at + 8:at + 12], "little")
        frame = data[at + 16:at + 16 + caplen]
        ihl = (frame[14] & 0x0F) * 4
        if not frame[14 + ihl + 13] & 0x02:
            out.append(data[at:at + 16 + caplen])
        at += 16 + caplen
    with open(path, "wb") as f:
        f.write(b"".join(out))


class Platform:
    def __init__(self, a, procs, build, work):
        self.a, self.procs, self.build, self.work = a, procs, build, work
        self.prefix = f"{benchlib.PREFIX_BASE}_{os.getpid()}_elastic"
        procs.prefixes.append(self.prefix)
        self.ctl_bin = os.path.join(build, "onvm_mgr", "onvmctl")
        self.env = dict(os.environ, ONVM_BUILD_DIR=build, ONVM_FILE_PREFIX=self.prefix)

    def start(self):
        traffic = os.path.join(ROOT, "tests", "integration", "move_traffic.py")
        cap = os.path.join(self.work, "conns.pcap")
        subprocess.run([sys.executable, traffic, "make", cap, "--flows", str(self.a.flows),
                        "--rounds", "1", "--one-way"], check=True, stdout=subprocess.DEVNULL)
        without_syns(cap)
        # NFs see the manager's --vdev arguments cut at 63 characters.
        self.link = f"/tmp/onvm-elastic-{os.getpid()}.pcap"
        if os.path.lexists(self.link):
            os.unlink(self.link)
        os.symlink(cap, self.link)
        fw = os.path.join(self.work, "fw.json")
        with open(fw, "w") as f:
            json.dump({"default": "deny", "stateful": True, "max_conns": 65536,
                       "rules": [{"name": "clients", "action": "allow",
                                  "ipv4_src": "10.1.0.0/16", "tcp_dst": "80"}]}, f)
        argv = [os.path.join(self.build, "onvm_mgr", "onvm_mgr"), "-l", "0-1", "--file-prefix",
                self.prefix, "--no-pci", "--log-level=lib.eal:warning",
                f"--vdev=net_pcap0,rx_pcap={self.link},infinite_rx=1", "--vdev=net_null0,no-rx=1", "--",
                "-p", "0x3", "-c", "-s", "none", "-w", "1"]
        self.mgr = self.procs.start("onvm_mgr", argv, env=self.env)
        if not self.mgr.wait_line("onvm_mgr: ready in", 30):
            raise BenchError(f"manager did not become ready:\n{self.mgr.tail()}")
        self.tel = benchlib.Telemetry(self.prefix)
        self.fw = self.procs.start("firewall", [os.path.join(ROOT, "go.sh"), "firewall", "-r", "1",
                                                "-n", "0", "--", "-f", fw], env=self.env, cwd=ROOT)
        if not self.mgr.wait_line("joined service 1 'firewall'", 60):
            raise BenchError(f"the firewall did not join:\n{self.fw.tail()}")
        # Every connection tracked: the capture has looped once.
        deadline = time.monotonic() + 60
        while self.port_tx() < 4 * self.a.flows:
            if time.monotonic() > deadline:
                raise BenchError("no traffic through the firewall")
            time.sleep(0.1)

    def ctl(self, *args):
        r = subprocess.run([self.ctl_bin, "--file-prefix", self.prefix, *args],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise BenchError(f"onvmctl {' '.join(args)}: {r.stderr.strip()}")
        return json.loads(r.stdout)

    def port_tx(self):
        return self.tel.query("/onvm/ports")["1"]["tx"]

    def held(self):
        return sum(v.get("held", 0) for v in self.tel.query("/onvm/lcores").values()
                   if isinstance(v, dict))

    def dropped(self):
        """Packets the platform dropped so far, by where: at the entry, at
        the ports' TX, and the data path's reasons (/onvm/drops)."""
        out = {}
        for v in self.tel.query("/onvm/ports").values():
            if isinstance(v, dict):
                for k in ("entry_drop", "tx_drop"):
                    out[k] = out.get(k, 0) + v.get(k, 0)
        out.update({k: v for k, v in self.tel.query("/onvm/drops").items()
                    if isinstance(v, int)})
        return out

    def mpps(self, seconds):
        t0, p0 = time.monotonic(), self.port_tx()
        time.sleep(seconds)
        t1, p1 = time.monotonic(), self.port_tx()
        return (p1 - p0) / (t1 - t0) / 1e6

    def scale(self, n):
        return self.ctl("scale", "firewall", str(n))


STEPS = re.compile(r"moved .*steps, us: quiesce (\d+), export (\d+), emitted (\d+), "
                   r"import (\d+), release (\d+)\)")
STEP_NAMES = ("quiesce", "export", "emitted", "import", "release")


def pauses(plat, k, moves):
    """The moves' results, each with its steps' times from the manager's log."""
    plat.scale(k)
    rows = []
    for i in range(moves):
        src, dst = (0, 1) if i % 2 == 0 else (1, 0)
        before = plat.mgr.count_lines("onvm_mgr: moved ")
        r = plat.ctl("move", "firewall", "--from", str(src), "--to", str(dst))
        m = STEPS.search(plat.mgr.wait_line_after("onvm_mgr: moved ", before, 5) or "")
        r["steps_us"] = [int(x) for x in m.groups()] if m else None
        rows.append(r)
        time.sleep(0.05)
    return rows


def series(plat, dt=0.05, settle=1.5):
    """Mpps and packets held every dt during scale-outs 1 -> 2 -> 3."""
    plat.scale(1)
    time.sleep(settle)
    samples, events, stop = [], [], threading.Event()
    t0 = time.monotonic()

    def sample():
        tel = benchlib.Telemetry(plat.prefix)
        last = (time.monotonic(), tel.query("/onvm/ports")["1"]["tx"],
                sum(v.get("held", 0) for v in tel.query("/onvm/lcores").values()
                    if isinstance(v, dict)))
        while not stop.is_set():
            time.sleep(dt)
            now = (time.monotonic(), tel.query("/onvm/ports")["1"]["tx"],
                   sum(v.get("held", 0) for v in tel.query("/onvm/lcores").values()
                       if isinstance(v, dict)))
            samples.append({"t": round(now[0] - t0, 4),
                            "mpps": (now[1] - last[1]) / (now[0] - last[0]) / 1e6,
                            "held": now[2] - last[2]})
            last = now
        tel.close()

    th = threading.Thread(target=sample)
    th.start()
    try:
        time.sleep(settle)
        for n in (2, 3):
            t = time.monotonic() - t0
            r = plat.scale(n)
            events.append({"t": round(t, 4), "t_done": round(time.monotonic() - t0, 4),
                           "to": n, "result": r})
            time.sleep(settle)
    finally:
        stop.set()
        th.join()
    return samples, events


def svg(path, samples, events, title):
    """Two panels over time: Mpps (line) and packets held per sample (bars)."""
    W, H, L, R, T, gap, ph = 760, 420, 60, 20, 40, 40, 150
    tmax = max(s["t"] for s in samples) or 1
    mmax = max(s["mpps"] for s in samples) * 1.1 or 1
    hmax = max(max(s["held"] for s in samples), 1) * 1.1
    x = lambda t: L + (W - L - R) * t / tmax
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>']
    for k, (label, top, vmax) in enumerate((("Mpps out of the chain", T, mmax),
                                            ("packets held per sample", T + ph + gap, hmax))):
        bottom = top + ph
        out.append(f'<rect x="{L}" y="{top}" width="{W - L - R}" height="{ph}" fill="none" '
                   f'stroke="#888"/>')
        out.append(f'<text x="{L - 45}" y="{top + ph / 2}" transform="rotate(-90 {L - 45} '
                   f'{top + ph / 2})" text-anchor="middle">{label}</text>')
        for i in range(5):
            v = vmax * i / 4
            y = bottom - ph * i / 4
            out.append(f'<line x1="{L - 4}" y1="{y:.1f}" x2="{L}" y2="{y:.1f}" stroke="#888"/>')
            out.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">'
                       f'{v:.2f}</text>' if k == 0 else
                       f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.0f}</text>')
        for e in events:
            for t, dash in ((e["t"], "4,3"), (e["t_done"], "")):
                out.append(f'<line x1="{x(t):.1f}" y1="{top}" x2="{x(t):.1f}" y2="{bottom}" '
                           f'stroke="#c33" stroke-dasharray="{dash}"/>')
            if k == 0:
                out.append(f'<text x="{x(e["t"]) + 3:.1f}" y="{top + 14}" fill="#c33">'
                           f'scale {e["to"] - 1}&#8594;{e["to"]}</text>')
        if k == 0:
            pts = " ".join(f'{x(s["t"]):.1f},{bottom - ph * s["mpps"] / vmax:.1f}'
                           for s in samples)
            out.append(f'<polyline points="{pts}" fill="none" stroke="#236" stroke-width="1.5"/>')
        else:
            bw = max((W - L - R) / len(samples) * 0.8, 1)
            for s in samples:
                h = ph * s["held"] / vmax
                if h > 0:
                    out.append(f'<rect x="{x(s["t"]) - bw:.1f}" y="{bottom - h:.1f}" '
                               f'width="{bw:.1f}" height="{h:.1f}" fill="#236"/>')
    base = T + 2 * ph + gap
    for i in range(6):
        t = tmax * i / 5
        out.append(f'<text x="{x(t):.1f}" y="{base + 16}" text-anchor="middle">{t:.1f}</text>')
    out.append(f'<text x="{(W + L) / 2}" y="{base + 34}" text-anchor="middle">seconds '
               f'(dashed: scale asked; solid: scale done)</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flows", type=int, default=10000)
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--instances", default="2,3")
    ap.add_argument("--svg")
    ap.add_argument("--json")
    a = ap.parse_args()
    ks = [int(k) for k in a.instances.split(",")]
    if a.flows < 1 or a.flows > 20000 or a.moves < 1 or any(k < 2 or k > 16 for k in ks):
        ap.error("--flows 1-20000 (the looped capture is held in mbufs), --moves >= 1, "
                 "--instances 2-16 each")
    build = os.environ.get("ONVM_BUILD_DIR", os.path.join(ROOT, "build"))
    build = build if os.path.isabs(build) else os.path.join(ROOT, build)
    benchlib.remove_stale_prefixes()
    procs = benchlib.Procs()
    report = {"flows": a.flows}
    with tempfile.TemporaryDirectory(prefix="onvm_elastic_bench.") as work:
        plat = Platform(a, procs, build, work)
        try:
            plat.start()
            report["mpps"] = {}
            for n in (1, 2, 3):
                plat.scale(n)
                time.sleep(0.5)
                report["mpps"][n] = plat.mpps(2.0)
            d0 = plat.dropped()
            report["moves"] = {k: pauses(plat, k, a.moves) for k in ks}
            report["series"], report["events"] = series(plat)
            d1 = plat.dropped()
            report["dropped"] = {k: v - d0.get(k, 0) for k, v in d1.items() if v - d0.get(k, 0)}
            plat.ctl("scale", "firewall", "1")
        except (BenchError, RuntimeError, subprocess.CalledProcessError) as e:
            print(f"elastic.sh: {e}", file=sys.stderr)
            if getattr(plat, "mgr", None):
                print(f"the manager's last lines:\n{plat.mgr.tail(25)}", file=sys.stderr)
            return 1
        finally:
            if os.path.lexists(getattr(plat, "link", "")):
                os.unlink(plat.link)
            if getattr(plat, "mgr", None):
                procs.stop(plat.mgr)
            procs.cleanup()

    print(f"Elastic firewall, {a.flows} tracked connections looping through it "
          f"(net_pcap -> firewall -> net_null, -c, 2 lcores)")
    print("\nThroughput by instances:")
    for n, v in report["mpps"].items():
        print(f"  {n} instance{'s' if n > 1 else ' '}  {v:6.3f} Mpps")
    print(f"\nMoves of all of one instance's buckets between instances 0 and 1 "
          f"({a.moves} moves each):")
    print(f"  {'instances':>9} {'buckets':>8} {'flows':>7} {'pause median':>13} {'pause p99':>10} "
          f"{'move median':>12} {'move p99':>9} {'held median':>12}")
    for k, rows in report["moves"].items():
        p = [r["pause_us"] for r in rows]
        t = [r["total_us"] for r in rows]
        print(f"  {k:>9} {statistics.median(r['buckets'] for r in rows):>8.0f} "
              f"{statistics.median(r['flows'] for r in rows):>7.0f} "
              f"{statistics.median(p) / 1000:>10.2f} ms {pct(p, 99) / 1000:>7.2f} ms "
              f"{statistics.median(t) / 1000:>9.2f} ms {pct(t, 99) / 1000:>6.2f} ms "
              f"{statistics.median(r['held_packets'] for r in rows):>12.0f}")
    for k, rows in report["moves"].items():
        steps = [r["steps_us"] for r in rows if r["steps_us"]]
        if steps:
            print(f"  {k} instances, the steps' median: " + ", ".join(
                f"{name} {statistics.median(st[j] for st in steps) / 1000:.2f} ms"
                for j, name in enumerate(STEP_NAMES)))
    print("  packets dropped by the platform over all moves and scales: "
          f"{sum(report['dropped'].values())} {report['dropped'] or ''}")
    print("\nScale-out 1 -> 2 -> 3 under load:")
    for e in report["events"]:
        r = e["result"]
        print(f"  -> {e['to']}: ready {r['ready_us'] / 1000:.0f} ms, moved "
              f"{r['moved_us'] / 1000:.0f} ms, forwarding "
              f"{(r['forwarding_us'] or 0) / 1000:.0f} ms after the command; "
              f"{r['moves']} moves, {r['buckets_moved']} buckets, {r['flows_moved']} flows, "
              f"{r['held_packets']} packets held")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
        print(f"\nJSON written to {benchlib.shown(os.path.abspath(a.json))}")
    if a.svg:
        svg(a.svg, report["series"], report["events"],
            f"Scale-out 1 → 2 → 3 of the stateful firewall under load ({a.flows} connections)")
        print(f"figure written to {benchlib.shown(os.path.abspath(a.svg))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
