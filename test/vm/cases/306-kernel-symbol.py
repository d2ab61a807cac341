# kernel.symbol(): functions, data and blacklisted functions resolve;
# unknown names give None; bad names raise.
import kernel

for s in ("vfs_read", "jiffies", "do_int3", "init_task", "kern_read"):
    a = kernel.symbol(s)
    print(s, type(a) is int and a >= 0xFFFF800000000000)
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
