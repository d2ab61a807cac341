# FPU sections stay short (issue 10): preemption is off inside one. The
# 1 ms poll timer makes the next hook leave the section, so a section
# spans at most the C operation the interpreter is in when the timer fires.
# The module counts, per section, how often the timer fired inside it (a
# count that CPU stalls of the VM do not inflate, unlike the time, which is
# printed too); the most since load, after every case before this one (the
# hostile corpus included), must stay under a bound. What makes sections
# long is the one C operation between two hooks (the longest: a memcmp of
# 200 KB per position in 251-hostile-search-count, which spanned up to 76
# periods in qemu's software emulation on a loaded host); a section that
# did not end at hooks would span a whole 2 s time-limited case.
. "$KPY_LIB"

stats=/sys/kernel/debug/kpython/stats
bound=${KPY_FPU_SECTION_BOUND_POLLS:-500}
# A float loop long enough to span many poll periods.
kpython -c 'x = 0.0
for i in range(50000):
    x += i * 0.5
print(x)' >/dev/null || fail "float loop"
polls=$(sed -n 's/^fpu_section_max_polls //p' "$stats")
note "$(grep -E '^(fpu_|poll_)' "$stats" | tr '\n' ' ')"
[ -n "$polls" ] && [ "$polls" -le "$bound" ] ||
	fail "an FPU section spanned $polls poll periods, bound $bound"
finish
