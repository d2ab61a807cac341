#!/bin/sh
# Runs inside the VM (as a case of test/vm's driver); prints BENCH lines.
# The case library names the exec interface (KPY_EXEC) cases write to.
. "$KPY_LIB"
up() { cut -d' ' -f1 /proc/uptime; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

n=300
t0=$(up)
i=0
while [ $i -lt $n ]; do
	exec 3<>"$KPY_EXEC"
	printf 'print(1)' >&3
	read -r _ <&3
	exec 3>&-
	i=$((i + 1))
done
t1=$(up)
echo "BENCH exec_print1_per_s $(rate $n "$t0" "$t1")"

n=100
t0=$(up)
i=0
while [ $i -lt $n ]; do
	kpython -c 'print(1)' >/dev/null
	i=$((i + 1))
done
t1=$(up)
echo "BENCH client_print1_per_s $(rate $n "$t0" "$t1")"

# best of 5 runs each
best() { sort -n | head -n 1; }
for b in loop fib bigint float; do
	k=$(for r in 1 2 3 4 5; do kpython "$b.bpy"; done | best)
	u=$(for r in 1 2 3 4 5; do ./micropython-unix "$b.bpy"; done | best)
	echo "BENCH cpu $b kpython_ms=$k unix_ms=$u"
done

echo "BENCH spectre_v2 $(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2)"
grep -E "^(stack|fpu|poll)" /sys/kernel/debug/kpython/stats | sed "s/^/BENCH stats /"
