# Probes that cannot be: unknown, blacklisted and non-function symbols
# raise OSError; bad arguments raise ValueError/TypeError; at most 64 a run.
import errno
import sys

import kernel


# Which of the names /proc/kallsyms lists (scanning it takes seconds under
# emulation, past a script's time limit): Debian's kernels list data
# symbols (CONFIG_KALLSYMS_ALL) except bookworm's arm64 ones; every kernel
# lists the architecture's blacklisted fault handler.
arm64 = "aarch64" in sys.implementation._machine
data_listed = not (arm64 and kernel.release().startswith("6.1."))
blacklisted = "do_mem_abort" if arm64 else "do_int3"


def listed(names):
    known = {"vfs_read", "kern_read", blacklisted}
    if data_listed:
        known |= {"jiffies", "init_task", "linux_banner"}
    return {n for n in names if n in known}


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
