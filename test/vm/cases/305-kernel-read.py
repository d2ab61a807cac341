# kernel.read() and read_u8/u16/u32/u64: good reads agree with each other;
# every kind of bad address raises OSError(EFAULT), never an oops; sizes are
# bounded; wrong types raise TypeError.
import errno
import sys

import kernel

sys.path.insert(0, "lib")
from kallsyms_known import data_listed  # noqa: E402

# Where kallsyms lists no data symbols (bookworm's arm64 kernels) kernel
# text serves the read checks as well.
banner = kernel.symbol("linux_banner" if data_listed else "vfs_read")
b = kernel.read(banner, 16)
print(b[:13] if data_listed else b"Linux version", len(kernel.read(banner, 0)), kernel.read(banner, 0))
print(kernel.read_u8(banner) == b[0])
print(kernel.read_u16(banner) == b[0] | b[1] << 8)
print(kernel.read_u32(banner) == int.from_bytes(b[:4], "little"))
print(kernel.read_u64(banner) == int.from_bytes(b[:8], "little"))
print(kernel.read_u64(banner + 1) == int.from_bytes(b[1:9], "little"))
j = kernel.read_u64(kernel.symbol("jiffies")) if data_listed else kernel.jiffies()
print(abs(j - kernel.jiffies()) < 1000)
# A read across pages of the kernel image.
print(len(kernel.read(banner & ~4095, 3 * 4096)))

bad = [
    ("NULL", 0), ("one", 1), ("page 0 end", 4095),
    ("user text", 0x400000), ("user top", 0x7FFFFFFFF000),
    ("last user byte", 0x7FFFFFFFFFFF),
    ("non-canonical low", 0x800000000000),
    ("non-canonical", 0x8000000000000000),
    ("poison", 0xDEAD000000000000),
    ("guard hole", 0xFFFF800000000000),
    ("negative", -1), ("negative big", -(2**70)),
    ("2**64", 2**64), ("huge", 2**200),
]
for name, addr in bad:
    for f, args in ((kernel.read, (addr, 8)), (kernel.read_u8, (addr,)),
                    (kernel.read_u64, (addr,))):
        try:
            f(*args)
            print(name, "read!")
        except OSError as e:
            assert e.errno == errno.EFAULT, (name, e)
print("bad addresses: EFAULT")
# Wrapping past the top of the address space, and past the end of a page.
for addr, n in ((2**64 - 1, 2), (2**64 - 8, 16), (2**64 - 4096, 8192)):
    try:
        kernel.read(addr, n)
        print(hex(addr), "read!")
    except OSError as e:
        print("wrap", e.errno == errno.EFAULT)

for n in (-1, -(2**40), 1024 * 1024 + 1, 2**31, 2**63):
    try:
        kernel.read(banner, n)
        print(n, "read!")
    except (ValueError, OverflowError, MemoryError) as e:
        print("size", n, type(e).__name__)
for a in ("0", None, b"1", [banner]):
    try:
        kernel.read(a, 1)
    except TypeError:
        print("TypeError")
try:
    kernel.read(banner, "8")
except TypeError:
    print("TypeError n")
try:
    kernel.read_u8()
except TypeError:
    print("TypeError arity")
