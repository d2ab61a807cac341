# Importing a module while another process writes it gets whatever the
# file holds at that moment: it imports or raises, never hangs. A module
# over 1 MiB (the exec file's own limit) is refused.
. "$KPY_LIB"

d=/tmp/kpy-524
mkdir -p "$d"
: >"$d/grow.py"
touch "$d/run"
(
	i=0
	while [ -e "$d/run" ]; do
		printf 'x%d = %d\n' "$i" "$i" >>"$d/grow.py"
		i=$((i + 1))
		[ $((i % 300)) = 0 ] && printf 'x = (' >>"$d/grow.py" && : >"$d/grow.py"
	done
) &
writer=$!
ok=0 raised=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	kpython -c 'import sys
sys.path.insert(0, "/tmp/kpy-524")
import grow
print(len(dir(grow)))' >"$d/out" 2>&1
	st=$?
	case $st in
	0) ok=$((ok + 1)) ;;
	1) raised=$((raised + 1)) ;;
	*) fail "import while written: exit $st"; show "$d/out" ;;
	esac
done
rm -f "$d/run"
wait "$writer"
note "imports while written: $ok imported, $raised raised"

# Over the limit: OSError EFBIG, at once.
dd if=/dev/zero bs=1024 count=1100 2>/dev/null | tr '\0' '#' >"$d/big.py"
kpython -c 'import sys
sys.path.insert(0, "/tmp/kpy-524")
import errno
try:
    import big
except OSError as e:
    print(errno.errorcode[e.errno])' >"$d/out" 2>&1
check_status "big module" 0 $?
check_contains "big module" "$d/out" EFBIG
rm -rf "$d"
module_works "import while written"
finish
