#!/usr/bin/env python3
"""Judge the conformance run: upstream's run-tests.py has decided pass, fail
and skip for every test (replay.sh standing in for the interpreter; its
output is in --run-tests-log); this adds the reviewed lists and the
kernel's view, and prints the report.

Verdicts:
- skip: run-tests.py skipped the test (it printed SKIP, or a feature check
  excludes it), or skip.txt lists it (needs a feature this configuration
  leaves out; the test ran anyway and must not pass, or the entry is stale);
- fail: run-tests.py says FAIL, or the kernel logged something suspicious
  while the test ran;
- pass: otherwise.
The run succeeds when the failures are exactly known-failures.txt, no skip.txt
entry is stale and the rig itself (insmod, rmmod, kernel log) is clean.
Closing line: "N passed, N failed, N skipped".
"""
import argparse
import difflib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BAD_KERNEL = re.compile(
    r"BUG|Oops|WARNING|soft lockup|stack-protector|general protection|Call Trace"
    r"|kernel stack overflow|stack guard page|Kernel panic|blocked for more than"
    # the debug kernel's checkers (as test/vm/report.awk)
    r"|KASAN|KFENCE:|UBSAN:|lockdep|DEBUG_LOCKS_WARN_ON|locking correctness validator"
    r"|possible circular locking|possible recursive locking|inconsistent lock state"
    r"|sleeping function called from invalid context|scheduling while atomic"
    r"|unreferenced object"
)


def read_list(path):
    """A reviewed list: "TEST  reason" per line, # comments."""
    entries = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            test, _, reason = line.partition(" ")
            if not reason.strip():
                sys.exit("%s:%d: %s has no reason" % (path, n, test))
            if test in entries:
                sys.exit("%s:%d: %s listed twice" % (path, n, test))
            entries[test] = reason.strip()
    return entries


def skip_probe(path):
    """Why a test skips itself: the guard around its print("SKIP")."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return ""
    probes = []
    for i, line in enumerate(lines):
        if not re.search(r"""print\(\s*["']SKIP["']\s*\)""", line):
            continue
        indent = len(line) - len(line.lstrip())
        for j in range(i - 1, -1, -1):
            up = lines[j]
            if not up.strip() or up.lstrip().startswith("#"):
                continue
            ind = len(up) - len(up.lstrip())
            if ind >= indent:
                continue
            head = up.strip()
            if head.startswith("except"):
                # The try body: the lines between "try:" and the except.
                body = []
                for k in range(j - 1, -1, -1):
                    s = lines[k].strip()
                    if s == "try:" and len(lines[k]) - len(lines[k].lstrip()) == ind:
                        break
                    if s and not s.startswith("#"):
                        body.insert(0, s)
                probe = "%s fails (%s)" % ("; ".join(body), head.rstrip(":"))
            else:
                probe = head.rstrip(":")
            probes.append(probe)
            break
    seen = []
    for p in probes:
        if p not in seen:
            seen.append(p)
    text = " or ".join(seen)
    return text if len(text) <= 110 else text[:107] + "..."


def kernel_hits(console):
    """Suspicious kernel log lines after the module was loaded, by test."""
    hits = {}
    test = None
    armed = False
    region = False
    with open(console, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if "@@KPY DMESG BEGIN" in line:
                region = True
                continue
            if "@@KPY DMESG END" in line:
                region = False
                continue
            if not region:
                continue
            if "kpy-rig: insmod" in line:
                armed = True
            m = re.search(r"kpy-conf: test (\S+)", line)
            if m:
                test = m.group(1)
                continue
            if "kpy-rig: case rmmod" in line:
                test = "(rmmod)"
            if "kpy-rig: watchdog" in line:
                test = "(watchdog)"
            if armed and BAD_KERNEL.search(line) and "kpy-conf:" not in line:
                hits.setdefault(test or "(before the tests)", []).append(line.strip())
    return hits


def diff_excerpt(result_dir, test, limit=16):
    """The start of run-tests.py's expected-versus-got for a failure."""
    base = os.path.join(result_dir, test.replace("/", "_"))
    try:
        with open(base + ".exp", "rb") as f:
            exp = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        exp = []
    try:
        with open(base + ".out", "rb") as f:
            got = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []
    lines = list(difflib.unified_diff(exp, got, "expected", "kpython", n=1, lineterm=""))[2:]
    if len(lines) > limit:
        lines = lines[:limit] + ["... (%d more diff lines)" % (len(lines) - limit)]
    return ["      " + l for l in lines]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", required=True, help="upstream tests/ directory")
    ap.add_argument("--dirs", default="basics")
    ap.add_argument("--results", required=True)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--selected", required=True)
    ap.add_argument("--qemu-status", type=int, default=0)
    ap.add_argument("--rig", default="")
    ap.add_argument("--run-tests-log", required=True)
    ap.add_argument("--run-tests-status", type=int, required=True)
    ap.add_argument("--run-tests-dir", required=True)
    args = ap.parse_args()
    dirs = args.dirs.split()

    skip_list = read_list(os.path.join(HERE, "skip.txt"))
    known = read_list(os.path.join(HERE, "known-failures.txt"))
    with open(args.summary) as f:
        summary = json.load(f)
    with open(args.selected) as f:
        selected = [t for t in f.read().split() if not t.startswith("feature_check/")]

    # --- upstream's verdicts ----------------------------------------------------
    with open(args.run_tests_log, errors="replace") as f:
        upstream_log = f.read()
    verdict = {}
    for line in upstream_log.splitlines():
        m = re.match(r"(pass|FAIL|skip) +(\S+)", line)
        if m:
            verdict[m.group(2)] = m.group(1)

    kernel = kernel_hits(args.console)
    times = {}
    for t in selected:
        try:
            with open(os.path.join(args.results, t + ".cs")) as f:
                times[t] = int(f.read())
        except (OSError, ValueError):
            pass

    passed, skipped = [], []
    failed = {}  # test -> what went wrong
    never_known = set()  # failures no list entry can excuse
    problems = []  # what fails the run besides failed tests
    for t in selected:
        v = verdict.get(t)
        if t in kernel:
            failed[t] = "kernel log: " + kernel[t][0]
            never_known.add(t)
        elif t in skip_list:
            if v == "pass":
                problems.append("%s passes but skip.txt lists it: remove the entry" % t)
            elif v == "skip":
                problems.append("%s skips itself: remove it from skip.txt" % t)
            skipped.append((t, skip_list[t]))
        elif v == "skip":
            try:
                with open(os.path.join(args.results, t + ".out"), "rb") as f:
                    self_skip = f.read() == b"SKIP\n"
            except OSError:
                self_skip = False
            if self_skip:
                probe = skip_probe(os.path.join(args.tests, t))
                reason = "skips itself: " + (probe or "printed SKIP")
            else:
                reason = "run-tests.py: excluded by a feature check"
            skipped.append((t, reason))
        elif v == "pass":
            passed.append(t)
        elif v == "FAIL":
            try:
                with open(os.path.join(args.results, t + ".status")) as f:
                    st = f.read().strip()
                failed[t] = {"0": "wrong output", "1": "raised",
                             "124": "the module's time limit hit",
                             "137": "killed by the per-test limit"}.get(
                                 st, "client exit status " + st)
            except OSError:
                failed[t] = "did not run"
                never_known.add(t)
        else:
            failed[t] = "no verdict from run-tests.py"
            never_known.add(t)

    # Entries for tests not selected are not checked, except that an entry
    # in a directory that ran must name a test there.
    for name, entries in (("skip.txt", skip_list), ("known-failures.txt", known)):
        for t in entries:
            if t.split("/")[0] in dirs and not os.path.isfile(os.path.join(args.tests, t)):
                problems.append("%s lists %s, which is no test" % (name, t))
    for t in known:
        if t in selected and t not in failed:
            problems.append("%s is in known-failures.txt but %s" % (
                t, "passes now: remove the entry" if t in passed else "was skipped"))
    for t, lines in kernel.items():
        if t not in selected:
            problems.append("kernel log %s: %s" % (t, lines[0]))
    for rec in summary.get("bad_records", []):
        problems.append("results channel: " + rec)
    if summary.get("abort"):
        problems.append("the kernel oopsed during %s; the run stopped there" % summary["abort"])
    elif summary.get("done") is None:
        problems.append("the guest did not finish the test list (VM died or timed out)")
    if args.qemu_status != 0:
        problems.append("qemu exit status %d" % args.qemu_status)
    for taint in summary.get("taint", []):
        if taint["flags"] & (128 | 512):
            problems.append("kernel taint %#x after %s" % (taint["flags"], taint["test"]))
    for line in args.rig.splitlines():
        if line.startswith("FAIL"):
            problems.append("VM rig: " + line)
    if args.run_tests_status not in (0, 1):
        problems.append("run-tests.py exit status %d (log: %s)"
                        % (args.run_tests_status, args.run_tests_log))

    # --- report -------------------------------------------------------------------
    unexpected = [t for t in failed if t not in known or t in never_known]
    print("=== kpython conformance: MicroPython tests (%s) in kpython.ko" % " ".join(dirs))
    for t, reason in skipped:
        print("skip  %-44s %s" % (t, reason))
    for t, reason in failed.items():
        if t in unexpected:
            print("FAIL  %-44s %s" % (t, reason))
            for line in diff_excerpt(args.run_tests_dir, t):
                print(line)
        else:
            print("known %-44s %s -- %s" % (t, reason, known[t]))
    slow = sorted(times.items(), key=lambda kv: -kv[1])[:5]
    print("--- slowest: " + ", ".join("%s %.1f s" % (t, cs / 100) for t, cs in slow))
    if failed:
        print("--- failures' outputs: %s/*.out (expected: *.exp)" % args.run_tests_dir)
    if unexpected:
        print("--- %d unexpected failure(s): %s" % (len(unexpected), " ".join(unexpected)))
    for p in problems:
        print("--- problem: " + p)
    ok = not unexpected and not problems
    if ok:
        print("--- OK: the failures are exactly the %d known one(s)" % len(failed))
    else:
        print("--- NOT OK")
    # Each problem counts as one more failure, so a bad run never ends "0 failed".
    print("%d passed, %d failed, %d skipped" % (
        len(passed), len(failed) + len(problems), len(skipped)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
