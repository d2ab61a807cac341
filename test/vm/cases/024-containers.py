d = {"b": 2, "a": 1}
d["c"] = 3
print(sorted(d.items()), len(d), "a" in d, d.get("z", -1))
l = [5, 3, 8, 1]
l.sort()
l.append(9)
print(l, l[1:3], l[::-1], l.index(8))
s = {1, 2, 3} | {3, 4}
print(sorted(s), sorted({1, 2, 3} & {2, 3, 4}))
t = tuple(range(5))
print(t, t[-1], len(t))
print([x * 2 for x in range(5)], {k: v for k, v in zip("xyz", range(3))}["y"])
print(",".join(["a", "b", "c"]), "a,b,,c".split(","), " pad ".strip().upper())
print(bytes([104, 105]), bytearray(b"ok"), b"abc"[1])
