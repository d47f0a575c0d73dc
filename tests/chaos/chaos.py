#!/usr/bin/env python3
"""The chaos run: a chain under steady load while, at random (seeded) times,
NFs are killed and restarted, instances of a service come and go (by
hand and by onvmctl scale, their flows moved by onvmctl move), the
chain file is reloaded with valid and invalid versions, and OpenFlow
controllers install, delete and steer flows, and vanish mid-session. At the
end traffic stops and every counter must add up; see docs/testing.md,
"Chaos".

    tests/chaos/run.sh --seconds S [--seed N] [--rate PPS] [--hops N]
                       [--dedicated] [--workdir DIR]

The platform: the manager (2 lcores) with an OpenFlow agent (--of-listen)
and the chain file; a chain of HOPS simple_forward NFs (services s1..sN,
out of port 1); one more NF for the flows a controller steers (service
"steer"); bench_paced_gen replaying the web capture, with 1% broken
copies of its frames (--mangle), at RATE into port 0 and counting what
comes back on port 1 (platform_run.py).
"""
import argparse
import heapq
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
import benchlib  # noqa: E402
import platform_run  # noqa: E402
import chaos_checks  # noqa: E402

ROOT = benchlib.ROOT
OF_COOKIE = 0xc0de0000      # flows ovs-ofctl installs
CTL_COOKIE = 0xbeef0000     # flows the Python controller installs
# How long the manager has to answer a reload or report an NF gone: a bound
# for a hang, not a timing claim. On a machine busy with other work its
# control thread waited more than 10 s for a CPU at times.
ANSWER_S = 30
SANITIZER = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|"
                       r"SUMMARY: AddressSanitizer|SUMMARY: UndefinedBehaviorSanitizer|"
                       r"runtime error:")


def parse_args():
    ap = argparse.ArgumentParser(prog="tests/chaos/run.sh", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60, help="chaos time (default 60)")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: drawn, printed)")
    ap.add_argument("--rate", type=float, default=50000,
                    help="packets per second offered to port 0 (default 50000)")
    ap.add_argument("--hops", type=int, default=3, help="NFs in the chain (2-6, default 3)")
    ap.add_argument("--mangle", type=float, default=1.0,
                    help="percent of broken frames added to the capture's (truncated, bad "
                         "header lengths, stacked VLAN tags; default 1)")
    ap.add_argument("--interval", type=float, default=1.0,
                    help="mean seconds between actions (default 1)")
    ap.add_argument("--dedicated", action="store_true",
                    help="NFs busy-poll (no -c): by default they share a core and sleep when idle")
    ap.add_argument("--workdir", help="keep every log here (default: a temporary directory, "
                                      "removed when the run passed)")
    a = ap.parse_args()
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1, 1 << 31)
    if not 2 <= a.hops <= 6 or a.seconds <= 0 or a.rate <= 0 or a.interval <= 0:
        ap.error("--hops 2-6, --seconds, --rate and --interval > 0")
    return a


# ---- chain files: the valid versions and the ways to get one wrong ----

def chain_file(chains):
    return json.dumps({"chains": chains}, indent=2) + "\n"


def valid_variants(hops):
    s = [f"s{i}" for i in range(1, hops + 1)]
    return {
        "base": chain_file([{"name": "all", "priority": 10, "match": {}, "hops": s,
                             "out_port": 1}]),
        "reversed": chain_file([{"name": "all", "priority": 10, "match": {},
                                 "hops": list(reversed(s)), "out_port": 1}]),
        "split": chain_file([
            {"name": "responses", "priority": 20, "match": {"tcp_src": 80},
             "hops": s[1:], "out_port": 1},
            {"name": "all", "priority": 10, "match": {}, "hops": s, "out_port": 1}]),
        "short": chain_file([{"name": "all", "priority": 10, "match": {}, "hops": s[:1],
                              "out_port": 1}]),
        # A service nothing runs: its packets are dropped and counted
        # (no_instance), the reload itself is valid.
        "ghost": chain_file([{"name": "all", "priority": 10, "match": {},
                              "hops": [s[0], "ghost"], "out_port": 1}]),
    }


def invalid_variants(hops):
    base = valid_variants(hops)["base"]
    return {
        "truncated": base[:len(base) // 2],
        "empty hops": chain_file([{"name": "x", "match": {}, "hops": []}]),
        "unknown key": chain_file([{"name": "x", "match": {}, "hops": ["s1"], "outport": 1}]),
        "bad port": chain_file([{"name": "x", "match": {"tcp_dst": "70000"}, "hops": ["s1"]}]),
        "service id out of range": chain_file([{"name": "x", "match": {}, "hops": ["99"]}]),
        "duplicate name": chain_file([{"name": "x", "match": {}, "hops": ["s1"]},
                                      {"name": "x", "match": {}, "hops": ["s2"]}]),
        "not json": "\x00\x01chains\xff{{{\n",
        "empty file": "",
    }


class Chaos:
    def __init__(self, a, build, workdir):
        self.a = a
        # Each action draws from its own generator, seeded from the
        # schedule: the same seed gives the same actions in the same order,
        # however long each one takes on the machine.
        self.rng = random.Random(a.seed)
        self.build = build
        self.workdir = workdir
        self.procs = benchlib.Procs()
        self.plat = platform_run.Platform(self.procs, build, workdir, "ch")
        self.services = [f"s{i}" for i in range(1, a.hops + 1)]
        self.own = {}            # pid -> Proc: the NFs this run started
        self.killed = set()      # pids killed with SIGKILL, not yet reaped
        self.job = None          # (onvmctl Proc, what, start time) in flight
        self.jobs = 0
        self.events = []   # (time, seq, description, function)
        self.seq = 0
        self.failures = []
        self.counts = {}
        self.checks_passed = 0
        self.of_flows = {}       # cookie -> (match, actions) installed with ovs-ofctl
        self.steering = False
        self.ctl = None          # the Python controller's session that stays
        self.ctl_sessions = 0
        self.chain_version = "base"
        self.ofport = platform_run.free_tcp_port()
        self.of_target = f"tcp:127.0.0.1:{self.ofport}"
        self.t0 = time.monotonic()

    # ---- bookkeeping ----

    def log(self, msg):
        print(f"[{time.monotonic() - self.t0:8.3f}] {msg}", flush=True)

    def fail(self, msg):
        self.failures.append(msg)
        self.log(f"FAIL: {msg}")

    def count(self, kind):
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def at(self, delay, desc, fn):
        self.seq += 1
        heapq.heappush(self.events, (time.monotonic() + delay, self.seq, desc, fn))

    # ---- NFs ----
    #
    # Which NFs run is the manager's to say (/onvm/nfs): `onvmctl scale`
    # starts and stops instances itself, and stops ours too. self.own holds
    # the NFs this run started (go.sh), whose exit status it reads.

    def running(self):
        """service -> [(pid, instance number)] of the NFs the manager runs."""
        out = {s: [] for s in self.services + ["steer"]}
        for nf in (self.plat.query("/onvm/nfs") or {}).values():
            if nf.get("state", "running") == "running" and nf.get("service_name") in out:
                out[nf["service_name"]].append((nf["pid"], nf["instance"]))
        return out

    def start_nf(self, service, why):
        # An NF gives up when the manager does not admit it within 5 s,
        # which a machine busy enough can make it do: once, not twice.
        for attempt in (1, 2):
            try:
                p = self.plat.start_nf(service)
                break
            except platform_run.PlatformError as e:
                if attempt == 2:
                    raise
                self.log(f"{why}: NF of {service} did not join, again: "
                         f"{str(e).splitlines()[-1]}")
        self.own[p.pid] = p
        self.log(f"{why}: NF {self.plat.nf_id(p)} joined service {service} (pid {p.pid})")
        return p

    def wait_retired(self, pid, how):
        """The manager's line for pid; under a scale job, an NF it stopped
        (`stopped`) may be the one that was also killed."""
        hows = (how, "stopped") if self.job is not None else (how,)
        deadline = time.monotonic() + ANSWER_S
        while time.monotonic() < deadline:
            for h in hows:
                hit = self.plat.mgr.find_line(f"pid {pid}) {h}")
                if hit:
                    self.log("  manager: " + hit[1].split("onvm_mgr: ", 1)[-1])
                    return
            time.sleep(0.01)
        self.fail(f"the manager did not report NF pid {pid} as {how} within {ANSWER_S} s")

    def reap_own(self):
        """Our NFs that exited: killed ones with SIGKILL, any other (asked
        to stop by us or by the manager) with 0."""
        for pid, p in list(self.own.items()):
            if p.alive():
                continue
            del self.own[pid]
            rc = p.popen.returncode
            if pid in self.killed:
                self.killed.discard(pid)
            elif rc != 0:
                self.fail(f"NF pid {pid} exited with {rc} when asked to stop")

    def kill(self, pid):
        self.killed.add(pid)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if pid in self.own:
            self.own[pid].popen.wait()
        self.wait_retired(pid, "died")
        self.reap_own()

    def kill_nf(self):
        run = self.running()
        service = self.rng.choice([s for s in self.services + ["steer"] if run[s]])
        pid, inst = self.rng.choice(run[service])
        self.log(f"kill -9 NF of service {service} (pid {pid}, instance {inst}"
                 f"{'' if pid in self.own else ', started by the manager'})")
        self.count("kill -9 NF")
        self.kill(pid)
        delay = round(self.rng.uniform(0.1, 2.0), 2)
        if len(run[service]) == 1:
            self.at(delay, f"restart {service}", lambda: self.restart(service))
        return True

    def restart(self, service):
        left = self.running()[service]
        if left:
            self.log(f"restart of {service} not needed: {len(left)} instance(s) run")
            return
        self.count("restart NF")
        self.start_nf(service, f"restart of {service}")

    def scale(self):
        """A second instance started by hand (go.sh), stopped or killed later."""
        run = self.running()
        single = [s for s in self.services if len(run[s]) == 1]
        if not single:
            return "every service already has two instances"
        service = self.rng.choice(single)
        self.count("add instance (go.sh)")
        p = self.start_nf(service, f"second instance of {service}")
        how = "SIGINT" if self.rng.random() < 0.7 else "kill -9"
        self.at(round(self.rng.uniform(1, 5), 2), f"remove instance of {service}",
                lambda: self.unscale(service, p, how))
        return True

    def unscale(self, service, p, how="SIGINT"):
        pids = [pid for pid, _ in self.running()[service]]
        if p.pid not in pids:
            return  # killed, or stopped by a scale job, meanwhile
        if len(pids) == 1:
            self.log(f"the extra instance of {service} (pid {p.pid}) stays: the other is gone")
            return
        if how == "SIGINT":
            self.count("remove instance (SIGINT)")
            self.log(f"stop the extra instance of {service} (SIGINT, pid {p.pid})")
            os.kill(p.pid, signal.SIGINT)
            self.wait_retired(p.pid, "stopped")
            try:
                p.popen.wait(10)
            except subprocess.TimeoutExpired:
                pass
            self.reap_own()
        else:
            self.count("remove instance (kill -9)")
            self.log(f"kill -9 the extra instance of {service} (pid {p.pid})")
            self.kill(p.pid)

    # ---- onvmctl scale and move: jobs the manager runs, one at a time ----

    def onvmctl_argv(self, *args):
        return [os.path.join(self.build, "onvm_mgr", "onvmctl"), "--file-prefix",
                self.plat.prefix, *args]

    def start_job(self, what, *args):
        """onvmctl in the background: the chaos goes on while the manager
        launches, moves and stops (a kill may land in the middle)."""
        self.jobs += 1
        self.job = (self.procs.start(f"onvmctl{self.jobs}", self.onvmctl_argv(*args),
                                     log=os.path.join(self.workdir, "onvmctl.log")),
                    what, time.monotonic())
        self.log(f"onvmctl {' '.join(args)}")

    def poll_job(self, wait=0.0):
        """The job's answer once onvmctl exited: done (0), or refused or
        failed with a reason (1; a kill can make a move or a scale fail,
        and one job runs at a time). Anything else, or no answer, fails."""
        if self.job is None:
            return True
        p, what, t0 = self.job
        try:
            p.popen.wait(wait)
        except subprocess.TimeoutExpired:
            if time.monotonic() - t0 > 60:
                self.fail(f"{what}: onvmctl had no answer after 60 s")
                os.kill(p.pid, signal.SIGKILL)
                p.popen.wait()
                self.job = None
                return True
            return False
        p._reader.join(10)  # every line it wrote read
        rc, out = p.popen.returncode, p.tail(200)
        self.job = None
        if rc == 0:
            try:
                r = json.loads(out[out.index("{"):])
            except ValueError:
                self.fail(f"{what}: onvmctl answered 0 with no JSON:\n{out}")
                return True
            self.count(f"{what}: done")
            self.log(f"  {what}: done: " + ", ".join(
                f"{k} {r[k]}" for k in ("instances", "started", "stopped", "moves", "buckets",
                                        "buckets_moved", "held_packets", "pause_us", "total_us")
                if k in r))
        elif rc == 1 and re.search(r"refused|failed", out):
            self.count(f"{what}: refused or failed")
            self.log(f"  {what}: {out.strip().splitlines()[-1]}")
        else:
            self.fail(f"{what}: onvmctl exited with {rc}:\n{out}")
        self.reap_own()
        return True

    def ctl_scale(self):
        """onvmctl scale S 2, then back to 1 a few seconds later."""
        if self.job is not None:
            return "an onvmctl job is running"
        run = self.running()
        single = [s for s in self.services if len(run[s]) == 1]
        if not single:
            return "every service already has two instances"
        service = self.rng.choice(single)
        self.start_job("onvmctl scale out", "scale", service, "2")
        self.at(round(self.rng.uniform(2, 6), 2), f"scale {service} in",
                lambda: self.ctl_scale_in(service, 5))
        return True

    def ctl_scale_in(self, service, tries):
        if self.job is not None or len(self.running()[service]) < 2:
            if self.job is not None and tries > 0:
                self.at(1.0, f"scale {service} in", lambda: self.ctl_scale_in(service, tries - 1))
            return
        self.start_job("onvmctl scale in", "scale", service, "1")

    def ctl_move(self):
        """onvmctl move: a share of one instance's buckets to another."""
        if self.job is not None:
            return "an onvmctl job is running"
        run = self.running()
        multi = [s for s in self.services if len(run[s]) >= 2]
        if not multi:
            return "no service runs two instances"
        service = self.rng.choice(multi)
        a, b = self.rng.sample(sorted(i for _, i in run[service]), 2)
        share = self.rng.choice(["0.25", "0.5", "1"])
        self.start_job("onvmctl move", "move", service, "--from", str(a), "--to", str(b),
                       "--share", share)
        return True

    # ---- chain reloads ----

    def reload(self, text, what, expect_ok):
        path = os.path.join(self.workdir, "chains.json")
        with open(path + ".new", "w") as f:
            f.write(text)
        os.replace(path + ".new", path)
        mark = self.plat.mgr.mark()
        os.kill(self.plat.mgr.pid, signal.SIGHUP)
        deadline = time.monotonic() + ANSWER_S
        while time.monotonic() < deadline:
            ok = self.plat.mgr.find_line("chains reloaded", mark)
            bad = self.plat.mgr.find_line("reload refused", mark) or \
                self.plat.mgr.find_line("reload failed", mark)
            if ok or bad:
                break
            time.sleep(0.02)
        else:
            self.fail(f"reload ({what}): no answer from the manager within {ANSWER_S} s")
            return
        if expect_ok and ok:
            self.log(f"  manager: {ok[1].split('onvm_mgr: ', 1)[-1]}")
        elif not expect_ok and bad:
            self.log(f"  manager: {bad[1].split('onvm_mgr: ', 1)[-1]}")
        else:
            self.fail(f"reload ({what}) {'refused' if bad else 'accepted'}: "
                      f"{(bad or ok)[1]}")

    def reload_chains(self):
        r = self.rng.random()
        if r < 0.35:
            name = self.rng.choice(sorted(invalid_variants(self.a.hops)))
            self.count("reload (invalid)")
            self.log(f"SIGHUP with an invalid chain file: {name}")
            self.reload(invalid_variants(self.a.hops)[name], name, False)
            return True
        name = self.rng.choice([v for v in sorted(valid_variants(self.a.hops))
                                if v != self.chain_version])
        self.count("reload (valid)")
        self.log(f"SIGHUP with chain file '{name}'")
        self.reload(valid_variants(self.a.hops)[name], name, True)
        self.chain_version = name
        return True

    # ---- OpenFlow: ovs-ofctl ----

    def ofctl(self, *args):
        try:
            r = subprocess.run(["ovs-ofctl", "-O", "OpenFlow13", *args], capture_output=True,
                               text=True, timeout=20)
        except subprocess.TimeoutExpired:
            self.fail(f"ovs-ofctl {' '.join(args)}: no answer within 20 s")
            return None
        if r.returncode != 0:
            self.fail(f"ovs-ofctl {' '.join(args)}: {r.stderr.strip()[-200:]}")
            return None
        return r.stdout

    def add_flow(self, cookie, match, actions):
        if self.ofctl("add-flow", self.of_target,
                      f"cookie={cookie:#x},{match},actions={actions}") is not None:
            self.of_flows[cookie] = (match, actions)

    def del_flow(self, cookie):
        if self.ofctl("del-flows", self.of_target, f"cookie={cookie:#x}/-1") is not None:
            self.of_flows.pop(cookie, None)

    def steer_service(self):
        nfs = self.plat.query("/onvm/services") or {}
        for sid, sv in nfs.items():
            if sv.get("name") == "steer":
                return int(sid)
        return None

    def openflow(self):
        r = self.rng.random()
        if r < 0.4:
            svc = self.steer_service()
            if svc is None:
                return "the steer service is unknown"
            if not self.steering:
                # The way back first: a steered packet that came back to a
                # table without it would be dropped (reenter_miss).
                self.count("ovs-ofctl: steer")
                self.log(f"ovs-ofctl: steer tcp_src=80 through service steer ({1000 + svc})")
                self.add_flow(OF_COOKIE + 2, f"priority=100,in_port={1000 + svc}", "output:2")
                self.add_flow(OF_COOKIE + 1, "priority=100,tcp,tp_src=80", f"output:{1000 + svc}")
                self.steering = True
            else:
                self.count("ovs-ofctl: unsteer")
                self.log("ovs-ofctl: stop steering (delete both flows)")
                self.del_flow(OF_COOKIE + 1)
                self.del_flow(OF_COOKIE + 2)
                self.steering = False
            return True
        k = self.rng.randrange(4)
        cookie = OF_COOKIE + 0x100 + k
        if cookie in self.of_flows:
            self.count("ovs-ofctl: del-flows")
            self.log(f"ovs-ofctl: delete flow {cookie:#x}")
            self.del_flow(cookie)
        else:
            # Traffic the capture does not have: no packet changes path.
            self.count("ovs-ofctl: add-flow")
            self.log(f"ovs-ofctl: add flow {cookie:#x} (udp, tp_dst={5000 + k}: drop)")
            self.add_flow(cookie, f"priority=60,udp,tp_dst={5000 + k}", "drop")
        return True

    # ---- OpenFlow: a controller that vanishes ----

    def controller_argv(self, n, stay):
        return [sys.executable, "-B", os.path.join(HERE, "of_controller.py"), str(self.ofport),
                hex(CTL_COOKIE), str(n)] + (["--stay"] if stay else [])

    def controller(self):
        if self.ctl is not None and self.ctl.alive():
            self.count("controller killed mid-session")
            installed = bool(self.ctl.find_line("installed"))
            self.log(f"kill -9 the Python controller (pid {self.ctl.pid}, "
                     f"{'after' if installed else 'before'} its barrier)")
            os.kill(self.ctl.pid, signal.SIGKILL)
            self.ctl.popen.wait()
            self.ctl = None
            return True
        if self.ctl is not None:
            self.fail(f"the Python controller exited by itself:\n{self.ctl.tail()}")
        n = self.rng.randrange(1, 9)
        self.ctl_sessions += 1
        self.count("controller connects")
        self.log(f"Python controller connects, installs {n} flows and stays")
        self.ctl = self.procs.start(f"ctl{self.ctl_sessions}", self.controller_argv(n, True),
                                    log=os.path.join(self.workdir, "controller.log"))
        return True

    def final_controller(self):
        if self.ctl is not None:
            os.kill(self.ctl.pid, signal.SIGKILL)
            self.ctl.popen.wait()
            self.ctl = None
        n = random.Random(self.a.seed + 1).randrange(1, 9)
        self.log(f"Python controller returns: {n} flows, then leaves")
        p = self.procs.start("ctl-final", self.controller_argv(n, False),
                             log=os.path.join(self.workdir, "controller.log"))
        try:
            rc = p.popen.wait(30)
        except subprocess.TimeoutExpired:
            rc = None
        if rc != 0 or not p.find_line(f"installed {n} flows"):
            self.fail(f"the last controller session failed ({rc}):\n{p.tail()}")
        return n

    # ---- the run ----

    def setup(self):
        cap = os.path.join(self.build, "testdata", "web.pcap")
        r = subprocess.run(["bash", os.path.join(ROOT, "tests", "integration",
                                                 "make_web_capture.sh"), cap],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise platform_run.PlatformError(r.stderr.strip())
        with open(os.path.join(self.workdir, "chains.json"), "w") as f:
            f.write(valid_variants(self.a.hops)["base"])
        args = ["-d", "s1", "-C", os.path.join(self.workdir, "chains.json"),
                "--of-listen", str(self.ofport)]
        if not self.a.dedicated:
            args.append("-c")
        self.plat.start_manager(args)
        for s in reversed(self.services):
            self.start_nf(s, "start")
        self.start_nf("steer", "start")
        self.plat.start_gen(["--pcap", cap, "--mangle", str(self.a.mangle), "--warmup", "0",
                             "--drain", "2", "--phase", f"{self.a.rate:.0f}:inf"])
        self.log(f"generator: web capture (+{self.a.mangle:g}% broken frames) at "
                 f"{self.a.rate:.0f} packets/s into port 0")

    def schedule(self):
        """The actions, drawn from the seed alone: (seconds after the chaos
        started, kind, the action's own seed)."""
        kinds = [("kill_nf", 3), ("scale", 2), ("ctl_scale", 2), ("ctl_move", 2),
                 ("reload_chains", 3), ("openflow", 3), ("controller", 2)]
        rng, t, out = random.Random(self.a.seed), 0.0, []
        while True:
            t += rng.expovariate(1 / self.a.interval)
            if t >= self.a.seconds:
                return out
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            out.append((t, kind, rng.randrange(1 << 32)))

    def run(self):
        start = time.monotonic()
        todo = self.schedule()
        self.log(f"chaos starts: {len(todo)} actions in {self.a.seconds:.0f} s")
        end = start + self.a.seconds
        next_status = start + 10
        while time.monotonic() < end:
            if not self.plat.mgr.alive():
                self.fail(f"the manager exited:\n{self.plat.mgr.tail()}")
                return
            try:
                next_status = self.step(start, todo, next_status)
            except (OSError, ValueError) as e:
                # Telemetry that does not answer: a failure, and the run
                # goes on to its checks.
                self.fail(f"telemetry did not answer: {e!r}")
        if todo:
            self.log(f"{len(todo)} scheduled actions not run: the time was up")

    def step(self, start, todo, next_status):
        """One turn of the loop: a due event, else a due action, else the
        status line; returns when the next status line is due."""
        self.poll_job()
        now = time.monotonic()
        if self.events and self.events[0][0] <= now:
            _, _, _, fn = heapq.heappop(self.events)
            fn()
        elif todo and start + todo[0][0] <= now:
            _, kind, seed = todo.pop(0)
            self.rng = random.Random(seed)
            done = getattr(self, kind)()
            if done is not True:
                self.log(f"{kind} skipped: {done}")
        elif now >= next_status:
            self.status()
            return now + 10
        else:
            time.sleep(0.01)
        return next_status

    def launched_pids(self):
        """The NFs onvmctl scale had the manager start (their pids)."""
        with self.plat.mgr._lock:
            lines = [t for _, t in self.plat.mgr.lines]
        return [int(m.group(1)) for m in
                (re.search(r"onvm_mgr: started .* \(pid (\d+)\) as instance", t) for t in lines)
                if m]

    def kill_launched(self):
        """After a failed run: the manager's NFs that outlived it, by pid,
        when their command line still names this run's file prefix."""
        for pid in self.launched_pids():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    mine = self.plat.prefix.encode() in f.read()
                if mine:
                    os.kill(pid, signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass

    def status(self):
        s = self.plat.snapshot()
        p = s["ports"]
        self.log(f"status: port 0 rx {p['0']['rx']}, port 1 tx {p['1']['tx']}, "
                 f"mbufs in use {s['mempool']['in_use'] - s['mempool']['baseline']}")

    def settle(self):
        """Everything back to a known state, traffic still on."""
        self.log("chaos over: restore the chain, let the last controller session in")
        self.poll_job(wait=65)
        while self.events:
            _, _, desc, fn = heapq.heappop(self.events)
            if desc.startswith("restart"):
                fn()
        # One instance a service: the extras stopped by onvmctl scale, which
        # moves their buckets away first (whoever started them).
        run = self.running()
        for s in self.services + ["steer"]:
            if len(run[s]) > 1:
                self.start_job("onvmctl scale in", "scale", s, "1")
                self.poll_job(wait=65)
        self.reap_own()
        run = self.running()
        for s in self.services + ["steer"]:
            if len(run[s]) > 1:
                self.fail(f"service {s} still runs {len(run[s])} instances")
            if not run[s]:
                self.fail(f"service {s} was left without an NF")
                self.start_nf(s, f"restart of {s}")
        self.ctl_final = self.final_controller()
        if self.chain_version != "base":
            self.log("SIGHUP with chain file 'base'")
            self.reload(valid_variants(self.a.hops)["base"], "base", True)
            self.chain_version = "base"
        before = self.plat.snapshot()["ports"]["1"]["tx"]
        time.sleep(2)
        after = self.plat.snapshot()["ports"]["1"]["tx"]
        self.log(f"traffic flows again: port 1 sent {after - before} packets in 2 s")
        if after <= before:
            self.fail("no traffic left port 1 after the chain was restored")

    def stop_traffic(self):
        os.kill(self.plat.gen.pid, signal.SIGINT)
        done = self.plat.wait_gen("done", 60)
        if done is None:
            self.fail(f"the generator did not finish:\n{self.plat.gen.tail()}")
            return None
        self.log(f"generator stopped: {done['accepted']} packets into port 0 "
                 f"({done['refused']} refused by it, {done['late']} late), "
                 f"{done['received']} back from port 1")
        return done

    def quiesce(self):
        """Until no counter moves and every NF ring is empty."""
        last, stable_since = None, None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            s = self.plat.snapshot()
            key = json.dumps([s["ports"], s["drops"]], sort_keys=True)
            rings = sum(nf.get("rx_ring", 0) + nf.get("tx_ring", 0)
                        for nf in s["nfs"].values())
            if key == last and rings == 0:
                if time.monotonic() - stable_since >= 1.0:
                    return s
            else:
                last, stable_since = key, time.monotonic()
            time.sleep(0.1)
        self.fail("the counters did not settle within 30 s of the traffic stopping")
        return self.plat.snapshot()

    def stop_all(self):
        run = self.running()
        for s, nfs in run.items():
            for pid, _ in nfs:
                os.kill(pid, signal.SIGINT)
        for s, nfs in run.items():
            for pid, _ in nfs:
                if pid in self.own:
                    try:
                        rc = self.own.pop(pid).popen.wait(15)
                    except subprocess.TimeoutExpired:
                        rc = None
                    if rc != 0:
                        self.fail(f"NF {s} (pid {pid}) exited with {rc} on SIGINT")
                else:  # the manager's child: it reaps it, and says so
                    self.wait_retired(pid, "stopped")
        rc = self.plat.stop_manager()
        if rc != 0:
            self.fail(f"the manager exited with {rc} on SIGINT")
        return rc


def sanitizer_reports(workdir):
    hits = []
    for name in sorted(os.listdir(workdir)):
        path = os.path.join(workdir, name)
        if os.path.isfile(path):
            with open(path, errors="replace") as f:
                if SANITIZER.search(f.read()):
                    hits.append(name)
    return hits


def main():
    a = parse_args()
    if os.geteuid() != 0:
        sys.exit("run.sh: needs root (hugepages, DPDK runtime directory)")
    if shutil.which("ovs-ofctl") is None:
        print("run.sh: ovs-ofctl not installed (scripts/install_deps.sh)", file=sys.stderr)
        return 77
    build = os.environ.get("ONVM_BUILD_DIR", os.path.join(ROOT, "build"))
    if not os.path.isabs(build):
        build = os.path.join(ROOT, build)
    gen = os.path.join(build, "tests", "bench", "bench_paced_gen")
    if not os.access(gen, os.X_OK):
        sys.exit(f"run.sh: build first: meson setup build && ninja -C build ({gen} missing)")
    own_workdir = a.workdir is None
    workdir = a.workdir or tempfile.mkdtemp(prefix="onvm_chaos_")
    os.makedirs(workdir, exist_ok=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))
    benchlib.remove_stale_prefixes()

    c = Chaos(a, build, workdir)
    print(f"chaos: seed {a.seed}, {a.seconds:.0f} s, {a.hops}-NF chain, {a.rate:.0f} packets/s, "
          f"NFs {'busy-polling' if a.dedicated else 'sharing a core (-c)'}, "
          f"logs in {workdir}", flush=True)
    ok = False
    try:
        c.setup()
        c.run()
        if c.plat.mgr.alive():
            c.settle()
            done = c.stop_traffic()
            snap = c.quiesce()
            checks = chaos_checks.Checks(c.log)
            checks.manager_alive(c.plat)
            checks.mempool(snap)
            checks.equations(snap, done)
            checks.flows(c.ofctl("dump-flows", c.of_target), c.of_flows, CTL_COOKIE,
                         c.ctl_final, c.a.hops)
            c.stop_all()
            checks.clean_stop(c.plat.mgr)
            c.failures += checks.failures
            c.checks_passed = checks.passed
        san = sanitizer_reports(workdir)
        if san:
            c.fail(f"sanitizer reports in {', '.join(san)}")
        ok = not c.failures
    except platform_run.PlatformError as e:
        c.fail(str(e))
    finally:
        c.procs.cleanup()
        c.kill_launched()
    print()
    print(f"chaos: seed {a.seed}, {a.seconds:.0f} s of chaos, "
          f"{sum(c.counts.values())} actions:")
    for kind, n in sorted(c.counts.items()):
        print(f"  {n:5d}  {kind}")
    if c.failures:
        print(f"chaos: FAILED ({len(c.failures)}):")
        for f in c.failures:
            print(f"  - {f.splitlines()[0]}")
        print(f"  (logs in {workdir})")
    else:
        print(f"chaos: passed ({c.checks_passed} checks)")
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
