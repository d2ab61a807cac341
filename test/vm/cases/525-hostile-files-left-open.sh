# Files a script leaves open are closed when it ends: normally, raising,
# or stopped by the time limit. Checked by space: an unlinked file's
# blocks come back only when its last open file is closed.
. "$KPY_LIB"

d=/tmp/kpy-525
mkdir -p "$d"
mount -t tmpfs -o size=16m tmpfs "$d" || { fail "mount tmpfs"; finish; }
used_kb() {
	df -k "$d" | awk 'NR == 2 { print $3 }'
}

# leaves LABEL STATUS CODE
leaves() {
	dd if=/dev/zero of="$d/big" bs=1024 count=8192 2>/dev/null
	kpython -c "$3" >"$d.out" 2>&1
	check_status "$1" "$2" $?
	rm -f "$d/big"
	u=$(used_kb)
	note "$1: $u KiB used after unlink"
	[ "$u" -lt 1024 ] || fail "$1: $u KiB still used: the file is still open"
}

leaves "normal end" 0 'fs = [open("/tmp/kpy-525/big", "rb") for i in range(10)]
print(len(fs[0].read(4096)))'
leaves "exception" 1 'f = open("/tmp/kpy-525/big", "r+b")
f.write(b"x")
raise ValueError'
leaves "time limit" 124 'fs = [open("/tmp/kpy-525/big", "rb") for i in range(60)]
while True:
    pass'
leaves "time limit in a read loop" 124 'f = open("/tmp/kpy-525/big", "rb")
while True:
    f.seek(0)
    f.read(65536)'
leaves "memory error" 1 'f = open("/tmp/kpy-525/big", "rb")
x = [f] * (1 << 40)'

# The table of open files is per execution: 64 files each time.
for i in 1 2 3; do
	out=$(kpython -c 'fs = [open("/proc/version") for i in range(64)]
print(len(fs))' 2>&1)
	check_eq "64 files, run $i" 64 "$out"
done
out=$(kpython -c 'import errno
fs = []
try:
    while True:
        fs.append(open("/proc/version"))
except OSError as e:
    print(len(fs), errno.errorcode[e.errno])
fs.pop().close()
fs.append(open("/proc/version"))
print(len(fs))' 2>&1)
check_eq "65th file" "64 EMFILE
64" "$out"
umount "$d"
rm -f "$d.out"
module_works "left open"
finish
