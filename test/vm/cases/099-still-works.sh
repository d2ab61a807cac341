# After everything above, the module still runs scripts normally.
. "$KPY_LIB"

[ -e "$KPY_EXEC" ] || fail "$KPY_EXEC is gone"
module_works "final"
out=$(kpython -c 'import gc
gc.collect()
print(sum(range(10)))' 2>&1)
check_eq "final gc + sum" 45 "$out"

# The stack numbers after every case (README "Stack budget"): the deepest
# use below the entry frame and the least stack ever left free.
stats=/sys/kernel/debug/kpython/stats
note "$(grep -E '^stack_' "$stats" | tr '\n' ' ')"
free=$(sed -n 's/^stack_min_free //p' "$stats")
[ -n "$free" ] && [ "$free" -gt 1024 ] ||
	fail "least free kernel stack $free bytes: under 1 KiB"

finish
