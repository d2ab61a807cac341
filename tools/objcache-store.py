#!/usr/bin/env python3
"""objcache-store.py - stores, after make, the objects tools/objcache-cc.sh
compiled on a miss (issue 14).

On a miss the wrapper only copies the compiler's object and dependency file
into the build's stage (KPY_OBJCACHE_STAGE), before objtool changes the one
and fixdep consumes the other, and lists them. Making each entry there cost
about 25 processes per object, a third of a cache-filling build's extra
time; here one process makes them all, and hashes each header once per
build rather than once per object that read it.

An entry is what the wrapper's lookup reads (see tools/objcache-cc.sh):
  <dir>/<2 hex of K>/K-M.m       the manifest ("sha256  path" lines, sorted
                                 by path, ABI directories as placeholders)
  <dir>/<2 hex of K>/K-M.o       the object
  <dir>/<2 hex of K>/K-M.d       the dependency file, ABI paths normalized
  <dir>/<2 hex of K>/K-M.sha256  sha256 of .o and .d together, written last
Staged objects that cannot be shared are not stored ("uncacheable"):
  - a file they read says incbin (.incbin reads a file no dependency file
    lists);
  - the object names this build's header directories (a -D string, an
    unmapped path in debug info): its key names them by placeholders;
  - a file they read is gone or unreadable.
The configuration (include/generated/autoconf.h) is keyed by its bytes
without its leading comment and salt (tools/objcache-conf.sed) when no
other file the unit read says SALT and the object does not hold the
release's name; otherwise by all its bytes.

Never fails the build: a problem with one entry leaves that entry out.
Tallies ("stored", "uncacheable") go to KPY_OBJCACHE_LOG and the entries
used to KPY_OBJCACHE_ENTRIES ("<object> <entry>", for objcache-group.py).
"""
import hashlib
import os
import subprocess
import sys

env = os.environ
cache = env.get("KPY_OBJCACHE", "")
stage = env.get("KPY_OBJCACHE_STAGE", "")
kdir = env.get("KPY_OBJCACHE_KDIR", "/nonexistent")
ksrc = env.get("KPY_OBJCACHE_KSRC", "/nonexistent")
release = env.get("KPY_RELEASE", "")
tools = os.path.dirname(os.path.abspath(__file__))


def tally(word):
    log = env.get("KPY_OBJCACHE_LOG")
    if log:
        with open(log, "a") as f:
            f.write(word + "\n")


def record(obj, entry):
    ents = env.get("KPY_OBJCACHE_ENTRIES")
    if ents:
        with open(ents, "a") as f:
            f.write(f"{obj} {entry}\n")


def norm(text):
    """The ABI-named directories as placeholders, as the wrapper's sed does."""
    return text.replace(ksrc, "@KSRC@").replace(kdir, "@KDIR@")


# The container's table of the header trees ("sha256  path") and of those
# that say incbin or SALT; without one every file is read here.
digests = {}
marked = set()
sums = env.get("KPY_OBJCACHE_SUMS", "")
marks = env.get("KPY_OBJCACHE_MARKS", "")
if sums and marks and os.path.isfile(sums) and os.path.isfile(marks):
    with open(sums, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if len(line) > 66:
                digests[line[66:]] = line[:64]
    with open(marks, encoding="utf-8", errors="surrogateescape") as f:
        marked = {line.rstrip("\n") for line in f if line.strip()}
    known = set(digests)
else:
    known = set()
# path -> (says incbin, says incbin or SALT: "marked", as the table says it)
words = {}


def read(path):
    """sha256 of a file outside the table, and which of the two words it says."""
    with open(path, "rb") as f:
        data = f.read()
    digests[path] = hashlib.sha256(data).hexdigest()
    words[path] = (b"incbin" in data, b"incbin" in data or b"SALT" in data)


def says(path):
    """(says incbin, says incbin or SALT): the table's word for a file it
    knows, which a marked one's bytes then split, once per build."""
    if path not in words:
        if path not in marked:
            words[path] = (False, False)
        else:
            with open(path, "rb") as f:
                words[path] = (b"incbin" in f.read(), True)
    return words[path]


saltless = {}


def saltless_of(conf):
    """"<sha256>  -" of the configuration through tools/objcache-conf.sed."""
    if conf == env.get("KPY_OBJCACHE_CONF") and env.get("KPY_OBJCACHE_SALTLESS"):
        return env["KPY_OBJCACHE_SALTLESS"]
    if conf not in saltless:
        text = subprocess.run(["sed", "-f", os.path.join(tools, "objcache-conf.sed"), conf], check=True, capture_output=True).stdout
        saltless[conf] = hashlib.sha256(text).hexdigest() + "  -"
    return saltless[conf]


def deps_of(dep):
    """Every word after the target's colon, continuation backslashes dropped."""
    lines = [l[:-1] if l.endswith("\\") else l for l in dep.split("\n")]
    if lines:
        lines[0] = lines[0].split(":", 1)[1] if ":" in lines[0] else ""
    return " ".join(lines).split()


def absolute(path, cwd):
    if path.startswith("/"):
        return path
    while path.startswith("./"):
        path = path[2:]
    return cwd + "/" + path


def store(first, cwd, out, staged):
    with open(staged + ".o", "rb") as f:
        obj = f.read()
    with open(staged + ".d", encoding="utf-8", errors="surrogateescape") as f:
        dep = f.read()
    lines = {}
    conf = None
    incbin = salt_elsewhere = False
    for p in deps_of(dep):
        a = absolute(p, cwd)
        if a not in digests:
            read(a)
        lines[p] = digests[a] + "  " + p
        has_incbin, is_marked = says(a)
        incbin |= has_incbin
        if p == "include/generated/autoconf.h" or p.endswith("/include/generated/autoconf.h"):
            conf = p
        elif is_marked:
            salt_elsewhere = True
    if incbin or kdir.encode() in obj or ksrc.encode() in obj:
        return None
    head = []
    if conf is not None and release and not salt_elsewhere and release.encode() not in obj:
        # First line: the lookup reads it alone.
        head = ["salt-less " + saltless_of(absolute(conf, cwd)) + "  " + conf]
        lines = {p: l for p, l in lines.items() if "  " + conf not in l}
    body = [lines[p] for p in sorted(lines, key=lambda p: p.encode("utf-8", "surrogateescape"))]
    manifest = norm("\n".join(head + body) + "\n").encode("utf-8", "surrogateescape")
    dnorm = norm(dep).encode("utf-8", "surrogateescape")
    fan = os.path.join(cache, first[:2])
    entry = os.path.join(fan, first + "-" + hashlib.sha256(manifest).hexdigest())
    os.makedirs(fan, exist_ok=True)
    # Staged beside the entry (same file system: the renames are atomic),
    # the digest last; a reader that still sees a half-replaced set fails a
    # digest and misses.
    part = f"{entry}.tmp.{os.getpid()}"
    for ext, data in ((".o", obj), (".d", dnorm), (".m", manifest),
                      (".sha256", (hashlib.sha256(obj + dnorm).hexdigest() + "  -\n").encode())):
        with open(part + ext, "wb") as f:
            f.write(data)
    try:
        for ext in (".o", ".d", ".m", ".sha256"):
            os.replace(part + ext, entry + ext)
    finally:
        for ext in (".o", ".d", ".m", ".sha256"):
            if os.path.exists(part + ext):
                os.unlink(part + ext)
    return entry


def main():
    if not (cache and os.path.isdir(cache) and os.access(cache, os.W_OK) and stage):
        return
    listing = os.path.join(stage, "list")
    if not os.path.isfile(listing):
        return
    with open(listing, encoding="utf-8", errors="surrogateescape") as f:
        staged = [l.rstrip("\n").split(" ", 2) for l in f if l.strip()]
    for first, cwd, out in staged:
        try:
            entry = store(first, cwd, out, os.path.join(stage, first))
        except (OSError, UnicodeError, subprocess.CalledProcessError, IndexError) as e:
            print(f"[kpython] object cache: not stored: {out}: {e}", file=sys.stderr)
            entry = None
        if entry:
            tally("stored")
            record(out, entry)
        else:
            tally("uncacheable")


if __name__ == "__main__":
    main()
