#!/usr/bin/env python3
"""Decode the results channel of the conformance VM into a directory.

usage: results.py CHANNEL_LOG OUT_DIR [--follow STOP_FILE]

CHANNEL_LOG is what the guest writes to its second serial port (see
guest/conformance.sh). For every test "DIR/NAME.py" this writes
OUT_DIR/DIR/NAME.py.{out,err,cs,status}: stdout and stderr byte for byte,
the run time in centiseconds and the client's exit status; .status comes
last, so a reader that sees it sees the rest. A record whose md5 does not
match is reported and left out (the test then counts as not run).

With --follow the log is decoded while the VM writes it, until the guest
says it is done or STOP_FILE appears (run.sh creates it when qemu has
exited). At the end OUT_DIR/.complete is created (replay.sh stops waiting
for tests that never came) and a JSON summary is printed: tests decoded,
bad records, taint changes, the test an oops stopped the run at, done.
"""
import base64
import binascii
import hashlib
import json
import os
import sys
import time


class Decoder:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.summary = {"tests": 0, "bad_records": [], "taint": [],
                        "abort": None, "done": None, "started": None}
        self.record = None  # [header, out lines, err md5, err lines]

    def finished(self):
        return self.summary["done"] is not None or self.summary["abort"] is not None

    def bad(self, what):
        self.summary["bad_records"].append(what)
        self.record = None

    def feed(self, raw):
        line = raw.rstrip(b"\r").decode("utf-8", "replace")
        rec = self.record
        if rec is not None and not line.startswith("@@"):
            (rec[3] if rec[2] is not None else rec[1]).append(line)
            return
        if rec is not None:
            if line.startswith("@@E ") and rec[2] is None:
                rec[2] = line[4:].strip()
                return
            if line == "@@END" and rec[2] is not None:
                self.store(rec)
                self.record = None
                return
            self.bad("%s: cut off by %r" % (rec[0][:80], line[:40]))
        if line.startswith("@@R "):
            self.record = [line, [], None, []]
        elif line.startswith("@@START "):
            self.summary["started"] = int(line.split()[1])
        elif line.startswith("@@TAINT "):
            _, test, flags = line.split()
            self.summary["taint"].append({"test": test, "flags": int(flags)})
        elif line.startswith("@@ABORT "):
            self.summary["abort"] = line.split()[1]
        elif line.startswith("@@DONE "):
            self.summary["done"] = int(line.split()[1])
        elif line.strip():
            self.bad("stray line %r" % line[:80])

    def store(self, rec):
        header, out_lines, err_md5, err_lines = rec
        try:
            _, test, status, md5, cs = header.split()
            out = base64.b64decode("".join(out_lines), validate=True)
            err = b""
            if err_md5 != "-":
                err = base64.b64decode("".join(err_lines), validate=True)
                if hashlib.md5(err).hexdigest() != err_md5:
                    raise ValueError("stderr md5 mismatch")
            if hashlib.md5(out).hexdigest() != md5:
                raise ValueError("stdout md5 mismatch")
            int(status), int(cs)
        except (ValueError, binascii.Error) as e:
            self.bad("%s: %s" % (header[:80], e))
            return
        if test.startswith("/") or ".." in test.split("/"):
            self.bad("bad test name %r" % test)
            return
        base = os.path.join(self.out_dir, test)
        os.makedirs(os.path.dirname(base), exist_ok=True)
        for ext, data in ((".out", out), (".err", err), (".cs", cs.encode() + b"\n"),
                          (".status", status.encode() + b"\n")):
            with open(base + ext + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + ext + ".tmp", base + ext)
        self.summary["tests"] += 1


def main():
    channel, out_dir = sys.argv[1:3]
    stop = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--follow" else None
    os.makedirs(out_dir, exist_ok=True)
    dec = Decoder(out_dir)
    pending = b""
    pos = 0
    while True:
        stopping = stop is None or os.path.exists(stop)
        try:
            with open(channel, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            data = b""
        pos += len(data)
        lines = (pending + data).split(b"\n")
        pending = lines.pop()
        for line in lines:
            dec.feed(line)
        if dec.finished() or stopping:
            break
        time.sleep(0.2)
    if pending:
        dec.feed(pending)
    if dec.record is not None:
        dec.bad("%s: incomplete" % dec.record[0][:80])
    open(os.path.join(out_dir, ".complete"), "w").close()
    json.dump(dec.summary, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
