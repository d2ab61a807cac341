# Output far larger than a page comes back complete and byte-exact; sizes
# around page boundaries too; output before a traceback is kept.
. "$KPY_LIB"

kpython -c 'for i in range(6400):
    print("%05d" % i + "-" * 26)' >/tmp/big.out 2>/tmp/big.err
check_status "200 KiB" 0 $?
awk 'BEGIN { for (i = 0; i < 6400; i++) printf "%05d--------------------------\n", i }' >/tmp/big.exp
note "200 KiB: expected $(wc -c </tmp/big.exp) bytes md5 $(md5sum </tmp/big.exp | cut -c1-32)," \
	"got $(wc -c </tmp/big.out) bytes md5 $(md5sum </tmp/big.out | cut -c1-32)"
if ! cmp -s /tmp/big.exp /tmp/big.out; then
	fail "200 KiB: output differs: $(cmp /tmp/big.exp /tmp/big.out 2>&1)"
	cat /tmp/big.err
fi

for n in 0 1 4095 4096 4097 8191 8192 8193 65537; do
	got=$(kpython -c "print('x' * $n, end='')" | wc -c)
	check_eq "one print of $n bytes: byte count" "$n" "$got"
done

kpython -c 'print("y" * 5000)
1 // 0' >/tmp/bigexc.out 2>/dev/null
check_status "5000 bytes then an exception" 1 $?
check_eq "5000 bytes then an exception: first line" \
	5000 "$(head -n 1 /tmp/bigexc.out | tr -d '\n' | wc -c)"
check_contains "5000 bytes then an exception" /tmp/bigexc.out \
	"ZeroDivisionError"

finish
