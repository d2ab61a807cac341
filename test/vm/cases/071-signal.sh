# A client killed while its script runs (SIGKILL, SIGINT and SIGTERM to its
# process group, as a terminal's Ctrl-C would) ends promptly, leaves no
# process behind, and the module keeps working.
. "$KPY_LIB"

param=/sys/module/kpython/parameters/timeout_ms
limit=$(cat "$param" 2>/dev/null)
# With a long time limit, only the signal can end the script in time.
if [ -n "$limit" ] && echo 30000 >"$param" 2>/dev/null &&
	[ "$(cat "$param")" = 30000 ]; then
	budget=5000
	note "timeout_ms raised from $limit to 30000 for this case"
else
	budget=$((${limit:-2000} / 3))
	note "timeout_ms=$limit is read-only; the client must end within $budget ms of the signal"
fi

# killed LABEL SIGNAL: run a busy client in the foreground, in its own
# process group (a background job would ignore SIGINT); a background killer
# signals that group once the script runs.
killed() {
	rm -f /tmp/killed.pid /tmp/killed.t0
	(
		while ! [ -s /tmp/killed.pid ]; do sleep 0.05; done
		sleep 0.5
		uptime_ms >/tmp/killed.t0
		kill "-$2" "-$(cat /tmp/killed.pid)"
	) &
	killer=$!
	sh -c 'echo $$ >/tmp/killed.pid; exec setsid kpython -c "while True:
    pass"' >/tmp/killed.out 2>&1
	st=$?
	t1=$(uptime_ms)
	wait "$killer"
	dt=$((t1 - $(cat /tmp/killed.t0 2>/dev/null || echo 0)))
	note "$1: client exit status $st, $dt ms after the signal"
	[ "$dt" -le "$budget" ] ||
		fail "$1: client ended $dt ms after SIG$2 (budget $budget ms)"
	[ "$st" -gt 128 ] || {
		fail "$1: client was not killed by the signal (exit $st):"
		show /tmp/killed.out
	}
	sleep 0.2
	left=$(live_procs kpython cat)
	[ -z "$left" ] || fail "$1: processes left behind: $left"
	module_works "$1"
}

killed "SIGKILL" KILL
killed "SIGINT" INT
killed "SIGTERM" TERM

# SIGTERM to the client process alone (kill PID, timeout(1)): the client
# passes it on to its reader, so the script stops and the module is free.
kpython -c 'while True:
    pass' >/tmp/alone.out 2>&1 &
client=$!
sleep 1
t0=$(uptime_ms)
kill -TERM "$client"
wait "$client"
st=$?
out=$(kpython -c 'print("next")')
dt=$(($(uptime_ms) - t0))
note "SIGTERM to the client alone: exit status $st; next script ran ${dt} ms after the signal"
[ "$st" -gt 128 ] || fail "SIGTERM to the client alone: exit status $st"
[ "$out" = next ] || fail "SIGTERM to the client alone: next script printed '$out'"
[ "$dt" -le "$budget" ] ||
	fail "SIGTERM to the client alone: next script ran $dt ms after the signal (budget $budget ms)"
left=$(live_procs kpython cat)
[ -z "$left" ] || fail "SIGTERM to the client alone: processes left behind: $left"

# After the signals, a runaway script is still stopped by the time limit.
[ -n "$limit" ] && echo "$limit" >"$param" 2>/dev/null
kpython -c 'while True:
    pass' >/dev/null 2>&1
check_status "time limit after the signals" 124 $?
module_works "after the signals"

finish
