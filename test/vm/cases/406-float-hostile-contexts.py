# Floats where they are rarely expected: sort keys with NaN, dict and set
# keys mixing ints and floats, float __index__ refusals, struct and array,
# json, big float format widths.
nan = float("nan")
l = [3.0, nan, 1.0, 2.0, nan, -1.0]
l.sort()
print(len(l), sorted([2.5, 1, 3, 0.5, True]))
print(sorted(range(10), key=lambda i: (i % 3) / 3.0 - i * 1e-9))
print(sorted(["a", "bb", "ccc"], key=lambda s: -len(s) / 2))
d = {1: "int", 1.0: "float", 2.5: "x"}
print(len(d), d[1], {0.0, -0.0, 0, False}, {nan, nan} != set())
class K:
    def __lt__(self, other):
        return 0.5 < 1.5
print(len(sorted([K() for _ in range(20)])))
for bad in ("[1, 2][1.0]", "'ab' * 2.0", "range(2.5)", "bytes(2.5)", "hex(1.5)", "chr(65.0)", "1 << 1.0"):
    try:
        eval(bad)
        print(bad, "ok")
    except TypeError:
        print(bad, "TypeError")
import struct, array, json
print(struct.pack("<d", 1.5), struct.unpack("<f", struct.pack("<f", 0.1))[0], struct.unpack("<e", b"\x00\x3c"))
print(struct.pack("<e", 65504.0), struct.pack(">d", float("inf")))
a = array.array("d", [1.5, 2.5, nan])
print(a[0] + a[1], a[2] != a[2], array.array("f", [0.25]))
print(json.dumps([1.5, 1e300, -0.0]), json.loads("[1.5e3, -2E-2, 1e999]"))
try:
    "{:1000000000.2f}".format(1.5)
except (MemoryError, ValueError, OverflowError) as e:
    print(type(e).__name__)
print(len("{:5000.2f}".format(1.5)), len("%.500f" % 1.0) > 0)
import time
t0 = time.time()
print(type(t0).__name__ in ("int", "float"), time.sleep(0.01) is None, time.sleep(0) is None)
x = 0.0
for i in range(4000):
    x += 0.5
print(x, x == 2000.0)
for v in (-1, float("nan")):
    try:
        time.sleep(v)
    except ValueError as e:
        print("ValueError", e)
