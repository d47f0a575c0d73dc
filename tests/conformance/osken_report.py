#!/usr/bin/env python3
"""Summarise os-ken switch test tool logs as Markdown tables.

Input: a TSV of "selection<TAB>cases<TAB>log" lines written by
osken_switch_test.sh. For each log, the per-test result lines
("    <description> OK|ERROR", an ERROR followed by an indented message) are
counted; the error category is the message up to its first ':' (the same
grouping the tool's own "--- Test report ---" uses). The tool's final
"OK(n) / ERROR(m)" line, when present, is checked against the count.
An OpenFlow ERROR in a message is named (BAD_INSTRUCTION/BAD_TABLE_ID) and
kept in the category, since that is what says what to fix.

With --details FILE, also writes the pass count of every case file and
every error message there.
"""
import re
import sys
from collections import Counter, OrderedDict

RESULT = re.compile(r"^    (\S.*?)\s+(OK|ERROR)$")
TOTALS = re.compile(r"^OK\((\d+)\) / ERROR\((\d+)\)$")
FILE_DESC = re.compile(r"^(match|action|group|meter): \S.*$")
OF_ERROR = re.compile(r"OFPErrorMsg\[type=0x([0-9a-f]+), code=0x([0-9a-f]+)\]")


def _error_names():
    """(type, code) -> "TYPE/CODE" from os-ken's OpenFlow 1.3 constants."""
    try:
        from os_ken.ofproto import ofproto_v1_3 as of
    except ImportError:
        return {}
    consts = {k: v for k, v in vars(of).items() if isinstance(v, int)}
    types = {v: k[len("OFPET_"):] for k, v in consts.items() if k.startswith("OFPET_")}
    # each error type's codes share a prefix: BAD_REQUEST -> OFPBRC_
    prefixes = {"HELLO_FAILED": "OFPHFC_", "BAD_REQUEST": "OFPBRC_",
                "BAD_ACTION": "OFPBAC_", "BAD_INSTRUCTION": "OFPBIC_",
                "BAD_MATCH": "OFPBMC_", "FLOW_MOD_FAILED": "OFPFMFC_",
                "GROUP_MOD_FAILED": "OFPGMFC_", "PORT_MOD_FAILED": "OFPPMFC_",
                "TABLE_MOD_FAILED": "OFPTMFC_", "QUEUE_OP_FAILED": "OFPQOFC_",
                "SWITCH_CONFIG_FAILED": "OFPSCFC_", "ROLE_REQUEST_FAILED": "OFPRRFC_",
                "METER_MOD_FAILED": "OFPMMFC_", "TABLE_FEATURES_FAILED": "OFPTFFC_"}
    names = {}
    for t, tname in types.items():
        pre = prefixes.get(tname)
        for k, v in consts.items():
            if pre and k.startswith(pre):
                names[(t, v)] = f"{tname}/{k[len(pre):]}"
    return names


ERROR_NAMES = _error_names()


def category_of(message):
    """The tool's category (text before ':'), plus the named OpenFlow error."""
    category = message.split(":", 1)[0] or "(no message)"
    m = OF_ERROR.search(message)
    if m:
        key = (int(m.group(1), 16), int(m.group(2), 16))
        category += " " + ERROR_NAMES.get(key, "type=%d code=%d" % key)
    return category


def parse(path):
    ok, errors, examples, totals = 0, Counter(), {}, None
    per_file, current = OrderedDict(), "?"
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        lines = []
    in_report = False
    for i, line in enumerate(lines):
        if line.strip() == "--- Test report ---":
            in_report = True
        m = TOTALS.match(line.strip())
        if m:
            totals = (int(m.group(1)), int(m.group(2)))
        if in_report:
            continue
        if FILE_DESC.match(line):
            current = line
            per_file.setdefault(current, [0, 0, []])
            continue
        m = RESULT.match(line)
        if not m:
            continue
        entry = per_file.setdefault(current, [0, 0, []])
        if m.group(2) == "OK":
            ok += 1
            entry[0] += 1
            continue
        message = lines[i + 1].strip() if i + 1 < len(lines) else ""
        category = category_of(message)
        errors[category] += 1
        examples.setdefault(category, []).append((m.group(1), message))
        entry[1] += 1
        entry[2].append((m.group(1), message))
    return ok, errors, examples, totals, per_file


def main():
    runs = OrderedDict()
    for row in open(sys.argv[1]):
        sel, cases, log = row.rstrip("\n").split("\t")
        runs[sel] = (int(cases), parse(log))
    if len(sys.argv) > 3 and sys.argv[2] == "--details":
        write_details(runs, sys.argv[3])

    print("| selection | cases | OK | ERROR | not run |")
    print("|---|---:|---:|---:|---:|")
    all_cases = all_ok = all_err = 0
    categories = Counter()
    for sel, (cases, (ok, errors, _, totals, _)) in runs.items():
        err = sum(errors.values())
        note = "" if totals == (ok, err) else " (no final report)"
        print(f"| {sel}{note} | {cases} | {ok} | {err} | {cases - ok - err} |")
        all_cases, all_ok, all_err = all_cases + cases, all_ok + ok, all_err + err
        categories.update(errors)
    if len(runs) > 1:
        print(f"| **all** | {all_cases} | {all_ok} | {all_err} | "
              f"{all_cases - all_ok - all_err} |")

    if categories:
        print()
        sels = list(runs)
        print("| error category | " + " | ".join(sels) + " |")
        print("|---|" + "---:|" * len(sels))
        for cat, _ in categories.most_common():
            counts = [str(runs[s][1][1].get(cat, 0)) for s in sels]
            print(f"| {cat} | " + " | ".join(counts) + " |")

        print()
        print("Examples (first two per category and selection):")
        for sel, (_, (_, _, examples, _, _)) in runs.items():
            for cat, items in examples.items():
                for desc, message in items[:2]:
                    print(f"  [{sel}] {desc}\n      {message}")


def write_details(runs, path):
    with open(path, "w") as out:
        for sel, (_, (_, _, _, _, per_file)) in runs.items():
            out.write(f"== {sel}\n")
            for desc, (ok, err, failures) in per_file.items():
                out.write(f"{desc}: OK {ok}, ERROR {err}\n")
                for test, message in failures:
                    out.write(f"    {test}\n        {message}\n")


if __name__ == "__main__":
    main()
