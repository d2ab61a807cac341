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

# Interleaved rounds: each round runs every script once in kpython and once
# in the unix port, back to back, so load from outside the VM falls on both
# sides alike. Reported: the median time of each side and the median of
# the per-round ratios (unix ms / kpython ms: above 1 means kpython is faster).
rounds=11
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for b in loop fib bigint float; do
	: >"/tmp/$b.k"
	: >"/tmp/$b.u"
	: >"/tmp/$b.r"
done
r=0
while [ $r -lt $rounds ]; do
	for b in loop fib bigint float; do
		k=$(kpython "$b.bpy")
		u=$(./micropython-unix "$b.bpy")
		echo "$k" >>"/tmp/$b.k"
		echo "$u" >>"/tmp/$b.u"
		awk -v k="$k" -v u="$u" 'BEGIN { printf "%.4f\n", u / (k > 0 ? k : 1) }' >>"/tmp/$b.r"
	done
	r=$((r + 1))
done
for b in loop fib bigint float; do
	echo "BENCH cpu $b kpython_ms=$(median <"/tmp/$b.k") unix_ms=$(median <"/tmp/$b.u")" \
		"ratio=$(median <"/tmp/$b.r") rounds=$rounds" \
		"ratio_range=$(sort -n "/tmp/$b.r" | head -n 1)..$(sort -n "/tmp/$b.r" | tail -n 1)"
done

echo "BENCH spectre_v2 $(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2)"
# What else the kernel patched in for this CPU (return thunks, page tables).
for v in retbleed spec_rstack_overflow meltdown; do
	[ -r "/sys/devices/system/cpu/vulnerabilities/$v" ] &&
		echo "BENCH $v $(cat "/sys/devices/system/cpu/vulnerabilities/$v")"
done
grep -E "^(stack|fpu|poll)" /sys/kernel/debug/kpython/stats | sed "s/^/BENCH stats /"
