# A script iterating events forever (no timeout) is stopped by the time
# limit like any other; its probes are unregistered (320 checks the list).
# The probe is on kpython's own pop, which each step of the iteration calls:
# an endless stream that only this task produces, so no other CPU runs the
# text while it is patched (kprobe-hot.inc: qemu's MTTCG mishandles that).
# On hrtimer_start_range_ns, which every CPU runs, the debug tier hung here
# once (a CPU-0 kworker blocked for minutes, no RCU stall, no lockup, the
# rig's own watchdog stalled too); not reproduced in 7 debug runs since.
# That kworker is where the kprobe optimizer waits for an RCU-tasks grace
# period, which a script like this one held up until it ended (321).
import kernel

with kernel.kprobe("kern_probe_pop", nargs=2) as p:
    n = 0
    for e in p.events(None):
        n += 1
print("not reached", n)
