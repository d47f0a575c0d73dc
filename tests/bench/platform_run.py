"""The platform as a set of processes, for the overload benchmark and the
chaos and soak runs: the manager, NFs started with go.sh, and
bench_paced_gen (tests/bench/paced_gen.c) sending and receiving on the
other side of the manager's memif ports.

    port 0 (memif id 0)  bench_paced_gen -> manager: the chain's entry
    port 1 (memif id 1)  manager -> bench_paced_gen: the chain's exit

Every process is a benchlib.Proc of the caller's Procs (killed by PID
when the run ends) with its output in WORKDIR/<name>.log.
"""
import json
import os
import signal
import time

import benchlib

# Ring depths of the memif ports, as log2 (memif's rsize; 14, 16,384
# packets, is its largest). The entry ring stands for a NIC's RX ring: on
# the shared 2-CPU development machine an NF waits for its CPU for several
# ms at times, and a 4,096-deep ring then overflowed at half the chain's
# capacity (14% of the packets offered at 0.6 Mpps refused, none with
# 16,384). The exit ring is deep so that the generator, descheduled in the
# same way, does not make the manager drop at the exit (tx_drop) what the
# chain delivered.
ENTRY_RSIZE = 14
EXIT_RSIZE = 14


class PlatformError(Exception):
    pass


class Platform:
    def __init__(self, procs, build, workdir, tag, lcores="0-1"):
        self.procs = procs
        self.build = build
        self.workdir = workdir
        self.lcores = lcores
        self.prefix = f"{benchlib.PREFIX_BASE}_{os.getpid()}_{tag}"
        procs.prefixes.append(self.prefix)
        # Short: the manager's --vdev strings reach NFs cut to 63
        # characters (docs/operations.md).
        self.sock = f"/tmp/om{os.getpid()}{tag}"
        self.mgr = None
        self.tel = None
        self.nfs = []
        self.gen = None
        self.env = dict(os.environ, ONVM_BUILD_DIR=build, ONVM_FILE_PREFIX=self.prefix)
        self._n = 0

    def log_path(self, name):
        return os.path.join(self.workdir, f"{name}.log")

    # ---- manager ----

    def memif_vdevs(self, role, entry_rsize=ENTRY_RSIZE, exit_rsize=EXIT_RSIZE):
        return [f"--vdev=net_memif0,role={role},id=0,rsize={entry_rsize},socket={self.sock}",
                f"--vdev=net_memif1,role={role},id=1,rsize={exit_rsize},socket={self.sock}"]

    def start_manager(self, mgr_args, vdevs=None, timeout=90):
        """The manager with these vdevs (default: the two memif servers) and
        options after "--"; waits until it is ready."""
        if vdevs is None:
            if os.path.exists(self.sock):
                os.unlink(self.sock)
            vdevs = self.memif_vdevs("server")
        argv = [os.path.join(self.build, "onvm_mgr", "onvm_mgr"), f"-l{self.lcores}",
                "--file-prefix", self.prefix, "--no-pci", "--log-level=lib.eal:warning",
                *vdevs, "--", "-p", "0x3", "-s", "none", *mgr_args]
        self.mgr = self.procs.start("onvm_mgr", argv, env=self.env, log=self.log_path("mgr"))
        if not self.mgr.wait_line("onvm_mgr: ready in", timeout):
            raise PlatformError(f"manager not ready:\n{self.mgr.tail()}")
        self.tel = benchlib.Telemetry(self.prefix)
        return self.mgr

    def query(self, cmd):
        """A telemetry command's answer (a new connection if the last broke)."""
        try:
            return self.tel.query(cmd)
        except (OSError, ValueError):
            self.tel.close()
            self.tel = benchlib.Telemetry(self.prefix, timeout=5)
            return self.tel.query(cmd)

    def snapshot(self):
        """The counters, as one dict: ports, drops, nfs, mempool."""
        return {"ports": self.query("/onvm/ports") or {},
                "drops": self.query("/onvm/drops") or {},
                "nfs": self.query("/onvm/nfs") or {},
                "mempool": self.query("/onvm/mempool") or {}}

    def stop_manager(self, timeout=20):
        if self.tel:
            self.tel.close()
            self.tel = None
        return self.procs.stop(self.mgr, signal.SIGINT, timeout)

    # ---- NFs ----

    def start_nf(self, service, nf="simple_forward", instance=None, nf_args=(), wait=True,
                 timeout=60):
        """./go.sh NF -r SERVICE [-n INSTANCE] [-- ARGS]; go.sh execs the NF,
        so the process is the NF. Waits until the manager admitted it."""
        self._n += 1
        argv = [os.path.join(benchlib.ROOT, "go.sh"), nf, "-r", service]
        if instance is not None:
            argv += ["-n", str(instance)]
        if nf_args:
            argv += ["--", *nf_args]
        mark = self.mgr.mark()
        p = self.procs.start(f"{service}.{self._n}", argv, env=self.env, cwd=benchlib.ROOT,
                             log=self.log_path(f"nf_{service}.{self._n}"))
        p.service = service
        self.nfs.append(p)
        if wait and not self.mgr.wait_line(f"pid {p.pid}) joined", timeout, since=mark):
            raise PlatformError(f"NF {nf} -r {service} did not join:\n{p.tail()}")
        return p

    def nf_id(self, p):
        hit = self.mgr.find_line(f"pid {p.pid}) joined")
        return hit[1].split()[2] if hit else None

    # ---- the generator ----

    def start_gen(self, gen_args, name="gen"):
        """bench_paced_gen as memif client of the manager's ports, on the
        NFs' CPU (0), with its own memory; waits until both ports are up.
        It stands for the NIC and the wire: at nice -10 it gets the CPU
        when it wakes up (it sleeps between bursts), so that what it
        counts is the platform's doing, not its own wait for the CPU."""
        prefix = f"{self.prefix}_{name}"
        self.procs.prefixes.append(prefix)
        argv = ["nice", "-n", "-10",
                os.path.join(self.build, "tests", "bench", "bench_paced_gen"), "-l", "0",
                "--no-pci", "--no-huge", "-m", "256", "--no-shconf", "--file-prefix", prefix,
                "--log-level=lib.eal:error", *self.memif_vdevs("client"), "--", *gen_args]
        self.gen = self.procs.start(name, argv, env=self.env, log=self.log_path(name))
        if not self.gen.wait_line('"event": "connected"', 30):
            raise PlatformError(f"generator did not connect:\n{self.gen.tail()}")
        return self.gen

    def gen_events(self, event, since=0):
        """The generator's JSON lines of one kind."""
        out = []
        with self.gen._lock:
            lines = list(self.gen.lines[since:])
        for _, text in lines:
            if text.startswith("{") and f'"event": "{event}"' in text:
                out.append(json.loads(text))
        return out

    def wait_gen(self, event, timeout, since=0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.gen_events(event, since)
            if got:
                return got[0]
            if not self.gen.alive():
                time.sleep(0.1)
                got = self.gen_events(event, since)
                return got[0] if got else None
            time.sleep(0.05)
        return None


def free_tcp_port():
    """A TCP port nothing listens on now (for --of-listen)."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
