# Probes on hot and scheduler-adjacent functions, with a consumer slower
# than the producers (a busy reader loop on the other CPU): no deadlock,
# no lockup, no report in the kernel log; drops are counted, every hit is
# either kept or dropped. Functions the kernel refuses are skipped.
. "$KPY_LIB"

# Eighteen probes of 150 ms each, plus registering and unregistering them:
# more than the rig's time limit.
param=/sys/module/kpython/parameters/timeout_ms
limit=$(cat "$param")
echo 20000 >"$param"
# busybox cat uses sendfile(); the shell's read reads a byte at a time.
( while :; do read -r l </proc/version; done ) &
load=$!
out=$(kpython -c 'import kernel
names = ("vfs_read", "try_to_wake_up", "update_curr", "pick_next_task_fair",
         "finish_task_switch", "schedule_timeout", "hrtimer_interrupt",
         "__wake_up", "irq_work_queue", "ktime_get_mono_fast_ns", "_raw_spin_lock",
         "_raw_spin_trylock", "_raw_spin_lock_irqsave",
         "_raw_spin_unlock_irqrestore", "memcpy",
         "kern_probe_pop", "kmod_events_next", "__kmalloc")
for s in names:
    try:
        p = kernel.kprobe(s, nargs=2, capacity=64)
    except OSError as e:
        print(s, "refused", e.errno)
        continue
    with p:
        got = 0
        for e in p.events(150):
            got += 1
            x = 0
            for i in range(200):
                x += i
    left = len(list(p.events(0)))
    ok = p.hits == got + left + p.dropped
    print(s, "hits", p.hits, "got", got, "dropped", p.dropped, "ok" if ok else "MISMATCH")
' 2>&1)
st=$?
kill "$load"
wait "$load" 2>/dev/null
echo "$limit" >"$param"
note "$out"
echo "$out" >/tmp/hot.out
check_status "hot probes" 0 "$st"
check_lacks "hits accounted" /tmp/hot.out MISMATCH
n=$(awk '$1 == "vfs_read" { print $3 }' /tmp/hot.out)
[ "${n:-0}" -gt 100 ] || fail "vfs_read under a read loop: ${n:-no} hits"
kp=/sys/kernel/debug/kprobes/list
[ -s "$kp" ] && { fail "probes left:"; show "$kp"; }
module_works "after hot probes"
finish
