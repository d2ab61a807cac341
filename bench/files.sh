#!/bin/bash
# File read throughput: open().read() and readinto() in the module against
# busybox cat of the same file, in test/vm's rig (one boot).
#
# usage: bench/files.sh [MiB]      (default 64; the file lives in the
#                                   guest's tmpfs, so the page cache is hot)
# Prints MiB/s for: cat FILE >/dev/null, f.read() of the whole file (one
# allocation on a heap big enough), f.readinto() of a 1 MiB buffer in a
# loop, and line iteration over a 1 MiB text file (unbuffered: one read
# call per byte, so it is the slow path), each the best of 5.
# Environment: KPY_VM_* as for test/vm/run.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mib=${1:-64}
cache=$top/.cache/bench/files
mkdir -p "$cache"
cases=$(mktemp -d)
trap 'rm -rf "$cases"' EXIT

cat >"$cases/10-files.sh" <<CASE
. "\$KPY_LIB"
f=/tmp/bench-file
dd if=/dev/urandom of=\$f bs=1048576 count=$mib 2>/dev/null
awk 'BEGIN { for (i = 0; i < 16384; i++) printf "line %058d\n", i }' >/tmp/bench-lines
cat \$f >/dev/null
best=999999
for i in 1 2 3 4 5; do
	t0=\$(awk '{ print \$1 * 1000 }' /proc/uptime)
	for j in 1 2 3 4 5 6 7 8; do cat \$f >/dev/null; done
	t1=\$(awk '{ print \$1 * 1000 }' /proc/uptime)
	dt=\$(( (t1 - t0) / 8 ))
	[ "\$dt" -lt "\$best" ] && best=\$dt
done
echo "FILES cat \$(awk -v m=$mib -v t=\$best 'BEGIN { printf "%.0f", m * 1000 / (t > 0 ? t : 5) }') MiB/s (best of 5, 10 ms clock, \$best ms)" >/dev/console
kpython -c 'import gc, time
p = "/tmp/bench-file"
size = $mib * 1048576
def best(fn):
    b = None
    for i in range(5):
        gc.collect()
        t = time.ticks_us()
        fn()
        dt = time.ticks_diff(time.ticks_us(), t)
        b = dt if b is None or dt < b else b
    return size * 1000000 // b // 1048576
def whole():
    with open(p, "rb") as f:
        assert len(f.read()) == size
def into():
    buf = bytearray(1048576)
    with open(p, "rb") as f:
        while f.readinto(buf):
            pass
print("FILES read()", best(whole), "MiB/s")
print("FILES readinto(1 MiB)", best(into), "MiB/s")
def lines():
    n = 0
    for line in open("/tmp/bench-lines"):
        n += 1
    assert n == 16384
t = time.ticks_us()
lines()
print("FILES line iteration", 1048576 * 1000000 // time.ticks_diff(time.ticks_us(), t) // 1024, "KiB/s")' >/tmp/bench.out 2>&1
st=\$?
cat /tmp/bench.out >/dev/console
check_status "bench script" 0 \$st
finish
CASE
echo 600 >"$cases/10-files.timeout"
KPY_VM_CASES=$cases KPY_VM_MEM=${KPY_VM_MEM:-1024} \
	KPY_VM_MODULE_ARGS="timeout_ms=60000 heap_kb=$(( (4 * mib + 32) * 1024 ))" \
	KPY_VM_TIMEOUT=900 KPY_VM_OUT=$cache/run "$top/test/vm/run.sh" >/dev/null 2>&1 || {
	echo "files: the VM run failed (console: $cache/run/console.log)" >&2
	exit 1
}
grep -ao 'FILES .*' "$cache/run/console.log" | tr -d '\r' | sed 's/^FILES //'
