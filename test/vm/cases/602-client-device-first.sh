# The client uses /dev/kpython when it exists and falls back to the debugfs
# exec file when it does not (issue 15).
. "$KPY_LIB"
dev=/dev/kpython

mv "$dev" /dev/kpython.moved || { fail "cannot move $dev"; finish; }
out=$(kpython -c 'print("fallback")' 2>&1)
check_status "no device: falls back to debugfs" 0 $?
check_eq "fallback output" "fallback" "$out"
# Something else at the device's path: the client takes it (and gets no
# output back from a regular file), so it did not go to debugfs.
: >"$dev"
out=$(kpython -c 'print("not from debugfs")' 2>&1)
check_eq "device path preferred" "" "$out"
rm -f "$dev"
mv /dev/kpython.moved "$dev" || fail "cannot move $dev back"

# Neither: a clear message.
KPY_EXEC=/nonexistent/exec kpython -c 'print(1)' >/tmp/602.out 2>&1
check_status "no exec file" 2 $?
check_contains "no exec file" /tmp/602.out "/nonexistent/exec"
module_works "device back"
finish
