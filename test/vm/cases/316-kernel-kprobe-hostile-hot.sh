# Probes on hot and scheduler-adjacent functions under load, with a slow
# consumer (kprobe-hot.inc), and on kpython's own event path.
# Opt-in for now: in 3 of about 14 runs under qemu's software emulation
# (6.1 and 6.12) arming the ftrace-based probe on vfs_read while a reader
# loop calls it oopsed (NULL single-step slot: an int3 at the probed
# address taken for the kprobe's own; see README). Run with
#   KPY_VM_APPEND=KPY_KPROBE_HOT=1 test/vm/run.sh 316
. "$KPY_LIB"
[ "${KPY_KPROBE_HOT:-}" = 1 ] || {
	echo "opt-in: KPY_VM_APPEND=KPY_KPROBE_HOT=1"
	exit 77
}
. ./kprobe-hot.inc
hot_probes "vfs_read try_to_wake_up update_curr pick_next_task_fair
	finish_task_switch schedule_timeout hrtimer_interrupt __wake_up
	kern_probe_pop kmod_events_next"
n=$(awk '$1 == "vfs_read" { print $3 }' /tmp/hot.out)
[ "${n:-0}" -gt 100 ] || fail "vfs_read under a read loop: ${n:-no} hits"
finish
