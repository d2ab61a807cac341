# Probes on functions that kpython's handler, kprobes and text patching use
# themselves (locks, the clock, irq_work, memcpy). Opt-in: once in about ten
# runs of these under TCG, 6.1 oopsed at a NULL single-step slot (an int3
# taken at an ftrace-based probe's address), not yet understood; run with
#   KPY_VM_APPEND=KPY_KPROBE_SELFPATH=1 test/vm/run.sh 318
. "$KPY_LIB"
[ "${KPY_KPROBE_SELFPATH:-}" = 1 ] || {
	echo "opt-in: KPY_VM_APPEND=KPY_KPROBE_SELFPATH=1"
	exit 77
}
. ./kprobe-hot.inc
hot_probes "irq_work_queue ktime_get_mono_fast_ns _raw_spin_lock
	_raw_spin_trylock _raw_spin_lock_irqsave _raw_spin_unlock_irqrestore
	memcpy __kmalloc"
finish
