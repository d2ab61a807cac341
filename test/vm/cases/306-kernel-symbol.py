# kernel.symbol(): functions, data and blacklisted functions that kallsyms
# lists resolve; unknown names give None; bad names raise.
import sys

import kernel

sys.path.insert(0, "lib")
from kallsyms_known import blacklisted, listed  # noqa: E402

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
