# Helpers of the signed-script cases (6NN, issue 15), sourced after lib.sh:
#   . "$KPY_LIB"; . "${KPY_LIB%/*}/sig-lib.sh"
# Fixtures are in sig/ of the cases directory (test/vm/sig-fixtures.sh).

sig_stat() {
	awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/kpython/stats
}

# refusal_lines: how many "kpython: refused" lines the kernel log holds.
refusal_lines() {
	dmesg | grep -c 'kpython: refused'
}

# klog_since_mark MARK: the kernel log from the line MARK on, looked for in
# the last 40 lines only (one short read of the log, not two whole ones).
klog_since_mark() {
	dmesg | tail -n 40 | sed -n "/$1/,\$p"
}

# expect_refused LABEL CLIENT-MESSAGE LOG-REASON CLIENT-ARGS...: the client
# exits 2 with CLIENT-MESSAGE on stderr and no output, the kernel log gains
# exactly one refusal line containing LOG-REASON, and nothing ran.
expect_refused() {
	_label=$1 _msg=$2 _reason=$3
	shift 3
	_runs=$(sig_stat runs) _ref=$(sig_stat refused)
	_mark="kpy-rig: sig-mark $(uptime_ms)"
	echo "$_mark" >/dev/kmsg
	kpython "$@" >/tmp/sig.out 2>/tmp/sig.err
	check_status "$_label" 2 $?
	if [ -s /tmp/sig.out ]; then
		fail "$_label: the refused script produced output:"
		show /tmp/sig.out
	fi
	check_contains "$_label: client message" /tmp/sig.err "$_msg"
	klog_since_mark "$_mark" >/tmp/sig.log
	[ -s /tmp/sig.log ] || fail "$_label: mark not in the last 40 kernel log lines"
	check_eq "$_label: new refusal lines in the kernel log" 1 \
		"$(grep -c 'kpython: refused' /tmp/sig.log)"
	check_contains "$_label: logged reason" /tmp/sig.log "$_reason"
	check_eq "$_label: runs (nothing ran)" "$_runs" "$(sig_stat runs)"
	check_eq "$_label: refused counter" $((_ref + 1)) "$(sig_stat refused)"
}

# Client messages for the two errnos.
NEEDS_SIGNATURE="the kernel requires a signed script"   # EPERM
BAD_SIGNATURE="signature does not verify"              # EKEYREJECTED

# expect_output LABEL EXPECTED CLIENT-ARGS...: the script runs, exit 0.
expect_output() {
	_label=$1 _want=$2
	shift 2
	_got=$(kpython "$@" 2>&1)
	check_status "$_label" 0 $?
	check_eq "$_label: output" "$_want" "$_got"
}

# set_policy VALUE: the signed_scripts parameter.
set_policy() {
	echo "$1" >/sys/module/kpython/parameters/signed_scripts ||
		fail "cannot set signed_scripts=$1"
}

# sessions_clean LABEL: no session or buffer left behind.
sessions_clean() {
	check_eq "$1: open_sessions" 0 "$(sig_stat open_sessions)"
	check_eq "$1: buffer_bytes" 0 "$(sig_stat buffer_bytes)"
}
