# kernel.release(), version(), hz, cpus(), jiffies(), ktime_ns(): types,
# plausible values, and clocks that move forward.
import kernel, time

r = kernel.release()
print(type(r) is str, len(r) > 0, r[0] in "0123456789")
v = kernel.version()
print(type(v) is str, v.startswith("#"))
print(kernel.hz in (100, 250, 300, 1000))
print(kernel.cpus() >= 1)
j0, t0 = kernel.jiffies(), kernel.ktime_ns()
time.sleep_ms(300)
j1, t1 = kernel.jiffies(), kernel.ktime_ns()
print(j1 >= j0, t1 > t0, t0 > 0)
# The two clocks agree over 300 ms to within 100 ms: a wrong hz or unit is
# off by far more; a late tick of a starved virtual CPU (a loaded host
# under TCG lost 3 ticks' agreement over a 20000-step loop) is not.
dt_ns = t1 - t0
dj = j1 - j0
print(abs(dj * 1000000000 // kernel.hz - dt_ns) < 100000000)
try:
    kernel.hz = 1
except (AttributeError, TypeError):
    print("hz is read-only")
