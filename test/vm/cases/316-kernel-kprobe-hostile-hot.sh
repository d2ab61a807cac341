# Probes on hot and scheduler-adjacent functions under load, with a slow
# consumer (kprobe-hot.inc), and on kpython's own event path. The load
# runs only while each probe is armed: see kprobe-hot.inc for why (an
# emulator fault, shown without kpython by bench/kprobe-tcg.sh).
. "$KPY_LIB"
. ./kprobe-hot.inc
hot_probes "vfs_read try_to_wake_up update_curr pick_next_task_fair
	finish_task_switch schedule_timeout hrtimer_interrupt __wake_up
	kern_probe_pop kmod_events_next"
n=$(awk '$1 == "vfs_read" { print $3 }' /tmp/hot.out)
[ "${n:-0}" -gt 100 ] || fail "vfs_read under a read loop: ${n:-no} hits"
finish
