# Lines of a regular file (read in chunks, the position given back after
# the newline) and of a pipe-like file (byte by byte) agree with CPython.
import os

p = "/tmp/kpy-504"
long = "x" * 700
with open(p, "w") as f:
    f.write("a\n\nbb\n" + long + "\n" + "é" * 200 + "\nlast")
with open(p) as f:
    print(repr(f.readline()), repr(f.readline()), f.tell())
    print(len(f.readline()), len(f.readline()), f.tell())
    print(len(f.readline()), repr(f.readline()), repr(f.readline()))
with open(p) as f:
    print([len(line) for line in f])
with open(p, "rb") as f:
    print(f.readline(1), f.readline(1), f.readline(0), f.readline(2), f.tell())
    print(f.read(2), f.readline(), f.tell())
    print(len(f.readlines()))
with open(p) as f:
    f.readline()
    print(repr(f.read(3)))
    f.seek(0)
    print(len(f.readlines()), f.readline() == "")
with open(p, "a+") as f:
    f.seek(0)
    print(repr(f.readline()))
    f.write("\nappended\n")
    f.seek(0)
    print(f.readlines()[-2:])
print(sum(1 for _ in open("/proc/self/status")) == len(open("/proc/self/status").readlines()))
print(open("/proc/self/status").readline().startswith("Name:"))
os.remove(p)
