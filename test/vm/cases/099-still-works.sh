# After everything above, the module still runs scripts normally.
. "$KPY_LIB"

[ -e "$KPY_EXEC" ] || fail "$KPY_EXEC is gone"
module_works "final"
out=$(kpython -c 'import gc
gc.collect()
print(sum(range(10)))' 2>&1)
check_eq "final gc + sum" 45 "$out"

finish
