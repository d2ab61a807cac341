# A FIFO that never delivers (or never drains) holds a script only until
# its time limit; one without a writer reads as empty.
. "$KPY_LIB"

limit=$(cat /sys/module/kpython/parameters/timeout_ms)
# The driver's overshoot bound (a debug kernel scales it).
over=$((1500 * ${CASE_TIMEOUT_SCALE:-1}))
mkfifo /tmp/kpy-521 /tmp/kpy-521w

# timed LABEL CODE: CODE must end with the time limit, within the overshoot.
timed() {
	t0=$(uptime_ms)
	kpython -c "$2" >/tmp/kpy-521.out 2>&1
	st=$?
	dt=$(($(uptime_ms) - t0))
	note "$1: exit $st after $dt ms"
	check_status "$1" 124 "$st"
	check_contains "$1" /tmp/kpy-521.out opened
	check_lacks "$1" /tmp/kpy-521.out escaped
	[ "$dt" -le $((limit + over)) ] || fail "$1: $dt ms for a limit of $limit ms"
	[ "$dt" -ge $((limit - 20)) ] || fail "$1: ended after $dt ms, before the limit"
}

# No writer: EOF at once.
out=$(kpython -c 'print(open("/tmp/kpy-521", "rb").read())' 2>&1)
check_eq "fifo without a writer" "b''" "$out"

# A writer holds it open (fd 4, read-write so that nothing blocks) and
# never writes.
exec 4<>/tmp/kpy-521
timed "read of a silent fifo" 'f = open("/tmp/kpy-521", "rb")
print("opened")
try:
    f.read(10)
except BaseException:
    pass
print("escaped")'
timed "readline of a silent fifo" 'f = open("/tmp/kpy-521")
print("opened")
for line in f:
    print("escaped")'
exec 4<&-

# A reader holds the other one open and never reads: writing fills the pipe.
exec 5<>/tmp/kpy-521w
timed "write into a full fifo" 'f = open("/tmp/kpy-521w", "wb")
print("opened")
while True:
    f.write(b"x" * 65536)'
exec 5<&-

# No reader at all: open for writing fails at once (O_NONBLOCK), ENXIO.
out=$(kpython -c 'import errno
try:
    open("/tmp/kpy-521w", "w")
except OSError as e:
    print(errno.errorcode[e.errno])' 2>&1)
check_eq "fifo without a reader" ENXIO "$out"
rm -f /tmp/kpy-521 /tmp/kpy-521w /tmp/kpy-521.out
module_works "fifo"
finish
