# The three examples of the README's `kernel` section, verbatim (keep them
# in step): they run and print what the README says they print.
. "$KPY_LIB"

# Count vfs_read calls per process for a second (a reader loop as load).
# Events recorded in that second are all consumed, which under TCG takes
# longer than the rig's 2 s time limit.
param=/sys/module/kpython/parameters/timeout_ms
limit=$(cat "$param")
echo $((20000 * ${CASE_TIMEOUT_SCALE:-1})) >"$param"
# The reader and the script share CPU 0: the probe's text is patched while
# no other CPU runs the reader (see kprobe-hot.inc for why).
taskset -c 0 sh -c 'while :; do read -r l </proc/version; done' &
load=$!
taskset -c 0 kpython - >/tmp/ex1.out 2>&1 <<'PY'
import kernel
counts = {}
with kernel.kprobe("vfs_read") as p:
    for e in p.events(1000):
        counts[e.comm] = counts.get(e.comm, 0) + 1
for comm, n in sorted(counts.items(), key=lambda kv: -kv[1]):
    print(n, comm)
print("dropped", p.dropped)
PY
st=$?
kill "$load"
wait "$load" 2>/dev/null
echo "$limit" >"$param"
check_status "vfs_read counts" 0 "$st"
# The reader loop is the busy one: first, with at least 100 reads.
set -- $(head -n 1 /tmp/ex1.out)
[ "${1:-0}" -gt 100 ] && [ "${2:-}" = sh ] ||
	{ fail "vfs_read counts: the reader loop is not first"; show /tmp/ex1.out; }
tail -n 1 /tmp/ex1.out | grep -Eq '^dropped [0-9]+$' ||
	{ fail "vfs_read counts: no dropped line"; show /tmp/ex1.out; }

# The ten largest processes by RSS.
kpython - >/tmp/ex2.out 2>&1 <<'PY'
import kernel
procs = [t for t in kernel.tasks() if t.pid == t.tgid]
for t in sorted(procs, key=lambda t: -t.rss)[:10]:
    print(t.pid, t.comm, t.rss // 1024, "KiB")
PY
check_status "largest by RSS" 0 "$?"
n=$(wc -l </tmp/ex2.out)
[ "$n" -ge 1 ] && [ "$n" -le 10 ] || { fail "largest by RSS: $n lines"; show /tmp/ex2.out; }
awk '$4 != "KiB" || (NR > 1 && $3 > prev) { bad = 1 } { prev = $3 } END { exit bad }' \
	/tmp/ex2.out || { fail "largest by RSS: not 'pid comm N KiB', largest first"; show /tmp/ex2.out; }
# The largest is a user process with memory (the kernel's threads have none).
set -- $(head -n 1 /tmp/ex2.out)
[ "${3:-0}" -gt 0 ] || { fail "largest by RSS: no RSS"; show /tmp/ex2.out; }

# A module's size.
check_eq "module size" "[$(awk '$1 == "kpython" { print $2 }' /proc/modules)]" \
	"$(kpython -c 'import kernel
print([m.size for m in kernel.modules() if m.name == "kpython"])')"
finish
