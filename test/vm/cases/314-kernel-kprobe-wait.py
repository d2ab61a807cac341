# events(timeout_ms) waits for events until the timeout, then stops;
# 0 does not wait; a probe that is not armed does not wait either; the wait
# ends early when an event arrives (here: kernel threads waking on a timer).
import kernel

p = kernel.kprobe("si_meminfo")
with p:
    t0 = kernel.ktime_ns()
    n = len(list(p.events(300)))
    dt = (kernel.ktime_ns() - t0) // 1000000
    print(n, 300 <= dt < 1300)
    t0 = kernel.ktime_ns()
    print(list(p.events(0)), (kernel.ktime_ns() - t0) // 1000000 < 100)
t0 = kernel.ktime_ns()
print(list(p.events(5000)), (kernel.ktime_ns() - t0) // 1000000 < 100)
# A hot function: the first event comes long before the timeout (kpython's
# own pop, called by events() itself; 315 says why not a timer function).
with kernel.kprobe("kern_probe_pop") as h:
    t0 = kernel.ktime_ns()
    e = list(h.events(1500, max=1))
    dt = (kernel.ktime_ns() - t0) // 1000000
    print(len(e), dt < 1000)
