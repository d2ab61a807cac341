# What /proc/kallsyms lists, for the `kernel` module's cases (imported by
# them from cases/lib; the driver runs only the top level's *.py). Scanning
# /proc/kallsyms from a script takes seconds under emulation, past its time
# limit, so this is what Debian's kernels are known to list: data symbols
# (CONFIG_KALLSYMS_ALL) everywhere but bookworm's arm64 kernels, and each
# architecture's kprobe-blacklisted fault handler. 302 checks the same
# names against /proc/kallsyms itself.
import sys

import kernel

arm64 = "aarch64" in sys.implementation._machine
data_listed = not (arm64 and kernel.release().startswith("6.1."))
blacklisted = "do_mem_abort" if arm64 else "do_int3"


def listed(names):
    known = {"vfs_read", "kern_read", blacklisted}
    if data_listed:
        known |= {"jiffies", "init_task", "linux_banner"}
    return {n for n in names if n in known}
