"""What the chaos run checks once its traffic has stopped and the counters
have settled (docs/testing.md, "Chaos"). Each check prints what it
compared, so a failure names the counter that does not add up."""
import re

# /onvm/drops names that count something other than a packet lost:
# copy_fail (a copy OpenFlow could not make: no packet existed yet) and
# packet_in_drop (a message to the controller, the packet goes on).
NOT_PACKETS = {"copy_fail", "packet_in_drop"}
PORT_DROPS = ("tx_drop", "no_chain", "entry_drop")
FLOW = re.compile(r"cookie=(0x[0-9a-f]+), .*?n_bytes=\d+, (.*) actions=(\S+)")


class Checks:
    def __init__(self, log):
        self.log = log
        self.failures = []
        self.passed = 0

    def check(self, ok, what):
        self.log(f"{'ok  ' if ok else 'FAIL'} {what}")
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)
        return ok

    def manager_alive(self, plat):
        self.check(plat.mgr.alive(), "the manager is alive")

    def mempool(self, snap):
        m = snap["mempool"]
        self.check(m["in_use"] == m["baseline"],
                   f"mempool back to its baseline once traffic stopped: in use {m['in_use']}, "
                   f"baseline {m['baseline']}")

    def equations(self, snap, gen):
        ports, drops, nfs = snap["ports"], snap["drops"], snap["nfs"]
        rx = sum(p["rx"] for p in ports.values())
        tx = sum(p["tx"] for p in ports.values())
        terms = {f"port {n} {k}": p[k] for n, p in sorted(ports.items()) for k in PORT_DROPS}
        terms.update({k: v for k, v in drops.items() if k not in NOT_PACKETS})
        lost = sum(terms.values())
        shown = ", ".join(f"{k} {v}" for k, v in terms.items() if v)
        self.log(f"     packets in (ports' rx) {rx} = out (ports' tx) {tx} + counted drops {lost}"
                 f" ({shown or 'none'})")
        other = {k: v for k, v in drops.items() if k in NOT_PACKETS and v}
        if other:
            self.log(f"     not packet losses, left out: {other}")
        self.check(rx == tx + lost, f"every packet received is sent or counted as a drop "
                                    f"(difference {rx - tx - lost})")
        if gen is not None:
            self.check(gen["accepted"] == ports["0"]["rx"],
                       f"port 0: the generator put {gen['accepted']}, the manager received "
                       f"{ports['0']['rx']}")
            self.check(gen["received"] == ports["1"]["tx"],
                       f"port 1: the manager sent {ports['1']['tx']}, the generator got "
                       f"{gen['received']}")
        for nf_id, nf in sorted(nfs.items(), key=lambda x: int(x[0])):
            eq = (nf["enqueued"] == nf["rx"] + nf["rx_ring"] and nf["rx"] == nf["tx"] and
                  nf["tx"] == nf["dequeued"] + nf["tx_ring"] and
                  nf["rx_ring"] == 0 and nf["tx_ring"] == 0)
            self.check(eq, f"NF {nf_id} (service {nf['service']}): enqueued {nf['enqueued']} = "
                           f"rx {nf['rx']} + rx_ring {nf['rx_ring']}, rx = tx {nf['tx']} "
                           f"(it holds none), tx = dequeued {nf['dequeued']} + tx_ring "
                           f"{nf['tx_ring']}")

    def flows(self, dump, of_flows, ctl_cookie, ctl_n, hops):
        """dump-flows holds exactly: the base chain's entry (cookie 1), the
        flows installed with ovs-ofctl and not deleted, and the last
        controller session's."""
        if dump is None:
            self.check(False, "dump-flows answered")
            return
        got = {}
        for line in dump.splitlines():
            m = FLOW.search(line)
            if m:
                got[int(m.group(1), 16)] = (m.group(2), m.group(3))
        chains = {c for c in got if c < 0x10000}
        self.check(chains == {1}, f"table 0 holds the chain file's one chain (cookie 0x1): "
                                  f"chain cookies {sorted(hex(c) for c in chains)}")
        want_ctl = {ctl_cookie + i for i in range(ctl_n)}
        have_ctl = {c for c in got if c & 0xffff0000 == ctl_cookie}
        self.check(have_ctl == want_ctl,
                   f"the last controller session's {ctl_n} flows, no other of its cookies: "
                   f"{len(have_ctl)} found, missing {sorted(hex(c) for c in want_ctl - have_ctl)},"
                   f" extra {sorted(hex(c) for c in have_ctl - want_ctl)}")
        others = {c: v for c, v in got.items() if c >= 0x10000 and c & 0xffff0000 != ctl_cookie}
        self.check(set(others) == set(of_flows),
                   f"the ovs-ofctl flows installed last and not deleted: want "
                   f"{sorted(hex(c) for c in of_flows)}, have {sorted(hex(c) for c in others)}")
        for cookie, (match, actions) in sorted(of_flows.items()):
            if cookie in others:
                have_match, have_actions = others[cookie]
                self.check(have_match == match and have_actions == f"{actions}",
                           f"flow {cookie:#x}: {have_match} actions={have_actions} "
                           f"(installed as {match} actions={actions})")

    def clean_stop(self, mgr):
        stopped = mgr.find_line("onvm_mgr: stopped;")
        self.check(stopped is not None and stopped[1].endswith("; 0 mbufs still in use"),
                   f"the manager stopped with every mbuf back: "
                   f"{stopped[1] if stopped else 'no stop line'}")
        mark = mgr.find_line("onvm_mgr: stopping")
        held = []
        with mgr._lock:
            lines = [t for _, t in mgr.lines]
        after = lines.index(mark[1]) if mark else len(lines)
        for line in lines[after:]:
            m = re.search(r"\) (.*); reclaimed \d+ packets \(\d+ queued, (\d+) it held\)$", line)
            if m and (m.group(1) != "stopped" or m.group(2) != "0"):
                held.append(line)
        self.check(not held, "every NF stopped at the end returned every packet it held"
                   + (": " + "; ".join(held) if held else ""))
