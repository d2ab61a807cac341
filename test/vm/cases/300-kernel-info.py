# kernel.release(), version(), hz, cpus(), jiffies(), ktime_ns(): types,
# plausible values, and clocks that move forward.
import kernel

r = kernel.release()
print(type(r) is str, len(r) > 0, r[0] in "0123456789")
v = kernel.version()
print(type(v) is str, v.startswith("#"))
print(kernel.hz in (100, 250, 300, 1000))
print(kernel.cpus() >= 1)
j0, t0 = kernel.jiffies(), kernel.ktime_ns()
x = 0
for i in range(20000):
    x += i
j1, t1 = kernel.jiffies(), kernel.ktime_ns()
print(j1 >= j0, t1 > t0, t0 > 0)
# The two clocks agree to within a few ticks.
dt_ns = t1 - t0
dj = j1 - j0
print(abs(dj * 1000000000 // kernel.hz - dt_ns) < 3 * 1000000000 // kernel.hz)
try:
    kernel.hz = 1
except (AttributeError, TypeError):
    print("hz is read-only")
