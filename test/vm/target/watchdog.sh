#!/bin/sh
# watchdog.sh DRIVER_PID SECONDS CASE: started in the background by the driver
# for each case. If the case still runs after SECONDS, report where its
# processes are (state, wchan, kernel stack, CPU backtraces) and kill them.
# The driver kills the watchdog when the case ends in time.

driver=$1 limit=$2 name=$3

n=0
while [ "$n" -lt "$limit" ]; do
	sleep 1
	n=$((n + 1))
done

echo "@@KPY WATCHDOG BEGIN $name"
echo "watchdog: $name still running after ${limit} s"
echo "kpy-rig: watchdog begin" >/dev/kmsg
victims=
for p in /proc/[0-9]*; do
	pid=${p#/proc/}
	case $pid in 1 | "$driver" | "$$") continue ;; esac
	# Kernel threads have no command line (and /proc sizes are always 0).
	cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null | cut -c1-60)
	[ -n "$cmd" ] || continue
	state=$(awk '/^State:/ { print $2 }' "$p/status" 2>/dev/null)
	[ -n "$state" ] || continue
	ppid=$(awk '/^PPid:/ { print $2 }' "$p/status" 2>/dev/null)
	[ "$ppid" = "$$" ] && continue # our own sleep
	echo "  pid $pid state $state wchan $(cat "$p/wchan" 2>/dev/null) : $cmd"
	sed 's/^/      /' "$p/stack" 2>/dev/null
	victims="$victims $pid"
done
# Backtraces of the CPUs (shows a task spinning in the kernel).
echo l >/proc/sysrq-trigger
sleep 1
echo "  kernel log:"
dmesg | sed -n '/kpy-rig: watchdog begin/,$p' | tail -n 60 | sed 's/^/      /'
echo "kpy-rig: watchdog end" >/dev/kmsg
echo "@@KPY WATCHDOG END $name"
# shellcheck disable=SC2086 # a list of pids
kill -KILL $victims 2>/dev/null
