# kernel.meminfo(): a dict in bytes with the fields of /proc/meminfo's
# names, consistent with each other (302 compares them with /proc).
import kernel

m = kernel.meminfo()
print(type(m) is dict)
print(sorted(k for k in ("total", "free", "available", "buffers", "cached") if k in m))
print(all(type(v) is int and v >= 0 for v in m.values()))
print(m["total"] > 64 * 1024 * 1024, m["free"] <= m["total"])
print(m["available"] <= m["total"], m["cached"] < m["total"])
print(m["total"] % 4096 == 0)
