# Helpers for scripted test cases (cases/*.sh), sourced by them as
#   . "$KPY_LIB"
# A case passes if it exits 0. Report mismatches with check_* (they record
# the failure and go on) and end the case with "finish".

# The exec interface cases write to directly (the client picks its own).
KPY_EXEC=${KPY_EXEC:-/dev/kpython}
KPY_DEBUGFS_EXEC=/sys/kernel/debug/kpython/exec
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

note() {
	echo "$*"
}

# uptime_ms: milliseconds since boot (10 ms resolution).
uptime_ms() {
	awk '{ split($1, a, "."); print a[1] * 1000 + a[2] * 10 }' /proc/uptime
}

# meminfo_kb FIELD: a /proc/meminfo value in KiB.
meminfo_kb() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# show [FILE]: quote a file (or stdin) in a failure report.
# shellcheck disable=SC2120 # the file argument is optional
show() {
	awk '{ print "  | " $0 }' "$@"
}

# check_eq WHAT EXPECTED GOT
check_eq() {
	if [ "$2" = "$3" ]; then
		return 0
	fi
	fail "$1: expected '$2', got '$3'"
	return 1
}

# check_status WHAT EXPECTED GOT
check_status() {
	check_eq "$1: exit status" "$2" "$3"
}

# check_file_eq WHAT EXPECTED_FILE GOT_FILE: byte-exact comparison.
check_file_eq() {
	if cmp -s "$2" "$3"; then
		return 0
	fi
	fail "$1: output differs (expected $(wc -c <"$2") bytes, got $(wc -c <"$3"))"
	diff -u "$2" "$3" | head -n 40
	return 1
}

# check_contains WHAT FILE STRING: FILE contains the fixed string.
check_contains() {
	if grep -qF -- "$3" "$2"; then
		return 0
	fi
	fail "$1: output lacks '$3'; got:"
	head -c 2000 "$2" | show
	return 1
}

# check_lacks WHAT FILE STRING: FILE does not contain the fixed string.
check_lacks() {
	if ! grep -qF -- "$3" "$2"; then
		return 0
	fi
	fail "$1: output unexpectedly contains '$3'; got:"
	head -c 2000 "$2" | show
	return 1
}

# module_works: a trivial script still runs and returns its output.
module_works() {
	_mw=$(kpython -c 'print(6 * 7)' 2>&1)
	_st=$?
	check_status "$1: follow-up script" 0 "$_st" &&
		check_eq "$1: follow-up output" 42 "$_mw"
}

# live_procs NAME...: "pid:state" of processes (not zombies) with that command
# name, e.g. the client ("kpython") and its reader ("cat").
live_procs() {
	for _p in /proc/[0-9]*; do
		_stat=$(cat "$_p/stat" 2>/dev/null) || continue
		_comm=${_stat#*(}
		_comm=${_comm%%)*}
		_state=${_stat##*) }
		_state=${_state%% *}
		[ "$_state" = Z ] && continue
		for _n in "$@"; do
			[ "$_comm" = "$_n" ] && printf '%s:%s ' "${_p#/proc/}" "$_state"
		done
	done
}

# wait_gone PID TIMEOUT_MS: wait until PID has exited (or is a zombie).
wait_gone() {
	_end=$(($(uptime_ms) + $2))
	while [ -d "/proc/$1" ]; do
		_st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
		[ "$_st" = Z ] && return 0
		[ "$(uptime_ms)" -lt "$_end" ] || return 1
		sleep 0.05
	done
	return 0
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed"
		exit 1
	fi
	exit 0
}

# klog_lines: how many lines the kernel log holds now (to count what a case
# added to it).
klog_lines() {
	dmesg | wc -l
}

# flood_case LABEL STATUS MAX_LINES CODE: CODE ends with STATUS, its output
# reaches the caller, and it adds at most MAX_LINES lines to the kernel log.
flood_case() {
	_before=$(klog_lines)
	kpython -c "$4" >/tmp/flood.out 2>/tmp/flood.err
	_st=$?
	_n=$(($(klog_lines) - _before))
	note "$1: exit $_st, $(wc -c </tmp/flood.out) bytes of output, $_n new kernel log lines"
	check_status "$1" "$2" "$_st"
	[ -s /tmp/flood.out ] || fail "$1: no output reached the caller"
	[ "$_n" -le "$3" ] || fail "$1: $_n kernel log lines (at most $3)"
}

# kprobes_gone WHAT: no kprobe is left in debugfs's list. Its size reads
# 0 whatever it holds, so the lines are counted. Kernels with the kprobe
# optimizer (the debug tier's) free an optimized probe asynchronously after
# an RCU-tasks grace period: it may stay listed a while after it was
# unregistered, so this waits (up to 10 s, scaled) before it fails.
kprobes_gone() {
	_kl=/sys/kernel/debug/kprobes/list
	_i=0
	while grep -q . "$_kl" 2>/dev/null; do
		if [ "$_i" -ge $((200 * ${CASE_TIMEOUT_SCALE:-1})) ]; then
			fail "$1: probes left in $_kl:"
			show "$_kl"
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	return 0
}
