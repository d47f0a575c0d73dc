#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The Grafana dashboard in the repository against a live /metrics.

    grafana_check.py DASHBOARD.json METRICS_URL|FILE

/metrics is read by Prometheus' own parser (prometheus_client). Checks:
  - every metric a panel's query names is a series /metrics has samples
    of (counters by their _total name, as Prometheus stores them), or of
    a family /metrics declares (HELP, TYPE) with no sample now: one whose
    subject is absent (no fault-tolerant service runs, say); its labels
    are then not checked;
  - every label a query aggregates by, matches on, or a legend shows
    ({{label}}) is a label of a metric the query names (or job, which
    Prometheus adds);
  - the other way: every family /metrics exposes is plotted somewhere, so
    the dashboard shows the same series /metrics has.
Prints one line per problem and exits 1 on any.
"""
import json
import re
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

PROMQL_WORDS = {"sum", "max", "min", "avg", "by", "without", "rate", "increase", "time",
                "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
                "label_values", "count", "bool"}
ADDED_BY_PROMETHEUS = {"job", "instance"}


def queries(dash):
    for panel in dash["panels"]:
        for t in panel.get("targets", []):
            yield panel["title"], t["expr"], t.get("legendFormat", "")


def main():
    dash = json.load(open(sys.argv[1]))
    if sys.argv[2].startswith("http"):
        with urllib.request.urlopen(sys.argv[2], timeout=10) as r:
            text = r.read().decode()
    else:
        text = open(sys.argv[2]).read()
    labels_of = {}   # sample name -> label names seen
    family_of = {}   # sample name -> family name
    declared = set()  # families with HELP/TYPE, samples or not
    for fam in text_string_to_metric_families(text):
        declared.add(fam.name)
        for s in fam.samples:
            labels_of.setdefault(s.name, set()).update(s.labels)
            family_of[s.name] = fam.name
    problems = []
    used = set()
    for title, expr, legend in queries(dash):
        names = set(re.findall(r"\bonvm_[a-z0-9_]+\b", expr))
        if not names:
            problems.append(f"{title}: {expr}: names no onvm_ metric")
        known = set(ADDED_BY_PROMETHEUS)
        unchecked = False
        for n in sorted(names):
            if n not in labels_of:
                fam = n[:-len("_total")] if n.endswith("_total") else n
                if fam in declared:
                    unchecked = True  # declared, no samples now
                    continue
                problems.append(f"{title}: {n}: no such series in /metrics")
                continue
            used.add(family_of[n])
            known |= labels_of[n]
        wanted = set()
        for group in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", expr):
            wanted |= {w.strip() for w in group.split(",") if w.strip()}
        for sel in re.findall(r"\{([^}]*)\}", expr):
            wanted |= set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", sel))
        wanted |= set(re.findall(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}", legend))
        if unchecked:
            continue
        for label in sorted(wanted - known - PROMQL_WORDS):
            problems.append(f"{title}: {expr}: label '{label}' is on none of its metrics")
    for var in dash.get("templating", {}).get("list", []):
        q = var.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        for n in re.findall(r"\bonvm_[a-z0-9_]+\b", q or ""):
            if n not in labels_of:
                problems.append(f"variable {var['name']}: {n}: no such series in /metrics")
    families = set(family_of.values())
    for fam in sorted(families - used):
        problems.append(f"/metrics family {fam} is plotted by no panel")
    for p in problems:
        print("    " + p)
    print(f"    {sum(1 for _ in queries(dash))} queries over {len(used)} of the "
          f"{len(families)} families /metrics exposes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
