# The case bench/kprobe-tcg.sh runs (after n=, func=, mode=).
t=/sys/kernel/tracing
[ -d "$t/events" ] || mount -t tracefs nodev "$t" || fail "no tracefs"
# The busybox shell's read: one vfs_read() per byte, on the other CPU.
( while :; do read -r l </proc/version; done ) &
load=$!
if [ "$mode" = tracefs ]; then
	rmmod kpython || fail "cannot unload kpython"
	i=0
	while [ "$i" -lt "$n" ]; do
		echo "p:kp $func" >"$t/kprobe_events" || fail "cannot define"
		echo 1 >"$t/events/kprobes/kp/enable" || fail "cannot enable"
		usleep 150000
		echo 0 >"$t/events/kprobes/kp/enable"
		echo "-:kp" >>"$t/kprobe_events" || fail "cannot remove"
		i=$((i + 1))
		echo "kpy-cycle $i" >/dev/console
	done
	insmod /kpy/kpython.ko timeout_ms=2000 || fail "cannot reload kpython"
else
	# One execution per cycle: an execution holds at most 64 probes.
	i=0
	while [ "$i" -lt "$n" ]; do
		kpython -c "import kernel
with kernel.kprobe('$func', nargs=2, capacity=64) as p:
    got = sum(1 for e in p.events(150))" || fail "kpython cycle $i"
		i=$((i + 1))
		echo "kpy-cycle $i" >/dev/console
	done
fi
kill "$load"
wait "$load" 2>/dev/null
note "$n cycles of $mode on $func done"
finish
