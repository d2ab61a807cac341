# A script iterating events forever (no timeout) is stopped by the time
# limit like any other; its probes are unregistered (320 checks the list).
import kernel

with kernel.kprobe("hrtimer_start_range_ns", nargs=2) as p:
    n = 0
    for e in p.events(None):
        n += 1
print("not reached", n)
