# A 64 KiB script (1024 statements), a script with a 60 KB string literal,
# and one over the 1 MiB limit.
. "$KPY_LIB"

awk 'BEGIN {
	pad = "###############################################"
	print "total = 0"
	for (i = 1; i <= 1024; i++)
		printf "total += %4d # %s\n", i, pad
	print "print(total)"
}' >/tmp/big-script.py
size=$(wc -c </tmp/big-script.py)
note "script size: $size bytes"
[ "$size" -ge 65536 ] || fail "generated script is only $size bytes"
out=$(kpython /tmp/big-script.py 2>&1)
check_status "64 KiB script" 0 $?
check_eq "64 KiB script: output" 524800 "$out"

awk 'BEGIN {
	printf "s = \""
	for (i = 0; i < 6000; i++)
		printf "0123456789"
	print "\""
	print "print(len(s), s[-3:])"
}' >/tmp/long-literal.py
out=$(kpython /tmp/long-literal.py 2>&1)
check_status "60 KB literal" 0 $?
check_eq "60 KB literal: output" "60000 789" "$out"

# Over the module's 1 MiB limit: a clear error, and the module stays usable.
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "x = %060d\n", i }' >/tmp/too-big.py
kpython /tmp/too-big.py >/tmp/too-big.out 2>&1
check_status "script over 1 MiB" 2 $?
check_contains "script over 1 MiB: message" /tmp/too-big.out "File too large"
module_works "after the oversized script"

finish
