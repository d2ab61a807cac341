# Probes on a hot function under load, with a slow consumer
# (kprobe-hot.inc), and on kpython's own event path. The load runs only
# while each probe is armed: see kprobe-hot.inc for why (an emulator fault,
# shown without kpython by bench/kprobe-tcg.sh). Scheduler and timer
# functions run on every CPU all the time, so no load can be held off while
# they are patched: under MTTCG hrtimer_interrupt oopsed that way once in
# 16 runs. They are opt-in, for a boot without MTTCG:
#   KPY_VM_APPEND=KPY_KPROBE_HOT=1 \
#   KPY_VM_QEMU_ARGS="-accel tcg,thread=single" test/vm/run.sh 316
. "$KPY_LIB"
. ./kprobe-hot.inc
names="vfs_read kern_probe_pop kmod_events_next"
[ "${KPY_KPROBE_HOT:-}" = 1 ] && names="$names try_to_wake_up update_curr
	pick_next_task_fair finish_task_switch schedule_timeout hrtimer_interrupt
	__wake_up"
hot_probes "$names"
n=$(awk '$1 == "vfs_read" { print $3 }' /tmp/hot.out)
[ "${n:-0}" -gt 100 ] || fail "vfs_read under a read loop: ${n:-no} hits"
finish
