# /dev/kpython (issue 15): a root-only misc character device with the exec
# file's two behaviours, write-then-read and run-on-close.
. "$KPY_LIB"
dev=/dev/kpython

[ -c "$dev" ] || fail "$dev is not a character device"
set -- $(ls -ln "$dev")
check_eq "mode" "crw-------" "$1"
check_eq "owner uid" 0 "$3"
check_eq "owner gid" 0 "$4"
[ -e /sys/class/misc/kpython/dev ] || fail "no /sys/class/misc/kpython"

# Write, then read on the same descriptor: output, then the status errno.
exec 3<>"$dev"
printf 'print("via the device")\nprint(6 * 7)\n' >&3
out=$(cat <&3 2>/tmp/600.err)
st=$?
exec 3<&-
check_status "write-then-read" 0 "$st"
check_eq "write-then-read output" "via the device
42" "$out"

exec 3<>"$dev"
printf 'print("before")\nraise ValueError("from the device")\n' >&3
cat <&3 >/tmp/600.out 2>/tmp/600.err
st=$?
exec 3<&-
[ "$st" != 0 ] || fail "a raising script: the final read succeeded"
check_contains "raise: output" /tmp/600.out "before"
check_contains "raise: traceback" /tmp/600.out "ValueError: from the device"
check_contains "raise: errno" /tmp/600.err "Remote I/O error"

# Run on close: the output goes to the kernel log.
before=$(klog_lines)
echo 'print("run on close via the device, 600")' >"$dev"
sleep 0.2
dmesg | tail -n +$((before + 1)) >/tmp/600.log
check_contains "run on close" /tmp/600.log "run on close via the device, 600"

# The client defaults to the device.
out=$(kpython -c 'print("client default")' 2>&1)
check_eq "client" "client default" "$out"
finish
