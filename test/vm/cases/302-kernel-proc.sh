# kernel.* against what /proc and uname say about the same kernel.
. "$KPY_LIB"

check_eq "release" "$(uname -r)" "$(kpython -c 'import kernel; print(kernel.release())')"
check_eq "version" "$(uname -v)" "$(kpython -c 'import kernel; print(kernel.version())')"
check_eq "cpus" "$(grep -c '^processor' /proc/cpuinfo)" \
	"$(kpython -c 'import kernel; print(kernel.cpus())')"

# meminfo: total is exact; the others move, so within 16 MiB.
out=$(kpython -c 'import kernel
m = kernel.meminfo()
print(m["total"] // 1024, m["free"] // 1024, m["available"] // 1024, m["cached"] // 1024, m["buffers"] // 1024)')
set -- $out
check_eq "meminfo total (KiB)" "$(meminfo_kb MemTotal)" "$1"
near() { # near WHAT A B
	d=$(($2 - $3)); [ "$d" -lt 0 ] && d=$((-d))
	[ "$d" -le 16384 ] || fail "$1: kernel $2 KiB, /proc $3 KiB"
}
near "meminfo free" "$2" "$(meminfo_kb MemFree)"
near "meminfo available" "$3" "$(meminfo_kb MemAvailable)"
near "meminfo cached" "$4" "$(meminfo_kb Cached)"
near "meminfo buffers" "$5" "$(meminfo_kb Buffers)"

# modules(): kpython itself, as /proc/modules shows it.
out=$(kpython -c 'import kernel
m = [m for m in kernel.modules() if m.name == "kpython"]
print(len(m), m[0].size, m[0].state, m[0].refcount >= 1, len(kernel.modules()))')
set -- $out
check_eq "modules: kpython listed once" 1 "$1"
check_eq "modules: kpython size" "$(awk '$1 == "kpython" { print $2 }' /proc/modules)" "$2"
check_eq "modules: state" live "$3"
check_eq "modules: refcount held by the open exec file" True "$4"
check_eq "modules: count" "$(wc -l </proc/modules)" "$5"

# symbol(): the addresses /proc/kallsyms shows root (functions, data,
# blacklisted functions, kpython's own symbols), and None for what it does
# not list: bookworm's arm64 kernel has no CONFIG_KALLSYMS_ALL, so no data
# symbols; the blacklisted function is the architecture's own.
case $(uname -m) in
aarch64) blacklisted=do_mem_abort ;;
*) blacklisted=do_int3 ;;
esac
syms="vfs_read jiffies $blacklisted linux_banner kern_read"
awk -v want=" $syms " 'index(want, " " $3 " ") && !seen[$3]++ { print $3, $1 }' \
	/proc/kallsyms | sort >/tmp/ks.listed
for s in $syms; do
	grep -q "^$s " /tmp/ks.listed || echo "$s None"
done | cat /tmp/ks.listed - | sort >/tmp/ks.want
kpython -c "import kernel
for s in '$syms'.split():
    a = kernel.symbol(s)
    print(s, 'None' if a is None else '%016x' % a)" | sort >/tmp/ks.got
check_file_eq "symbol() against /proc/kallsyms" /tmp/ks.want /tmp/ks.got
grep -q "^vfs_read " /tmp/ks.listed && grep -q "^kern_read " /tmp/ks.listed ||
	fail "kallsyms lists neither vfs_read nor kern_read"
note "symbols: $(wc -l </tmp/ks.listed) of 5 listed by /proc/kallsyms"

# read(): the banner is /proc/version (where kallsyms lists data).
if grep -q "^linux_banner " /tmp/ks.listed; then
	out=$(kpython -c 'import kernel
a = kernel.symbol("linux_banner")
b = kernel.read(a, 1000)
print(b[:b.index(b"\n")].decode())')
	check_eq "read(linux_banner)" "$(cat /proc/version)" "$out"
else
	note "read(linux_banner): skipped (no data symbols in kallsyms)"
fi

# tasks(): the same threads as /proc/*/task/*, with the same names,
# parents and states for the kernel threads (which do not move).
kpython -c 'import kernel
for t in kernel.tasks():
    print(t.pid, t.tgid, t.ppid, t.comm, t.uid)' | sort -n >/tmp/kt.tasks
# One awk over every thread's status (Uid comes after the others); a
# thread may end on the way (busybox awk stops at a file it cannot open).
for d in /proc/[0-9]*/task/[0-9]*; do
	cat "$d/status" 2>/dev/null
done | awk '$1 == "Name:" { n = $2 } $1 == "Pid:" { p = $2 } $1 == "Tgid:" { t = $2 }
	$1 == "PPid:" { pp = $2 } $1 == "Uid:" { print p, t, pp, n, $2 }' |
	sort -n >/tmp/kt.proc
# /proc shows a kernel thread's full name and a kworker's current work;
# the task's comm is the first 15 bytes of the name.
# User processes come and go (the rig's own helpers); kernel threads stay.
norm() {
	awk '$1 <= 2 || $3 == 2 {
		c = substr($4, 1, 15)
		if (c ~ /^kworker\//) sub(/-.*/, "", c)
		print $1, $2, $3, c, $5 }' "$1"
}
norm /tmp/kt.tasks >/tmp/kt.a
norm /tmp/kt.proc >/tmp/kt.b
check_file_eq "tasks() against /proc" /tmp/kt.b /tmp/kt.a
note "tasks: $(wc -l </tmp/kt.tasks) threads, $(wc -l </tmp/kt.a) compared"
[ "$(wc -l </tmp/kt.a)" -ge 20 ] || fail "tasks: fewer than 20 kernel threads compared"

# current(): the process that reads the exec file, as /proc shows it.
out=$(kpython -c 'import kernel
c = kernel.current()
print(c.pid, c.tgid, c.comm, c.rss > 0, c.state)')
set -- $out
check_eq "current: pid is tgid (a single-threaded reader)" "$1" "$2"
check_eq "current: running" R "$5"
check_eq "current: rss of a user process" True "$4"
note "current: $out"

finish
