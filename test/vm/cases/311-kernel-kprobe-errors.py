# Probes that cannot be: unknown, blacklisted and non-function symbols
# raise OSError; bad arguments raise ValueError/TypeError; at most 64 a run.
import errno
import sys

import kernel

sys.path.insert(0, "lib")
from kallsyms_known import blacklisted, listed  # noqa: E402

# What kallsyms lists but may not be probed is EINVAL, what it does not
# list ENOENT (bookworm's arm64 kernel lists no data symbols).
names = ("no_such_function_kpython", blacklisted, "jiffies", "init_task")
present = listed(names)
for s in names:
    for make in (kernel.kprobe, kernel.kretprobe):
        try:
            make(s)
            print(s, "probed!")
        except OSError as e:
            want = errno.EINVAL if s in present else errno.ENOENT
            print(s.replace(blacklisted, "blacklisted"), e.errno == want)
for kw in ({"nargs": 7}, {"nargs": -1}, {"capacity": 0}, {"capacity": 65537}):
    try:
        kernel.kprobe("si_meminfo", **kw)
    except ValueError:
        print("ValueError", kw)
for s in ("", "a\x00b", "y" * 600):
    try:
        kernel.kprobe(s)
    except ValueError:
        print("ValueError", len(s))
for s in (None, 0, b"si_meminfo"):
    try:
        kernel.kprobe(s)
    except TypeError:
        print("TypeError")
p = kernel.kprobe("si_meminfo")
for bad in ((-1,), ("x",), (10, -1)):
    try:
        p.events(*bad)
    except (ValueError, TypeError) as e:
        print(type(e).__name__)
try:
    p.hits = 5
except AttributeError:
    print("AttributeError")
# The 64th probe of this run (p above is the first) works, the 65th not.
ps = [kernel.kprobe("si_meminfo") for i in range(63)]
try:
    kernel.kprobe("si_meminfo")
except OSError as e:
    print("65th", e.errno == errno.ENOSPC)
print(len(ps))
