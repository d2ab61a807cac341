#!/usr/bin/env python3
"""objcache-group.py restore|store - the module's objects as a few cache
entries (issue 14), beside the per-object cache of tools/objcache-cc.sh.

Reusing objects one by one still runs Kbuild's whole per-object rule for
each: the wrapper's lookup, objtool, fixdep. When a kernel's headers give
objects the bytes another kernel's did (another ABI, upstream release or
flavour of the series), the build can skip all of that: `store` keeps,
after a build, every object the wrapper could cache as Kbuild left it
(objtool run) with its .cmd file, and `restore` puts them back before the
next build's make, which then finds them up to date and compiles the rest.

Classes. Objects that read the same kernel files (by name) are one entry:
a kernel whose headers differ in a file only some objects read (fs.h, which
the module's glue reads and the interpreter does not) still restores the
other classes, and Kbuild compiles the rest through the per-object cache.
A class's newest entries are tried (at most 16); a restored entry's
objects are this build's (its manifest holds), so two entries naming one
object give it the same bytes. The state file says hit (every class
restored), partial or miss.

What makes an entry valid for a build:
  - its first key: the toolchain of the per-object key
    (KPY_OBJCACHE_TOOLCHAIN), SOURCE_DATE_EPOCH and the compiler's
    environment variables;
  - its manifest: the union of its objects' per-object manifests, every
    file any of them read, with its sha256 now, and the bytes of the
    kernel's programs that could have changed an object after the compiler
    (`programs`); then two parts that the per-object key holds whole and a
    group narrows to what its objects could see, so that another flavour
    of a kernel (cloud-amd64 beside amd64) or a release with a new header
    elsewhere can share it:
      - "listing": of the header trees' names (KPY_OBJCACHE_LISTING), those
        an #include of its objects could have found before the file it
        read, and every link (`restricted`); the whole listing ("tree")
        when a file says __has_include, which asks for names no dependency
        file lists;
      - "config": of the kernel configuration, the #defines of every
        CONFIG_ name its files and commands say, as Kbuild's fixdep reads
        them (`config_digest`); the per-object rule's salt-less header
        whole when a file pastes onto CONFIG_, names the build salt or the
        header has another shape;
  - the command of each object: the restored .cmd holds the command that
    made it, and Kbuild recompiles any object whose command differs from
    the one it would run now (if_changed), through the per-object cache.
ABI-named header directories are placeholders in .cmd files, as in the
per-object entries. Objects the wrapper would not cache (kpython.mod.o
names the release) are never in a group.

Entries: <dir>/groups/<G>-<C>-<M>.m (first key G, class C, manifest named
by its digest M), .tar (objects and .cmd files under kernel_mod/), .sha256
(of the tar, written last). A damaged entry is ignored, never used. Never
fails the build: every problem is a miss.
"""
import glob
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import time

env = os.environ
cache = env.get("KPY_OBJCACHE", "")
src = env.get("KPY_OBJCACHE_SRC", "/build/src")
kdir = env.get("KPY_OBJCACHE_KDIR", "")
ksrc = env.get("KPY_OBJCACHE_KSRC", "/nonexistent")
conf_path = env.get("KPY_OBJCACHE_CONF", "")
tools = os.path.dirname(os.path.abspath(__file__))
groups = os.path.join(cache, "groups")
PER_CLASS = 16
ENC = {"encoding": "utf-8", "errors": "surrogateescape"}


def say(msg):
    print(f"[kpython] object group: {msg}", flush=True)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def norm(text):
    """The ABI-named directories as placeholders, as the wrapper's sed does."""
    return text.replace(ksrc, "@KSRC@").replace(kdir, "@KDIR@")


def denorm(text):
    return text.replace("@KSRC@", ksrc).replace("@KDIR@", kdir)


def absolute(path):
    """A manifest's path (placeholders replaced) on this machine: relative
    ones are relative to the kernel's build directory, the compiler's."""
    if path.startswith("/"):
        return path
    while path.startswith("./"):
        path = path[2:]
    return kdir + "/" + path


def first_key():
    var = re.compile(r"^(CPATH|C_INCLUDE_PATH|CPLUS_INCLUDE_PATH|OBJC_INCLUDE_PATH|GCC_[A-Z_]*|COMPILER_PATH|DEPENDENCIES_OUTPUT|SUNPRO_DEPENDENCIES)=")
    lines = ["kpy-objcache-group 5", "toolchain " + env["KPY_OBJCACHE_TOOLCHAIN"], "epoch " + env.get("SOURCE_DATE_EPOCH", "")]
    lines += sorted((f"{k}={v}" for k, v in env.items() if var.match(f"{k}=")), key=lambda s: s.encode("utf-8", "surrogateescape"))
    return sha("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")


# --- what this build's files say (each read once per process) -------------

file_digests = {}


def file_digest(path):
    if path not in file_digests:
        try:
            with open(path, "rb") as f:
                file_digests[path] = sha(f.read())
        except OSError:
            file_digests[path] = None
    return file_digests[path]


def load_sums():
    """The container's table of the header trees' digests, when it made one."""
    table = env.get("KPY_OBJCACHE_SUMS", "")
    if table and os.path.isfile(table):
        with open(table, **ENC) as f:
            for line in f:
                line = line.rstrip("\n")
                if len(line) > 66:
                    file_digests[line[66:]] = line[:64]


said = {}
NAME = re.compile(rb"(?<![A-Za-z0-9_])CONFIG_[A-Za-z0-9_]+")
PASTE = re.compile(rb"CONFIG_[A-Za-z0-9_]*\s*##|##\s*CONFIG_")


def says(path):
    """(CONFIG_ names, pastes onto CONFIG_, says __has_include) of a file."""
    if path not in said:
        with open(path, "rb") as f:
            data = f.read()
        said[path] = ({n.decode() for n in NAME.findall(data)}, PASTE.search(data) is not None, b"__has_include" in data)
    return said[path]


listing_lines = None
by_name = {}
always = []


def restricted(manifest_lines):
    """sha256 of the listing's lines an #include of these files could have
    found instead of them: an #include of "a/b.h" looks for a/b.h in each
    directory of the search, so only a new entry named b.h (or a link,
    below which the listing shows nothing) below one of those directories
    can come before the one it found. The listing's "tree" lines and every
    link, then each entry whose last name is the last name of a file the
    manifest lists and that lies below a directory of its "search" line
    (every entry of that name without one). So the other architectures'
    headers that Debian's common package has (arch/alpha/include/asm/
    string.h) and its -common-rt package has not do not keep an rt kernel's
    interpreter objects from another flavour's."""
    global listing_lines
    if listing_lines is None:
        with open(env["KPY_OBJCACHE_LISTING"], **ENC) as f:
            listing_lines = f.read().split("\n")
        if listing_lines and listing_lines[-1] == "":
            listing_lines.pop()
        tree = ""
        for i, line in enumerate(listing_lines):
            if line.startswith("tree "):
                tree = line[5:]
            if line.startswith("tree ") or line.startswith("l "):
                always.append(i)
                continue
            # "%y %p %l": type, path below the tree ("./..."), an empty link target.
            p = line[2:]
            if p.endswith(" "):
                p = p[:-1]
            by_name.setdefault(p.rsplit("/", 1)[-1], []).append((i, tree + p[1:]))
    # Without a search line, every directory ("" starts every path).
    dirs = ("",)
    for line in manifest_lines:
        if line.startswith("search "):
            dirs = tuple(d + "/" for d in line[7:].split(" "))
    pick = set(always)
    for line in manifest_lines:
        if is_sum(line):
            pick.update(i for i, path in by_name.get(line[66:].rsplit("/", 1)[-1], ()) if path.startswith(dirs))
    return sha("".join(listing_lines[i] + "\n" for i in sorted(pick)).encode("utf-8", "surrogateescape"))


SEARCH_FLAG = re.compile(r"^-(I|iquote|isystem|idirafter|include)(.*)$")


def search_dirs(sums, cmds):
    """Every directory an #include of these objects could search, as the
    listing names them: the -I, -iquote (and, were they used,
    -isystem/-idirafter) directories of their commands, the directory of
    every file they read (a quoted #include looks beside its includer
    first) and of each -include (a relative one is looked for in the build
    directory first). Placeholders for the ABI-named directories; relative
    paths are the build directory's."""
    def listed(path):
        if not path.startswith("/") and not path.startswith("@"):
            path = "@KDIR@/" + path
        return os.path.normpath(path)
    dirs = set()
    for text in cmds:
        words = norm(text).split()
        for i, w in enumerate(words):
            m = SEARCH_FLAG.match(w)
            if not m:
                continue
            d = m.group(2) or (words[i + 1] if i + 1 < len(words) else "")
            if d:
                dirs.add(os.path.dirname(listed(d)) if m.group(1) == "include" else listed(d))
    for line in sums:
        if not PROGRAM.match(line[66:]):
            dirs.add(os.path.dirname(listed(line[66:])))
    return sorted(dirs, key=lambda s: s.encode("utf-8", "surrogateescape"))


conf_text = {}


def conf_sed(path):
    """The configuration through tools/objcache-conf.sed (no leading
    comment, the salt made the same): as the per-object rule keys it."""
    if path not in conf_text:
        conf_text[path] = subprocess.run(["sed", "-f", os.path.join(tools, "objcache-conf.sed"), path], check=True, capture_output=True).stdout
    return conf_text[path]


def saltless(path):
    if path == conf_path and env.get("KPY_OBJCACHE_SALTLESS"):
        return env["KPY_OBJCACHE_SALTLESS"].split()[0]
    return sha(conf_sed(path))


def config_digest(names):
    """sha256 of this build's "#define NAME ..." lines for the names, and
    for each with _MODULE added or taken off: the rule by which Kbuild's
    fixdep decides which configuration changes rebuild an object (kconfig.h's
    IS_MODULE(CONFIG_FOO) pastes _MODULE onto a name a file says). None if
    the header has another shape than kconfig's."""
    want = {n[:-7] if n.endswith("_MODULE") else n for n in names}
    out = []
    for line in conf_sed(conf_path).decode("utf-8", "surrogateescape").split("\n"):
        if not line:
            continue
        m = re.match(r"#define (CONFIG_[A-Za-z0-9_]+) ", line)
        if not m:
            return None
        n = m.group(1)
        if (n[:-7] if n.endswith("_MODULE") else n) in want:
            out.append(line + "\n")
    return sha("".join(out).encode("utf-8", "surrogateescape"))


def is_sum(line):
    return len(line) > 66 and line[64:66] == "  " and re.match(r"[0-9a-f]{64}$", line[:64]) is not None


# --- restore ----------------------------------------------------------------

def valid(lines):
    """Every line of a manifest holds for this build."""
    for line in lines:
        if line.startswith("salt-less "):
            # "salt-less <sha256>  -  <path>", as the per-object rule writes it.
            digest, rest = line[10:74], line.split("  -  ", 1)[-1]
            if saltless(absolute(denorm(rest))) != digest:
                return False
        elif line.startswith("config "):
            digest, names = line[7:71], line[73:].split()
            if config_digest(names) != digest:
                return False
        elif line.startswith("tree "):
            if line[5:] != env["KPY_OBJCACHE_TREE"]:
                return False
        elif line.startswith("listing "):
            if restricted(lines) != line[8:]:
                return False
        elif line.startswith("search "):
            # What the listing line is narrowed to. The directories are the
            # stored commands', and an object whose command differs from
            # this build's is compiled again (Kbuild's if_changed).
            continue
        elif is_sum(line):
            if file_digest(absolute(denorm(line[66:]))) != line[:64]:
                return False
        else:
            return False
    return True


MEMBER = re.compile(r"^kernel_mod/([A-Za-z0-9_+.-]+/)*(\.[A-Za-z0-9_+-][A-Za-z0-9_+.-]*\.o\.cmd|[A-Za-z0-9_+-][A-Za-z0-9_+.-]*\.o)$")


def unpack(base):
    """An entry's objects and .cmd files into the sources; how many objects."""
    try:
        with open(base + ".sha256", **ENC) as f:
            want = f.readline().rstrip("\n")
        with open(base + ".tar", "rb") as f:
            data = f.read()
    except OSError:
        want, data = "", b""
    # The digest of the copy that is unpacked, not of the file it came from.
    if f"{sha(data)}  -" != want:
        say("damaged entry ignored")
        return None
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        members = t.getmembers()
        # Only objects and .cmd files below kernel_mod/, regular files.
        if not members or any(not m.isreg() or not MEMBER.match(m.name) or "/../" in m.name or "/./" in m.name for m in members):
            say("entry with other names ignored")
            return None
        files = [(m.name, t.extractfile(m).read()) for m in members]
    for name, body in files:
        if name.endswith(".cmd"):
            body = denorm(body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
        path = os.path.join(src, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        part = f"{path}.group.{os.getpid()}"
        # Written now: newer than every header and source, so make takes
        # each object as up to date when its command is the same.
        with open(part, "wb") as f:
            f.write(body)
        os.replace(part, path)
    now = time.time()
    for ext in (".sha256", ".m"):
        try:
            os.utime(base + ext, (now, now))
        except OSError:
            pass
    return [name for name, _ in files if name.endswith(".o")]


def objects_of(base):
    """The objects an entry names (its tar's members), None if unreadable."""
    try:
        with tarfile.open(base + ".tar") as t:
            return {n for n in t.getnames() if n.endswith(".o") and MEMBER.match(n)}
    except (OSError, tarfile.TarError):
        return None


def restore(first):
    state = "miss"
    restored = 0
    objs = set()
    # Classes none of whose entries held, and the objects they name: a class
    # of another kernel (its objects read other files) names objects that
    # this kernel's own classes may all have restored.
    missed = []
    names = os.listdir(groups)
    classes = sorted({n[65:81] for n in names if n.startswith(first + "-") and n.endswith(".m") and len(n) == 65 + 16 + 1 + 64 + 2})
    for c in classes:
        if re.search(r"[^0-9a-f]", c):
            continue
        cands = [os.path.join(groups, n) for n in names if n.startswith(f"{first}-{c}-") and n.endswith(".m")]
        cands.sort(key=lambda p: os.stat(p).st_mtime if os.path.exists(p) else 0, reverse=True)
        got = None
        for m in cands[:PER_CLASS]:
            base = m[:-2]
            try:
                with open(m, "rb") as f:
                    raw = f.read()
            except OSError:
                continue
            if sha(raw) != base.rsplit("-", 1)[1]:
                # Not what was written (renames are atomic): garbage, the digest file first.
                for ext in (".sha256", ".m"):
                    try:
                        os.unlink(base + ext)
                    except OSError:
                        pass
                say("damaged manifest ignored")
                continue
            lines = raw.decode("utf-8", "surrogateescape").rstrip("\n").split("\n")
            if not valid(lines):
                continue
            got = unpack(base)
            if got is not None:
                break
        if got is None:
            named = [objects_of(m[:-2]) for m in cands[:PER_CLASS]]
            # An entry that cannot be read could name any object.
            missed.append(None if None in named else set().union(*named))
        else:
            restored += 1
            objs.update(got)
    # Hit: every object a class names whose source this build has was
    # restored (the build compiles none of them; kpython.mod.o is never in
    # a group). Else a partial hit: make compiles the rest and the classes
    # it compiled are stored.
    others = sum(1 for named in missed if named is not None and not any(os.path.isfile(os.path.join(src, o[:-2] + ".c")) for o in named - objs))
    if restored == 0:
        say("miss")
    elif others == len(missed):
        state = "hit"
        say(f"hit, {len(objs)} objects ({restored} classes" + (f"; {others} classes of other kernels)" if others else ")"))
    else:
        state = "partial"
        say(f"partial hit, {len(objs)} objects ({restored} classes; {len(missed)} others)")
    write_state(state)


def write_state(state):
    path = env.get("KPY_OBJCACHE_GROUP_STATE")
    if path:
        with open(path, "w") as f:
            f.write(state + "\n")


# --- store --------------------------------------------------------------------

TOKEN = re.compile(r"[ \t\n=,;:()\"']+")
PROGRAM = re.compile(r"^(scripts|tools)/[A-Za-z0-9_./+-]*$")


def programs(cmds):
    """"sha256  path" of each program and plugin of the kernel's scripts/ and
    tools/ that could have changed the objects after the compiler. Kbuild
    saves in an object's .cmd file the command that made it: the compiler,
    then objtool where objtool runs per object (where it runs on the linked
    module instead, as with CONFIG_X86_KERNEL_IBT, the module's link runs
    this build's own), and -fplugin= names the compiler plugins. Two steps
    of the rule are not in that command, so they are keyed whenever present:
    recordmcount (it edits the object when the configuration asks for it)
    and genksyms (it adds symbol versions to the .cmd file of an object
    that exports symbols). A program's .real-* siblings count as its own
    (Debian's objtool is a launcher of objtool.real-<arch>). Every other
    program Kbuild has (fixdep and the like) writes only what make reads,
    never an object. Keyed by bytes, not by the kernel's release, so
    kernels whose kbuild packages differ only where nothing of ours runs
    share a group."""
    names = {"scripts/recordmcount", "scripts/genksyms/genksyms"}
    for text in cmds:
        for tok in TOKEN.split(norm(text)):
            if tok.startswith("@KDIR@/"):
                tok = tok[7:]
            while tok.startswith("./"):
                tok = tok[2:]
            if PROGRAM.match(tok):
                names.add(tok)
    out = []
    for p in sorted(names):
        for q in [p] + sorted(g[len(kdir) + 1:] for g in glob.glob(glob.escape(kdir + "/" + p) + ".real-*")):
            path = kdir + "/" + q
            if os.path.isfile(path):
                digest = file_digest(path)
                if digest is None:
                    raise OSError(f"cannot read {path}")
                out.append(f"{digest}  {q}")
    return out


def narrow(sums, conf, cmd_paths, cmds):
    """A class's manifest: its config, tree, search and listing lines, then
    its files' lines (`sums`)."""
    names, paste, has_include = set(), False, False
    for path in [absolute(denorm(l[66:])) for l in sums if not PROGRAM.match(l[66:])] + cmd_paths:
        n, p, h = says(path)
        names |= n
        paste |= p
        has_include |= h
    head = []
    if conf:
        line = conf[0]
        narrowed = None
        if absolute(denorm(line.split("  -  ", 1)[-1])) == conf_path and not paste and not any(n.startswith("CONFIG_BUILD_SALT") for n in names):
            digest = config_digest(names)
            if digest is not None:
                narrowed = f"config {digest}  " + " ".join(sorted(names))
        head.append(narrowed or line)
    if has_include:
        head.append("tree " + env["KPY_OBJCACHE_TREE"])
    head.append("search " + " ".join(search_dirs(sums, cmds)))
    body = head + sums
    return ["listing " + restricted(body)] + body


def store(first):
    ents = env.get("KPY_OBJCACHE_ENTRIES", "")
    state = env.get("KPY_OBJCACHE_GROUP_STATE", "")
    if not (ents and os.path.isfile(ents) and os.path.getsize(ents) and state and os.path.isfile(state)):
        return
    since = os.stat(state).st_mtime
    objs = []
    with open(ents, **ENC) as f:
        # "<object> <per-object entry>" from objcache-cc.sh, one per object it hit or stored.
        for line in f:
            parts = line.split()
            if len(parts) != 2:
                continue
            obj, ent = parts
            if not (obj.startswith(src + "/kernel_mod/") and obj.endswith(".o")):
                continue
            # Only objects of sources there before make (restore wrote the
            # state file just before it): one that make generates
            # (kpython.mod.c, from modpost) is not there when the next build
            # restores, and names its release anyway.
            c = obj[:-2] + ".c"
            if not os.path.isfile(c) or os.stat(c).st_mtime > since:
                continue
            cmd = os.path.join(os.path.dirname(obj), "." + os.path.basename(obj) + ".cmd")
            if not (os.path.isfile(obj) and os.path.isfile(cmd) and os.path.isfile(ent + ".m")):
                say(f"not stored: {obj} or its entry is gone")
                return
            with open(ent + ".m", **ENC) as f2:
                manifest = f2.read().rstrip("\n").split("\n")
            objs.append((manifest, obj, cmd))
    # Each object's class: the kernel files its manifest lists (every path
    # not under our sources, in the manifest's order).
    classes = {}
    for manifest, obj, cmd in objs:
        key = "\n".join(l[66:] for l in manifest if is_sum(l) and not l[66:].startswith(src + "/"))
        classes.setdefault(sha(key.encode("utf-8", "surrogateescape"))[:16], []).append((manifest, obj, cmd))
    stored = objects = 0
    for c, members in sorted(classes.items()):
        union = {l for manifest, _, _ in members for l in manifest}
        conf = sorted(l for l in union if l.startswith("salt-less "))
        # One configuration line at most (one build, one configuration).
        if len(conf) > 1:
            continue
        cmds = []
        for _, _, cmd in members:
            with open(cmd, **ENC) as f:
                cmds.append(f.read())
        sums = sorted({l for l in union if is_sum(l)} | set(programs(cmds)), key=lambda s: s.encode("utf-8", "surrogateescape"))
        paths = [l[66:] for l in sums]
        # The same path twice with two digests: not one build's reading.
        if len(paths) != len(set(paths)):
            say("not stored: a file changed during the build")
            continue
        lines = narrow(sums, conf, [cmd for _, _, cmd in members], cmds)
        manifest = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
        entry = os.path.join(groups, f"{first}-{c}-{sha(manifest)}")
        if os.path.exists(entry + ".sha256"):
            continue
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
            for path in sorted(p for _, obj, cmd in members for p in (obj, cmd)):
                with open(path, "rb") as f:
                    body = f.read()
                if path.endswith(".cmd"):
                    body = norm(body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
                info = tarfile.TarInfo(os.path.relpath(path, src))
                info.size, info.mode, info.mtime = len(body), 0o644, 0
                t.addfile(info, io.BytesIO(body))
        data = buf.getvalue()
        # Staged beside the entry (same file system: atomic renames), the digest last.
        part = f"{entry}.tmp.{os.getpid()}"
        try:
            for ext, body in ((".tar", data), (".m", manifest), (".sha256", f"{sha(data)}  -\n".encode())):
                with open(part + ext, "wb") as f:
                    f.write(body)
            for ext in (".tar", ".m", ".sha256"):
                os.replace(part + ext, entry + ext)
        finally:
            for ext in (".tar", ".m", ".sha256"):
                if os.path.exists(part + ext):
                    os.unlink(part + ext)
        stored += 1
        objects += sum(1 for _, obj, _ in members)
    if stored:
        say(f"stored, {objects} objects ({stored} classes)")


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("restore", "store"):
        print(f"usage: {sys.argv[0]} restore|store", file=sys.stderr)
        return 2
    if not (cache and os.path.isdir(cache) and os.access(cache, os.W_OK)):
        return 0
    for var in ("KPY_OBJCACHE_TOOLCHAIN", "KPY_OBJCACHE_TREE", "KPY_OBJCACHE_LISTING", "KPY_OBJCACHE_CONF", "KPY_OBJCACHE_KDIR"):
        if not env.get(var):
            print(f"{sys.argv[0]}: {var} is not set", file=sys.stderr)
            return 2
    try:
        os.makedirs(groups, exist_ok=True)
        first = first_key()
        if sys.argv[1] == "restore":
            restore(first)
        else:
            load_sums()
            store(first)
    except (OSError, UnicodeError, subprocess.CalledProcessError, tarfile.TarError, ValueError) as e:
        say(f"{sys.argv[1]} failed ({e}): a miss")
        if sys.argv[1] == "restore":
            write_state("miss")
    return 0


if __name__ == "__main__":
    sys.exit(main())
