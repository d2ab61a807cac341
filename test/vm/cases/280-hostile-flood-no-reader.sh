# A flooding script run by a plain write (no reader: its output goes only to
# the kernel log) is rate-limited and stopped by the time limit.
. "$KPY_LIB"
before=$(klog_lines)
t0=$(uptime_ms)
echo 'while True:
    print("unread flood")' >"$KPY_EXEC"
dt=$(($(uptime_ms) - t0))
n=$(($(klog_lines) - before))
note "echo > exec: $dt ms, $n new kernel log lines"
[ "$n" -le 1000 ] || fail "$n kernel log lines (at most 1000)"
limit=$(cat /sys/module/kpython/parameters/timeout_ms)
[ "$dt" -le $((limit + 1000)) ] || fail "the write returned after $dt ms (limit $limit ms)"
finish
