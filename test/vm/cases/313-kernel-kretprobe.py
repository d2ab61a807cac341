# kretprobe: the return value (the whole register, signed) with the
# entry's arguments.
import sys

import kernel

sys.path.insert(0, "lib")
from kallsyms_known import data_listed  # noqa: E402

# Where kallsyms lists no data symbols (bookworm's arm64 kernels) kernel
# text serves the read checks as well.
banner = kernel.symbol("linux_banner" if data_listed else "vfs_read")
# Other tasks call it too (seen once in 36 runs on the debug kernel): ours only.
me = kernel.current().pid
with kernel.kretprobe("copy_from_kernel_nofault", nargs=3) as r:
    print(r)
    for a in (0xFFFF800000000000, 0xFFFF800000001000):
        try:
            kernel.read(a, 8)
        except OSError:
            pass
    kernel.read(banner, 5)
    evs = [e for e in r.events(0) if e.pid == me]
print([e.ret for e in evs], len(evs[0]))
print(hex(evs[0].args[1]), hex(evs[1].args[1]), evs[2].args[2])
# (exiting may hit it once more: disarming reads the text back)
print(r.hits >= 3, r.dropped, r.missed, r.active)
with kernel.kretprobe("si_mem_available") as r:
    m = kernel.meminfo()
    e = list(r.events(0))[0]
print(e.args, abs(e.ret * 4096 - m["available"]) < 64 * 1024 * 1024)
