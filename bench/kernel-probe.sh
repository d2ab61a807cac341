#!/bin/bash
# The `kernel` module's costs, measured in test/vm's rig (one boot):
#  1. a probe on vfs_read under a read loop on the other CPU: hits/s the
#     handler takes, events/s a script consumes, and the drop rate;
#  2. the overhead one probe hit adds: N one-byte reads of /dev/zero
#     (readloop.c, one vfs_read() each) timed without and with a probe whose
#     ring has room for all of them (median of R runs each);
#  3. the cost of kernel.tasks() with about 100 tasks.
#
# usage: bench/kernel-probe.sh [R]      (default R=3)
# Environment: KPY_VM_SERIES etc. as for test/vm/run.sh. Under TCG (no KVM)
# everything is slower than on hardware; the ratios are what carries over.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
reads=50000
cache=$top/.cache/bench/kernel-probe
mkdir -p "$cache"
cases=$(mktemp -d)
trap 'rm -rf "$cases"' EXIT
gcc -O2 -static -Wall -o "$cases/readloop" "$top/bench/kernel-probe/readloop.c"

cat >"$cases/10-kernel-probe.sh" <<CASE
. "\$KPY_LIB"
runs=$runs reads=$reads
CASE
cat >>"$cases/10-kernel-probe.sh" <<'CASE'
echo 60000 >/sys/module/kpython/parameters/timeout_ms
say() { echo "KBENCH $*" >/dev/console; }

# 1. Throughput under a read loop (the shell's read: one byte per call).
( while :; do read -r l </proc/version; done ) &
load=$!
sleep 1
out=$(kpython -c 'import kernel
with kernel.kprobe("vfs_read", nargs=3) as p:
    t0 = kernel.ktime_ns()
    n = 0
    for e in p.events(3000):
        n += 1
    dt = kernel.ktime_ns() - t0
left = sum(1 for e in p.events(0))
print("hits_per_s", p.hits * 1000000000 // dt, "consumed_per_s", n * 1000000000 // dt,
      "dropped", p.dropped, "hits", p.hits, "drop_pct", p.dropped * 100 // max(p.hits, 1),
      "left", left)')
say "throughput $out"
kill "$load"; wait "$load" 2>/dev/null

# 2. Per-hit overhead: the same loop without and with a probe.
i=0
while [ "$i" -lt "$runs" ]; do
	say "base $(./readloop "$reads")"
	kpython -c 'import kernel, time
with kernel.kprobe("vfs_read", capacity=65536) as p:
    time.sleep_ms(15000)
print(p.hits, p.dropped)' >/tmp/probe.out 2>&1 &
	client=$!
	# Listed once registered (disabled), armed at __enter__.
	while ! grep vfs_read /sys/kernel/debug/kprobes/list 2>/dev/null |
		grep -qv DISABLED; do
		sleep 0.05
	done
	say "probed $(./readloop "$reads")"
	wait "$client"
	say "probe-stats $(cat /tmp/probe.out)"
	i=$((i + 1))
done

# 3. kernel.tasks() with about 100 tasks.
n=0
while [ "$(ls -d /proc/[0-9]* | wc -l)" -lt 100 ] && [ "$n" -lt 200 ]; do
	sleep 600 &
	n=$((n + 1))
done
out=$(kpython -c 'import kernel, gc
kernel.tasks()
gc.collect()
t0 = kernel.ktime_ns()
for i in range(20):
    ts = kernel.tasks()
dt = (kernel.ktime_ns() - t0) // 20
# The snapshot alone (kern_tasks) is what a kprobe on it sees: entry to return.
with kernel.kretprobe("kern_tasks") as r, kernel.kprobe("kern_tasks") as e:
    kernel.tasks()
    snap = list(r.events(0))[0].ts_ns - list(e.events(0))[0].ts_ns
t0 = kernel.ktime_ns()
for i in range(20):
    c = kernel.current()
dc = (kernel.ktime_ns() - t0) // 20
print("tasks", len(ts), "us_per_call", dt // 1000, "snapshot_us", snap // 1000,
      "current_us", dc // 1000)')
say "tasks $out"
kill $(jobs -p) 2>/dev/null
finish
CASE
echo 500 >"$cases/10-kernel-probe.timeout"

out=$(KPY_VM_CASES=$cases KPY_VM_TIMEOUT=650 KPY_VM_OUT=$cache/run \
	"$top/test/vm/run.sh" 2>/dev/null) || {
	echo "$out" >&2
	echo "kernel-probe: the VM run failed" >&2
	exit 1
}
grep -- '--- timings' <<<"$out" | sed 's/^--- //'
grep -ao 'KBENCH .*' "$cache/run/console.log" | tr -d '\r' | sed 's/^KBENCH //' |
	awk -v reads="$reads" '
	function median(a, k,   i, j, t) {
		for (i = 1; i <= k; i++)
			for (j = i + 1; j <= k; j++)
				if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	function least(a, k,   i, m) {
		m = a[1]
		for (i = 2; i <= k; i++) if (a[i] < m) m = a[i]
		return m
	}
	$1 == "base" { b[++nb] = $2; next }
	$1 == "probed" { pr = $2; next }
	# A probed run counts only if the probe saw every read of it.
	$1 == "probe-stats" { print; if ($2 >= reads) p[++np] = pr; next }
	{ print }
	END {
		if (nb && np) {
			lb = least(b, nb); lp = least(p, np)
			mb = median(b, nb); mp = median(p, np)
			printf "readloop %d reads, ns/read: without a probe min %.0f median %.0f (%d runs); with min %.0f median %.0f (%d runs)\n",
				reads, lb / reads, mb / reads, nb, lp / reads, mp / reads, np
			printf "per-hit overhead: %.0f ns (min vs min), %.0f ns (median vs median)\n",
				(lp - lb) / reads, (mp - mb) / reads
		}
	}'
