# FPU state under preemption (issue 10): a float script and a user-space
# float workload (busybox awk) share CPU 0 of a preempt=full kernel; both
# results must stay bit-exact. Without FPU sections the kernel would
# either run the script on the workload's registers (when preempted in the
# middle of a computation) or leave its own in them for the workload.
. "$KPY_LIB"

# Full preemption: chosen at boot (PREEMPT_DYNAMIC, test/vm/run.sh passes
# preempt=full; the boot log says "Dynamic Preempt: full", sched debugfs
# shows it where it exists) or built in (CONFIG_PREEMPT, "PREEMPT" in
# uname -v).
if [ -e /sys/kernel/debug/sched/preempt ]; then
	mode=$(cat /sys/kernel/debug/sched/preempt)
elif dmesg | grep -q 'Dynamic Preempt: '; then
	mode=$(dmesg | grep -o 'Dynamic Preempt: [a-z]*' | tail -n 1)
else
	mode="uname -v: $(uname -v)"
fi
case $mode in
*"(full)"* | *"Preempt: full" | *" PREEMPT "*) ;;
*)
	note "needs a fully preemptible kernel ($mode)"
	exit 77
	;;
esac

work=$(mktemp -d)
# Arithmetic only: busybox's awk is built without its math functions.
prog='BEGIN { s = 0; p = 1; for (i = 1; i <= 12000; i++) {
	x = i * 0.001; s += x / (1 + x * x) - x * 0.5; p = p * 1.0000001 + 1e-9 }
	printf "%.17g %.17g\n", s, p }'

# References, each alone on the CPU; the script's also from CPython.
ref_awk=$(taskset 1 awk "$prog")
ref_py=$(taskset 1 kpython 407-float-preempt.work)
check_eq "script alone" "4167.169603552036 1.00040397975075" "$ref_py"

# The workload runs again and again until the script has run 4 times.
(
	i=0
	while [ ! -e "$work/stop" ] && [ $i -lt 50 ]; do
		taskset 1 awk "$prog" >"$work/awk.$i"
		i=$((i + 1))
	done
) &
bg=$!
sections0=$(sed -n 's/^fpu_sections //p' /sys/kernel/debug/kpython/stats)
runs=0
while [ $runs -lt 4 ]; do
	out=$(taskset 1 kpython 407-float-preempt.work)
	check_eq "script run $runs beside the workload" "$ref_py" "$out"
	runs=$((runs + 1))
done
: >"$work/stop"
wait "$bg"
sections1=$(sed -n 's/^fpu_sections //p' /sys/kernel/debug/kpython/stats)
for f in "$work"/awk.*; do
	check_eq "workload ${f##*/} beside the script" "$ref_awk" "$(cat "$f")"
done
n=$(ls "$work" | grep -c '^awk\.')
[ "$n" -ge 1 ] || fail "the workload never ran beside the script"
note "$runs script runs beside $n workload runs on CPU 0 ($mode);" \
	"$((sections1 - sections0)) FPU sections"
rm -rf "$work"
finish
