# A runaway script is interrupted by the module's time limit (client exit
# 124), whatever it does to resist, and the next script runs normally.
. "$KPY_LIB"

limit=$(cat /sys/module/kpython/parameters/timeout_ms 2>/dev/null)
if [ -z "$limit" ]; then
	fail "no /sys/module/kpython/parameters/timeout_ms"
	limit=2000
fi
note "timeout_ms=$limit"

# limited LABEL CODE: CODE must end with exit 124 after about the limit.
limited() {
	t0=$(uptime_ms)
	kpython -c "$2" >/tmp/limited.out 2>/tmp/limited.err
	st=$?
	dt=$(($(uptime_ms) - t0))
	note "$1: exit $st after $dt ms"
	check_status "$1" 124 "$st"
	check_lacks "$1" /tmp/limited.out escaped
	check_lacks "$1: stderr" /tmp/limited.err "cat:"
	[ "$dt" -ge $((limit / 2)) ] ||
		fail "$1: returned after $dt ms, before the limit of $limit ms"
	[ "$dt" -le $((limit * 3 + 3000)) ] ||
		fail "$1: took $dt ms for a limit of $limit ms"
	module_works "$1"
}

limited "busy loop" 'while True:
    pass'

limited "bare except" 'try:
    while True:
        pass
except:
    print("escaped")'

limited "except BaseException in a loop" 'n = 0
while True:
    try:
        while True:
            n += 1
    except BaseException:
        pass
print("escaped")'

limited "loop in finally" 'try:
    while True:
        pass
finally:
    while True:
        pass
print("escaped")'

limited "sleep" 'import time
time.sleep_ms(600000)
print("escaped")'

# Loops that run in C, not in the VM (kernel_mod/patches/0001-*.patch).
limited "builtin iterating" 'print(sum(range(10 ** 12)))
print("escaped")'

limited "bigint arithmetic" 'x = 3 ** 200000
while True:
    x = x * x % (7 ** 150000)
print("escaped")'

limited "bigint to string" 'try:
    s = str(7 ** 300000)
except BaseException:
    pass
while True:
    pass
print("escaped")'

# Output written before the interruption is still delivered.
limited "partial output" 'print("partial")
while True:
    pass'
check_contains "partial output" /tmp/limited.out partial

finish
