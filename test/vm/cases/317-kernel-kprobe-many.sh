# Many probes at once: 40 on the same function (kprobes aggregates them)
# all see every hit; 20 more on different functions coexist; the script
# ends without exiting most of them and the list is empty afterwards.
# Registering and unregistering take an RCU grace period or a text patch
# each (20-45 ms under TCG): the time limit is raised for this case.
# The 20 are taken from functions only a caller's syscall runs first, the
# allocator, lock and timer functions every CPU runs all the time last:
# patching those under MTTCG is the emulator fault of 316 (a CPU stuck at
# kfree's probe address, a soft lockup on the debug kernel, 2026-12-03).
. "$KPY_LIB"

param=/sys/module/kpython/parameters/timeout_ms
limit=$(cat "$param")
echo $((20000 * ${CASE_TIMEOUT_SCALE:-1})) >"$param"
kpython -c 'import kernel
same = [kernel.kprobe("si_meminfo", nargs=1) for i in range(40)]
for p in same:
    p.__enter__()
for i in range(3):
    kernel.meminfo()
counts = [len(list(p.events(0))) for p in same]
print(counts == [3] * 40, all(p.hits == 3 for p in same))
for p in same[::4]:
    p.__exit__(None, None, None)
kernel.meminfo()
print(sum(len(list(p.events(0))) for p in same), sum(p.active for p in same))
others = []
for s in ("vfs_read", "vfs_write", "do_sys_openat2", "ksys_read",
          "si_mem_available", "kern_read", "kern_tasks", "kern_modules",
          "task_cputime_adjusted", "get_jiffies_64", "sprint_symbol",
          "register_kprobe", "copy_from_kernel_nofault", "si_swapinfo",
          "vfs_llseek", "vfs_getattr", "seq_read", "single_open", "kernel_read",
          "filp_open", "iterate_dir", "memdup_user", "strndup_user", "kstrtoull",
          "kern_path", "d_path",
          "schedule_timeout", "hrtimer_start_range_ns", "kfree",
          "kvfree", "kvmalloc_node", "__wake_up", "irq_work_queue",
          "down_read", "up_read",
          "mutex_lock", "mutex_unlock", "kmalloc_trace", "__kmalloc_noprof"):
    try:
        p = kernel.kprobe(s)
    except OSError:
        continue
    p.__enter__()
    others.append(p)
    if len(others) == 20:
        break
print(len(others))
kernel.tasks()
print(all(p.active for p in others), sum(p.hits for p in others) > 0)' >/tmp/many.out 2>&1
st=$?
echo "$limit" >"$param"
check_status "many probes" 0 "$st"
printf 'True True\n30 30\n20\nTrue True\n' >/tmp/many.want
check_file_eq "many probes" /tmp/many.want /tmp/many.out
kprobes_gone "after many probes"
module_works "after many probes"
finish
