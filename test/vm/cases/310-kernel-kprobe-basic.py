# A probe on a function the script itself makes the kernel call: every hit
# is recorded, in order, with the caller's pid and comm and the arguments.
import kernel

me = kernel.current()
with kernel.kprobe("si_meminfo", nargs=1) as p:
    # addr: where kprobes put it (past the ENDBR on x86 IBT kernels).
    print(p, p.symbol, p.nargs, p.active, 0 <= p.addr - kernel.symbol("si_meminfo") <= 4)
    for i in range(5):
        kernel.meminfo()
    evs = list(p.events(0))
print(p.active, p.hits, p.dropped, len(evs))
last = 0
for e in evs:
    assert e.ts_ns > last and e.ts_ns <= kernel.ktime_ns()
    last = e.ts_ns
    assert e.pid == me.pid and e.comm == me.comm, (e, me)
    assert 0 <= e.cpu < 64
    assert len(e.args) == 1 and e.args[0] >= 2**63, e.args
print("events ok", len(evs[0]))
# After the context: no more events, the buffered ones stay readable once.
kernel.meminfo()
print(p.hits, list(p.events(0)))
