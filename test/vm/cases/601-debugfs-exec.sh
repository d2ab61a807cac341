# The debugfs exec file stays (issue 15) and shares the implementation of
# /dev/kpython: write-then-read with the status errnos, run-on-close.
. "$KPY_LIB"
f=$KPY_DEBUGFS_EXEC

[ -f "$f" ] || fail "$f is missing"
out=$(KPY_EXEC=$f kpython -c 'print("via debugfs")' 2>&1)
check_status "write-then-read" 0 $?
check_eq "write-then-read output" "via debugfs" "$out"

KPY_EXEC=$f kpython -c '1 // 0' >/tmp/601.out 2>/tmp/601.err
check_status "raise (EREMOTEIO)" 1 $?
check_contains "raise: traceback" /tmp/601.out "ZeroDivisionError"

t0=$(uptime_ms)
KPY_EXEC=$f kpython -c 'while True: pass' >/tmp/601.out 2>/tmp/601.err
st=$?
t=$(($(uptime_ms) - t0))
check_status "time limit (ETIME)" 124 "$st"
limit=$(cat /sys/module/kpython/parameters/timeout_ms)
[ "$t" -ge $((limit - 20)) ] || fail "time limit: stopped after $t ms, limit $limit"
note "time limit through debugfs: stopped after $t ms (limit $limit)"

before=$(klog_lines)
echo 'print("run on close via debugfs, 601")' >"$f"
sleep 0.2
dmesg | tail -n +$((before + 1)) >/tmp/601.log
check_contains "run on close" /tmp/601.log "run on close via debugfs, 601"
module_works "after debugfs"
finish
