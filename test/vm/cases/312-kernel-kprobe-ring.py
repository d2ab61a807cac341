# A full ring keeps the oldest events and counts the rest as dropped;
# hits = kept + dropped; max stops early; draining makes room again.
import kernel

with kernel.kprobe("si_meminfo", capacity=10) as p:
    for i in range(100):
        kernel.meminfo()
    print(p.hits, p.dropped)
    first = list(p.events(0, max=3))
    rest = list(p.events(0))
    print(len(first), len(rest), first[0].ts_ns < rest[0].ts_ns)
    for i in range(5):
        kernel.meminfo()
    print(len(list(p.events(0))), p.hits, p.dropped)
    print(list(p.events(0, max=0)), list(p.events(100, max=0)))
