# Probes on functions that kpython's handler, kprobes and text patching use
# themselves (locks, the clock, irq_work, memcpy), and on kpython's own
# event path (kern_probe_pop, kmod_events_next: see 316). Opt-in: once in about ten
# runs under TCG, 6.1 oopsed at a NULL single-step slot (a stale int3 taken
# at an ftrace-based probe's address), the emulator fault that
# kprobe-hot.inc explains; these functions run on every CPU all the time,
# so no load can be held off while they are patched. Run with
#   KPY_VM_APPEND=KPY_KPROBE_SELFPATH=1 \
#   KPY_VM_QEMU_ARGS="-accel tcg,thread=single" test/vm/run.sh 318
. "$KPY_LIB"
[ "${KPY_KPROBE_SELFPATH:-}" = 1 ] || {
	echo "opt-in: KPY_VM_APPEND=KPY_KPROBE_SELFPATH=1"
	exit 77
}
. ./kprobe-hot.inc
hot_probes "kern_probe_pop kmod_events_next irq_work_queue ktime_get_mono_fast_ns _raw_spin_lock
	_raw_spin_trylock _raw_spin_lock_irqsave _raw_spin_unlock_irqrestore
	memcpy __kmalloc"
finish
