"""Process handling, DPDK telemetry and CPU accounting for the benchmark.

Every process the benchmark starts is recorded in a Procs set and killed by
PID when the run ends, however it ends; DPDK runtime and hugepage files of
the benchmark's own --file-prefix values are removed with it.
"""
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

RUNTIME_ROOT = "/var/run/dpdk"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HUGEPAGE_DIR = "/dev/hugepages"
PREFIX_BASE = "onvmbench"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def shown(path):
    """A path as the report prints it: relative to the repository when in it."""
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


def remove_prefix_files(prefix):
    shutil.rmtree(os.path.join(RUNTIME_ROOT, prefix), ignore_errors=True)
    for f in glob.glob(os.path.join(HUGEPAGE_DIR, prefix + "map_*")):
        try:
            os.unlink(f)
        except OSError:
            pass


def remove_stale_prefixes():
    """Files left by an earlier benchmark that was killed (its PID is gone)."""
    names = set()
    for d in glob.glob(os.path.join(RUNTIME_ROOT, PREFIX_BASE + "_*")):
        names.add(os.path.basename(d))
    for f in glob.glob(os.path.join(HUGEPAGE_DIR, PREFIX_BASE + "_*map_*")):
        names.add(os.path.basename(f).split("map_")[0])
    for name in names:
        parts = name.split("_")
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        if not os.path.exists(f"/proc/{parts[1]}"):
            remove_prefix_files(name)


class Proc:
    """A started process whose output is collected line by line, with the
    wall time each line arrived (start-up times are read from it), and
    also written to the file `log` when given."""

    def __init__(self, name, argv, env=None, cwd=None, log=None):
        self.name = name
        self.argv = argv
        self.log = open(log, "a", buffering=1) if log else None
        self.t_launch = time.monotonic()
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                      start_new_session=True, text=True, errors="replace")
        self.pid = self.popen.pid
        self.lines = []  # (monotonic time, text)
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.popen.stdout:
            with self._lock:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
            if self.log:
                self.log.write(line)
        if self.log:
            self.log.close()

    def mark(self):
        """How many lines so far: find_line and wait_line look past it."""
        with self._lock:
            return len(self.lines)

    def find_line(self, needle, since=0):
        with self._lock:
            for t, text in self.lines[since:]:
                if needle in text:
                    return t, text
        return None

    def wait_line_after(self, start, skip, timeout):
        """The text of the line beginning with `start` after the first
        `skip` such lines, waiting for it; None at the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                hits = [text for _, text in self.lines if text.startswith(start)]
            if len(hits) > skip:
                return hits[skip]
            time.sleep(0.002)
        return None

    def count_lines(self, start):
        with self._lock:
            return sum(1 for _, text in self.lines if text.startswith(start))

    def wait_line(self, needle, timeout, since=0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hit = self.find_line(needle, since)
            if hit:
                return hit
            if self.popen.poll() is not None:
                time.sleep(0.05)  # let the reader drain the last lines
                return self.find_line(needle, since)
            time.sleep(0.002)
        return None

    def alive(self):
        return self.popen.poll() is None

    def tail(self, n=15):
        with self._lock:
            return "\n".join(text for _, text in self.lines[-n:])


class Procs:
    def __init__(self):
        self.procs = []
        self.prefixes = []

    def start(self, name, argv, env=None, cwd=None, log=None):
        p = Proc(name, argv, env, cwd, log)
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGINT, timeout=10.0):
        """Ask politely, then SIGKILL; by PID only."""
        if p.alive():
            try:
                os.kill(p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                p.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        if p.alive():
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.popen.wait()
        return p.popen.returncode

    def cleanup(self):
        for p in reversed(self.procs):
            if p.alive():
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.popen.wait()
        self.procs = []
        for prefix in self.prefixes:
            remove_prefix_files(prefix)


class Telemetry:
    """One connection to a DPDK process's telemetry socket."""

    def __init__(self, prefix, timeout=20.0):
        path = os.path.join(RUNTIME_ROOT, prefix, "dpdk_telemetry.v2")
        deadline = time.monotonic() + timeout
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                s.connect(path)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no telemetry socket at {path}")
                time.sleep(0.01)
        s.settimeout(5)
        self.sock = s
        json.loads(s.recv(16384).decode())  # the greeting

    def query(self, cmd):
        self.sock.send(cmd.encode())
        reply = json.loads(self.sock.recv(1 << 20).decode())
        return reply.get(cmd.split(",")[0])

    def port_tx(self, ports):
        return sum(self.query(f"/ethdev/stats,{p}")["opackets"] for p in ports)

    def close(self):
        self.sock.close()


def thread_cpu(pid):
    """{thread name: CPU seconds} for every thread of a process."""
    out = {}
    for stat in glob.glob(f"/proc/{pid}/task/*/stat"):
        try:
            with open(stat) as f:
                data = f.read()
        except OSError:
            continue
        name = data[data.index("(") + 1:data.rindex(")")]
        fields = data[data.rindex(")") + 2:].split()
        secs = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
        out[name] = out.get(name, 0.0) + secs
    return out


def machine_busy_seconds():
    """CPU seconds all CPUs spent not idle, since boot."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / CLK_TCK


def cpu_hz():
    """The clock cycles are counted in: the TSC (nominal) frequency."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return float(line.split(":")[1]) * 1e6
    except OSError:
        pass
    return 2.0e9
