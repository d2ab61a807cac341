# kernel.printk(): every level reaches the log with its level; bad levels
# and types raise; a loop cannot flood the log (1000 messages a run).
. "$KPY_LIB"

out=$(kpython -c 'import kernel
for lv in ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"):
    kernel.printk("kpy-printk-test " + lv, level=lv)
print(kernel.printk("kpy-printk-test default"))
for bad in ("loud", "", 3, None):
    try:
        kernel.printk("x", bad)
    except (ValueError, TypeError) as e:
        print(type(e).__name__)
try:
    kernel.printk(b"bytes")
except TypeError:
    print("TypeError")
try:
    kernel.printk()
except TypeError:
    print("TypeError")' 2>&1)
check_eq "printk output" "True
ValueError
ValueError
TypeError
TypeError
TypeError
TypeError" "$out"
lvl=0
for lv in emerg alert crit err warning notice info debug; do
	line=$(dmesg -r | grep "kpy-printk-test $lv\$" | tail -n 1)
	case $line in
	"<$lvl>"*) ;;
	*) fail "printk level $lv: log line '$line', expected prefix <$lvl>" ;;
	esac
	lvl=$((lvl + 1))
done
dmesg -r | grep -q '<6>.*kpy-printk-test default$' || fail "printk default level is not info"

out=$(kpython -c 'import kernel
n = 0
for i in range(5000):
    n += kernel.printk("kpy-printk-flood %d" % i)
print(n)')
check_eq "printk budget per run" 1000 "$out"
check_eq "flood lines in the log" 1000 "$(dmesg | grep -c 'kpy-printk-flood')"
out=$(kpython -c 'import kernel; print(kernel.printk("kpy-printk-after " + "y" * 5000))')
check_eq "budget renewed for the next run" True "$out"
n=$(dmesg | grep 'kpy-printk-after' | tail -n 1 | sed 's/.*kpy-printk-after //' | tr -d '\n' | wc -c)
[ "$n" -le 1000 ] && [ "$n" -ge 900 ] || fail "a long message is cut near 1000 bytes: $n"
finish
