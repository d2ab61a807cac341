# kernel.tasks() and current(): every field of every task, plausible.
import kernel

ts = kernel.tasks()
print(type(ts) is list, len(ts) > 10)
fields = ("pid", "tgid", "ppid", "comm", "state", "uid", "rss", "utime_ns",
          "stime_ns", "start_ns")
now = kernel.ktime_ns()
for t in ts:
    for f in fields:
        getattr(t, f)
    assert type(t.comm) is str and 0 < len(t.comm) < 16, t
    assert t.state in "RSDTZIX" and len(t.state) == 1, t
    assert t.pid > 0 and t.tgid > 0 and t.ppid >= 0, t
    assert t.rss >= 0 and t.rss % 4096 == 0, t
    assert t.utime_ns >= 0 and t.stime_ns >= 0, t
    assert 0 <= t.start_ns <= now, t
by_pid = {t.pid: t for t in ts}
print(by_pid[1].comm, by_pid[1].ppid, by_pid[1].uid)
print(by_pid[2].comm, by_pid[2].rss, by_pid[2].state in "SI")
me = kernel.current()
print(me.pid in by_pid, by_pid[me.pid].comm == me.comm, me.state)
print(me.uid, me.rss > 0, me.utime_ns + me.stime_ns > 0)
# Kernel threads have no memory of their own.
print(all(t.rss == 0 for t in ts if t.ppid == 2))
# A snapshot: later calls give new objects, the old list stays as it was.
n = len(ts)
ts2 = kernel.tasks()
print(len(ts) == n, ts2 is not ts)
print(sorted(kernel.tasks(), key=lambda t: t.pid)[0].pid)
