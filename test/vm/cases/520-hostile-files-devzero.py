# Endless and huge reads end in MemoryError (the heap), never an oops.
f = open("/dev/zero", "rb")
# (One read to the end of the heap: a debug kernel takes a second for it.)
for label, call in (
    ("read()", lambda: f.read()),
    ("read(2**62)", lambda: f.read(2**62)),
    ("read(1 GiB)", lambda: f.read(1 << 30)),
    ("text read(1 GiB)", lambda: open("/dev/zero").read(1 << 30)),
):
    try:
        call()
        print(label, "returned")
    except (MemoryError, OverflowError) as e:
        print(label, type(e).__name__)
print(len(f.read(100000)), len(open("/dev/zero").readline(5000)))
v = open("/proc/version", "rb").read()
print(v == open("/proc/version", "rb").read(-1) == open("/proc/version", "rb").read(None))
b = bytearray(300000)
print(f.readinto(b), b[:2])
