# Probes on a hot function under load, with a slow consumer
# (kprobe-hot.inc). kpython's own event path is in 318 (opt-in): on the
# debug kernel under a starved host, a CPU stayed 26 s at the probe address
# of kmod_events_next right after the script's own disarm (a soft lockup,
# once; passed 3 of 3 before), which fits the emulator's stale int3 more
# than the self-feeding it was meant to test (a script's own calls do not
# record: draining a probe on kmod_events_next ends at once, tried on 6.1).
# The load runs only while each probe is armed: see kprobe-hot.inc for why
# (an emulator fault, shown without kpython by bench/kprobe-tcg.sh).
# Scheduler and timer
# functions run on every CPU all the time, so no load can be held off while
# they are patched: under MTTCG hrtimer_interrupt oopsed that way once in
# 16 runs. They are opt-in, for a boot without MTTCG:
#   KPY_VM_APPEND=KPY_KPROBE_HOT=1 \
#   KPY_VM_QEMU_ARGS="-accel tcg,thread=single" test/vm/run.sh 316
. "$KPY_LIB"
. ./kprobe-hot.inc
names="vfs_read"
[ "${KPY_KPROBE_HOT:-}" = 1 ] && names="$names try_to_wake_up update_curr
	pick_next_task_fair finish_task_switch schedule_timeout hrtimer_interrupt
	__wake_up"
hot_probes "$names"
n=$(awk '$1 == "vfs_read" { print $3 }' /tmp/hot.out)
[ "${n:-0}" -gt 100 ] || fail "vfs_read under a read loop: ${n:-no} hits"
finish
