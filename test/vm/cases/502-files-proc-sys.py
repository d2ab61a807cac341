# /proc, /sys and debugfs files report size 0 (or a page): read to EOF.
import os

with open("/proc/version") as f:
    v = f.read()
print(v.startswith("Linux version"), os.stat("/proc/version")[6])
status = open("/proc/self/status").read()
print("Name:" in status, len(status) > 200)
print(len(open("/proc/self/status").readlines()) > 10)
print([l for l in open("/proc/self/status") if l.startswith("Uid:")][0].split()[:2])
# sysfs (kernfs, read_iter) and a module parameter
print(repr(open("/sys/module/kpython/parameters/sys_path").read()))
print(open("/sys/module/kpython/parameters/timeout_ms", "rb").read().strip().isdigit())
# debugfs (seq_file through debugfs's proxy: no read_iter)
stats = open("/sys/kernel/debug/kpython/stats").read()
print("runs" in stats, os.stat("/sys/kernel/debug/kpython/stats")[6])
# a big /proc file, in pieces (its first 256 KiB: a debug kernel is slow)
n = 0
with open("/proc/kallsyms", "rb") as f:
    while n < 262144:
        b = f.read(65536)
        if not b:
            break
        n += len(b)
print(n > 100000)
mounts = open("/proc/mounts").read().splitlines()
print(any(" /tmp tmpfs " in m for m in mounts))
print("kpython" in os.listdir("/sys/module"), "self" in os.listdir("/proc"))
print(sorted(os.listdir("/sys/kernel/debug/kpython")))
print(open("/proc/sys/kernel/ostype").read(), end="")
