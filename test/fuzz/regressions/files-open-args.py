# open(), os and import with hostile arguments: the MicroPython-side glue
# (kernel_mod/mp/) parses them before the (stubbed) file layer refuses.
import os
for args in ((), ("x", "rw"), ("x", "+"), ("x", "rbt"), ("x", "w" * 1000),
             ("\0",), (b"a\0b",), ("",), (42,), ("x", 42), ("x", "r", 0, "latin-1"),
             ("x", "rb", -1, "utf-8"), ("/" * 100000,)):
    try:
        open(*args)
    except (OSError, ValueError, TypeError) as e:
        print(type(e).__name__)
for i, fn in enumerate((os.listdir, os.stat, os.mkdir, os.remove, os.rmdir)):
    for a in ("", "\0", b"x", 3):
        try:
            fn(a)
        except (OSError, ValueError, TypeError) as e:
            print(i, type(e).__name__)
try:
    os.rename("a", "b\0")
except ValueError:
    print("rename NUL")
import sys
sys.path.append("\0")
sys.path.append(b"x")
sys.path.append(3)
try:
    import nosuchmodule
except (ImportError, TypeError, ValueError) as e:
    print(type(e).__name__)
print(os.sep, sys.stdout.fileno(), sys.stdin.read(), print("x", file=sys.stderr))
