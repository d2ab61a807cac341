# A script that never sleeps does not stall the kernel's other kprobe
# users. The kprobe optimizer (kernels without ftrace-based probes, as the
# debug tier's) waits for an RCU-tasks grace period holding kprobe_mutex;
# a script spinning on its probe's endless stream used to hold that grace
# period up for its whole run, so a tracefs kprobe registered meanwhile
# waited until the script ended (5.5-5.9 s here). The interpreter's hooks
# are tasks-RCU quiescent states now: the registration ends while the
# script still spins.
. "$KPY_LIB"
t=/sys/kernel/tracing
[ -d "$t/events" ] || mount -t tracefs nodev "$t" || fail "no tracefs"
param=/sys/module/kpython/parameters/timeout_ms
limit=$(cat "$param")
spin_s=$((4 * ${CASE_TIMEOUT_SCALE:-1}))
echo $(((spin_s + 10) * 1000)) >"$param"
kpython -c "import kernel
with kernel.kprobe('kern_probe_pop') as p:
    t0 = kernel.ktime_ns()
    for e in p.events(None):
        if kernel.ktime_ns() - t0 > $spin_s * 1000000000:
            break
print('spun', p.hits > 1000)" >/tmp/spin.out 2>&1 &
spin=$!
# Armed, and on the debug kernel the optimizer is waiting (5 jiffies on).
sleep ${CASE_TIMEOUT_SCALE:-1}
t0=$(uptime_ms)
echo 'p:kpy321 vfs_write' >>"$t/kprobe_events" || fail "cannot register a tracefs kprobe"
t1=$(uptime_ms)
kill -0 "$spin" 2>/dev/null || fail "the tracefs kprobe waited until the script ended ($((t1 - t0)) ms)"
echo '-:kpy321' >>"$t/kprobe_events"
wait "$spin"
check_status "spinning script" 0 $?
check_eq "spinning script" "spun True" "$(cat /tmp/spin.out)"
echo "$limit" >"$param"
note "tracefs kprobe registered in $((t1 - t0)) ms while a script spun on its probe"
finish
