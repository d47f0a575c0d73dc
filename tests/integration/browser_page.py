#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A page in headless Chromium, driven over the DevTools protocol.

    browser_page.py CHROMIUM URL OUT_DIR [--until JS] [--timeout S]
                    [--settle N] [--size WxH]

Opens URL in real time (no virtual time: the page's timers and requests
run as they would for a person), evaluates the JavaScript expression JS
(default: true) every half second until it is true, then lets the page
take N more readings (body's data-samples grows by N), and writes
  OUT_DIR/dom.html         the page's DOM as it is then
  OUT_DIR/screenshot.png   the whole page
  OUT_DIR/console.log      what the page logged, and its exceptions
Exits 0 when JS became true within S seconds (default 60), 1 otherwise
(the DOM and screenshot are written all the same, to see why), 2 when
Chromium could not be started or driven.

The protocol runs over --remote-debugging-pipe (fd 3 to Chromium, fd 4
from it, messages ending in NUL), so no port is opened and nothing but
the standard library is needed.
"""
import argparse
import base64
import json
import os
import select
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, chromium, size, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        w, h = size
        # As root Chromium needs --no-sandbox; /dev/shm is small in
        # containers. fd 3 and 4 are the protocol pipe.
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe",
                f"--user-data-dir={profile}", f"--window-size={w},{h}", "about:blank"]

        def fds():  # in the child: the pipe's ends as fd 3 and 4, whatever they were
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.log = open(os.path.join(profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=fds,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from Chromium")
            r, _, _ = select.select([self.from_child], [], [], 0.5)
            if r:
                chunk = os.read(self.from_child, 1 << 20)
                if not chunk:
                    raise EOFError("Chromium closed its protocol pipe")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def evaluate(b, session, expr):
    r = b.call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session)
    if "exceptionDetails" in r:
        return None
    return r.get("result", {}).get("value")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("chromium")
    ap.add_argument("url")
    ap.add_argument("out")
    ap.add_argument("--until", default="true")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--settle", type=int, default=0)
    ap.add_argument("--size", default="1400x1000")
    a = ap.parse_args()
    size = tuple(int(x) for x in a.size.split("x"))

    profile = tempfile.mkdtemp(prefix="profile.", dir=a.out)
    try:
        b = Browser(a.chromium, size, profile)
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        b.call("Runtime.enable", session=session)
        b.call("Page.enable", session=session)
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False},
               session)
        b.call("Page.navigate", {"url": a.url}, session)
    except Exception as e:
        print(f"browser_page: cannot drive Chromium: {e}", file=sys.stderr)
        return 2

    ok = False
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        if evaluate(b, session, f"Boolean({a.until})"):
            ok = True
            break
        time.sleep(0.5)
    if ok and a.settle:
        want = (evaluate(b, session, "Number(document.body.dataset.samples)") or 0) + a.settle
        end = time.monotonic() + a.timeout
        while time.monotonic() < end:
            if (evaluate(b, session, "Number(document.body.dataset.samples)") or 0) >= want:
                break
            time.sleep(0.5)

    dom = evaluate(b, session, "document.documentElement.outerHTML") or ""
    with open(os.path.join(a.out, "dom.html"), "w") as f:
        f.write(dom)
    # The whole page, however tall: the viewport grown to it.
    height = evaluate(b, session, "Math.ceil(document.documentElement.scrollHeight)") or size[1]
    b.call("Emulation.setDeviceMetricsOverride",
           {"width": size[0], "height": int(height), "deviceScaleFactor": 1, "mobile": False},
           session)
    shot = b.call("Page.captureScreenshot", {"format": "png"}, session)
    with open(os.path.join(a.out, "screenshot.png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    with open(os.path.join(a.out, "console.log"), "w") as f:
        for m in b.events:
            if m.get("method") in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown"):
                f.write(json.dumps(m.get("params")) + "\n")
    b.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
