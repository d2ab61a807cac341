#!/bin/sh
# conformance.sh - runs inside the test VM as a scripted case of the VM rig
# (test/vm/target/driver.sh loads kpython.ko before and unloads it after).
#
# Runs every script named in tests/list.txt with the client (one execution
# each, in a fresh interpreter) and sends the results to the host over the
# second serial port, away from the kernel messages on the console:
#   @@R <test> <status> <stdout md5> <centiseconds>
#   <stdout, base64>
#   @@E <stderr md5, or - when empty>
#   <stderr, base64>
#   @@END
# status: the client's exit status (0 ok, 1 raised, 124 the module's time
# limit, 137 killed by the per-test limit). The kernel's taint flags are read
# after every test; a change is reported as "@@TAINT <test> <flags>", and
# after an oops the run stops ("@@ABORT <test>"): the module's lock may be
# held forever.
#
# Per-test limit: seconds in tests/test-timeout (the module's own time limit,
# timeout_ms, is set above it and only acts as a backstop). Each client runs
# in a session of its own, and a watchdog kills the whole process group on
# time: killing the client's shell alone would leave its reader running the
# script, and every later test waiting for it.
# Forks are what costs time under emulation: the loop uses builtins where
# it can.
set -u

results=${KPY_CONF_TTY:-/dev/ttyS1}
limit=$(cat tests/test-timeout 2>/dev/null || echo 30)
tmp=/tmp/kpy-conf
mkdir -p "$tmp"

if ! [ -c "$results" ]; then
	echo "no results channel $results"
	exit 1
fi
stty -F "$results" raw -echo 115200 2>/dev/null
exec 5>"$results"

# The watchdog: the test running is in $tmp/current ("PID START_CS").
uptime_cs() {
	read -r _up _ </proc/uptime
	# Two decimals; the "1" keeps "09" from reading as octal.
	echo $((${_up%.*} * 100 + 1${_up#*.} - 100))
}
: >"$tmp/current"
(
	while sleep 1; do
		read -r _pid _start <"$tmp/current" || continue
		case ${_pid:-x}${_start:-x} in *[!0-9]*) continue ;; esac
		if [ $(($(uptime_cs) - _start)) -ge $((limit * 100)) ]; then
			kill -KILL "-$_pid" 2>/dev/null
		fi
	done
) &
watchdog=$!
trap 'kill $watchdog 2>/dev/null' EXIT

read -r taint0 </proc/sys/kernel/tainted
n=0
echo "@@START $(grep -c . tests/list.txt)" >&5
while read -r t; do
	[ -n "$t" ] || continue
	echo "<6>kpy-conf: test $t" >/dev/kmsg
	read -r up0 _ </proc/uptime
	cs0=$((${up0%.*} * 100 + 1${up0#*.} - 100))
	# From the test's own directory, as run-tests.py runs them: tests/io
	# opens data/... relative to it.
	(cd "tests/${t%/*}" && exec setsid kpython "${t##*/}") >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	echo "$pid $cs0" >"$tmp/current"
	wait "$pid"
	st=$?
	: >"$tmp/current"
	read -r up1 _ </proc/uptime
	cs=$((${up1%.*} * 100 + 1${up1#*.} - 100 - cs0))
	# shellcheck disable=SC2046 # split "MD5  -" into words
	set -- $(md5sum <"$tmp/out")
	printf '@@R %s %s %s %s\n' "$t" "$st" "$1" "$cs" >&5
	base64 <"$tmp/out" >&5
	if [ -s "$tmp/err" ]; then
		# shellcheck disable=SC2046
		set -- $(md5sum <"$tmp/err")
		printf '@@E %s\n' "$1" >&5
		base64 <"$tmp/err" >&5
	else
		echo "@@E -" >&5
	fi
	echo "@@END" >&5
	n=$((n + 1))

	read -r taint </proc/sys/kernel/tainted
	if [ "$taint" != "$taint0" ]; then
		echo "@@TAINT $t $taint" >&5
		echo "<6>kpy-conf: taint $taint after $t" >/dev/kmsg
		taint0=$taint
	fi
	if [ $((taint & 128)) -ne 0 ]; then
		echo "@@ABORT $t" >&5
		echo "kernel oops during $t; stopped after $n tests"
		exit 1
	fi
done <tests/list.txt
echo "@@DONE $n" >&5
echo "$n tests run"
