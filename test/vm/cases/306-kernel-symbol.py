# kernel.symbol(): functions, data and blacklisted functions that kallsyms
# lists resolve; unknown names give None; bad names raise.
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


# What kallsyms does not list resolves to None.
names = ("vfs_read", "jiffies", blacklisted, "init_task", "kern_read")
present = listed(names)
for s in names:
    a = kernel.symbol(s)
    ok = type(a) is int and a >= 0xFFFF800000000000 if s in present else a is None
    print(s.replace(blacklisted, "blacklisted"), ok)
print("vfs_read" in present and "kern_read" in present)
print(kernel.symbol("no_such_symbol_kpython"))
print(kernel.symbol("vfs_read") == kernel.symbol("vfs_read"))
for bad in ("", "a\x00b", "x" * 600):
    try:
        kernel.symbol(bad)
    except ValueError:
        print("ValueError", len(bad))
for bad in (None, 5, b"vfs_read"):
    try:
        kernel.symbol(bad)
    except TypeError:
        print("TypeError")
