#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""What test_web.sh asks the manager's web server, and how it reads the answers.

  web_client.py get URL                  the body; exit 0 on 200, else prints
                                         "HTTP <status>" and the body, exit 1
  web_client.py status URL [METHOD]      prints the status code (and nothing else)
  web_client.py metrics URL OUT.json     one scrape of /metrics, parsed by
                                         prometheus_client's own parser, saved
                                         as {families: {name: [type, help]},
                                         samples: {"name{k=v,...}": value},
                                         content_type}
  web_client.py monotonic A.json B.json ...   every counter sample present in
                                         two consecutive scrapes did not go down
  web_client.py bracket RUNDIR URL PORT  telemetry's /ethdev/stats,PORT before
                                         and after one /api/stats: the API's
                                         numbers of the port lie between them
  web_client.py huge-header HOST PORT BYTES   a request with one header of
                                         BYTES bytes: prints the status line
                                         the server answered, or "closed"
  web_client.py idle HOST PORT N SECONDS holds N connections that send nothing
                                         for SECONDS; prints how many were
                                         accepted and not closed by then
  web_client.py hammer URL...            asks the URLs in turn until the server
                                         is gone; prints how many were answered

Only the loopback address is ever asked (the tests bind the server there).
"""
import json
import socket
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import telemetry  # noqa: E402  (tests/integration/telemetry.py)


def fetch(url, method="GET", timeout=10):
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def cmd_get(url):
    status, _, body = fetch(url)
    if status != 200:
        print(f"HTTP {status}")
    sys.stdout.write(body.decode("utf-8", "replace"))
    return 0 if status == 200 else 1


def cmd_status(url, method="GET"):
    print(fetch(url, method)[0])
    return 0


def series_key(name, labels):
    """name{k=v,...}, labels sorted; the name alone without labels."""
    if not labels:
        return name
    return name + "{" + ",".join(f"{k}={v}" for k, v in sorted(labels.items())) + "}"


def cmd_metrics(url, out):
    from prometheus_client.parser import text_string_to_metric_families

    status, headers, body = fetch(url)
    if status != 200:
        print(f"HTTP {status}")
        return 1
    families, samples = {}, {}
    for fam in text_string_to_metric_families(body.decode("utf-8")):
        families[fam.name] = [fam.type, fam.documentation]
        for s in fam.samples:
            key = series_key(s.name, s.labels)
            if key in samples:
                print(f"duplicate series {key}")
                return 1
            samples[key] = s.value
    with open(out, "w") as f:
        json.dump({"families": families, "samples": samples,
                   "content_type": headers.get("Content-Type"), "text": body.decode()}, f)
    return 0


def cmd_monotonic(*files):
    scrapes = [json.load(open(f)) for f in files]
    bad = 0
    for a, b in zip(scrapes, scrapes[1:]):
        counters = {n for n, (t, _) in b["families"].items() if t == "counter"}

        def is_counter(key):
            return key.split("{")[0].removesuffix("_total") in counters

        for key, v in a["samples"].items():
            if not is_counter(key):
                continue
            if key not in b["samples"]:
                print(f"    counter series {key} disappeared")
                bad += 1
            elif b["samples"][key] < v:
                print(f"    {key} went down: {v} -> {b['samples'][key]}")
                bad += 1
    return 1 if bad else 0


def cmd_bracket(rundir, url, port):
    """e1 <= api <= e3 for the PMD's counters; for the manager's own rx and
    tx, which it adds after each burst the PMD already counted, the lower
    bound is one burst (128 packets) less."""
    def ethdev():
        return json.loads(telemetry.query(rundir, f"/ethdev/stats,{port}"))["/ethdev/stats"]

    e1 = ethdev()
    _, _, body = fetch(url)
    e3 = ethdev()
    api = json.loads(body)
    p = [x for x in api["ports"] if x["id"] == int(port)][0]
    ok = True
    for k in ("ipackets", "opackets", "ibytes", "obytes"):
        if not e1[k] <= p["nic"][k] <= e3[k]:
            print(f"    port {port} {k}: {e1[k]} <= {p['nic'][k]} <= {e3[k]} does not hold")
            ok = False
    for mine, pmd in (("rx", "ipackets"), ("tx", "opackets")):
        if not e1[pmd] - 128 <= p[mine] <= e3[pmd]:
            print(f"    port {port} {mine}: {e1[pmd]} - 128 <= {p[mine]} <= {e3[pmd]} does not hold")
            ok = False
    for k in ("ipackets", "opackets"):
        print(f"    port {port} {k}: {e1[k]} <= {p['nic'][k]} <= {e3[k]}")
    return 0 if ok else 1


def cmd_huge_header(host, port, size):
    s = socket.create_connection((host, int(port)), timeout=10)
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * int(size) + b"\r\n\r\n")
    except OSError:
        pass  # the server may close before it has read it all
    try:
        line = s.makefile("rb").readline().decode().strip()
    except OSError:
        line = ""
    print(line or "closed")
    s.close()
    return 0


def cmd_idle(host, port, n, seconds):
    conns = []
    for _ in range(int(n)):
        try:
            conns.append(socket.create_connection((host, int(port)), timeout=5))
        except OSError:
            pass
    time.sleep(float(seconds))
    alive = 0
    for c in conns:
        c.setblocking(False)
        try:
            alive += c.recv(1) != b""  # data: not expected; b"": closed by the server
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
        c.close()
    print(alive)
    return 0


def cmd_hammer(*urls):
    answered = 0
    while True:
        for url in urls:
            try:
                fetch(url, timeout=5)
                answered += 1
            except (OSError, ValueError):
                print(answered)
                return 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    return globals()["cmd_" + cmd.replace("-", "_")](*args)


if __name__ == "__main__":
    sys.exit(main())
