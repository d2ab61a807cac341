# The client's interface: usage errors, help, stdin and file input, exit codes,
# no "cat: read error" noise on stderr.
. "$KPY_LIB"

# expect_client LABEL STATUS [ARGS...]: run the client, check its exit status.
expect_client() {
	_label=$1 _want=$2
	shift 2
	kpython "$@" >/tmp/client.out 2>/tmp/client.err </dev/null
	check_status "$_label" "$_want" $?
}

expect_client "-h" 0 -h
check_contains "-h" /tmp/client.out "usage:"
expect_client "no arguments" 2
[ -s /tmp/client.err ] || fail "no arguments: nothing on stderr"
expect_client "-c without code" 2 -c
expect_client "unknown option" 2 -z
expect_client "too many arguments" 2 -c 'print(1)' extra
expect_client "missing file" 2 /nonexistent.py
check_contains "missing file" /tmp/client.err "/nonexistent.py"
KPY_EXEC=/nonexistent/exec expect_client "missing exec file" 2 -c 'print(1)'
check_contains "missing exec file" /tmp/client.err "/nonexistent/exec"

out=$(printf 'print(40 + 2)\n' | kpython - 2>&1)
check_status "stdin" 0 $?
check_eq "stdin" 42 "$out"

printf 'print("from a file")' >"/tmp/my script.py"
out=$(kpython "/tmp/my script.py" 2>&1)
check_status "file with a space in its name" 0 $?
check_eq "file with a space in its name" "from a file" "$out"

out=$(kpython -c 'for i in range(3):
    print(i)' 2>&1)
check_eq "multi-line -c" "0
1
2" "$out"

expect_client "exception" 1 -c '1 // 0'
check_contains "exception" /tmp/client.out "ZeroDivisionError"
if [ -s /tmp/client.err ]; then
	fail "exception: stderr not empty:"
	show /tmp/client.err
fi

# KPY_EXEC is honoured (point it at the real file through a symlink).
ln -sf "$KPY_EXEC" /tmp/exec-link
out=$(KPY_EXEC=/tmp/exec-link kpython -c 'print("via link")' 2>&1)
check_eq "KPY_EXEC" "via link" "$out"

finish
