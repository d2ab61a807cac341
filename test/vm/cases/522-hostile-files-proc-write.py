# Writing into /proc, /sys and /dev is the caller's choice; none of it may
# hang the interpreter. Values are written back unchanged.
import errno


def err(label, fn):
    try:
        print(label, fn())
    except OSError as e:
        print(label, errno.errorcode.get(e.errno, e.errno))


p = "/proc/sys/kernel/printk_ratelimit"
v = open(p).read()
err("sysctl write", lambda: open(p, "w").write(v))
print(open(p).read() == v)
err("read-only sysctl", lambda: open("/proc/sys/kernel/ostype", "w"))
err("bad sysctl value", lambda: open(p, "w").write("not a number\n"))
t = "/sys/module/kpython/parameters/timeout_ms"
tv = open(t).read()
err("module parameter", lambda: open(t, "w").write(tv) == len(tv))
print(open(t).read() == tv)
err("read-only parameter", lambda: open("/sys/module/kpython/parameters/sys_path", "w"))
err("/dev/null", lambda: open("/dev/null", "wb").write(b"x" * 100000))
err("/dev/full", lambda: open("/dev/full", "wb").write(b"x"))
err("/dev/null read", lambda: open("/dev/null", "rb").read())
# The exec file from inside a script: its read would wait for this very
# execution; opening it is refused (EDEADLK).
def nested():
    f = open("/sys/kernel/debug/kpython/exec", "r+")
    f.write("print(1)")
    return f.read()
err("nested exec", nested)
err("nested exec at close", lambda: open("/sys/kernel/debug/kpython/exec", "w").write("print('nested')\n"))
